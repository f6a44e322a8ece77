using System;
using System.CommandLine;
using System.IO;
using KDsl.Analysis;

namespace KDsl.Cli
{
    /// <summary>
    /// `kdsl check FILE...`: compile only; print the diagnostics, then the stack report: one GCC .su line per
    /// function, largest first as checkstack.pl sorts, and each entry point's worst case. Exit 2 when a file has an error.
    /// </summary>
    internal static class CheckCommand
    {
        public static Command Create()
        {
            var files = new Argument<FileInfo[]>("files") { Description = "The .kdsl files to check", Arity = ArgumentArity.OneOrMore };
            var set = new Option<string[]>("--set") { Description = "Override a config setting, e.g. --set thread_size=8K" };
            var command = new Command("check", "Compile experiments and report their stack usage without running them") { files, set };
            command.SetAction(parse =>
            {
                if (!Settings.TryParse(parse.GetValue(set), out var settings, out string? error))
                {
                    Console.Error.WriteLine($"kdsl: {error}");
                    return 2;
                }
                int exit = 0;
                foreach (var file in parse.GetValue(files)!)
                {
                    if (!Compilation.TryCompile(file, settings, out KDsl.Image.ModuleImage? image)) { exit = 2; continue; }
                    if (image!.Stack is { } report) Print(file.Name, image.Config.Profile, report);
                }
                return exit;
            });
            return command;
        }

        private static void Print(string file, string profile, StackReport report)
        {
            Console.WriteLine($"{file}: stack usage ({profile}, THREAD_SIZE {report.ThreadSize})");
            foreach (var f in report.Functions)
                Console.WriteLine(f.ToSuLine(file));
            foreach (var e in report.Entries)
            {
                string worst = e.Unbounded ? "unbounded" : $"{e.WorstCase} of {report.ThreadSize} bytes";
                Console.WriteLine($"entry {e.Entry}: worst case {worst}" + (e.Overflow is null ? "" : $"; overflows: {e.Overflow}"));
                Console.WriteLine($"  path: {e.Path}");
            }
        }
    }
}
