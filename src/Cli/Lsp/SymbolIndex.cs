using System.Collections.Generic;
using KDsl.Binding;
using KDsl.Symbols;
using KDsl.Syntax;
using KDsl.Text;

namespace KDsl.Cli.Lsp
{
    internal enum SymbolKind { Function, Constant, Variable, Kernel }

    /// <summary>
    /// What a name in the file stands for. Functions and constants are the file's globals (one name, one symbol); a
    /// variable is the binder's <see cref="VariableSymbol"/> (two locals named i in sibling blocks are two symbols).
    /// </summary>
    internal sealed class NamedSymbol
    {
        public NamedSymbol(SymbolKind kind, string name, TextSpan? declaration, object? bound)
        {
            Kind = kind;
            Name = name;
            Declaration = declaration;
            Bound = bound;
        }

        public SymbolKind Kind { get; }
        public string Name { get; }
        /// <summary>The declaring name's span; null for the kernel's functions (printk, vmalloc, the system calls).</summary>
        public TextSpan? Declaration { get; }
        /// <summary>The binder's symbol (<see cref="FunctionSymbol"/>, <see cref="VariableSymbol"/>, <see cref="ConstantSymbol"/>) when the file bound.</summary>
        public object? Bound { get; }
    }

    /// <summary>One name in the text and the symbol it stands for.</summary>
    internal readonly struct Occurrence
    {
        public Occurrence(TextSpan span, NamedSymbol symbol)
        {
            Span = span;
            Symbol = symbol;
        }

        public TextSpan Span { get; }
        public NamedSymbol Symbol { get; }
        public bool IsDeclaration => Symbol.Declaration is { } d && d.Start == Span.Start && d.Length == Span.Length;
    }

    /// <summary>
    /// Every name of the file and what it stands for: what definition, references, hover and semantic tokens read.
    /// Globals come from the syntax tree and the tokens, so they work while the file has errors; parameters and locals
    /// from the bound program, when the file binds.
    /// </summary>
    internal sealed class SymbolIndex
    {
        private readonly List<Occurrence> _occurrences;

        private SymbolIndex(List<Occurrence> occurrences) => _occurrences = occurrences;

        public IReadOnlyList<Occurrence> Occurrences => _occurrences;

        public Occurrence? At(int offset)
        {
            foreach (var o in _occurrences)
                if (offset >= o.Span.Start && offset <= o.Span.End) return o;
            return null;
        }

        public IEnumerable<Occurrence> References(NamedSymbol symbol)
        {
            foreach (var o in _occurrences)
                if (ReferenceEquals(o.Symbol, symbol)) yield return o;
        }

        public static SymbolIndex Build(SyntaxTree tree, BoundProgram? program, IReadOnlyList<SyntaxToken> tokens,
            IReadOnlyList<FunctionSymbol> kernelFunctions)
        {
            var globals = new Dictionary<string, NamedSymbol>();
            var boundFunctions = new Dictionary<string, FunctionSymbol>();
            var constants = new Dictionary<string, ConstantSymbol>();
            if (program != null)
            {
                foreach (var f in program.Functions) boundFunctions[f.Symbol.Name] = f.Symbol;
                foreach (var c in program.Constants) constants[c.Name] = c;
            }
            foreach (var f in kernelFunctions) globals[f.Name] = new NamedSymbol(SymbolKind.Kernel, f.Name, null, f);
            foreach (var member in tree.Root.Members)
            {
                if (member is FunctionDeclarationSyntax function && !function.Identifier.IsMissing)
                {
                    boundFunctions.TryGetValue(function.Identifier.Text, out var bound);
                    globals[function.Identifier.Text] = new NamedSymbol(SymbolKind.Function, function.Identifier.Text, function.Identifier.Span, bound);
                }
                else if (member is ConstDeclarationSyntax constant && !constant.Identifier.IsMissing)
                {
                    constants.TryGetValue(constant.Identifier.Text, out var bound);
                    globals[constant.Identifier.Text] = new NamedSymbol(SymbolKind.Constant, constant.Identifier.Text, constant.Identifier.Span, bound);
                }
            }

            var occurrences = new List<Occurrence>();
            var claimed = new HashSet<int>();
            if (program != null) AddVariables(program, occurrences, claimed);
            foreach (var token in tokens)
            {
                if (token.Kind != SyntaxKind.IdentifierToken || claimed.Contains(token.Position)) continue;
                if (globals.TryGetValue(token.Text, out var symbol)) occurrences.Add(new Occurrence(token.Span, symbol));
            }
            occurrences.Sort((a, b) => a.Span.Start.CompareTo(b.Span.Start));
            return new SymbolIndex(occurrences);
        }

        /// <summary>Each parameter and local at its declaration and at every use the binder resolved to it.</summary>
        private static void AddVariables(BoundProgram program, List<Occurrence> occurrences, HashSet<int> claimed)
        {
            var symbols = new Dictionary<VariableSymbol, NamedSymbol>();
            NamedSymbol Of(VariableSymbol v)
            {
                if (!symbols.TryGetValue(v, out var s))
                    symbols[v] = s = new NamedSymbol(SymbolKind.Variable, v.Name, v.DeclarationSpan, v);
                return s;
            }
            void Add(TextSpan span, VariableSymbol v)
            {
                if (span.Length == 0 || !claimed.Add(span.Start)) return;
                occurrences.Add(new Occurrence(span, Of(v)));
            }
            foreach (var function in program.Functions)
            {
                foreach (var p in function.Symbol.Parameters) Add(p.DeclarationSpan, p);
                foreach (var l in function.Locals) Add(l.DeclarationSpan, l);
                foreach (var statement in BoundTree.Statements(function.Body))
                    foreach (var expression in BoundTree.OwnExpressions(statement))
                        BoundTree.Visit(expression, e =>
                        {
                            if (e is BoundVariable v) Add(v.Span, v.Variable);
                            else if (e is BoundArrayVariable a) Add(a.Span, a.Variable);
                        });
            }
        }
    }
}
