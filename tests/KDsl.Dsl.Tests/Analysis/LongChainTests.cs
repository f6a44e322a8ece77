using System.Linq;
using System.Text;
using System.Threading;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.Analysis
{
    /// <summary>
    /// Chains of thousands of distinct functions (issue 21: 5,000 of them got thousands of false KDSL1003). A chain of
    /// real calls longer than the analysis follows (4096 activations) is no recursion: no KDSL1003 names its calls, and
    /// the entry gets one KDSL1002 saying the chain outgrows the stack (each activation holds at least its return
    /// address). A chain of tail calls is compiled as GCC -O2 compiles it, to sibling calls (jmp: the callee takes the
    /// caller's place on the stack), so it is no deeper than its deepest function, however long it is.
    /// </summary>
    [TestFixture]
    public class LongChainTests
    {
        private const int Length = 4200;

        private static string Chain(string after) =>
            "module chain \"c\";\nlong g;\n" +
            string.Concat(Enumerable.Range(0, Length).Select(i =>
                $"void f{i}(long x) {{ {(i + 1 < Length ? $"f{i + 1}(x + 1);{after}" : "g = x;")} }}\n")) +
            "init { f0(0); }\n";

        /// <summary>
        /// Compiles on a thread with the CLI's main-thread stack (8 MiB): the analysis follows a call chain as deep as
        /// the host stack lets it (on a smaller stack, a Roslyn generator's thread, it stops sooner and says the chain is
        /// deeper than it follows).
        /// </summary>
        private static CompileResult Compile(string source)
        {
            CompileResult? result = null;
            var thread = new Thread(() => result = Compiler.Compile("chain.kdsl", source), 8 << 20);
            thread.Start();
            thread.Join();
            return result!;
        }

        [Test]
        public void AChainOfRealCallsPastTheCap_IsNotARecursion()
        {
            var diagnostics = Compile(Chain(" g = x;")).Diagnostics;
            Assert.That(diagnostics.Count(d => d.Id == "KDSL1003"), Is.Zero, "a chain of distinct functions does not recurse");
            var overflow = diagnostics.Where(d => d.Id == "KDSL1002").ToList();
            Assert.That(overflow, Has.Count.EqualTo(1));
            Assert.That(overflow[0].Message, Does.Contain("deeper than the analysis follows").Or.Contain("at depth"));
        }

        [Test]
        public void AChainOfTailCalls_CostsWhatItsDeepestFunctionCosts()
        {
            var chain = Compile(Chain("")).Diagnostics;
            Assert.That(chain.Count(d => d.Id is "KDSL1002" or "KDSL1003"), Is.Zero, string.Join("\n", chain.Take(3)));
            // the same entry calling the chain's last function alone: the same worst case
            var one = Compiler.Compile("one.kdsl", "module chain \"c\";\nlong g;\nvoid f0(long x) { g = x; }\ninit { f0(0); }\n").Diagnostics;
            string Summary(System.Collections.Generic.IEnumerable<KDsl.Diagnostics.Diagnostic> ds) =>
                ds.Single(d => d.Id == "KDSL1004").Message.Split(" (path:")[0];
            Assert.That(Summary(chain), Is.EqualTo(Summary(one)).And.StartWith("init uses at most "));
        }
    }
}
