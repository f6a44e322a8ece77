using System.CommandLine;
using System.IO;

namespace KDsl.Cli
{
    /// <summary>`kdsl check FILE...`: compile only and print the diagnostics; exit 2 when any file has an error.</summary>
    internal static class CheckCommand
    {
        public static Command Create()
        {
            var files = new Argument<FileInfo[]>("files") { Description = "The .kdsl files to check", Arity = ArgumentArity.OneOrMore };
            var command = new Command("check", "Compile experiments and report their diagnostics without running them") { files };
            command.SetAction(parse =>
            {
                int exit = 0;
                foreach (var file in parse.GetValue(files)!)
                    if (!Compilation.TryCompile(file, null, out _)) exit = 2;
                return exit;
            });
            return command;
        }
    }
}
