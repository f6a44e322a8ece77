using System.Linq;
using KDsl.Image;
using KDsl.Runtime;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Experiments
{
    /// <summary>
    /// might_sleep() is no no-op on these kernels although CONFIG_DEBUG_ATOMIC_SLEEP is off: it is might_resched(). GCC 12
    /// on the 6.1 headers (CONFIG_PREEMPT_DYNAMIC, HAVE_PREEMPT_DYNAMIC_CALL) compiles `noinline void ms(void) {
    /// might_sleep(); }` to `jmp __SCT__might_resched` (the static call's trampoline, then __cond_resched); 5.10
    /// (CONFIG_PREEMPT_VOLUNTARY) calls _cond_resched. With nothing else to run they return at once: a leaf on 6.1, RBX
    /// saved and rcu_all_qs called on 5.10 (the recorded instructions).
    /// </summary>
    [TestFixture]
    public class MightSleepTests
    {
        private static CompileResult Compile(string profile, string body, string init = "printk(\"r %d\\n\", work(4))") =>
            Compiler.Compile("m.kdsl", $"module m \"m\";\nconfig {{ profile = {profile}; }}\nvoid empty(void) {{ }}\nint work(int n) {{ {body}; return n + 1; }}\ninit {{ {init}; }}\n");

        [TestCase("linux-6.1", "__SCT__might_resched", 8)]
        [TestCase("linux-5.10", "_cond_resched", 24)]
        public void ItCallsMightResched_AndReturns(string profile, string callee, int depth)
        {
            var result = Compile(profile, "might_sleep()");
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            var image = result.Image!;
            var work = image.Symbols.Single(s => s.Name == "work" && s.Section == Section.Text);
            Assert.That(image.Relocations.Where(r => r.Offset >= work.Offset && r.Offset < work.Offset + work.Size).Select(r => r.Target),
                Is.EqualTo(new[] { callee }));
            var run = Machine.Run(image);
            Assert.That(run.Dmesg, Does.Contain("] r 5\n"));
            Assert.That(run.Oops, Is.Null);
            static long WorstCase(CompileResult r) => r.Image!.Stack!.Entries.Single(e => e.Entry == "m_init").WorstCase;
            // without printk the callee is the deepest: only its stack differs from an empty function's return address
            Assert.That(WorstCase(Compile(profile, "might_sleep()", "work(4)")) - WorstCase(Compile(profile, "empty()", "work(4)")),
                Is.EqualTo(depth - 8));
        }
    }
}
