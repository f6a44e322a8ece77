using System;
using System.Linq;
using System.Threading.Tasks;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.Analysis
{
    /// <summary>
    /// A recursion that calls itself twice per level (issue 21: `t(n - 1); t(n - 1);` from t(4100) never finished,
    /// the analysis costing each of the 2^4100 paths). The stack is as deep after either call, so the analysis must say
    /// exactly what it says for a one-call recursion of the same frame (n kept across the call: no tail call), and say it
    /// in polynomial time.
    /// </summary>
    [TestFixture]
    public class BranchingRecursionTests
    {
        private static string Source(string body) =>
            "module m \"branching\";\nlong g;\nvoid t(int n) {\n    if (n > 0) {\n" + body + "    }\n}\ninit {\n    t(4100);\n    return 0;\n}\n";

        [Test]
        public void TwoSelfCallsPerLevel_CostWhatOneDoes()
        {
            var twice = Task.Run(() => Compiler.Compile("m.kdsl", Source("        t(n - 1);\n        t(n - 1);\n")));
            // a guard against the exponential analysis coming back (it would never end), not a measurement
            Assert.That(twice.Wait(TimeSpan.FromMinutes(2)), Is.True, "the analysis did not end");
            var once = Compiler.Compile("m.kdsl", Source("        t(n - 1);\n        g = n;\n"));
            string Messages(CompileResult r, string id) => string.Join("\n", r.Diagnostics.Where(d => d.Id == id).Select(d => d.Message));
            Assert.That(Messages(twice.Result, "KDSL1002"), Is.EqualTo(Messages(once, "KDSL1002")).And.Not.Empty);
            Assert.That(Messages(twice.Result, "KDSL1003"), Is.EqualTo(Messages(once, "KDSL1003")).And.Not.Empty);
        }

        /// <summary>
        /// The same with arguments that grow without bound (t(n + 1) twice from t(0)): every path runs into the analysis'
        /// activation cap, and what ran into it from as deep is not costed again, so it ends, with the verdict of one call.
        /// </summary>
        [Test]
        public void TwoUnboundedSelfCallsPerLevel_CostWhatOneDoes()
        {
            string Unbounded(string body) => "module m \"branching\";\nlong g;\nvoid t(int n) {\n" + body + "}\ninit {\n    t(0);\n    return 0;\n}\n";
            var twice = Task.Run(() => Compiler.Compile("m.kdsl", Unbounded("    t(n + 1);\n    t(n + 1);\n")));
            Assert.That(twice.Wait(TimeSpan.FromMinutes(2)), Is.True, "the analysis did not end");
            var once = Compiler.Compile("m.kdsl", Unbounded("    t(n + 1);\n    g = n;\n"));
            string Messages(CompileResult r, string id) => string.Join("\n", r.Diagnostics.Where(d => d.Id == id).Select(d => d.Message).Distinct());
            Assert.That(Messages(twice.Result, "KDSL1002"), Is.EqualTo(Messages(once, "KDSL1002")).And.Not.Empty);
            Assert.That(Messages(twice.Result, "KDSL1003"), Is.EqualTo(Messages(once, "KDSL1003")).And.Not.Empty);
        }
    }
}
