using System.Linq;
using KDsl.Analysis;
using KDsl.Binding;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.Analysis
{
    /// <summary>
    /// The guards of a call are the conditions that must hold when it runs: an `if (c) return ...;` guards only the
    /// calls after it in its block. A printk before `if (depth > 0) return f(depth - 1) + 1;` runs at every level,
    /// including the one whose recursive call is taken (struct-chain's submit; the analysis used to attach the later
    /// `depth > 0` guard to the printk too, skip it wherever the recursion went on, and place the overflow a level late).
    /// </summary>
    [TestFixture]
    public class CallGuardsTests
    {
        [Test]
        public void AnEarlyReturnGuardsOnlyTheCallsAfterIt()
        {
            var program = Support.BindClean(Support.Header +
                "int f(int depth) {\n printk(\"depth %d\\n\", depth);\n if (depth > 0) return f(depth - 1) + 1;\n printk(\"bottom\\n\");\n return 0;\n}\n" +
                "init { f(3); }\n");
            var f = program.Functions.Single(x => x.Symbol.Name == "f");
            var calls = CallGuards.Collect(f);
            Assert.That(calls.Select(c => c.Call.Function.Name), Is.EqualTo(new[] { "printk", "f", "printk" }));
            Assert.That(calls[0].Guards, Is.Empty, "the first printk runs at every level");
            Assert.That(calls[1].Guards.Select(g => g.MustBe), Is.EqualTo(new[] { true }), "the recursion: depth > 0");
            Assert.That(calls[2].Guards.Select(g => g.MustBe), Is.EqualTo(new[] { false }), "after the early return: !(depth > 0)");
        }

        [Test]
        public void ACaseLabelKeepsTheGuardsBeforeTheSwitch()
        {
            // only the switch jumps to a case label, after the early return; an early return inside a case guards
            // nothing of the next case (tri_BUF.c's dispatcher: without its n <= 0 guard the recursion had no bound, and
            // costing its two callees at every level never ended)
            var program = Support.BindClean(Support.Header +
                "void f(int n) {\n if (n <= 0) return;\n switch (n % 3) {\n case 0: if (n > 50) return; g(n); break;\n" +
                " default: g(n - 1); break;\n }\n}\nvoid g(int n) { f(n - 1); }\ninit { f(3); }\n");
            var calls = CallGuards.Collect(program.Functions.Single(x => x.Symbol.Name == "f"));
            Assert.That(calls.Select(c => c.Guards.Select(g => g.MustBe)), Is.EqualTo(new[] { new[] { false, false }, new[] { false } }));
        }

        [Test]
        public void ALabelDropsTheGuardsBeforeIt()
        {
            // `goto again` can reach the label without passing the early return, so the printk after it is unguarded
            var program = Support.BindClean(Support.Header +
                "int f(int n) {\n if (n == 0) goto again;\n if (n > 5) return 0;\n again:\n printk(\"n %d\\n\", n);\n return 1;\n}\n" +
                "init { f(3); }\n");
            var calls = CallGuards.Collect(program.Functions.Single(x => x.Symbol.Name == "f"));
            Assert.That(calls.Single().Guards, Is.Empty);
        }
    }
}
