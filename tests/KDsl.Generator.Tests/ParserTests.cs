using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using KDsl.Diagnostics;
using KDsl.Generator.Model;
using KDsl.Text;
using NUnit.Framework;
using RoslynSeverity = Microsoft.CodeAnalysis.DiagnosticSeverity;

namespace KDsl.Generator.Tests
{
    /// <summary>The parse step with a fake compiler: the mapping of results and the never-throw guarantee.</summary>
    [TestFixture]
    public sealed class ParserTests
    {
        private const string FilePath = "/experiments/fake.kdsl";

        private static KDslFileResult Parse(Func<string, string, CompileResult?> compile) =>
            KDslGenerator.Parser.Parse(FilePath, "module fake;", compile, CancellationToken.None);

        private static Diagnostic At(string id, DiagnosticSeverity severity, int start, int length, int line, int character) =>
            new Diagnostic(id, severity,
                new TextLocation(FilePath, new TextSpan(start, length), new LinePosition(line, character), new LinePosition(line, character + length)),
                id + " message");

        [Test]
        public void CompilerThatThrows_BecomesKDSL9999_OnTheFile()
        {
            KDslFileResult result = Parse((_, _) => throw new InvalidOperationException("boom"));

            Assert.That(result.Module, Is.Null);
            DiagnosticInfo info = result.Diagnostics.Single();
            Assert.Multiple(() =>
            {
                Assert.That(info.Id, Is.EqualTo("KDSL9999"));
                Assert.That(info.Severity, Is.EqualTo(RoslynSeverity.Error));
                Assert.That(info.FilePath, Is.EqualTo(FilePath));
                Assert.That(info.Message, Does.Contain("boom"));
            });
        }

        [Test]
        public void CompilerThatReturnsNull_BecomesKDSL9999()
        {
            KDslFileResult result = Parse((_, _) => null);

            Assert.That(result.Diagnostics.Single().Id, Is.EqualTo("KDSL9999"));
        }

        [Test]
        public void Errors_GiveNoModule_AndKeepEveryDiagnosticLocated()
        {
            var diagnostics = new List<Diagnostic>
            {
                At("KDSL0001", DiagnosticSeverity.Error, 7, 4, 0, 7),
                At("KDSL1001", DiagnosticSeverity.Warning, 12, 1, 2, 3),
            };

            KDslFileResult result = Parse((_, _) => new CompileResult(diagnostics, TestImages.Create()));

            Assert.That(result.Module, Is.Null);
            Assert.That(result.Diagnostics, Is.EqualTo(new[]
            {
                new DiagnosticInfo("KDSL0001", RoslynSeverity.Error, "KDSL0001 message", FilePath, 7, 4, 0, 7, 0, 11),
                new DiagnosticInfo("KDSL1001", RoslynSeverity.Warning, "KDSL1001 message", FilePath, 12, 1, 2, 3, 2, 4),
            }));
        }

        [Test]
        public void WarningsOnly_KeepTheModule()
        {
            var diagnostics = new List<Diagnostic> { At("KDSL1001", DiagnosticSeverity.Warning, 12, 1, 2, 3) };

            KDslFileResult result = Parse((_, _) => new CompileResult(diagnostics, TestImages.Create()));

            Assert.That(result.Module, Is.Not.Null);
            Assert.That(result.Module!.ClassName, Is.EqualTo("Fake"));
            Assert.That(result.Diagnostics.Single().Severity, Is.EqualTo(RoslynSeverity.Warning));
        }

        [Test]
        public void NegativeOrInvertedPositions_AreClampedSoReportingCannotThrow()
        {
            var bad = new Diagnostic("KDSL0002", DiagnosticSeverity.Error,
                new TextLocation(null!, new TextSpan(-5, -1), new LinePosition(3, 9), new LinePosition(1, 0)), null!);

            DiagnosticInfo info = Parse((_, _) => new CompileResult(new[] { bad }, null)).Diagnostics.Single();

            Assert.That(info, Is.EqualTo(new DiagnosticInfo("KDSL0002", RoslynSeverity.Error, "", FilePath, 0, 0, 3, 9, 3, 9)));
            Assert.That(() => info.CreateDiagnostic(), Throws.Nothing);
        }

        [Test]
        public void PassThroughDiagnostic_HasCategoryAndHelpLink()
        {
            var info = new DiagnosticInfo("KDSL0001", RoslynSeverity.Error, "unexpected token", FilePath, 7, 4, 0, 7, 0, 11);

            Microsoft.CodeAnalysis.Diagnostic diagnostic = info.CreateDiagnostic();

            Assert.Multiple(() =>
            {
                Assert.That(diagnostic.Id, Is.EqualTo("KDSL0001"));
                Assert.That(diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo("unexpected token"));
                Assert.That(diagnostic.Descriptor.Category, Is.EqualTo("KDsl"));
                Assert.That(diagnostic.Descriptor.HelpLinkUri, Is.EqualTo("docs/diagnostics.md#kdsl0001"));
                Assert.That(diagnostic.Location.GetLineSpan().Path, Is.EqualTo(FilePath));
                Assert.That(diagnostic.Location.GetLineSpan().StartLinePosition.Character, Is.EqualTo(7));
            });
        }

        [Test]
        public void HelpLinkBase_FromThePackagesProperty_MakesTheLinkAbsolute()
        {
            var options = new TestOptionsProvider(new Dictionary<string, string>
            {
                ["build_property.KDslHelpLinkBase"] = "file:///home/u/.nuget/packages/kdsl/0.1.0/docs/diagnostics.md",
            }).GlobalOptions;
            string? linkBase = DiagnosticDescriptors.HelpLinkBaseOf(options);
            var info = new DiagnosticInfo("KDSL1001", RoslynSeverity.Warning, "frame", FilePath, 7, 4, 0, 7, 0, 11);

            Assert.That(info.CreateDiagnostic(linkBase).Descriptor.HelpLinkUri,
                Is.EqualTo("file:///home/u/.nuget/packages/kdsl/0.1.0/docs/diagnostics.md#kdsl1001"));
            Assert.That(DiagnosticDescriptors.HelpLinkBaseOf(new TestOptionsProvider(new Dictionary<string, string>()).GlobalOptions), Is.Null);
        }
    }
}
