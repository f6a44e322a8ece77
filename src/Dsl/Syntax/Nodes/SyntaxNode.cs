using System;
using KDsl.Text;

namespace KDsl.Syntax
{
    public abstract class SyntaxNode
    {
        protected SyntaxNode(SyntaxKind kind, TextSpan span)
        {
            Kind = kind;
            Span = span;
        }

        public SyntaxKind Kind { get; }
        /// <summary>From the node's first token to its last (zero-length at the position for a missing node).</summary>
        public TextSpan Span { get; }

        protected static TextSpan Cover(SyntaxToken first, SyntaxToken last) => Cover(first.Span, last.Span);
        protected static TextSpan Cover(TextSpan first, TextSpan last) => TextSpan.FromBounds(first.Start, Math.Max(first.End, last.End));
    }

    /// <summary>A type written in the source: a keyword and zero or more stars (char **).</summary>
    public sealed class TypeClauseSyntax : SyntaxNode
    {
        public TypeClauseSyntax(SyntaxToken keyword, System.Collections.Immutable.ImmutableArray<SyntaxToken> stars)
            : base(SyntaxKind.TypeClause, stars.IsEmpty ? keyword.Span : Cover(keyword, stars[stars.Length - 1]))
        {
            Keyword = keyword;
            Stars = stars;
        }

        public SyntaxToken Keyword { get; }
        public System.Collections.Immutable.ImmutableArray<SyntaxToken> Stars { get; }
    }
}
