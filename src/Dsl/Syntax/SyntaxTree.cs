using System.Collections.Generic;
using System.Collections.Immutable;
using KDsl.Diagnostics;
using KDsl.Text;

namespace KDsl.Syntax
{
    /// <summary>A parsed .kdsl file: its text, its root and the lexer's and parser's diagnostics.</summary>
    public sealed class SyntaxTree
    {
        private SyntaxTree(SourceText text, CompilationUnitSyntax root, IReadOnlyList<Diagnostic> diagnostics, int omittedCalls)
        {
            Text = text;
            Root = root;
            Diagnostics = diagnostics;
            OmittedCalls = omittedCalls;
        }

        public SourceText Text { get; }
        public CompilationUnitSyntax Root { get; }
        public IReadOnlyList<Diagnostic> Diagnostics { get; }
        /// <summary>Calls of undefined functions past the error cap that the tree leaves out (see <see cref="Parser"/>).</summary>
        public int OmittedCalls { get; }

        public static SyntaxTree Parse(SourceText text) => Parse(text, null);

        /// <summary>A tree that leaves out the calls of undefined functions past the error cap, given the names a binder predeclares.</summary>
        public static SyntaxTree Parse(SourceText text, ImmutableHashSet<string>? predeclared)
        {
            var bag = new DiagnosticBag(text);
            var parser = new Parser(text, bag, predeclared);
            var root = parser.ParseCompilationUnit();
            return new SyntaxTree(text, root, bag.ToList(), parser.OmittedCalls);
        }

        public static SyntaxTree Parse(string text) => Parse(new SourceText("", text));

        /// <summary>Lexes the whole text (bad tokens included); for tests and tools.</summary>
        public static IReadOnlyList<SyntaxToken> ParseTokens(string text, out IReadOnlyList<Diagnostic> diagnostics)
        {
            var source = new SourceText("", text);
            var bag = new DiagnosticBag(source);
            var tokens = new Lexer(source, bag).LexAll();
            diagnostics = bag.ToList();
            return tokens;
        }
    }
}
