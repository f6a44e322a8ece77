using System.Linq;
using KDsl.Analysis;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Experiments
{
    /// <summary>
    /// `max_depth N`: a recursion bound the author states where the analysis cannot prove one. The depth below comes from
    /// a variable the loop assigns, so the constant evaluator cannot follow it: without the bound the recursion is
    /// unbounded (KDSL1003); with the true bound the predicted worst case is the run's high-water mark.
    /// </summary>
    [TestFixture]
    public class MaxDepthTests
    {
        private static string Source(string clause, int levels) =>
            "module md \"max_depth\";\n" +
            "void walk(int n)" + clause + " {\n" +
            "    char buf[256];\n" +
            "    for (int i = 0; i < 256; i++)\n" +
            "        buf[i] = 0;\n" +
            "    printk(\"[%px] level\\n\", buf);\n" +
            "    if (n > 0)\n" +
            "        walk(n - 1);\n" +
            "}\n" +
            "init {\n" +
            "    int d = 0;\n" +
            "    for (int i = 0; i < " + levels + "; i++)\n" +
            "        d++;\n" +
            "    walk(d);\n" +
            "}\n";

        private static (CompileResult Result, EntryStackUsage Entry) Compile(string clause, int levels)
        {
            var result = Compiler.Compile("md.kdsl", Source(clause, levels));
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            return (result, result.Image!.Stack!.Entries.Single(e => e.Entry == "md_init"));
        }

        [Test]
        public void WithoutABound_TheRecursionIsUnbounded()
        {
            var (result, entry) = Compile("", 4);
            Assert.That(result.Diagnostics.Select(d => d.Id), Does.Contain("KDSL1003"));
            Assert.That(entry.Unbounded, Is.True);
        }

        [Test]
        public void TheTrueBound_PredictsTheHighWaterMark()
        {
            // walk(4) runs walk(4) .. walk(0): five activations at once.
            var (result, entry) = Compile(" max_depth 5", 4);
            Assert.That(result.Diagnostics.Select(d => d.Id), Does.Not.Contain("KDSL1003"));
            Assert.That(entry.Unbounded, Is.False);
            Assert.That(entry.Overflow, Is.Null);
            Assert.That(entry.Path, Is.EqualTo("md_init → walk ×5 → _printk"));
            var run = Machine.Run(result.Image!);
            Assert.That(run.Oops, Is.Null);
            Assert.That(run.StackHighWater, Is.EqualTo(entry.WorstCase));
        }

        [Test]
        public void TheBound_CostsWhatTheSameDepthProvedFromConstantsCosts()
        {
            // walk(2) from a constant: the analysis proves three activations itself; max_depth 3 must give the same figure.
            var proved = Compiler.Compile("md.kdsl", Source("", 0).Replace("walk(d);", "walk(2);"));
            var provedEntry = proved.Image!.Stack!.Entries.Single(e => e.Entry == "md_init");
            var (_, stated) = Compile(" max_depth 3", 2);
            Assert.That(stated.WorstCase, Is.EqualTo(provedEntry.WorstCase));
            Assert.That(stated.Path, Is.EqualTo(provedEntry.Path));
        }

        [Test]
        public void ABoundTooDeepForTheStack_StillPredictsTheOverflowPoint()
        {
            // 200 levels of a 256-byte buffer do not fit 16 KiB: the prediction names walk and the depth the run dies at.
            var (result, entry) = Compile(" max_depth 200", 199);
            Assert.That(entry.Overflow, Is.Not.Null);
            var run = Machine.Run(result.Image!);
            Assert.That(run.Oops, Is.Not.Null);
            Assert.That((entry.Overflow!.Function, entry.Overflow.Depth), Is.EqualTo((run.Oops!.ModuleFunction, run.Oops.Depth)));
        }
    }
}
