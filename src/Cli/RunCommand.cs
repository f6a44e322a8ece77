using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using KDsl.Image;
using KDsl.Runtime;

namespace KDsl.Cli
{
    /// <summary>
    /// `kdsl run FILE [--scenario NAME|all] [--set key=value ...]`: runs the default scenario (the file's top-level
    /// config and expect), one named scenario, or all of them; prints dmesg, and exits 0 when every run ends as its
    /// expect says, 1 when not, 2 on compile errors or an unknown scenario.
    /// </summary>
    internal static class RunCommand
    {
        public static Command Create()
        {
            var file = new Argument<FileInfo>("file") { Description = "The .kdsl experiment to run" };
            var set = new Option<string[]>("--set") { Description = "Override a config setting or a constant, e.g. --set profile=linux-4.11 --set BUF=2048", AllowMultipleArgumentsPerToken = false };
            var scenario = new Option<string?>("--scenario") { Description = "Run this scenario instead of the default (the top-level config and expect), or \"all\"" };
            var command = new Command("run", "Compile an experiment, boot the emulated machine, insmod it and print dmesg") { file, set, scenario };
            command.SetAction(parse => Run(parse.GetValue(file)!, parse.GetValue(set), parse.GetValue(scenario)));
            return command;
        }

        private static int Run(FileInfo file, string[]? set, string? only)
        {
            if (!Settings.TryParse(set, out var settings, out string? error))
            {
                Console.Error.WriteLine($"kdsl: {error}");
                return 2;
            }
            if (!Compilation.TryCompile(file, settings, out CompileResult? compiled, showInfo: false))
                return 2;

            var scenarios = Select(compiled!.Scenarios, only);
            if (scenarios is null)
            {
                var names = new List<string>();
                foreach (var s in compiled.Scenarios) names.Add(s.Name);
                Console.Error.WriteLine($"kdsl: {file.Name} has no scenario '{only}'; its scenarios: {string.Join(", ", names)}");
                return 2;
            }

            int failed = 0;
            foreach (var scenario in scenarios)
            {
                if (scenarios.Count > 1) Console.Out.WriteLine($"=== scenario {scenario.Name}: {scenario.Image.Config}");
                var result = Machine.Run(scenario.Image);
                Console.Out.Write(result.Dmesg);

                var failures = ExpectationCheck.Check(scenario.Image.Expectations, result);
                if (failures.Count == 0) continue;
                failed++;
                Console.Error.WriteLine(ExpectationCheck.Report(file.FullName, scenario.Name, scenario.Image.Config, failures));
            }
            if (scenarios.Count > 1)
                Console.Error.WriteLine($"kdsl: {scenarios.Count - failed} of {scenarios.Count} scenarios met their expectations");
            return failed == 0 ? 0 : 1;
        }

        /// <summary>The default scenario, the one named <paramref name="only"/> (null when there is none), or all for "all".</summary>
        private static IReadOnlyList<Scenario>? Select(IReadOnlyList<Scenario> all, string? only)
        {
            if (only is null) return new[] { all[0] };
            if (only == "all") return all;
            foreach (var s in all)
                if (s.Name == only) return new[] { s };
            return null;
        }
    }
}
