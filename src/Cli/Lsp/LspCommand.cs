using System;
using System.CommandLine;

namespace KDsl.Cli.Lsp
{
    /// <summary>`kdsl lsp`: the .kdsl language server on stdin/stdout (what editors/vscode starts).</summary>
    internal static class LspCommand
    {
        public static Command Create()
        {
            var stdio = new Option<bool>("--stdio") { Description = "Talk over stdin/stdout (the default and only transport; accepted because clients pass it)" };
            var command = new Command("lsp", "Run the .kdsl language server over stdio: diagnostics, hover with stack facts, inlay hints, navigation, completion") { stdio };
            command.SetAction(_ =>
            {
                using var input = Console.OpenStandardInput();
                using var output = Console.OpenStandardOutput();
                // Anything else that writes to Console.Out would corrupt the protocol stream: it goes to stderr instead.
                Console.SetOut(Console.Error);
                return new LanguageServer(input, output).Run();
            });
            return command;
        }
    }
}
