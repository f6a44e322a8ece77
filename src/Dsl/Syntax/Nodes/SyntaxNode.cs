using System;
using System.Collections.Immutable;
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

    /// <summary>
    /// A type written in the source: its specifiers and qualifiers (`unsigned long`, `const u8`, `char`) and zero or more
    /// stars (char **). A declaration's type has no stars: they belong to each declarator, as in C.
    /// </summary>
    public sealed class TypeClauseSyntax : SyntaxNode
    {
        public TypeClauseSyntax(ImmutableArray<SyntaxToken> specifiers, ImmutableArray<SyntaxToken> stars, SyntaxNode? tag = null,
            FunctionPointerSyntax? functionPointer = null)
            : base(SyntaxKind.TypeClause, Cover(specifiers[0].Span, functionPointer is not null ? functionPointer.Span : !stars.IsEmpty ? stars[stars.Length - 1].Span
                : tag is not null && tag.Span.End > specifiers[specifiers.Length - 1].Span.End ? tag.Span : specifiers[specifiers.Length - 1].Span))
        {
            FunctionPointer = functionPointer;
            Specifiers = specifiers;
            Stars = stars;
            Record = tag as RecordSpecifierSyntax;
            Enum = tag as EnumSpecifierSyntax;
        }

        /// <summary>`enum NAME`, `enum { A, B = 4 }`: its keyword is among <see cref="Specifiers"/>; null for other types.</summary>
        public EnumSpecifierSyntax? Enum { get; }

        /// <summary>
        /// A function-pointer type without a name, `int (*)(int)` in a cast, sizeof or a prototype's parameter: the
        /// specifiers and <see cref="Stars"/> are then its return type. Null for other types.
        /// </summary>
        public FunctionPointerSyntax? FunctionPointer { get; }

        /// <summary>`struct NAME`, `union NAME { ... }`: its keyword is among <see cref="Specifiers"/>; null for other types.</summary>
        public RecordSpecifierSyntax? Record { get; }

        /// <summary>The type's words in source order, qualifiers included; never empty (a missing type is one missing token).</summary>
        public ImmutableArray<SyntaxToken> Specifiers { get; }
        /// <summary>The first specifier that is not a qualifier (`unsigned` in `const unsigned int`), else the first.</summary>
        public SyntaxToken Keyword
        {
            get
            {
                foreach (var token in Specifiers)
                    if (!SyntaxFacts.IsTypeQualifier(token.Kind)) return token;
                return Specifiers[0];
            }
        }
        public ImmutableArray<SyntaxToken> Stars { get; }
        /// <summary>The specifiers' span (the stars left out).</summary>
        public TextSpan SpecifierSpan => Cover(Specifiers[0], Specifiers[Specifiers.Length - 1]);
    }

    /// <summary>enum [NAME] [{ A, B = expr, ... }]: the enumerators are int constants of the file.</summary>
    public sealed class EnumSpecifierSyntax : SyntaxNode
    {
        public EnumSpecifierSyntax(SyntaxToken keyword, SyntaxToken? name, SyntaxToken? open, ImmutableArray<EnumeratorSyntax> enumerators, SyntaxToken? close)
            : base(SyntaxKind.EnumSpecifier, Cover(keyword.Span, (close ?? name ?? keyword).Span))
        {
            Keyword = keyword;
            Name = name;
            OpenBrace = open;
            Enumerators = enumerators;
            CloseBrace = close;
        }

        public SyntaxToken Keyword { get; }
        public SyntaxToken? Name { get; }
        public SyntaxToken? OpenBrace { get; }
        public ImmutableArray<EnumeratorSyntax> Enumerators { get; }
        public SyntaxToken? CloseBrace { get; }
    }

    /// <summary>NAME or NAME = constant-expression in an enum's list.</summary>
    public sealed class EnumeratorSyntax : SyntaxNode
    {
        public EnumeratorSyntax(SyntaxToken identifier, ExpressionSyntax? value)
            : base(SyntaxKind.Enumerator, Cover(identifier.Span, value?.Span ?? identifier.Span))
        {
            Identifier = identifier;
            Value = value;
        }

        public SyntaxToken Identifier { get; }
        public ExpressionSyntax? Value { get; }
    }

    /// <summary>struct NAME, struct NAME { members }, struct { members } (union alike). Members are declarations without initializers.</summary>
    public sealed class RecordSpecifierSyntax : SyntaxNode
    {
        public RecordSpecifierSyntax(SyntaxToken keyword, SyntaxToken? name, SyntaxToken? open, ImmutableArray<DeclarationStatementSyntax> members, SyntaxToken? close)
            : base(SyntaxKind.RecordSpecifier, Cover(keyword.Span, (close ?? name ?? keyword).Span))
        {
            Keyword = keyword;
            Name = name;
            OpenBrace = open;
            Members = members;
            CloseBrace = close;
        }

        public SyntaxToken Keyword { get; }
        public bool IsUnion => Keyword.Kind == SyntaxKind.UnionKeyword;
        public SyntaxToken? Name { get; }
        public SyntaxToken? OpenBrace { get; }
        /// <summary>Whether a body `{ ... }` defines the record here.</summary>
        public bool IsDefinition => OpenBrace is not null;
        public ImmutableArray<DeclarationStatementSyntax> Members { get; }
        public SyntaxToken? CloseBrace { get; }
    }
}
