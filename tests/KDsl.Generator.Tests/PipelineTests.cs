using System;
using System.Linq;
using System.Reflection;
using KDsl.Image;
using Microsoft.CodeAnalysis;
using NUnit.Framework;

namespace KDsl.Generator.Tests
{
    /// <summary>The whole generator in memory with <see cref="FakeCompiler"/>: independent of the real compiler.</summary>
    [TestFixture]
    public sealed class PipelineTests
    {
        private static GeneratorRun Run(bool withRuntime, string assemblyName, params AdditionalText[] texts) =>
            GeneratorHarness.Run(GeneratorHarness.CreateDriver(texts, compile: FakeCompiler.Compile),
                GeneratorHarness.CreateCompilation(withRuntime, assemblyName: assemblyName + Guid.NewGuid().ToString("N")));

        [Test]
        public void ValidFile_GeneratesOneSourceThatBuilds_AndWhoseImageRoundTrips()
        {
            string path = GeneratorHarness.PathOf("step5-992.kdsl");
            GeneratorRun run = Run(withRuntime: true, "FakeValid", new InMemoryAdditionalText(path, "module fake;"));

            Assert.That(run.Result.Exception, Is.Null);
            Assert.That(run.Diagnostics, Is.Empty);
            Assert.That(run.Result.GeneratedSources.Select(s => s.HintName), Is.EqualTo(new[] { "step5-992.kdsl.g.cs" }));

            Type type = GeneratorHarness.LoadGeneratedType(GeneratorHarness.EmitOrFail(run.Output), "KDsl.Experiments.Step5_992");
            var image = (ModuleImage)type.GetProperty("Image", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
            ImageAssert.AreEqual(FakeCompiler.Compile(path, "module fake;")!.Image!, image);
            Assert.That(type.GetField("SourcePath")!.GetRawConstantValue(), Is.EqualTo(path));
            Assert.That(type.GetMethod("Run", BindingFlags.Public | BindingFlags.Static), Is.Not.Null);
        }

        [Test]
        public void CompilationWithoutRuntime_GetsNoRunMethod_ButStillBuilds()
        {
            GeneratorRun run = Run(withRuntime: false, "FakeNoRuntime", new InMemoryAdditionalText(GeneratorHarness.PathOf("step5.kdsl"), "module fake;"));

            Type type = GeneratorHarness.LoadGeneratedType(GeneratorHarness.EmitOrFail(run.Output), "KDsl.Experiments.Step5");
            Assert.That(type.GetMethod("Run"), Is.Null);
            Assert.That(type.GetProperty("Image"), Is.Not.Null);
        }

        [Test]
        public void FileWithErrors_ReportsLocatedDiagnostics_AndNoSource()
        {
            string path = GeneratorHarness.PathOf("broken.kdsl");
            GeneratorRun run = Run(withRuntime: true, "FakeBroken", new InMemoryAdditionalText(path, "module fake;\ninit {\n   ERROR here; WARN\n}\n"));

            Assert.That(run.Result.GeneratedSources, Is.Empty);
            Assert.That(run.Diagnostics.Select(d => d.Id), Is.EquivalentTo(new[] { "KDSL0001", "KDSL1001" }));
            Diagnostic error = run.Diagnostics.Single(d => d.Id == "KDSL0001");
            FileLinePositionSpan span = error.Location.GetLineSpan();
            Assert.Multiple(() =>
            {
                Assert.That(error.Severity, Is.EqualTo(DiagnosticSeverity.Error));
                Assert.That(span.Path, Is.EqualTo(path));
                Assert.That(span.StartLinePosition, Is.EqualTo(new Microsoft.CodeAnalysis.Text.LinePosition(2, 3)));
                Assert.That(span.EndLinePosition, Is.EqualTo(new Microsoft.CodeAnalysis.Text.LinePosition(2, 8)));
                Assert.That(error.Location.SourceSpan, Is.EqualTo(new Microsoft.CodeAnalysis.Text.TextSpan(23, 5)));
                Assert.That(error.ToString(), Does.StartWith(path + "(3,4): error KDSL0001: fake error"));
            });
        }

        [Test]
        public void CompilerThatThrows_GivesKDSL9999_NotAGeneratorCrash()
        {
            string path = GeneratorHarness.PathOf("throws.kdsl");
            GeneratorRun run = Run(withRuntime: true, "FakeThrows", new InMemoryAdditionalText(path, "THROW"));

            Assert.That(run.Result.Exception, Is.Null);
            Assert.That(run.Result.GeneratedSources, Is.Empty);
            Diagnostic diagnostic = run.Diagnostics.Single();
            Assert.That(diagnostic.Id, Is.EqualTo("KDSL9999"));
            Assert.That(diagnostic.Location.GetLineSpan().Path, Is.EqualTo(path));
            Assert.That(diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), Does.Contain("fake compiler failure"));
        }

        [Test]
        public void SameFileNameInTwoFolders_GivesKDSL9998_NotAGeneratorCrash()
        {
            GeneratorRun run = Run(withRuntime: true, "FakeDuplicate",
                new InMemoryAdditionalText("/a/step5.kdsl", "module a;"),
                new InMemoryAdditionalText("/b/step5.kdsl", "module b;"));

            Assert.That(run.Result.Exception, Is.Null);
            Assert.That(run.Result.GeneratedSources, Has.Length.EqualTo(1));
            Assert.That(run.Diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "KDSL9998" }));
        }

        [Test]
        public void FileNamesThatMakeOneClassName_GiveKDSL9998_AndStillBuild()
        {
            GeneratorRun run = Run(withRuntime: true, "FakeClassClash",
                new InMemoryAdditionalText("/a/step5-992.kdsl", "module a;"),
                new InMemoryAdditionalText("/a/step5_992.kdsl", "module b;"));

            Assert.That(run.Result.GeneratedSources.Select(s => s.HintName), Is.EqualTo(new[] { "step5-992.kdsl.g.cs" }));
            Assert.That(run.Diagnostics.Select(d => (d.Id, d.Location.GetLineSpan().Path)), Is.EqualTo(new[] { ("KDSL9998", "/a/step5_992.kdsl") }));
            GeneratorHarness.EmitOrFail(run.Output);
        }

        [Test]
        public void TwoFiles_GiveTwoClasses()
        {
            GeneratorRun run = Run(withRuntime: true, "FakeTwo",
                new InMemoryAdditionalText(GeneratorHarness.PathOf("step5.kdsl"), "module a;"),
                new InMemoryAdditionalText(GeneratorHarness.PathOf("step5-992.kdsl"), "module b;"));

            Assert.That(run.Result.GeneratedSources.Select(s => s.HintName), Is.EquivalentTo(new[] { "step5.kdsl.g.cs", "step5-992.kdsl.g.cs" }));
            GeneratorHarness.EmitOrFail(run.Output);
        }
    }
}
