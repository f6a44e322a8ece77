using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NUnit.Framework;
using Names = KDsl.Generator.KDslGenerator.TrackingNames;

namespace KDsl.Generator.Tests
{
    /// <summary>
    /// Incremental caching (after System.Text.Json's JsonSourceGeneratorIncrementalTests), on the pipeline with
    /// <see cref="FakeCompiler"/> so they hold whatever state src/Dsl is in; the last two use the real compiler.
    /// </summary>
    [TestFixture]
    public sealed class KDslGeneratorIncrementalTests
    {
        private static readonly string Path = GeneratorHarness.PathOf("step5.kdsl");
        private static readonly string[] OwnSteps =
            { Names.FileResult, Names.ModuleSpec, Names.Diagnostics, Names.Namespace, Names.HasRuntime, Names.Shadowed, Names.EmitSpec };

        private const string FakeText = "module fake;\nconst X = 1;\ninit { WARN }\n";

        private static string Step5 => GeneratorHarness.ReadTestData("step5.kdsl");

        private static (GeneratorDriver Driver, Compilation Compilation, AdditionalText Text, GeneratorRun Run) FirstRun(
            string text, Func<string, string, CompileResult?>? compile = null)
        {
            var additional = new InMemoryAdditionalText(Path, text);
            Compilation compilation = GeneratorHarness.CreateCompilation(source: "namespace User { public static class A { } }");
            GeneratorRun run = GeneratorHarness.Run(
                GeneratorHarness.CreateDriver(new[] { additional }, compile: compile ?? FakeCompiler.Compile), compilation);
            return (run.Driver, compilation, additional, run);
        }

        private static GeneratorRun Rerun(GeneratorDriver driver, Compilation compilation, AdditionalText old, string newText) =>
            GeneratorHarness.Run(driver.ReplaceAdditionalText(old, new InMemoryAdditionalText(Path, newText)), compilation);

        [Test]
        public void FirstRun_TracksEveryStep_AsNew()
        {
            var (_, _, _, run) = FirstRun(FakeText);

            foreach (string name in OwnSteps)
            {
                Assert.That(run.Reasons(name), Is.EqualTo(new[] { IncrementalStepRunReason.New }), name);
            }
            Assert.That(run.Result.GeneratedSources, Has.Length.EqualTo(1));
        }

        [Test]
        public void SameInput_DoesNotRegenerate()
        {
            var (driver, compilation, _, _) = FirstRun(FakeText);

            GeneratorRun second = GeneratorHarness.Run(driver, compilation);

            foreach (string name in OwnSteps)
            {
                Assert.That(second.Reasons(name), Is.EqualTo(new[] { IncrementalStepRunReason.Cached }), name);
            }
        }

        [Test]
        public void EquivalentText_IsUnchanged_AndDoesNotRegenerate()
        {
            var (driver, compilation, text, _) = FirstRun(FakeText);

            GeneratorRun second = Rerun(driver, compilation, text, FakeText);

            Assert.That(second.Reasons(Names.FileResult), Is.EqualTo(new[] { IncrementalStepRunReason.Unchanged }));
            Assert.That(second.Reasons(Names.ModuleSpec), Is.EqualTo(new[] { IncrementalStepRunReason.Cached }));
            Assert.That(second.Reasons(Names.EmitSpec), Is.EqualTo(new[] { IncrementalStepRunReason.Cached }));
        }

        [Test]
        public void EditedText_Regenerates()
        {
            var (driver, compilation, text, first) = FirstRun(FakeText);

            GeneratorRun second = Rerun(driver, compilation, text, FakeText.Replace("X = 1", "X = 2", StringComparison.Ordinal));

            Assert.That(second.Reasons(Names.FileResult), Is.EqualTo(new[] { IncrementalStepRunReason.Modified }));
            Assert.That(second.Reasons(Names.ModuleSpec), Is.EqualTo(new[] { IncrementalStepRunReason.Modified }));
            Assert.That(second.Reasons(Names.EmitSpec), Is.EqualTo(new[] { IncrementalStepRunReason.Modified }));
            Assert.That(second.Result.GeneratedSources.Single().SourceText.ToString(),
                Is.Not.EqualTo(first.Result.GeneratedSources.Single().SourceText.ToString()));
        }

        [Test]
        public void TextThatOnlyMoves_UpdatesDiagnostics_ButDoesNotRegenerateSource()
        {
            var (driver, compilation, text, first) = FirstRun(FakeText);

            // Blanks at a line end shift the warning's position but leave the image as it was.
            GeneratorRun second = Rerun(driver, compilation, text, FakeText.Replace("const X = 1;", "const X = 1;    ", StringComparison.Ordinal));

            Assert.That(second.Reasons(Names.FileResult), Is.EqualTo(new[] { IncrementalStepRunReason.Modified }));
            Assert.That(second.Reasons(Names.Diagnostics), Is.EqualTo(new[] { IncrementalStepRunReason.Modified }));
            Assert.That(second.Reasons(Names.ModuleSpec), Is.EqualTo(new[] { IncrementalStepRunReason.Unchanged }));
            Assert.That(second.Reasons(Names.EmitSpec), Is.EqualTo(new[] { IncrementalStepRunReason.Cached }));
            Assert.That(second.Diagnostics.Single().Location.SourceSpan.Start,
                Is.EqualTo(first.Diagnostics.Single().Location.SourceSpan.Start + 4));
        }

        [Test]
        public void UnrelatedCSharpEdit_DoesNotRecompileOrRegenerate()
        {
            var (driver, compilation, _, _) = FirstRun(FakeText);

            Compilation edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace User { public static class B { } }", GeneratorHarness.ParseOptions));
            GeneratorRun second = GeneratorHarness.Run(driver, edited);

            Assert.That(second.Reasons(Names.FileResult), Is.EqualTo(new[] { IncrementalStepRunReason.Cached }));
            Assert.That(second.Reasons(Names.HasRuntime), Is.EqualTo(new[] { IncrementalStepRunReason.Unchanged }));
            Assert.That(second.Reasons(Names.EmitSpec), Is.EqualTo(new[] { IncrementalStepRunReason.Cached }));
        }

        [Test]
        public void Model_HoldsNoSymbolsOrCompilationData()
        {
            var (_, _, _, run) = FirstRun(FakeText);

            foreach (string name in OwnSteps)
            {
                List<object> values = run.OutputValues(name).ToList();
                Assert.That(values, Is.Not.Empty, name);
                foreach (object value in values)
                {
                    ModelWalker.AssertHoldsNoRoslynObjects(value);
                }
            }
        }

        [Test]
        [Description("Needs the real compiler.")]
        public void RealCompiler_EditedText_Regenerates()
        {
            var (driver, compilation, text, first) = FirstRun(Step5, static (p, t) => Compiler.Compile(p, t));
            Assert.That(first.Result.GeneratedSources, Has.Length.EqualTo(1), "the real compiler gave no image for step5");

            GeneratorRun second = Rerun(driver, compilation, text, Step5.Replace("step5 LOADED.", "step5 loaded again.", StringComparison.Ordinal));

            Assert.That(second.Reasons(Names.FileResult), Is.EqualTo(new[] { IncrementalStepRunReason.Modified }));
            Assert.That(second.Reasons(Names.EmitSpec), Is.EqualTo(new[] { IncrementalStepRunReason.Modified }));
        }

        [Test]
        [Description("Needs the real compiler.")]
        public void RealCompiler_TextThatOnlyMovesWithinALine_DoesNotRegenerateSource()
        {
            var (driver, compilation, text, first) = FirstRun(Step5, static (p, t) => Compiler.Compile(p, t));
            Assert.That(first.Result.GeneratedSources, Has.Length.EqualTo(1), "the real compiler gave no image for step5");

            // Trailing blanks shift later character offsets but no line number: the image stays the same.
            GeneratorRun second = Rerun(driver, compilation, text, Step5.Replace("const BUF = 4096;", "const BUF = 4096;      ", StringComparison.Ordinal));

            Assert.That(second.Reasons(Names.ModuleSpec), Is.All.EqualTo(IncrementalStepRunReason.Unchanged).Or.All.EqualTo(IncrementalStepRunReason.Cached));
            Assert.That(second.Reasons(Names.EmitSpec), Is.All.EqualTo(IncrementalStepRunReason.Cached));
        }
    }
}
