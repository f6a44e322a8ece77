using System.Linq;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.Analysis
{
    /// <summary>
    /// KDSL1005: a `max_depth N` below the depth a constant-argument recursion certainly reaches. The depths are C's:
    /// walk(100) with `if (n > 0) walk(n - 1);` runs walk(100), walk(99), ..., walk(0): 101 activations at once (the
    /// call is not the last thing walk does, so neither GCC nor KDsl makes it a loop).
    /// </summary>
    [TestFixture]
    public class MaxDepthTests
    {
        private const string Walk = @"module md ""max_depth"";
config { profile = linux-6.1; }
void walk(long n) max_depth 10 {
    char buf[64];
    buf[n & 63] = 1;
    if (n > 0)
        walk(n - 1);
    printk(""%d\n"", buf[n & 63]);
}
init { CALLS }
";

        private static System.Collections.Generic.List<KDsl.Diagnostics.Diagnostic> Warnings(string source) =>
            Compiler.Compile("md.kdsl", source).Diagnostics.Where(d => d.Id == "KDSL1005").ToList();

        [Test]
        public void ABoundBelowTheCertainDepth_IsReportedAtTheCall()
        {
            string source = Walk.Replace("CALLS", "walk(5); walk(100);");
            var warning = Warnings(source).Single();
            Assert.That(warning.Severity, Is.EqualTo(KDsl.Diagnostics.DiagnosticSeverity.Warning));
            Assert.That(warning.Location.Span.Start, Is.EqualTo(source.IndexOf("walk(100)", System.StringComparison.Ordinal)));
            Assert.That(warning.Message, Does.Contain("max_depth 10").And.Contain("recurse to 101 activations"));
        }

        [TestCase("walk(9);")]    // 10 activations: the bound holds exactly
        [TestCase("walk(-3);")]   // n > 0 is false at once: one activation
        public void ABoundTheRecursionKeeps_IsNotReported(string calls) =>
            Assert.That(Warnings(Walk.Replace("CALLS", calls)), Is.Empty);

        [TestCase("if (n > 0 && (n & 1))")]            // the right operand is not a constant: the depth is not certain
        [TestCase("for (int i = 0; i < n % 2; i++) if (n > 0)")] // a loop (not a counted one GCC unrolls): not followed
        public void ARecursionTheAnalysisCannotFollow_IsNotReported(string guard) =>
            Assert.That(Warnings(Walk.Replace("if (n > 0)", guard).Replace("CALLS", "walk(100);")), Is.Empty);

        [Test]
        public void ATailRecursionCompiledToALoop_HasOneActivation()
        {
            // with the call last, gcc -O2 (and KDsl on 6.1) jumps back instead of calling: one frame, whatever the bound
            string source = Walk.Replace("    printk(\"%d\\n\", buf[n & 63]);\n", "").Replace("buf[n & 63] = 1;", "buf[n & 63] = 1; printk(\"%d\\n\", buf[n & 63]);")
                .Replace("CALLS", "walk(100);");
            Assert.That(source, Does.Not.Contain("    printk(\"%d\\n\", buf[n & 63]);\n}"));
            Assert.That(Warnings(source), Is.Empty);
            Assert.That(Warnings(source.Replace("linux-6.1", "linux-4.11")), Has.Count.EqualTo(1), "4.11's profile keeps every call");
        }
    }
}
