using System.Collections.Generic;
using System.Text.Json.Nodes;
using KDsl.Analysis;
using KDsl.Syntax;
using KDsl.Text;

namespace KDsl.Cli.Lsp
{
    /// <summary>
    /// textDocument/inlayHint: at the end of each function's first line its frame size, and for an entry point (init,
    /// exit, a kthread function) its worst case and overflow point, with the worst path as the tooltip. These are the
    /// numbers `kdsl check` prints, from the image's StackReport. textDocument/codeLens: "Run experiment", "Show
    /// disassembly" on the module line and "Run scenario NAME" on each scenario, as client commands.
    /// </summary>
    internal static class StackHints
    {
        /// <summary>The client-side commands the lenses name (editors/vscode registers them); each asks the server's <see cref="ExperimentCommands"/>.</summary>
        public const string RunCommand = "kdsl.runExperiment";
        public const string DisassemblyCommand = "kdsl.showDisassembly";

        public static JsonArray InlayHints(DocumentAnalysis analysis, int startLine, int endLine)
        {
            var hints = new JsonArray();
            if (analysis.Image?.Stack is not { } report || analysis.Program is null) return hints;
            var entries = new Dictionary<string, EntryStackUsage>();
            foreach (var e in report.Entries) entries[e.Entry] = e;
            foreach (var f in report.Functions)
            {
                int line = f.Line - 1;
                if (line < startLine || line > endLine || line >= analysis.Source.LineCount) continue;
                string label = $"frame {f.FrameSize} B";
                string? tooltip = null;
                if (entries.TryGetValue(f.Name, out var entry))
                {
                    label += " · " + WorstCase(entry, report.ThreadSize);
                    tooltip = "worst path: " + entry.Path;
                }
                var hint = new JsonObject
                {
                    ["position"] = Positions.Position(analysis.Source, LineContentEnd(analysis.Source, line)),
                    ["label"] = label,
                    ["paddingLeft"] = true,
                };
                if (tooltip != null) hint["tooltip"] = tooltip;
                hints.Add((JsonNode)hint);
            }
            return hints;
        }

        /// <summary>"worst case 1440 of 16384 B", or "... · overflows: rstack at depth 4 (17032 B)".</summary>
        public static string WorstCase(EntryStackUsage entry, int threadSize)
        {
            string worst = entry.Unbounded ? "worst case unbounded" : $"worst case {entry.WorstCase} of {threadSize} B";
            if (entry.Overflow is { } o)
                worst += $" · overflows: {o.Function} at depth {o.Depth} ({o.Needed} B" + (o.KernelFunction is null ? ")" : $", in {o.KernelFunction})");
            return worst;
        }

        public static JsonArray CodeLenses(DocumentAnalysis analysis, string uri)
        {
            var lenses = new JsonArray();
            foreach (var member in analysis.Tree.Root.Members)
            {
                if (member is ModuleHeaderSyntax header)
                {
                    lenses.Add((JsonNode)Lens(analysis.Source, header.Keyword.Span, "▶ Run experiment", RunCommand, uri));
                    lenses.Add((JsonNode)Lens(analysis.Source, header.Keyword.Span, "Show disassembly", DisassemblyCommand, uri));
                }
                else if (member is ScenarioSyntax scenario && !scenario.Name.IsMissing)
                    lenses.Add((JsonNode)Lens(analysis.Source, scenario.Keyword.Span, $"▶ Run scenario {scenario.Name.Text}", RunCommand, uri, scenario.Name.Text));
            }
            return lenses;
        }

        private static JsonObject Lens(SourceText source, TextSpan span, string title, string command, string uri, string? scenario = null)
        {
            var arguments = new JsonArray((JsonNode)uri);
            if (scenario != null) arguments.Add((JsonNode)scenario);
            return new JsonObject
            {
                ["range"] = Positions.Range(source, span),
                ["command"] = new JsonObject { ["title"] = title, ["command"] = command, ["arguments"] = arguments },
            };
        }

        private static int LineContentEnd(SourceText source, int line)
        {
            int start = source.GetLineStart(line);
            int end = line + 1 < source.LineCount ? source.GetLineStart(line + 1) : source.Length;
            while (end > start && char.IsWhiteSpace(source[end - 1])) end--;
            return end;
        }
    }
}
