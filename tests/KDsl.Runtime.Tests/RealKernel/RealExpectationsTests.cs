using System.IO;
using System.Linq;
using KDsl.Runtime.RealKernel;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.RealKernel
{
    /// <summary>An `expect` block checked against a real kernel's console (what `kdsl oracle` prints under the table), on the recorded logs.</summary>
    [TestFixture]
    public class RealExpectationsTests
    {
        private static (bool? Met, string Actual)[] Check(string profile, string file, string expect)
        {
            var source = $"module step5 \"step5\";\ninit {{ printk(\"x\"); }}\nexpect {{\n{expect}\n}}\n";
            var image = Compiler.Compile("e.kdsl", source).Image!;
            var console = File.ReadAllLines(new RealKernelLog(profile, file).Path);
            return RealExpectations.Check(image.Expectations, console, KernelLogFields.Parse(console))
                .Select(r => (r.Met, r.Actual)).ToArray();
        }

        [Test]
        public void Step5sExpectationsHoldOnThe61Log()
        {
            // examples/step5.kdsl's block; the 4096-byte run on 6.1: three buffers, the fourth level hits the guard page
            var results = Check("linux-6.1", "step5_4096-norand.log",
                "printk \"step5 LOADED.\" count 1;\nprintk \"finished initialized buf\" count 3;\noops stack_guard in rstack depth 4;");
            Assert.That(results.Select(r => r.Met), Is.All.True);
        }

        [Test]
        public void AnExpectationTheRealRunDoesNotMeetSaysWhatTheLogShows()
        {
            var results = Check("linux-6.1", "step5_4096-norand.log",
                "printk \"finished initialized buf\" count 4;\noops stack_guard in rstack depth 5;\noops bug;\nstack max 100;");
            Assert.That(results[0], Is.EqualTo(((bool?)false, "3 matching lines")));
            Assert.That(results[1], Is.EqualTo(((bool?)false, "the reliable call trace had 4 frames of rstack")));
            Assert.That(results[2].Met, Is.False);
            Assert.That(results[2].Actual, Does.StartWith("the report was \"BUG: TASK stack guard page was hit at"));
            Assert.That(results[3], Is.EqualTo(((bool?)null, "not in a kernel console")));
        }

        private static (bool? Met, string Actual)[] CheckConsole(string[] console, string expect)
        {
            var source = $"module m \"m\";\ninit {{ printk(\"x\"); }}\nexpect {{\n{expect}\n}}\n";
            var image = Compiler.Compile("e.kdsl", source).Image!;
            return RealExpectations.Check(image.Expectations, console, KernelLogFields.Parse(console)).Select(r => (r.Met, r.Actual)).ToArray();
        }

        [Test]
        public void AWarningBeforeTheOopsIsNotTheOops()
        {
            // examples/bug-on.kdsl on the real 6.1 kernel (kdsl oracle's console, the report lines): WARN_ON's report
            // first, then BUG()'s oops, each with its own RIP. `oops bug in check` is about the second, as KDsl's
            // RunResult.Oops is.
            var console = new[]
            {
                "[    4.607809] ------------[ cut here ]------------",
                "[    4.607993] WARNING: CPU: 0 PID: 85 at k/wt-ko3/examples/bug-on.kdsl:10 check+0x22/0x1000 [bug_on]",
                "[    4.609927] RIP: 0010:check+0x22/0x1000 [bug_on]",
                "[    4.616316] ------------[ cut here ]------------",
                "[    4.616418] kernel BUG at k/wt-ko3/examples/bug-on.kdsl:12!",
                "[    4.616963] invalid opcode: 0000 [#1] PREEMPT SMP NOPTI",
                "[    4.617574] RIP: 0010:check+0x59/0x1000 [bug_on]",
            };
            var results = CheckConsole(console, "oops bug in check;\noops invalid_opcode;\noops bug in bug_on_init;");
            Assert.That(results[0], Is.EqualTo(((bool?)true, "check+0x59/0x1000")));
            Assert.That(results[1].Met, Is.False, "the first oops report is kernel BUG's");
            Assert.That(results[2], Is.EqualTo(((bool?)false, "RIP was check+0x59/0x1000")));
        }

        [Test]
        public void AStackProtectorPanicNamesItsFunction()
        {
            // examples/stack-protector.kdsl on the real 6.1 kernel: __stack_chk_fail panics without registers; the
            // function is the one the panic message names
            var console = new[]
            {
                "[    5.215519] Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: overrun+0x8c/0x1000 [stack_protector]",
                "[    5.215912] CPU: 0 PID: 85 Comm: insmod Tainted: G           OE      6.1.0-56-amd64 #1  Debian 6.1.192-2",
            };
            var results = CheckConsole(console, "oops stack_protector in overrun;\noops stack_protector in init;");
            Assert.That(results[0], Is.EqualTo(((bool?)true, "overrun+0x8c/0x1000")));
            Assert.That(results[1], Is.EqualTo(((bool?)false, "RIP was overrun+0x8c/0x1000")));
        }

        [Test]
        public void ADivideErrorIsItsKind()
        {
            var results = Check("linux-6.1", "divide_error-norand.log", "oops divide_error;");
            Assert.That(results[0].Met, Is.True);
        }
    }
}
