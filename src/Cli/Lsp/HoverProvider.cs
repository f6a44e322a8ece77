using System.Collections.Generic;
using System.Globalization;
using System.Text;
using KDsl.Analysis;
using KDsl.Binding;
using KDsl.Symbols;
using KDsl.Syntax;
using KDsl.Text;

namespace KDsl.Cli.Lsp
{
    /// <summary>
    /// textDocument/hover: a function's frame size and its breakdown (and an entry point's worst case), the stack a call
    /// uses below it, a constant's value, a variable's type and size, a kernel function's signature and stack cost, a
    /// config key's meaning. Markdown, with the range of the name.
    /// </summary>
    internal static class HoverProvider
    {
        public static (string Markdown, TextSpan Span)? Hover(DocumentAnalysis analysis, int offset)
        {
            if (ConfigKeyAt(analysis.Tree, offset) is { } entry) return (ConfigKeyHover(entry), entry.Key.Span);
            if (analysis.Index.At(offset) is not { } occurrence) return null;
            var symbol = occurrence.Symbol;
            string text = symbol.Kind switch
            {
                SymbolKind.Function => FunctionHover(analysis, symbol, occurrence),
                SymbolKind.Kernel => KernelHover(analysis, (FunctionSymbol)symbol.Bound!, occurrence.Span),
                SymbolKind.Constant => ConstantHover(symbol),
                _ => VariableHover((VariableSymbol)symbol.Bound!),
            };
            return (text, occurrence.Span);
        }

        private static string FunctionHover(DocumentAnalysis analysis, NamedSymbol symbol, Occurrence occurrence)
        {
            var md = new StringBuilder();
            if (symbol.Bound is not FunctionSymbol function)
                return Code(symbol.Name + "(...)") + "\n\nThe file does not compile yet: no stack facts.";
            md.Append(Code(Signature(function)));
            if (Frame(analysis, function) is { } frame)
                md.Append($"\n\n**frame {frame.FrameSize} B** = {frame}");
            if (!occurrence.IsDeclaration && CallCost(analysis, occurrence.Span) is { } below)
                md.Append($"\n\n{below}");
            if (function.MaxDepth is int bound) md.Append($"\n\nmax_depth {bound}: at most {bound} activations at once.");
            return md.ToString();
        }

        private static FrameBreakdown? Frame(DocumentAnalysis analysis, FunctionSymbol function)
        {
            if (analysis.Image is null || analysis.ImageSymbol(function.LinkName) is not { } symbol ||
                !analysis.Frames.TryGetValue(function.LinkName, out var frame)) return null;
            BoundFunction? bound = null;
            foreach (var f in analysis.Program!.Functions)
                if (f.Symbol.LinkName == function.LinkName) bound = f;
            return FrameBreakdown.Read(analysis.Image, symbol, frame, bound);
        }

        /// <summary>
        /// "Below this call: N B" for the call whose name is at <paramref name="name"/>: the callee's worst case with the
        /// arguments that are constants, and the caller's depth at the call, read off the caller's code. The callee is the
        /// bound call's (kmalloc of a constant size calls what GCC's kmalloc() calls, not __kmalloc).
        /// </summary>
        private static string? CallCost(DocumentAnalysis analysis, TextSpan name)
        {
            if (analysis.Program is null || analysis.Image is null || analysis.FunctionAt(name.Start) is not { } caller) return null;
            var call = FindCall(caller, name.Start);
            if (call is null) return null;
            var callee = call.Function;
            var args = new long?[call.Arguments.Length];
            for (int i = 0; i < args.Length; i++) args[i] = ConstantEvaluator.Evaluate(call.Arguments[i], new Dictionary<VariableSymbol, long>());
            int line = analysis.Source.GetLinePosition(name.Start).Line + 1;
            CallSite? site = null;
            if (analysis.Frames.TryGetValue(caller.Symbol.LinkName, out var frame))
                foreach (var s in frame.Calls)
                    if (s.Target == callee.LinkName && analysis.LineOfCode(s.Offset) == line) { site = s; break; }
            long cost = callee.Kind == FunctionKind.Kernel
                ? new KernelCosts(analysis.Profile).CostOf(callee.LinkName, site?.FirstString)
                : StackAnalyzer.CallCost(analysis.Program, analysis.Image, analysis.Source, analysis.Profile, callee.LinkName, args);
            string worst = cost == long.MaxValue ? "unbounded" : cost.ToString(CultureInfo.InvariantCulture) + " B";
            string known = args.Length == 0 ? "" : " with arguments (" + string.Join(", ", Values(args)) + ")";
            string depth = site is { } at ? $"; {caller.Symbol.Name}'s frame holds {at.Depth} B at the call" : "";
            return $"**below this call: {worst}** (worst case{known}, return address included){depth}.";
        }

        private static IEnumerable<string> Values(long?[] args)
        {
            foreach (var a in args) yield return a?.ToString(CultureInfo.InvariantCulture) ?? "?";
        }

        private static BoundCall? FindCall(BoundFunction function, int nameStart)
        {
            BoundCall? found = null;
            foreach (var statement in BoundTree.Statements(function.Body))
                foreach (var expression in BoundTree.OwnExpressions(statement))
                    BoundTree.Visit(expression, e =>
                    {
                        if (e is BoundCall c && c.Span.Start == nameStart) found = c;
                    });
            return found;
        }

        private static string KernelHover(DocumentAnalysis analysis, FunctionSymbol function, TextSpan name)
        {
            var md = new StringBuilder(Code(Signature(function)));
            if (function.Kind == FunctionKind.Builtin)
                md.Append("\n\nExpanded in place by the code generator (no call, no stack of its own).");
            else if (function.Kind == FunctionKind.Syscall)
                md.Append($"\n\nSystem call {function.SyscallNumber} (a process block's `syscall`).");
            else if (function.Kind == FunctionKind.Library)
                md.Append($"\n\nA process's library function `{function.LinkName}`, linked into the program as libc's would be (it calls rt_sigaction, system call 13).");
            else
            {
                int cost = new KernelCosts(analysis.Profile).CostOf(function.LinkName);
                md.Append($"\n\nKernel function `{function.LinkName}` on {analysis.Profile.Name}: **{cost} B** below the caller's stack pointer at its deepest (return address included).");
                if (CallCost(analysis, name) is { } below) md.Append($"\n\n{below}");
            }
            return md.ToString();
        }

        private static string ConstantHover(NamedSymbol symbol) => symbol.Bound is ConstantSymbol c
            ? Code($"const {c.Name} = {c.Value}") + (c.Value > 9 ? $"\n\n0x{c.Value:x}" : "")
            : Code($"const {symbol.Name}");

        private static string VariableHover(VariableSymbol v)
        {
            string kind = v.Kind == VariableKind.Parameter ? $"parameter {v.ParameterIndex + 1}" : "local";
            return Code(Declaration(v)) + $"\n\n{kind}, {v.Type.Size} bytes";
        }

        private static string ConfigKeyHover(ConfigEntrySyntax entry)
        {
            var key = LanguageFacts.FindConfigKey(entry.Key.Text);
            if (key is null) return Code(entry.FullKey) + "\n\nNot a config key.";
            return Code($"{entry.FullKey} = {entry.Value}") + "\n\n" + key.Meaning + "\n\nValues: " + string.Join(", ", key.Values);
        }

        private static ConfigEntrySyntax? ConfigKeyAt(SyntaxTree tree, int offset)
        {
            foreach (var config in ConfigBlocks(tree.Root.Members))
                foreach (var entry in config.Entries)
                    if (offset >= entry.Key.Span.Start && offset <= entry.Key.Span.End) return entry;
            return null;
        }

        /// <summary>The top-level config block and each scenario's.</summary>
        public static IEnumerable<ConfigBlockSyntax> ConfigBlocks(IEnumerable<MemberSyntax> members)
        {
            foreach (var member in members)
            {
                if (member is ConfigBlockSyntax config) yield return config;
                else if (member is ScenarioSyntax scenario)
                    foreach (var inner in ConfigBlocks(scenario.Members)) yield return inner;
            }
        }

        public static string Signature(FunctionSymbol f)
        {
            var parameters = new List<string>();
            foreach (var p in f.Parameters) parameters.Add(Declaration(p));
            if (f.IsVariadic) parameters.Add("...");
            return $"{f.ReturnType} {f.Name}({string.Join(", ", parameters)})";
        }

        private static string Declaration(VariableSymbol v)
        {
            // an array's type prints as char[4096]; C writes the size after the name
            string type = v.Type.ToString();
            int bracket = type.IndexOf('[');
            return bracket < 0 ? $"{type} {v.Name}" : $"{type.Substring(0, bracket)} {v.Name}{type.Substring(bracket)}";
        }

        private static string Code(string c) => "```kdsl\n" + c + "\n```";
    }
}
