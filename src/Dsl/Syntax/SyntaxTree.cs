using System.Collections.Generic;
using KDsl.Diagnostics;
using KDsl.Text;

namespace KDsl.Syntax
{
    /// <summary>A parsed .kdsl file: its text, its root and the lexer's and parser's diagnostics.</summary>
    public sealed class SyntaxTree
    {
        private SyntaxTree(SourceText text, CompilationUnitSyntax root, IReadOnlyList<Diagnostic> diagnostics)
        {
            Text = text;
            Root = root;
            Diagnostics = diagnostics;
        }

        public SourceText Text { get; }
        public CompilationUnitSyntax Root { get; }
        public IReadOnlyList<Diagnostic> Diagnostics { get; }

        public static SyntaxTree Parse(SourceText text)
        {
            var bag = new DiagnosticBag(text);
            var root = new Parser(text, bag).ParseCompilationUnit();
            return new SyntaxTree(text, root, bag.ToList());
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
