using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Text.Json.Nodes;
using KDsl.Cli.Tests.Lsp;

namespace KDsl.Bench
{
    /// <summary>
    /// lsp [N]: the language server's response time for diagnostics on a 500-line file after one edit. Starts the built
    /// `kdsl lsp` (kdsl.dll beside this program) over stdio, opens the file, warms up with 50 edits, then times N edits
    /// (each changes one constant's value, which the whole file's code and stack analysis depend on): from the
    /// didChange being written to the publishDiagnostics of that version being read. Wall-clock milliseconds, the
    /// pipes and JSON included. The goal (issue 19) is under 50 ms warm.
    /// </summary>
    internal static class LspLatency
    {
        private const int Warmup = 50;

        public static void Run(int n)
        {
            string text = FiveHundredLines();
            int lines = text.Split('\n').Length - 1;
            string uri = new Uri(Path.Combine(Path.GetTempPath(), "kdsl-lsp-bench", "latency.kdsl")).AbsoluteUri;
            using var client = new LspClient(Path.Combine(AppContext.BaseDirectory, "kdsl.dll"), TimeSpan.FromSeconds(120));
            client.Request("initialize", new JsonObject { ["capabilities"] = new JsonObject() });
            client.Notify("initialized", new JsonObject());
            client.Notify("textDocument/didOpen", new JsonObject
            {
                ["textDocument"] = new JsonObject { ["uri"] = uri, ["languageId"] = "kdsl", ["version"] = 1, ["text"] = text },
            });
            var first = client.NextNotification("textDocument/publishDiagnostics", uri)["params"]!["diagnostics"]!.AsArray();
            foreach (var d in first)
                if (d!["severity"]!.GetValue<int>() == 1) throw new InvalidOperationException("the bench file does not compile: " + d.ToJsonString());

            // the edit: `const DEPTH = 1x;` at line DepthLine, the digit after the 1 changes (an incremental change of one character)
            int version = 1;
            var times = new List<double>();
            for (int i = 0; i < Warmup + n; i++)
            {
                version++;
                var change = new JsonObject
                {
                    ["textDocument"] = new JsonObject { ["uri"] = uri, ["version"] = version },
                    ["contentChanges"] = new JsonArray(new JsonObject
                    {
                        ["range"] = new JsonObject
                        {
                            ["start"] = new JsonObject { ["line"] = DepthLine, ["character"] = DepthColumn },
                            ["end"] = new JsonObject { ["line"] = DepthLine, ["character"] = DepthColumn + 1 },
                        },
                        ["text"] = (version % 10).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    }),
                };
                var clock = Stopwatch.StartNew();
                client.Notify("textDocument/didChange", change);
                var published = client.NextNotification("textDocument/publishDiagnostics", uri);
                clock.Stop();
                if (published["params"]!["version"]!.GetValue<int>() != version) throw new InvalidOperationException("diagnostics of another version");
                if (i >= Warmup) times.Add(clock.Elapsed.TotalMilliseconds);
            }
            client.Request("shutdown", null);
            client.Notify("exit", null);
            times.Sort();
            Console.WriteLine($"lsp diagnostics after one edit, {lines}-line file, n={n} after {Warmup} warm-up edits: " +
                $"min {times[0]:F1} ms, median {times[times.Count / 2]:F1} ms, p90 {times[(int)(times.Count * 0.9)]:F1} ms, max {times[^1]:F1} ms");
        }

        private const int DepthLine = 7, DepthColumn = 15;

        /// <summary>
        /// A 500-line experiment: 37 functions, each with a local array, a loop, a printk and a call of the next, bounded
        /// by DEPTH, so an edit of DEPTH changes every call's constant argument chain and the stack analysis.
        /// </summary>
        private static string FiveHundredLines()
        {
            var sb = new StringBuilder();
            sb.Append("// The language server's latency workload (bench/KDsl.Bench lsp).\n");
            sb.Append("module latency \"a 500-line file\";\n\n");
            sb.Append("config {\n    profile = linux-6.1;\n    thread_size = 16K;\n}\n");
            sb.Append("const DEPTH = 12;\n");
            const int functions = 37;
            for (int k = 0; k < functions; k++)
            {
                sb.Append($"\nint f{k}(int n) {{\n");
                sb.Append($"    char buf[{16 + 8 * (k % 5)}];\n");
                sb.Append("    int sum = 0;\n");
                sb.Append("    for (int i = 0; i < 16; i++) {\n");
                sb.Append("        buf[i] = i;\n");
                sb.Append("        sum = sum + buf[i];\n");
                sb.Append("    }\n");
                sb.Append(k + 1 < functions ? $"    if (n > 0)\n        sum = sum + f{k + 1}(n - 1);\n" : "    sum = sum + n;\n    sum = sum * 2;\n");
                sb.Append($"    printk(\"f{k} %d\\n\", sum);\n");
                sb.Append("    return sum;\n");
                sb.Append("}\n");
            }
            sb.Append("\ninit {\n    f0(DEPTH);\n}\n\nexpect {\n    no fault;\n}\n");
            return sb.ToString();
        }
    }
}
