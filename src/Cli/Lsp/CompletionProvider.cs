using System.Collections.Generic;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KDsl.Binding;
using KDsl.Image;
using KDsl.Symbols;
using KDsl.Syntax;

namespace KDsl.Cli.Lsp
{
    /// <summary>
    /// textDocument/completion by where the cursor is: in a config block the keys, or after `=` the key's values; in an
    /// expect block the items, after `oops` the oops kinds, after `in`/`of` the file's functions; elsewhere the keywords,
    /// the kernel's functions, the file's functions and constants and the variables in scope.
    /// </summary>
    internal static class CompletionProvider
    {
        // CompletionItemKind (LSP 3.17)
        private const int KindFunction = 3, KindVariable = 6, KindProperty = 10, KindValue = 12, KindKeyword = 14, KindSnippet = 15,
            KindConstant = 21;

        public static JsonArray Complete(DocumentAnalysis analysis, int offset)
        {
            var items = new JsonArray();
            string before = LineBefore(analysis, offset);
            if (Inside(ConfigBlocks(analysis), offset))
            {
                int equals = before.IndexOf('=');
                if (equals < 0)
                    foreach (var key in LanguageFacts.ConfigKeys) items.Add((JsonNode)Item(key.Name, KindProperty, key.Meaning));
                else if (LanguageFacts.FindConfigKey(FirstWord(before.Substring(0, equals))) is { } key)
                    foreach (var value in key.Values) items.Add((JsonNode)Item(value, KindValue, key.Name));
                return items;
            }
            if (Inside(ExpectBlocks(analysis.Tree.Root.Members), offset))
            {
                if (Regex.IsMatch(before, @"\boops\s+\w*$"))
                    foreach (var kind in Expectation.OopsKinds) items.Add((JsonNode)Item(kind, KindValue, "oops kind"));
                else if (Regex.IsMatch(before, @"\b(in|of)\s+\w*$"))
                    AddFunctions(analysis, items);
                else
                    foreach (var (label, insert, detail) in LanguageFacts.ExpectItems)
                    {
                        var item = Item(label, KindSnippet, detail);
                        item["insertText"] = insert;
                        item["insertTextFormat"] = 2; // snippet
                        items.Add((JsonNode)item);
                    }
                return items;
            }
            foreach (var keyword in LanguageFacts.Keywords) items.Add((JsonNode)Item(keyword, KindKeyword, "keyword"));
            var function = analysis.FunctionAt(offset);
            bool inProcess = function?.Symbol.Kind == FunctionKind.Process;
            foreach (var f in Binder.KernelFunctions(analysis.Profile))
                if (f.Kind is not (FunctionKind.Syscall or FunctionKind.Library) || inProcess) items.Add((JsonNode)Item(f.Name, KindFunction, HoverProvider.Signature(f)));
            AddFunctions(analysis, items);
            foreach (var member in analysis.Tree.Root.Members)
                if (member is ConstDeclarationSyntax c && !c.Identifier.IsMissing) items.Add((JsonNode)Item(c.Identifier.Text, KindConstant, "const"));
            if (function != null)
            {
                foreach (var p in function.Symbol.Parameters) items.Add((JsonNode)Item(p.Name, KindVariable, p.ToString()));
                foreach (var l in function.Locals)
                    if (l.DeclarationSpan.Start < offset) items.Add((JsonNode)Item(l.Name, KindVariable, l.ToString()));
            }
            return items;
        }

        private static void AddFunctions(DocumentAnalysis analysis, JsonArray items)
        {
            foreach (var member in analysis.Tree.Root.Members)
                if (member is FunctionDeclarationSyntax f && !f.Identifier.IsMissing) items.Add((JsonNode)Item(f.Identifier.Text, KindFunction, "function"));
        }

        private static JsonObject Item(string label, int kind, string detail) =>
            new JsonObject { ["label"] = label, ["kind"] = kind, ["detail"] = detail };

        private static IEnumerable<SyntaxNode> ConfigBlocks(DocumentAnalysis analysis) => HoverProvider.ConfigBlocks(analysis.Tree.Root.Members);

        private static IEnumerable<SyntaxNode> ExpectBlocks(IEnumerable<MemberSyntax> members)
        {
            foreach (var member in members)
            {
                if (member is ExpectBlockSyntax expect) yield return expect;
                else if (member is ScenarioSyntax scenario)
                    foreach (var inner in ExpectBlocks(scenario.Members)) yield return inner;
            }
        }

        /// <summary>Between a block's braces (after its keyword, up to its closing brace, or on to the end while it is unclosed).</summary>
        private static bool Inside(IEnumerable<SyntaxNode> blocks, int offset)
        {
            foreach (var block in blocks)
            {
                var (open, close) = block switch
                {
                    ConfigBlockSyntax c => (c.OpenBrace, c.CloseBrace),
                    ExpectBlockSyntax e => (e.OpenBrace, e.CloseBrace),
                    _ => (null!, null!),
                };
                if (open is null || open.IsMissing) continue;
                int end = close.IsMissing ? int.MaxValue : close.Span.Start;
                if (offset > open.Span.Start && offset <= end) return true;
            }
            return false;
        }

        private static string LineBefore(DocumentAnalysis analysis, int offset)
        {
            int line = analysis.Source.GetLinePosition(offset).Line;
            int start = analysis.Source.GetLineStart(line);
            return analysis.Source.Text.Substring(start, offset - start);
        }

        private static string FirstWord(string text)
        {
            var m = Regex.Match(text, @"[A-Za-z_]\w*");
            return m.Success ? m.Value : "";
        }
    }
}
