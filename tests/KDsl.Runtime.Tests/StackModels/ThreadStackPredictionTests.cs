using System.Linq;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.StackModels
{
    /// <summary>
    /// A kthread_run thread function is an entry point of its own: the static analysis costs it on a fresh stack below
    /// pt_regs, ret_from_fork's call and kthread's frame, and the runtime measures the thread's real high-water mark.
    /// </summary>
    [TestFixture]
    public class ThreadStackPredictionTests
    {
        [TestCase("linux-6.1", "16K")]
        [TestCase("linux-5.10", "8K")]
        [TestCase("linux-4.11", "16K")]
        public void PredictedWorstCase_IsTheMeasuredHighWater(string profile, string threadSize)
        {
            // No arrays (no stack-protector branch the run would not take) and printk at the bottom: the worst path runs.
            // `^ a`: GCC turns `deep(n - 1) + a` into a loop on 5.10 and 6.1 (TailRecursion), a bitwise operator keeps the calls.
            const string source = "module t \"t\";\n" +
                "long deep(long n) { long a = n * 3; if (n > 0) return deep(n - 1) ^ a; printk(\"bottom %ld\\n\", a); return a; }\n" +
                "void worker(long n) { deep(n); }\n" +
                "init { kthread_run(worker, 6); }\n";
            var result = Compiler.Compile("t.kdsl", source, new System.Collections.Generic.Dictionary<string, string>
            {
                ["profile"] = profile, ["thread_size"] = threadSize,
            });
            var entry = result.Image!.Stack!.Entries.Single(e => e.Entry == "worker");
            Assert.That(entry.Path, Does.Contain("deep ×7"), "deep(6) down to deep(0): seven activations");
            var run = Machine.Run(result.Image);
            var thread = run.KernelThreads.Single();
            Assert.That(thread.StackHighWater, Is.EqualTo(entry.WorstCase), run.Dmesg);
        }
    }
}
