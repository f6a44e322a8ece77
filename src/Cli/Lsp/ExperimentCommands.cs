using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Text.Json.Nodes;

namespace KDsl.Cli.Lsp
{
    /// <summary>
    /// workspace/executeCommand: `kdsl.server.run` [uri, scenario?] runs the saved file as `kdsl run` does and
    /// `kdsl.server.disasm` [uri] disassembles it as `kdsl disasm` does. Each runs this same kdsl in a child process, so a
    /// run that crashes or loops is the child's problem, not the server's; the result is {exitCode, output}: what the
    /// command printed, stdout then stderr, for the client's output channel.
    /// </summary>
    internal static class ExperimentCommands
    {
        public const string Run = "kdsl.server.run";
        public const string Disassemble = "kdsl.server.disasm";
        public static readonly string[] All = { Run, Disassemble };

        /// <summary>A run the emulator's budgets did not stop by then is ended: an editor waits for it.</summary>
        private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

        public static JsonObject Execute(string command, JsonArray arguments)
        {
            string? uri = arguments.Count > 0 ? arguments[0]?.GetValue<string>() : null;
            if (uri is null || !Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || !parsed.IsFile)
                return Result(2, $"kdsl: {command} needs the file: URI of a saved .kdsl file");
            var args = new List<string> { command == Run ? "run" : "disasm", parsed.LocalPath };
            if (command == Run && arguments.Count > 1 && arguments[1]?.GetValue<string>() is { Length: > 0 } scenario)
            {
                args.Add("--scenario");
                args.Add(scenario);
            }
            return RunSelf(args);
        }

        private static JsonObject RunSelf(List<string> args)
        {
            var start = new ProcessStartInfo
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            // `dotnet kdsl.dll lsp` (a framework-dependent run) starts its child the same way; an apphost starts itself.
            string host = Environment.ProcessPath ?? "dotnet";
            start.FileName = host;
            if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
                start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "kdsl.dll"));
            foreach (var a in args) start.ArgumentList.Add(a);

            using var process = Process.Start(start);
            if (process is null) return Result(2, "kdsl: could not start " + host);
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                return Result(3, stdout.Result + stderr.Result + $"\nkdsl: stopped after {Timeout.TotalSeconds:0} s");
            }
            var output = new StringBuilder(stdout.Result);
            output.Append(stderr.Result);
            return Result(process.ExitCode, output.ToString());
        }

        private static JsonObject Result(int exitCode, string output) => new JsonObject { ["exitCode"] = exitCode, ["output"] = output };
    }
}
