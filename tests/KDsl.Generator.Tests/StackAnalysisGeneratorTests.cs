using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using KDsl.Analysis;
using KDsl.Generator.Model;
using Microsoft.CodeAnalysis;
using NUnit.Framework;
using Names = KDsl.Generator.KDslGenerator.TrackingNames;

namespace KDsl.Generator.Tests
{
    /// <summary>
    /// The stack analysis through the generator: diagnostics where the source says, severities from the compilation's
    /// options (what .editorconfig becomes) and from the config block, the report emitted as data, per-file caching.
    /// The examples are read from examples/*.kdsl (copied next to the test binaries).
    /// </summary>
    [TestFixture]
    public sealed class StackAnalysisGeneratorTests
    {
        private static string ExamplesDirectory => Path.Combine(TestContext.CurrentContext.TestDirectory, "examples");

        private static string ExamplePath(string fileName) => Path.Combine(ExamplesDirectory, fileName);

        private static string ReadExample(string fileName) => File.ReadAllText(ExamplePath(fileName));

        private static GeneratorRun RunOn(string fileName, string text, Compilation? compilation = null) =>
            GeneratorHarness.Run(compilation ?? GeneratorHarness.CreateCompilation(assemblyName: "Stack_" + fileName.Replace('-', '_').Replace('.', '_')),
                new InMemoryAdditionalText(ExamplePath(fileName), text));

        /// <summary>0-based (line, character) of the first occurrence of <paramref name="needle"/>, plus <paramref name="skip"/> characters.</summary>
        private static (int Line, int Character) PositionOf(string text, string needle, int skip = 0)
        {
            int index = text.IndexOf(needle, StringComparison.Ordinal);
            Assert.That(index, Is.GreaterThanOrEqualTo(0), $"'{needle}' not found");
            index += skip;
            int line = text.Take(index).Count(c => c == '\n');
            int lineStart = text.LastIndexOf('\n', index - 1) + 1;
            return (line, index - lineStart);
        }

        private static (int Line, int Character) Start(Diagnostic d)
        {
            var start = d.Location.GetLineSpan().StartLinePosition;
            return (start.Line, start.Character);
        }

        // --- 5: the examples' KDSL1001/KDSL1002 where the source says --------------------------------------------------

        /// <summary>
        /// step5 as an experiment that does not say it expects its overflow (its top-level expect without the oops line):
        /// the stack diagnostics keep their warning severity there (see ExpectedOverflow_MakesTheStackWarningsInfo).
        /// </summary>
        private static string Step5NotExpectingTheOverflow() =>
            ReadExample("step5.kdsl").Replace("    oops stack_guard in rstack depth 4;\n", "", StringComparison.Ordinal);

        [Test]
        public void Examples_StackWarnings_AreWhereTheSourceSays()
        {
            string[] files = Directory.GetFiles(ExamplesDirectory, "*.kdsl").Select(Path.GetFileName).OrderBy(f => f, StringComparer.Ordinal).ToArray()!;
            Assert.That(files, Does.Contain("step5.kdsl").And.Contain("step5-992.kdsl"));

            // step5: a 4096-byte buffer is over FRAME_WARN (2048), so KDSL1001 on the function's name; the expect block says
            // the guard page is hit in rstack's own frame, so KDSL1002 marks the call that enters that activation, the recursive call.
            // step5-992: 992 bytes is under FRAME_WARN; it overflows inside printk ("depth 15 of rstack"): KDSL1002 on the printk call.
            // The other examples do not recurse and have small frames: neither warning. step5 and step5-992 expect the
            // guard page to be hit (`oops stack_guard`), so both are info there: the overflow is the experiment.
            var info = DiagnosticSeverity.Info;
            var expected = new Dictionary<string, (string Id, string Needle, int Skip, DiagnosticSeverity Severity)[]>
            {
                ["step5.kdsl"] = new[] { ("KDSL1001", "void rstack(", 5, info), ("KDSL1002", "rstack(n - 1)", 0, info) },
                ["step5-992.kdsl"] = new[] { ("KDSL1002", "printk(\"[%px] finished", 0, info) },
                // step5's recursion with five levels: the same two warnings (the runtime lets it run past the stack: vmap_stack = off).
                // struct-chain: a 1016-byte frame a level; the 15th level's printk meets the guard page, as in the run (the
                // 14 lines before it are printed), so KDSL1002 marks the printk call; info because the example expects the
                // guard page.
                ["struct-chain.kdsl"] = new[] { ("KDSL1002", "printk(\"[%px] submit", 0, info) },
                // ops-table: dev_write's 15000-byte buffer is over FRAME_WARN; reached through ops->write, its printk meets the
                // guard page, as in the run; info because the example expects the guard page.
                ["ops-table.kdsl"] = new[] { ("KDSL1001", "static long dev_write(", 12, info), ("KDSL1002", "printk(\"dev_write", 0, info) },
                // snprintf-recursion: 1048-byte frames; the 15th level's snprintf meets the guard page (in vsnprintf), as
                // in the run, so KDSL1002 marks the snprintf call; info because the example expects the guard page.
                ["snprintf-recursion.kdsl"] = new[] { ("KDSL1002", "    snprintf(name", 4, info) },
                ["stack-overflow-no-vmap.kdsl"] = new[] { ("KDSL1001", "void rstack(", 5, DiagnosticSeverity.Warning), ("KDSL1002", "rstack(n - 1)", 0, DiagnosticSeverity.Warning) },
            };

            foreach (string file in files)
            {
                string text = ReadExample(file!);
                GeneratorRun run = RunOn(file!, text);
                var actual = run.Diagnostics.Where(d => d.Id is "KDSL1001" or "KDSL1002")
                    .Select(d => (d.Id, Start(d), d.Location.GetLineSpan().Path, d.Severity))
                    .OrderBy(d => d.Item2).ToList();
                var wanted = (expected.TryGetValue(file!, out var list) ? list : Array.Empty<(string Id, string Needle, int Skip, DiagnosticSeverity Severity)>())
                    .Select(e => (e.Id, PositionOf(text, e.Needle, e.Skip), ExamplePath(file!), e.Severity))
                    .OrderBy(d => d.Item2).ToList();
                Assert.That(actual, Is.EqualTo(wanted), file + ":\n" + string.Join("\n", run.Diagnostics));
            }
        }

        // --- 2: severities ----------------------------------------------------------------------------------------------

        [Test]
        public void CompilationOptions_ChangeTheSeverityOfAStackDiagnostic()
        {
            // What `dotnet_diagnostic.KDSL1001.severity = error` (.editorconfig [*] or .globalconfig) becomes: a specific
            // diagnostic option of the compilation. The GeneratorDriver filters generator diagnostics through the options.
            string text = Step5NotExpectingTheOverflow();
            Compilation Options(ReportDiagnostic report, string assembly) => GeneratorHarness.CreateCompilation(assemblyName: assembly)
                .WithOptions(GeneratorHarness.CreateCompilation().Options.WithSpecificDiagnosticOptions(
                    new Dictionary<string, ReportDiagnostic> { ["KDSL1001"] = report }));

            Diagnostic byDefault = RunOn("step5.kdsl", text).Diagnostics.Single(d => d.Id == "KDSL1001");
            Assert.That(byDefault.Severity, Is.EqualTo(DiagnosticSeverity.Warning));
            Assert.That(byDefault.Descriptor.CustomTags, Does.Not.Contain(WellKnownDiagnosticTags.NotConfigurable));
            Assert.That(byDefault.Descriptor.Title.ToString(), Is.EqualTo("Frame larger than FRAME_WARN"));
            Assert.That(byDefault.Descriptor.HelpLinkUri, Is.EqualTo("docs/diagnostics.md#kdsl1001"));

            GeneratorRun asError = RunOn("step5.kdsl", text, Options(ReportDiagnostic.Error, "SeverityError"));
            Assert.That(asError.Diagnostics.Single(d => d.Id == "KDSL1001").Severity, Is.EqualTo(DiagnosticSeverity.Error));
            Assert.That(asError.Diagnostics.Single(d => d.Id == "KDSL1002").Severity, Is.EqualTo(DiagnosticSeverity.Warning));

            GeneratorRun suppressed = RunOn("step5.kdsl", text, Options(ReportDiagnostic.Suppress, "SeveritySuppress"));
            Assert.That(suppressed.Diagnostics.Where(d => d.Id == "KDSL1001"), Is.Empty);
            Assert.That(suppressed.Diagnostics.Where(d => d.Id == "KDSL1002"), Has.Exactly(1).Items);
        }

        [Test]
        public void ConfigBlock_ChangesSeverities_AndFrameWarn()
        {
            string text = Step5NotExpectingTheOverflow().Replace("vmap_stack = on;", "vmap_stack = on;\n    severity KDSL1002 = none;\n    severity KDSL1004 = warning;", StringComparison.Ordinal);
            GeneratorRun run = RunOn("step5.kdsl", text);
            Assert.That(run.Diagnostics.Where(d => d.Id == "KDSL1002"), Is.Empty);
            Assert.That(run.Diagnostics.Single(d => d.Id == "KDSL1001").Severity, Is.EqualTo(DiagnosticSeverity.Warning));
            Assert.That(run.Diagnostics.Where(d => d.Id == "KDSL1004").Select(d => d.Severity), Is.EqualTo(new[] { DiagnosticSeverity.Warning }));
            Assert.That(run.Result.GeneratedSources, Has.Length.EqualTo(1));

            // An error is an error: no module is generated.
            string asError = Step5NotExpectingTheOverflow().Replace("vmap_stack = on;", "vmap_stack = on;\n    severity KDSL1001 = error;", StringComparison.Ordinal);
            GeneratorRun failed = RunOn("step5.kdsl", asError);
            Assert.That(failed.Diagnostics.Single(d => d.Id == "KDSL1001").Severity, Is.EqualTo(DiagnosticSeverity.Error));
            Assert.That(failed.Result.GeneratedSources, Is.Empty);

            // frame_warn = 0 disables KDSL1001; a threshold above the frame too.
            foreach (string frameWarn in new[] { "0", "8192" })
            {
                string quiet = Step5NotExpectingTheOverflow().Replace("vmap_stack = on;", "vmap_stack = on;\n    frame_warn = " + frameWarn + ";", StringComparison.Ordinal);
                Assert.That(RunOn("step5.kdsl", quiet).Diagnostics.Where(d => d.Id == "KDSL1001"), Is.Empty, frameWarn);
            }
        }

        [Test]
        public void ExpectedOverflow_MakesTheStackWarningsInfo()
        {
            // step5 says `oops stack_guard`: its stack warnings are info, so a TreatWarningsAsErrors build still builds it;
            // without that expectation they are warnings; a severity the config block sets wins over the rule.
            Assert.That(RunOn("step5.kdsl", ReadExample("step5.kdsl")).Diagnostics.Where(d => d.Id is "KDSL1001" or "KDSL1002").Select(d => d.Severity),
                Is.EqualTo(new[] { DiagnosticSeverity.Info, DiagnosticSeverity.Info }));
            Assert.That(RunOn("step5.kdsl", Step5NotExpectingTheOverflow()).Diagnostics.Where(d => d.Id is "KDSL1001" or "KDSL1002").Select(d => d.Severity),
                Is.EqualTo(new[] { DiagnosticSeverity.Warning, DiagnosticSeverity.Warning }));
            string configured = ReadExample("step5.kdsl").Replace("vmap_stack = on;", "vmap_stack = on;\n    severity KDSL1002 = warning;", StringComparison.Ordinal);
            Assert.That(RunOn("step5.kdsl", configured).Diagnostics.Single(d => d.Id == "KDSL1002").Severity, Is.EqualTo(DiagnosticSeverity.Warning));
        }

        [Test]
        public void DocsDiagnostics_HasASectionForEveryDescriptor()
        {
            string docs = File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "docs", "diagnostics.md"));
            var descriptors = KDsl.Diagnostics.DiagnosticDescriptors.All.Select(d => (d.Id, d.Title))
                .Concat(new[] { (DiagnosticDescriptors.DuplicateName.Id, DiagnosticDescriptors.DuplicateName.Title.ToString()) })
                .ToList();
            var missing = new List<string>();
            foreach (var (id, title) in descriptors)
            {
                // The anchor the generator's help link points at (docs/diagnostics.md#kdslNNNN), then the id and title.
                string heading = $"## <a id=\"{id.ToLowerInvariant()}\"></a>{id}: ";
                int at = docs.IndexOf(heading, StringComparison.Ordinal);
                if (at < 0) missing.Add(id + " (no section)");
                else if (!docs.Substring(at + heading.Length).StartsWith(title, StringComparison.Ordinal)) missing.Add(id + " (title is not '" + title + "')");
            }
            Assert.That(missing, Is.Empty);
        }

        // --- 3: the report as data ----------------------------------------------------------------------------------------

        [Test]
        public void EmittedStackReport_EqualsTheCompilersReport()
        {
            string path = ExamplePath("step5.kdsl");
            string text = ReadExample("step5.kdsl");
            StackReport expected = Compiler.Compile(path, text).Image!.Stack!;

            GeneratorRun run = RunOn("step5.kdsl", text, GeneratorHarness.CreateCompilation(assemblyName: "Step5StackReport"));
            Assert.That(run.Result.GeneratedSources[0].SourceText.ToString(), Does.Contain("new global::KDsl.Analysis.StackReport("));
            Type type = GeneratorHarness.LoadGeneratedType(GeneratorHarness.EmitOrFail(run.Output), "KDsl.Experiments.Step5");
            var report = (StackReport)type.GetProperty("StackReport", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

            Assert.That(Flatten(report), Is.EqualTo(Flatten(expected)));
            Assert.That(report.Functions.Select(f => f.Name), Is.EquivalentTo(new[] { "rstack", "step5_init", "step5_exit" }));
            Assert.That(report.Entries.Single(e => e.Entry == "step5_init").Overflow!.Function, Is.EqualTo("rstack"));

            // Every scenario's image carries its own report (buf2048: a 2 KB buffer, so a smaller rstack frame).
            var scenarios = (IReadOnlyList<KDsl.Image.Scenario>)type.GetProperty("Scenarios")!.GetValue(null)!;
            var compiled = Compiler.Compile(path, text).Scenarios;
            Assert.That(scenarios.Select(s => Flatten(s.Image.Stack!)), Is.EqualTo(compiled.Select(s => Flatten(s.Image.Stack!))));
        }

        private static string[] Flatten(StackReport report) =>
            report.Functions.Select(f => $"fn {f.Name} {f.Line}:{f.Column} frame={f.FrameSize} locals={f.LocalSize}")
                .Concat(report.Entries.Select(e => $"entry {e.Entry} worst={e.WorstCase} path={e.Path} unbounded={e.Unbounded} overflow=" +
                    (e.Overflow is { } o ? $"{o.Function}/{o.Depth}/{o.Needed}/{o.ThreadSize}/{o.KernelFunction}" : "none")))
                .Append("thread_size " + report.ThreadSize)
                .ToArray();

        // --- 4: per-file caching ------------------------------------------------------------------------------------------

        [Test]
        public void EditingOneFile_RerunsOnlyThatFilesSteps()
        {
            string step5 = ReadExample("step5.kdsl");
            string[] names = { "a.kdsl", "b.kdsl", "c.kdsl" };
            var texts = names.Select((n, i) => new InMemoryAdditionalText(GeneratorHarness.PathOf(n),
                step5.Replace("const BUF = 4096;", "const BUF = " + (1024 + i * 512) + ";", StringComparison.Ordinal))).ToArray();
            var compiled = new List<string>();
            CompileResult? Counting(string path, string text)
            {
                lock (compiled) compiled.Add(path);
                return Compiler.Compile(path, text);
            }

            var driver = CSharpGeneratorDriverFor(texts, Counting);
            Compilation compilation = GeneratorHarness.CreateCompilation(assemblyName: "ThreeFiles");
            GeneratorRun first = GeneratorHarness.Run(driver, compilation);
            Assert.That(compiled, Is.EquivalentTo(texts.Select(t => t.Path)));
            Assert.That(first.Result.GeneratedSources, Has.Length.EqualTo(3));

            compiled.Clear();
            string edited = texts[1].GetText()!.ToString().Replace("const BUF = 1536;", "const BUF = 1600;", StringComparison.Ordinal);
            GeneratorRun second = GeneratorHarness.Run(
                first.Driver.ReplaceAdditionalText(texts[1], new InMemoryAdditionalText(texts[1].Path, edited)), compilation);

            Assert.That(compiled, Is.EqualTo(new[] { texts[1].Path }), "only the edited file is compiled again");
            foreach (string step in new[] { Names.FileResult, Names.ModuleSpec, Names.Diagnostics, Names.EmitSpec })
            {
                var byPath = ReasonsByPath(second, step);
                Assert.That(byPath.Keys, Is.EquivalentTo(texts.Select(t => t.Path)), step);
                foreach (var text in texts)
                {
                    if (text == texts[1])
                        Assert.That(byPath[text.Path], Is.EqualTo(IncrementalStepRunReason.Modified), step + " " + text.Path);
                    else
                        Assert.That(byPath[text.Path], Is.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged), step + " " + text.Path);
                }
            }
        }

        private static GeneratorDriver CSharpGeneratorDriverFor(IEnumerable<AdditionalText> texts, Func<string, string, CompileResult?> compile) =>
            GeneratorHarness.CreateDriver(texts, compile: compile);

        /// <summary>Each output of a tracked step, keyed by the .kdsl file it belongs to.</summary>
        /// <summary>
        /// Issue 21: `t(n - 1); t(n - 1);` from t(4100) never finished in the build either (the analysis costed each of
        /// the 2^4100 paths). Through the generator it ends as the compiler's does (KDsl.Dsl.Tests' BranchingRecursionTests):
        /// one KDSL1003 for the recursion and one KDSL1002 for the overflow, both on the first recursive call.
        /// </summary>
        [Test]
        public void BranchingRecursion_EndsWithTheRecursionAndOverflowDiagnostics()
        {
            const string text = "module m \"branching\";\nvoid t(int n) {\n    if (n > 0) {\n        t(n - 1);\n        t(n - 1);\n    }\n}\n" +
                                "init {\n    t(4100);\n    return 0;\n}\n";
            var run = System.Threading.Tasks.Task.Run(() => RunOn("branching.kdsl", text));
            // a guard against the exponential analysis coming back (it would never end), not a measurement
            Assert.That(run.Wait(TimeSpan.FromMinutes(2)), Is.True, "the generator did not end");
            var stack = run.Result.Diagnostics.Where(d => d.Id is "KDSL1002" or "KDSL1003").Select(d => (d.Id, Start(d))).OrderBy(d => d.Id).ToList();
            var call = PositionOf(text, "t(n - 1)");
            Assert.That(stack, Is.EqualTo(new[] { ("KDSL1002", call), ("KDSL1003", call) }), string.Join("\n", run.Result.Diagnostics));
        }

        private static Dictionary<string, IncrementalStepRunReason> ReasonsByPath(GeneratorRun run, string step)
        {
            var result = new Dictionary<string, IncrementalStepRunReason>();
            foreach (var output in run.Result.TrackedSteps[step].SelectMany(s => s.Outputs))
            {
                string? path = output.Value switch
                {
                    KDslFileResult r => r.Module?.FilePath,
                    ModuleSpec m => m.FilePath,
                    EmitSpec e => e.Module.FilePath,
                    Helpers.ImmutableEquatableArray<DiagnosticInfo> d => d.Count > 0 ? d[0].FilePath : null,
                    _ => null,
                };
                Assert.That(path, Is.Not.Null, step + ": " + output.Value);
                result.Add(path!, output.Reason);
            }
            return result;
        }
    }
}
