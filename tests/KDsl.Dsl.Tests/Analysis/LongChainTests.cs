using System.Linq;
using System.Text;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.Analysis
{
    /// <summary>
    /// A chain of distinct functions longer than the analysis follows (4096 activations) is no recursion: no KDSL1003
    /// names its calls, and the entry gets one KDSL1002 saying the chain outgrows any stack (each activation holds at
    /// least its return address: 4096 × 8 bytes is more than any THREAD_SIZE).
    /// </summary>
    [TestFixture]
    public class LongChainTests
    {
        [Test]
        public void AChainPastTheCap_IsNotARecursion()
        {
            const int n = 4200;
            var source = new StringBuilder("module chain \"c\";\n");
            for (int i = 0; i < n; i++)
                source.Append($"void f{i}(long x) {{ {(i + 1 < n ? $"f{i + 1}(x + 1);" : "x = x + 1;")} }}\n");
            source.Append("init { f0(0); }\n");
            var diagnostics = Compiler.Compile("chain.kdsl", source.ToString()).Diagnostics;
            Assert.That(diagnostics.Count(d => d.Id == "KDSL1003"), Is.Zero, "a chain of distinct functions does not recurse");
            var overflow = diagnostics.Where(d => d.Id == "KDSL1002").ToList();
            Assert.That(overflow, Has.Count.EqualTo(1));
            Assert.That(overflow[0].Message, Does.Contain("deeper than the analysis follows").Or.Contain("at depth"));
        }
    }
}
