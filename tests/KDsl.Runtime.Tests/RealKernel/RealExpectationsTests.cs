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

        [Test]
        public void ADivideErrorIsItsKind()
        {
            var results = Check("linux-6.1", "divide_error-norand.log", "oops divide_error;");
            Assert.That(results[0].Met, Is.True);
        }
    }
}
