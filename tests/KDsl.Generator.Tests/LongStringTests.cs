using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;
using KDsl.Image;
using Microsoft.CodeAnalysis.CSharp;
using NUnit.Framework;

namespace KDsl.Generator.Tests
{
    /// <summary>
    /// Text of megabytes reaches generated C# in a form the compiler accepts (issue 21): C# string literals go to the
    /// assembly's user-string heap, 16 MiB at most (ECMA-335 II.24.2.4; past it the compiler reports CS8103), so a text
    /// longer than <see cref="KDslGenerator.Emitter.LongLiteralChars"/> (a description, an expected printk line) is
    /// emitted as its UTF-8 bytes and decoded when the image is built. The megabyte case is checked on the emitted
    /// expression (no literal, the same text back); the compiler sees a moderate one end to end (compiling megabytes
    /// of byte initializers costs Roslyn minutes and shows nothing more).
    /// </summary>
    [TestFixture]
    public sealed class LongStringTests
    {
        private const string Utf8Prefix = "global::System.Text.Encoding.UTF8.GetString(new byte[] { ";

        [Test]
        public void MegabyteText_IsEmittedAsUtf8Bytes_WithNoLiteralForTheUserStringHeap()
        {
            // 5 MB: in UTF-16 on the user-string heap two of these would pass its 16 MiB
            string text = new string('d', 5_000_000) + "\u00e9\u2028\"";
            string expression = KDslGenerator.Emitter.TextExpression(text);
            Assert.That(expression, Does.StartWith(Utf8Prefix).And.EndWith(" })"));
            Assert.That(expression.IndexOf('"'), Is.EqualTo(-1), "no string literal: nothing goes to the user-string heap");
            Assert.That(Decode(expression), Is.EqualTo(text));
        }

        [Test]
        public void TextUpToTheLimit_IsALiteral_PastItBytes()
        {
            string atLimit = new string('a', KDslGenerator.Emitter.LongLiteralChars);
            Assert.That(KDslGenerator.Emitter.TextExpression(atLimit), Is.EqualTo("\"" + atLimit + "\""));
            Assert.That(KDslGenerator.Emitter.TextExpression(atLimit + "a"), Does.StartWith(Utf8Prefix));
            var parsed = SyntaxFactory.ParseExpression(KDslGenerator.Emitter.TextExpression(atLimit + "\u00e9"));
            Assert.That(parsed.GetDiagnostics(), Is.Empty);
        }

        [Test]
        public void LongDescriptionAndExpectation_BuildAndRoundTrip()
        {
            string description = new string('d', 3 * KDslGenerator.Emitter.LongLiteralChars) + "\u00e9";
            string line = new string('x', 3 * KDslGenerator.Emitter.LongLiteralChars);
            string text = $"module big \"{description}\";\ninit {{ }}\nexpect {{ printk line \"{line}\"; }}\n";
            var run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(assemblyName: "LongStrings"),
                new InMemoryAdditionalText(GeneratorHarness.PathOf("big.kdsl"), text));
            Assert.That(run.Diagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error), Is.Empty);
            Assert.That(run.Output.SyntaxTrees.Any(t => t.ToString().Contains(Utf8Prefix)), Is.True, "the long texts took the bytes' form");
            byte[] assembly = GeneratorHarness.EmitOrFail(run.Output);

            var type = GeneratorHarness.LoadGeneratedType(assembly, "KDsl.Experiments.Big");
            var image = (ModuleImage)type.GetProperty("Image", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
            Assert.That(image.Description, Is.EqualTo(description));
            Assert.That(image.Expectations.Single().Text, Is.EqualTo(line));
        }

        /// <summary>The text an emitted UTF-8 byte expression stands for.</summary>
        private static string Decode(string expression)
        {
            string body = expression.Substring(Utf8Prefix.Length, expression.Length - Utf8Prefix.Length - " })".Length);
            var bytes = body.Split(',', System.StringSplitOptions.RemoveEmptyEntries).Select(b => byte.Parse(b, CultureInfo.InvariantCulture)).ToArray();
            return Encoding.UTF8.GetString(bytes);
        }
    }
}
