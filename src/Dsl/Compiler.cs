using System;
using System.Collections.Generic;
using KDsl.Binding;
using KDsl.Diagnostics;
using KDsl.Image;
using KDsl.Syntax;
using KDsl.Text;

namespace KDsl
{
    /// <summary>The result of compiling one .kdsl file: every diagnostic, and the module image when there was no error.</summary>
    public sealed class CompileResult
    {
        /// <summary>A result with the default scenario only.</summary>
        public CompileResult(IReadOnlyList<Diagnostic> diagnostics, ModuleImage? image)
            : this(diagnostics, image, null)
        {
        }

        /// <summary>A result with every scenario's image.</summary>
        /// <param name="diagnostics">Every diagnostic of the file, errors, warnings and infos.</param>
        /// <param name="image">The default scenario's module image, or null when there was an error.</param>
        /// <param name="scenarios">Every scenario's image, "default" (= <paramref name="image"/>) first; null: only the default.</param>
        public CompileResult(IReadOnlyList<Diagnostic> diagnostics, ModuleImage? image, IReadOnlyList<Scenario>? scenarios)
        {
            Diagnostics = diagnostics;
            Image = image;
            Scenarios = image is null ? Array.Empty<Scenario>() : scenarios ?? new[] { new Scenario(Scenario.DefaultName, 0, image) };
        }

        /// <summary>Every diagnostic, located on its .kdsl line: errors, warnings, infos.</summary>
        public IReadOnlyList<Diagnostic> Diagnostics { get; }
        /// <summary>The default scenario's image (the top-level config and expect).</summary>
        public ModuleImage? Image { get; }
        /// <summary>"default" first, then each `scenario NAME` in source order, each compiled with its settings; empty on errors.</summary>
        public IReadOnlyList<Scenario> Scenarios { get; }
    }

    /// <summary>The one entry point the generator, the CLI and the tests use: .kdsl text in, diagnostics and an image out. Never throws.</summary>
    public static class Compiler
    {
        /// <summary>Compiles a .kdsl file: the default scenario and every named one, each with its own image.</summary>
        /// <param name="path">The file's path, used in every diagnostic's location.</param>
        /// <param name="text">The file's text.</param>
        /// <param name="overrides">Settings that win over the file's config block (the CLI's --set), or null.</param>
        /// <param name="exported">
        /// Functions called from outside the module with any arguments (`kdsl build --emit-bin --entry`, `kdsl bench`'s
        /// native run), or null: their parameters are never taken for the constants the module's own calls pass.
        /// </param>
        public static CompileResult Compile(string path, string text, IReadOnlyDictionary<string, string>? overrides = null,
            IReadOnlyCollection<string>? exported = null) =>
            Compile(path, text, overrides, onlyScenario: null, allScenarios: true, exported);

        /// <summary>
        /// As <see cref="Compile(string, string, IReadOnlyDictionary{string, string}, IReadOnlyCollection{string})"/>, but of the named scenarios only
        /// <paramref name="scenario"/> (null: none, the default alone) is compiled: what a run of one scenario needs.
        /// </summary>
        public static CompileResult CompileScenario(string path, string text, IReadOnlyDictionary<string, string>? overrides, string? scenario) =>
            Compile(path, text, overrides, scenario, allScenarios: false, exported: null);

        private static CompileResult Compile(string path, string text, IReadOnlyDictionary<string, string>? overrides, string? onlyScenario,
            bool allScenarios, IReadOnlyCollection<string>? exported)
        {
            var source = new SourceText(path ?? "", text ?? "");
            try
            {
                // Parsed once: every scenario binds the same tree with its own settings (null without named scenarios).
                var program = ParseAndBind(source, overrides, out var tree, out var diagnostics, out var options);
                var all = new List<Diagnostic>(diagnostics);
                if (program is null) return new CompileResult(options.Apply(all), null);
                var (image, generated) = CodeGen.ModuleCompiler.Generate(program, source, exported);
                if (generated != null) all.AddRange(generated);
                // `severity ID = ...` from the config block: applied once every diagnostic of the pass is in (and the stack
                // warnings of an experiment that expects its overflow are info).
                all = options.ForExpectations(program.Expectations).Apply(all);
                if (HasErrors(all) || image is null) return new CompileResult(all, null);

                // Each named scenario: bound again with its settings and constants, and compiled into its own image.
                var scenarios = new List<Scenario> { new Scenario(Scenario.DefaultName, program.Scenarios[0].Line, image) };
                var seen = new HashSet<string>();
                foreach (var d in all) seen.Add(d.ToString());
                for (int i = 1; i < program.Scenarios.Length; i++)
                {
                    var info = program.Scenarios[i];
                    if (!allScenarios && info.Name != onlyScenario) continue;
                    var scenarioProgram = BindCore(tree!, overrides, info.Name, out var scenarioDiagnostics, out var scenarioOptions, out _);
                    AddNew(all, seen, scenarioOptions.Apply(scenarioDiagnostics));
                    if (scenarioProgram is null) continue;
                    if (SameCode(program, scenarioProgram))
                    {
                        // Only what the runtime reads differs (vmap_stack, stack_cache, panic_on_oops, mem, ...): the code,
                        // and with the same THREAD_SIZE the stack analysis too, are the default's.
                        scenarios.Add(new Scenario(info.Name, info.Line, image.ForScenario(scenarioProgram.Config, scenarioProgram.Expectations)));
                        continue;
                    }
                    var (scenarioImage, scenarioGenerated) = CodeGen.ModuleCompiler.Generate(scenarioProgram, source, exported);
                    if (scenarioGenerated != null) AddNew(all, seen, scenarioOptions.Apply(scenarioGenerated));
                    if (scenarioImage is null) continue;
                    scenarios.Add(new Scenario(info.Name, info.Line, scenarioImage));
                }
                return HasErrors(all) ? new CompileResult(all, null) : new CompileResult(all, image, scenarios);
            }
            catch (Exception ex)
            {
                return new CompileResult(new[] { InternalError(source, ex) }, null);
            }
        }

        /// <summary>
        /// Lex, parse and bind only (no code generation). Returns the bound program when there is no error, otherwise
        /// null; <paramref name="diagnostics"/> holds every diagnostic (warnings included), ordered by position. Never throws.
        /// </summary>
        public static BoundProgram? Bind(string path, string text, IReadOnlyDictionary<string, string>? overrides,
            out IReadOnlyList<Diagnostic> diagnostics)
        {
            var source = new SourceText(path ?? "", text ?? "");
            try
            {
                var program = ParseAndBind(source, overrides, out _, out var bound, out var options);
                diagnostics = options.Apply(bound);
                return program;
            }
            catch (Exception ex)
            {
                diagnostics = new[] { InternalError(source, ex) };
                return null;
            }
        }

        /// <summary>
        /// Whether a scenario compiles to exactly the default's image but for its settings and expectations: no constant
        /// of its own, the same profile (the code shape) and THREAD_SIZE (the stack analysis), the same diagnostic options.
        /// </summary>
        private static bool SameCode(BoundProgram program, BoundProgram scenario) =>
            !scenario.OverridesConstants && scenario.Config.Profile == program.Config.Profile &&
            scenario.Config.ThreadSize == program.Config.ThreadSize && scenario.DiagnosticOptions.SameAs(program.DiagnosticOptions);

        /// <summary>
        /// Errors a scenario's compilation found that the default's did not (e.g. a constant override that makes an
        /// array size invalid). Its warnings are left out: they would repeat at the same places, once per scenario.
        /// </summary>
        private static void AddNew(List<Diagnostic> all, HashSet<string> seen, IEnumerable<Diagnostic> diagnostics)
        {
            foreach (var d in diagnostics)
                if (d.IsError && seen.Add(d.ToString())) all.Add(d);
        }

        /// <summary>
        /// Parses the file, leaving out the calls of undefined functions past the error cap (a file of a million of them
        /// is not held in memory whole), and binds the default scenario. The tree relies on the binder to report each call
        /// it keeps; should the binder stop short of the cap all the same, the file is parsed and bound again whole, so
        /// a file under the cap always has every diagnostic. <paramref name="tree"/> is the tree when the file has named
        /// scenarios to bind, else null: the code generation needs only the bound program, and the tree (some 360 bytes a
        /// statement) is garbage from here on.
        /// </summary>
        private static BoundProgram? ParseAndBind(SourceText source, IReadOnlyDictionary<string, string>? overrides, out SyntaxTree? tree,
            out IReadOnlyList<Diagnostic> diagnostics, out DiagnosticOptions options)
        {
            var parsed = SyntaxTree.Parse(source, Binder.PredeclaredNames);
            var program = BindCore(parsed, overrides, null, out diagnostics, out options, out bool capped);
            if (parsed.OmittedCalls > 0 && !capped)
            {
                parsed = SyntaxTree.Parse(source);
                program = BindCore(parsed, overrides, null, out diagnostics, out options, out _);
            }
            tree = program is { Scenarios.Length: > 1 } ? parsed : null;
            return program;
        }

        /// <param name="tree">The parsed file.</param>
        /// <param name="overrides">Config settings and constants that replace the file's, or null.</param>
        /// <param name="scenario">The scenario to bind, or null for the default.</param>
        /// <param name="diagnostics">Binding's diagnostics.</param>
        /// <param name="options">The config block's diagnostic options, also when binding found errors.</param>
        /// <param name="capped">The file has more errors than <see cref="DiagnosticBag.MaxErrors"/>: the binder stopped at the cap.</param>
        private static BoundProgram? BindCore(SyntaxTree tree, IReadOnlyDictionary<string, string>? overrides, string? scenario,
            out IReadOnlyList<Diagnostic> diagnostics, out DiagnosticOptions options, out bool capped)
        {
            // The file's errors are capped as one: the parser's count against the binder's cap.
            int syntaxErrors = 0;
            foreach (var d in tree.Diagnostics)
                if (d.IsError) syntaxErrors++;
            var bag = new DiagnosticBag(tree.Text, syntaxErrors);
            var program = Binder.BindProgram(tree, overrides, bag, scenario);
            capped = bag.IsFull;
            options = program.DiagnosticOptions;
            var all = new List<Diagnostic>(tree.Diagnostics);
            all.AddRange(bag);
            diagnostics = SortByPosition(all);
            return HasErrors(all) ? null : program;
        }

        private static IReadOnlyList<Diagnostic> SortByPosition(List<Diagnostic> diagnostics)
        {
            // Stable: equal positions keep their report order.
            var indexed = new List<(Diagnostic d, int i)>();
            for (int i = 0; i < diagnostics.Count; i++) indexed.Add((diagnostics[i], i));
            indexed.Sort((a, b) =>
            {
                int c = a.d.Location.Span.Start.CompareTo(b.d.Location.Span.Start);
                return c != 0 ? c : a.i.CompareTo(b.i);
            });
            var result = new Diagnostic[indexed.Count];
            for (int i = 0; i < result.Length; i++) result[i] = indexed[i].d;
            return result;
        }

        private static bool HasErrors(IEnumerable<Diagnostic> diagnostics)
        {
            foreach (var d in diagnostics)
                if (d.IsError) return true;
            return false;
        }

        private static Diagnostic InternalError(SourceText source, Exception ex)
        {
            var bag = new DiagnosticBag(source);
            bag.ReportInternalError($"{ex.GetType().Name}: {ex.Message}");
            return bag.ToList()[0];
        }
    }
}
