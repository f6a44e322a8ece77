using System.Collections.Generic;
using System.Text.Json.Nodes;
using KDsl.Symbols;
using KDsl.Syntax;
using KDsl.Text;

namespace KDsl.Cli.Lsp
{
    /// <summary>textDocument/definition, references, documentSymbol and semanticTokens/full, all read off the <see cref="SymbolIndex"/>.</summary>
    internal static class Navigation
    {
        public static JsonNode? Definition(DocumentAnalysis analysis, string uri, int offset) =>
            analysis.Index.At(offset)?.Symbol.Declaration is { } declaration ? Positions.Location(uri, analysis.Source, declaration) : null;

        public static JsonArray References(DocumentAnalysis analysis, string uri, int offset, bool includeDeclaration)
        {
            var locations = new JsonArray();
            if (analysis.Index.At(offset) is not { } at) return locations;
            foreach (var o in analysis.Index.References(at.Symbol))
                if (includeDeclaration || !o.IsDeclaration) locations.Add((JsonNode)Positions.Location(uri, analysis.Source, o.Span));
            return locations;
        }

        // SymbolKind (LSP 3.17)
        private const int KindModule = 2, KindNamespace = 3, KindProperty = 7, KindFunction = 12, KindVariable = 13, KindConstant = 14,
            KindEvent = 24;

        public static JsonArray DocumentSymbols(DocumentAnalysis analysis) => Symbols(analysis, analysis.Tree.Root.Members);

        private static JsonArray Symbols(DocumentAnalysis analysis, IEnumerable<MemberSyntax> members)
        {
            var symbols = new JsonArray();
            foreach (var member in members)
            {
                JsonObject? symbol = member switch
                {
                    ModuleHeaderSyntax m => Symbol(analysis, "module " + m.Name.Text, KindModule, m.Span, m.Name.Span),
                    ConfigBlockSyntax c => Symbol(analysis, "config", KindNamespace, c.Span, c.Keyword.Span, ConfigEntries(analysis, c)),
                    ConstDeclarationSyntax c => Symbol(analysis, c.Identifier.Text, KindConstant, c.Span, c.Identifier.Span),
                    FunctionDeclarationSyntax f => Symbol(analysis, f.Identifier.Text, KindFunction, f.Span, f.Identifier.Span, Locals(analysis, f.Span)),
                    EntryBlockSyntax e => Symbol(analysis, e.Keyword.Text, KindFunction, e.Span, e.Keyword.Span, Locals(analysis, e.Span)),
                    ProcessBlockSyntax p => Symbol(analysis, "process " + p.Name.Text, KindFunction, p.Span, p.Name.Span, Locals(analysis, p.Span)),
                    ExpectBlockSyntax x => Symbol(analysis, "expect", KindEvent, x.Span, x.Keyword.Span),
                    ScenarioSyntax s => Symbol(analysis, "scenario " + s.Name.Text, KindNamespace, s.Span, s.Name.Span, Symbols(analysis, s.Members)),
                    _ => null,
                };
                if (symbol != null) symbols.Add((JsonNode)symbol);
            }
            return symbols;
        }

        private static JsonArray ConfigEntries(DocumentAnalysis analysis, ConfigBlockSyntax config)
        {
            var entries = new JsonArray();
            foreach (var e in config.Entries)
                entries.Add((JsonNode)Symbol(analysis, $"{e.FullKey} = {e.Value}", KindProperty, e.Span, e.Key.Span));
            return entries;
        }

        /// <summary>The parameters and locals of the bound function at the span (none while the file does not bind).</summary>
        private static JsonArray Locals(DocumentAnalysis analysis, TextSpan span)
        {
            var locals = new JsonArray();
            if (analysis.FunctionAt(span.Start) is not { } f || f.Span.Start != span.Start) return locals;
            foreach (var p in f.Symbol.Parameters) locals.Add((JsonNode)Symbol(analysis, p.Name, KindVariable, p.DeclarationSpan, p.DeclarationSpan, detail: p.ToString()));
            foreach (var l in f.Locals) locals.Add((JsonNode)Symbol(analysis, l.Name, KindVariable, l.DeclarationSpan, l.DeclarationSpan, detail: l.ToString()));
            return locals;
        }

        private static JsonObject Symbol(DocumentAnalysis analysis, string name, int kind, TextSpan range, TextSpan selection,
            JsonArray? children = null, string? detail = null)
        {
            var symbol = new JsonObject
            {
                ["name"] = name.Length == 0 ? "?" : name,
                ["kind"] = kind,
                ["range"] = Positions.Range(analysis.Source, range),
                ["selectionRange"] = Positions.Range(analysis.Source, selection),
            };
            if (detail != null) symbol["detail"] = detail;
            if (children is { Count: > 0 }) symbol["children"] = children;
            return symbol;
        }

        /// <summary>The legend the server announces: token types and modifiers by index.</summary>
        public static readonly string[] TokenTypes = { "function", "variable", "parameter", "macro", "property" };
        public static readonly string[] TokenModifiers = { "declaration", "readonly", "defaultLibrary" };
        private const int Function = 0, Variable = 1, Parameter = 2, Macro = 3, Property = 4;
        private const int Declaration = 1, Readonly = 2, DefaultLibrary = 4;

        /// <summary>The names the TextMate grammar cannot tell apart: functions, constants, parameters, locals, builtins, config keys.</summary>
        public static JsonObject SemanticTokens(DocumentAnalysis analysis)
        {
            var tokens = new List<(TextSpan Span, int Type, int Modifiers)>();
            foreach (var o in analysis.Index.Occurrences)
            {
                int modifiers = o.IsDeclaration ? Declaration : 0;
                var (type, extra) = o.Symbol.Kind switch
                {
                    SymbolKind.Function => (Function, 0),
                    SymbolKind.Constant => (Variable, Readonly),
                    SymbolKind.Kernel when o.Symbol.Bound is FunctionSymbol { Kind: FunctionKind.Builtin } => (Macro, DefaultLibrary),
                    SymbolKind.Kernel => (Function, DefaultLibrary),
                    _ => (o.Symbol.Bound is VariableSymbol { Kind: VariableKind.Parameter } ? Parameter : Variable, 0),
                };
                tokens.Add((o.Span, type, modifiers | extra));
            }
            foreach (var config in HoverProvider.ConfigBlocks(analysis.Tree.Root.Members))
                foreach (var e in config.Entries)
                    if (!e.Key.IsMissing) tokens.Add((e.Key.Span, Property, 0));
            tokens.Sort((a, b) => a.Span.Start.CompareTo(b.Span.Start));

            var data = new JsonArray();
            int lastLine = 0, lastCharacter = 0;
            foreach (var (span, type, modifiers) in tokens)
            {
                var start = analysis.Source.GetLinePosition(span.Start);
                data.Add((JsonNode)(start.Line - lastLine));
                data.Add((JsonNode)(start.Line == lastLine ? start.Character - lastCharacter : start.Character));
                data.Add((JsonNode)span.Length);
                data.Add((JsonNode)type);
                data.Add((JsonNode)modifiers);
                (lastLine, lastCharacter) = (start.Line, start.Character);
            }
            return new JsonObject { ["data"] = data };
        }
    }
}
