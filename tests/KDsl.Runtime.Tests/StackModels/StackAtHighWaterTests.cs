using System.Linq;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.StackModels
{
    /// <summary>
    /// The replay to a run's high-water mark (StackAtHighWater.Replay): where nothing faulted, the stack is unwound at the
    /// instruction that took RSP to its lowest, so the call chain there is the one the stack analysis calls the worst case.
    /// </summary>
    [TestFixture]
    public class StackAtHighWaterTests
    {
        private static string Source(string body) =>
            "module hw \"high-water\";\n" +
            "void walk(int n) {\n" +
            "    char buf[200];\n" +
            "    for (int i = 0; i < 200; i++)\n" +
            "        buf[i] = 0;\n" +
            body +
            "    if (n > 0)\n" +
            "        walk(n - 1);\n" +
            "}\n" +
            "init {\n" +
            "    walk(4);\n" +
            "}\n";

        private static (KDsl.Image.ModuleImage Image, RunResult Run, StackAtHighWater Deepest) Replay(string body)
        {
            var compiled = Compiler.Compile("hw.kdsl", Source(body));
            Assert.That(compiled.Image, Is.Not.Null, string.Join("\n", compiled.Diagnostics));
            var run = Machine.Run(compiled.Image!);
            Assert.That(run.Oops, Is.Null);
            var deepest = StackAtHighWater.Replay(compiled.Image!, null, run.StackHighWater);
            Assert.That(deepest, Is.Not.Null);
            return (compiled.Image!, run, deepest!);
        }

        [Test]
        public void ASiblingCall_LeavesOneLevelOnTheStack()
        {
            // Nothing takes buf's address, so the recursive call is the function's last act and, as GCC -O2 does, a jmp
            // that reuses the frame: one walk frame at any time, the stack deepest in the first (walk(4), the sub rsp).
            var (_, run, deepest) = Replay("");
            Assert.Multiple(() =>
            {
                Assert.That(deepest.Rsp, Is.EqualTo(deepest.StackTop - (ulong)run.StackHighWater));
                Assert.That(deepest.Function, Is.EqualTo("walk"));
                Assert.That((deepest.ModuleFunction, deepest.Depth), Is.EqualTo(("walk", 1)));
                Assert.That(deepest.CallChain.Take(2), Is.EqualTo(new[] { "walk", "hw_init" }));
                Assert.That(deepest.CallChain.Last(), Is.EqualTo("entry_SYSCALL_64_after_hwframe"));
                Assert.That(deepest.RipSymbol, Does.StartWith("walk+0x").And.EndWith(" [hw]"));
            });
        }

        [Test]
        public void APrintkAtTheBottom_IsWhereTheStackIsDeepest()
        {
            // The analysis' worst case is hw_init → walk ×5 → _printk: the run's deepest point is inside the innermost
            // level's printk, below five walk frames.
            var (image, run, deepest) = Replay("    printk(\"[%px] level\\n\", buf);\n");
            var entry = image.Stack!.Entries.Single(e => e.Entry == "hw_init");
            Assert.That(entry.Path, Is.EqualTo("hw_init → walk ×5 → _printk"));
            Assert.That(run.StackHighWater, Is.EqualTo(entry.WorstCase));
            int printk = deepest.CallChain.ToList().IndexOf("_printk");
            Assert.Multiple(() =>
            {
                Assert.That(deepest.Rsp, Is.EqualTo(deepest.StackTop - (ulong)run.StackHighWater));
                Assert.That(printk, Is.GreaterThanOrEqualTo(0), string.Join(" <- ", deepest.CallChain));
                Assert.That(deepest.CallChain.Skip(printk + 1).Take(6), Is.EqualTo(Enumerable.Repeat("walk", 5).Append("hw_init")));
                Assert.That((deepest.ModuleFunction, deepest.Depth), Is.EqualTo(("walk", 5)));
            });
        }

        [Test]
        public void TheReplayIsDeterministic()
        {
            var (image, run, first) = Replay("    printk(\"[%px] level\\n\", buf);\n");
            var second = StackAtHighWater.Replay(image, null, run.StackHighWater)!;
            Assert.That((second.Rip, second.Rsp, second.CallChain), Is.EqualTo((first.Rip, first.Rsp, first.CallChain)));
        }
    }
}
