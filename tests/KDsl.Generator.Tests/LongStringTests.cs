using System.Linq;
using System.Reflection;
using KDsl.Image;
using NUnit.Framework;

namespace KDsl.Generator.Tests
{
    /// <summary>
    /// Text of megabytes reaches generated C# in a form the compiler accepts (issue 21): C# string literals go to the
    /// assembly's user-string heap, 16 MiB at most (ECMA-335 II.24.2.4; past it the compiler reports CS8103), so a 5 MB
    /// description and a 5 MB expected printk line are emitted as UTF-8 bytes and decoded when the image is built.
    /// </summary>
    [TestFixture]
    public sealed class LongStringTests
    {
        [Test]
        public void MegabyteDescriptionAndExpectation_BuildAndRoundTrip()
        {
            string description = new string('d', 5_000_000) + "\u00e9";
            string line = new string('x', 5_000_000);
            string text = $"module big \"{description}\";\ninit {{ }}\nexpect {{ printk line \"{line}\"; }}\n";
            var run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(assemblyName: "LongStrings"),
                new InMemoryAdditionalText(GeneratorHarness.PathOf("big.kdsl"), text));
            Assert.That(run.Diagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error), Is.Empty);
            byte[] assembly = GeneratorHarness.EmitOrFail(run.Output);

            var type = GeneratorHarness.LoadGeneratedType(assembly, "KDsl.Experiments.Big");
            var image = (ModuleImage)type.GetProperty("Image", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
            Assert.That(image.Description, Is.EqualTo(description));
            Assert.That(image.Expectations.Single().Text, Is.EqualTo(line));
        }
    }
}
