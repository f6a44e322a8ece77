using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using KDsl.Diagnostics;
using KDsl.Runtime;

namespace KDsl.Cli
{
    /// <summary>
    /// `kdsl sweep FILE --param NAME=VALUES [--set ...] [--scenario NAME] [--count TEXT] [--jobs N] [--json]`: compiles
    /// and runs the experiment once per value of one setting or constant, and prints a table of outcomes (or one JSON
    /// document). Each value is compiled on its own, exactly as `kdsl run --set NAME=VALUE` would, on every core at once
    /// (--jobs caps that); the table lists them in order, so it is the same bytes every time, whatever the --jobs. Progress goes to stderr, redrawn in place only when stderr is a terminal.
    /// Exit 0 when every value compiled and ran (whatever its outcome), 2 when one did not compile or on bad arguments.
    /// </summary>
    internal static class SweepCommand
    {
        public static Command Create()
        {
            var file = new Argument<FileInfo>("file") { Description = "The .kdsl experiment to sweep" };
            var param = new Option<string>("--param", "-p")
            {
                Description = "The setting or constant to vary and its values: NAME=FROM..TO[:STEP] (integers, 0x hex or K/M sizes; "
                    + "STEP added, or *N multiplied), or NAME=A,B,C; e.g. BUF=64..8192:*2, thread_size=8K,16K,32K, profile=linux-4.11,linux-6.1",
                Required = true,
            };
            var set = new Option<string[]>("--set") { Description = "Fix another setting or constant for every run, e.g. --set profile=linux-4.11" };
            var scenario = new Option<string?>("--scenario") { Description = "Sweep this scenario (its config, constants and expect) instead of the default" };
            var count = new Option<string?>("--count") { Description = "Add a column counting the dmesg lines that contain this text, e.g. --count \"finished initialized buf\"" };
            var jobs = new Option<int>("--jobs", "-j")
            {
                Description = "Run at most this many values at once (default: one per core; 1 runs them one after another)",
                DefaultValueFactory = _ => Environment.ProcessorCount,
            };
            var json = new Option<bool>("--json") { Description = "Print the table as one JSON document: per value the outcome, oops facts, stack high-water mark, instructions, the static prediction and whether expect held" };
            var command = new Command("sweep", "Run an experiment once per value of a setting or constant and print a table of outcomes")
            {
                file, param, set, scenario, count, jobs, json,
            };
            command.SetAction(parse => Run(parse.GetValue(file)!, parse.GetValue(param)!, parse.GetValue(set), parse.GetValue(scenario),
                parse.GetValue(count), parse.GetValue(jobs), parse.GetValue(json), new SweepProgress(Console.Error, !Console.IsErrorRedirected)));
            return command;
        }

        internal static int Run(FileInfo file, string paramText, string[]? set, string? scenarioName, string? countText, int jobs, bool json,
            SweepProgress progress)
        {
            string? error = jobs < 1 ? $"--jobs {jobs}: expected at least 1" : null;
            if (error is not null || !Settings.TryParse(set, out var fixedSettings, out error) || !SweepParameter.TryParse(paramText, out var parameter, out error))
            {
                Console.Error.WriteLine($"kdsl: {error}");
                return 2;
            }
            if (!Compilation.TryRead(file, out string text)) return 2;

            // Each value is compiled and run on its own machine, on every core; the table keeps the values' order.
            var values = parameter!.Values;
            var outcomes = new ValueOutcome[values.Count];
            int done = 0;
            var options = new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = jobs };
            System.Threading.Tasks.Parallel.For(0, values.Count, options, i =>
            {
                outcomes[i] = RunValue(file, text, fixedSettings, parameter.Name, values[i], scenarioName, countText);
                lock (progress) progress.Step(done++, values.Count, $"{parameter.Name}={values[i]}");
            });

            var rows = new List<SweepRow>();
            for (int i = 0; i < values.Count; i++)
            {
                var outcome = outcomes[i];
                if (outcome.Errors is { } errors)
                {
                    progress.Interrupt();
                    Console.Error.WriteLine($"kdsl: {parameter.Name}={values[i]}:");
                    foreach (var d in errors) Console.Error.WriteLine(d.ToString());
                }
                if (outcome.MissingScenario is { } scenarios)
                {
                    progress.Interrupt();
                    Compilation.ReportNoScenario(file, scenarioName!, scenarios);
                    return 2;
                }
                rows.Add(outcome.Row!);
            }

            int exit = rows.All(r => r.Compiled) ? 0 : 2;
            if (json) SweepOutput.WriteJson(Console.Out, file, parameter, scenarioName ?? KDsl.Image.Scenario.DefaultName, countText, rows, exit);
            else SweepOutput.WriteTable(Console.Out, parameter.Name, countText, rows);
            progress.Done(Summary(parameter, rows));
            return exit;
        }

        /// <summary>One value compiled as `kdsl run --set NAME=VALUE` would (of the named scenarios only the one swept), and run.</summary>
        private static ValueOutcome RunValue(FileInfo file, string text, Dictionary<string, string> fixedSettings, string name, string value,
            string? scenarioName, string? countText)
        {
            var settings = new Dictionary<string, string>(fixedSettings, StringComparer.Ordinal) { [name] = value };
            var compiled = Compiler.CompileScenario(file.FullName, text, settings, scenarioName);
            if (compiled.Image is null)
            {
                var errors = compiled.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
                return new ValueOutcome(SweepRow.NotCompiled(value, errors.Count), errors, null);
            }
            var chosen = scenarioName is null ? compiled.Scenarios[0] : compiled.Scenarios.FirstOrDefault(s => s.Name == scenarioName);
            if (chosen is null) return new ValueOutcome(null, null, compiled.Scenarios);
            return new ValueOutcome(SweepRow.Ran(value, chosen.Image, Machine.Run(chosen.Image), countText), null, null);
        }

        /// <summary>A value's row, or its compile errors, or the scenarios when the one asked for is not there.</summary>
        private sealed record ValueOutcome(SweepRow? Row, IReadOnlyList<KDsl.Diagnostics.Diagnostic>? Errors,
            IReadOnlyList<KDsl.Image.Scenario>? MissingScenario);

        /// <summary>"kdsl: swept BUF over 8 values: 3 Completed, 5 Panic".</summary>
        private static string Summary(SweepParameter parameter, IReadOnlyList<SweepRow> rows)
        {
            var outcomes = rows.GroupBy(r => r.Outcome).Select(g => $"{g.Count()} {g.Key}");
            return $"kdsl: swept {parameter.Name} over {rows.Count} value{(rows.Count == 1 ? "" : "s")}: {string.Join(", ", outcomes)}";
        }
    }
}
