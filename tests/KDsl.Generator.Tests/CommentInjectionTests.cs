using System.Linq;
using NUnit.Framework;

namespace KDsl.Generator.Tests
{
    /// <summary>
    /// Text of the .kdsl file that reaches a generated comment cannot end it: every C# line terminator (CR, LF, U+0085
    /// NEL, U+2028, U+2029) becomes a space, so what follows it in the module's description stays comment, not code.
    /// </summary>
    [TestFixture]
    public sealed class CommentInjectionTests
    {
        [TestCase("\u2028")]
        [TestCase("\u2029")]
        [TestCase("\u0085")]
        public void ALineTerminatorInTheDescription_StaysInTheComment(string terminator)
        {
            string text = "module m \"a" + terminator + "public class Injected { }\";\ninit { }\n";
            var run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(assemblyName: "Injection" + (int)terminator[0]),
                new InMemoryAdditionalText(GeneratorHarness.PathOf("m.kdsl"), text));
            var source = run.Result.GeneratedSources.Single().SourceText.ToString();
            Assert.That(source.IndexOfAny(new[] { '\u0085', '\u2028', '\u2029' }), Is.EqualTo(-1));
            Assert.That(run.Output.GetTypeByMetadataName("Injected"), Is.Null, "the description's text became code");
            Assert.That(run.Output.GetDiagnostics().Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error), Is.Empty);
        }
    }
}
