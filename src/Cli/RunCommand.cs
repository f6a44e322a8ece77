using System;
using System.CommandLine;
using System.IO;
using KDsl.Runtime;

namespace KDsl.Cli
{
    /// <summary>`kdsl run FILE [--set key=value ...]`: exit 0 when the run ends as the file's expect says, 1 when not, 2 on compile errors.</summary>
    internal static class RunCommand
    {
        public static Command Create()
        {
            var file = new Argument<FileInfo>("file") { Description = "The .kdsl experiment to run" };
            var set = new Option<string[]>("--set") { Description = "Override a config setting, e.g. --set profile=linux-4.11", AllowMultipleArgumentsPerToken = false };
            var command = new Command("run", "Compile an experiment, boot the emulated machine, insmod it and print dmesg") { file, set };
            command.SetAction(parse => Run(parse.GetValue(file)!, parse.GetValue(set)));
            return command;
        }

        private static int Run(FileInfo file, string[]? set)
        {
            if (!Settings.TryParse(set, out var settings, out string? error))
            {
                Console.Error.WriteLine($"kdsl: {error}");
                return 2;
            }
            if (!Compilation.TryCompile(file, settings, out var image))
                return 2;

            var result = Machine.Run(image!);
            Console.Out.Write(result.Dmesg);

            var failures = ExpectationCheck.Check(image!.Expectations, result);
            foreach (var failure in failures)
                Console.Error.WriteLine(failure.Format(file.FullName));
            return failures.Count == 0 ? 0 : 1;
        }
    }
}
