using System.Collections.Immutable;
using KDsl.Text;

namespace KDsl.Syntax
{
    public abstract class StatementSyntax : SyntaxNode
    {
        protected StatementSyntax(SyntaxKind kind, TextSpan span) : base(kind, span) { }
    }

    public sealed class BlockStatementSyntax : StatementSyntax
    {
        public BlockStatementSyntax(SyntaxToken open, ImmutableArray<StatementSyntax> statements, SyntaxToken close)
            : base(SyntaxKind.BlockStatement, Cover(open, close))
        {
            OpenBrace = open;
            Statements = statements;
            CloseBrace = close;
        }

        public SyntaxToken OpenBrace { get; }
        public ImmutableArray<StatementSyntax> Statements { get; }
        public SyntaxToken CloseBrace { get; }
    }

    /// <summary>
    /// One declarator of a declaration: stars, a name, optional dimensions ([size], [size][size], [] sized by the
    /// initializer) and an optional = initializer (an expression or a braced list).
    /// </summary>
    public sealed class DeclaratorSyntax : SyntaxNode
    {
        public DeclaratorSyntax(ImmutableArray<SyntaxToken> stars, SyntaxToken identifier, SyntaxToken? openBracket, ExpressionSyntax? size,
            SyntaxToken? closeBracket, SyntaxToken? equals, ExpressionSyntax? initializer, ImmutableArray<ExpressionSyntax> innerSizes = default,
            FunctionPointerSyntax? functionPointer = null)
            : base(SyntaxKind.Declarator, Cover(stars.IsEmpty ? functionPointer?.Span ?? identifier.Span : stars[0].Span,
                initializer?.Span ?? functionPointer?.Span ?? closeBracket?.Span ?? identifier.Span))
        {
            FunctionPointer = functionPointer;
            InnerSizes = innerSizes.IsDefault ? ImmutableArray<ExpressionSyntax>.Empty : innerSizes;
            Stars = stars;
            Identifier = identifier;
            OpenBracket = openBracket;
            Size = size;
            CloseBracket = closeBracket;
            EqualsToken = equals;
            Initializer = initializer;
        }

        public ImmutableArray<SyntaxToken> Stars { get; }
        public SyntaxToken Identifier { get; }
        public SyntaxToken? OpenBracket { get; }
        /// <summary>The first dimension of an array declarator; null for a scalar, and for `[]` (see <see cref="IsArray"/>).</summary>
        public ExpressionSyntax? Size { get; }
        /// <summary>An array declarator: `[N]`, or `[]` whose length the initializer gives.</summary>
        public bool IsArray => OpenBracket is not null;
        /// <summary>The dimensions after the first (`int m[3][4]`: 4), outermost first.</summary>
        public ImmutableArray<ExpressionSyntax> InnerSizes { get; }
        public SyntaxToken? CloseBracket { get; }
        public SyntaxToken? EqualsToken { get; }
        public ExpressionSyntax? Initializer { get; }
        /// <summary>
        /// `(*name)(params)`: the declarator names a pointer to a function (or, with dimensions inside the parentheses,
        /// an array of them); <see cref="Stars"/> then belong to the return type. Null for other declarators.
        /// </summary>
        public FunctionPointerSyntax? FunctionPointer { get; }
    }

    /// <summary>
    /// The parenthesised part of a function-pointer declarator, `(*fp)(int, char *)` or `(*ops[4])(void)`: the stars
    /// inside the parentheses (one per pointer level) and the parameter list (names optional, as in a prototype).
    /// </summary>
    public sealed class FunctionPointerSyntax : SyntaxNode
    {
        public FunctionPointerSyntax(SyntaxToken open, ImmutableArray<SyntaxToken> stars, SyntaxToken close, SyntaxToken openParameters,
            ImmutableArray<ParameterSyntax> parameters, SyntaxToken closeParameters)
            : base(SyntaxKind.Declarator, Cover(open.Span, closeParameters.Span))
        {
            OpenParen = open;
            Stars = stars;
            CloseParen = close;
            OpenParameters = openParameters;
            Parameters = parameters;
            CloseParameters = closeParameters;
        }

        public SyntaxToken OpenParen { get; }
        public ImmutableArray<SyntaxToken> Stars { get; }
        public SyntaxToken CloseParen { get; }
        public SyntaxToken OpenParameters { get; }
        public ImmutableArray<ParameterSyntax> Parameters { get; }
        public SyntaxToken CloseParameters { get; }
    }

    /// <summary>int a = 1, *p, buf[16]; — Type holds only the specifiers; stars belong to each declarator, as in C.</summary>
    public sealed class DeclarationStatementSyntax : StatementSyntax
    {
        public DeclarationStatementSyntax(TypeClauseSyntax type, ImmutableArray<DeclaratorSyntax> declarators, SyntaxToken semicolon,
            ImmutableArray<SyntaxToken> storage = default)
            : base(SyntaxKind.DeclarationStatement, Cover(storage.IsDefaultOrEmpty ? type.Span : storage[0].Span, semicolon.Span))
        {
            Storage = storage.IsDefault ? ImmutableArray<SyntaxToken>.Empty : storage;
            Type = type;
            Declarators = declarators;
            Semicolon = semicolon;
        }

        /// <summary>Storage-class words before the type (`static`, `inline`; contextual, see <see cref="SyntaxFacts.IsStorageWord"/>).</summary>
        public ImmutableArray<SyntaxToken> Storage { get; }
        public bool IsStatic => SyntaxFacts.Has(Storage, "static");
        public TypeClauseSyntax Type { get; }
        public ImmutableArray<DeclaratorSyntax> Declarators { get; }
        public SyntaxToken Semicolon { get; }
    }

    public sealed class ExpressionStatementSyntax : StatementSyntax
    {
        public ExpressionStatementSyntax(ExpressionSyntax expression, SyntaxToken semicolon)
            : base(SyntaxKind.ExpressionStatement, Cover(expression.Span, semicolon.Span))
        {
            Expression = expression;
            Semicolon = semicolon;
        }

        public ExpressionSyntax Expression { get; }
        public SyntaxToken Semicolon { get; }
    }

    public sealed class EmptyStatementSyntax : StatementSyntax
    {
        public EmptyStatementSyntax(SyntaxToken semicolon) : base(SyntaxKind.EmptyStatement, semicolon.Span) => Semicolon = semicolon;
        public SyntaxToken Semicolon { get; }
    }

    public sealed class IfStatementSyntax : StatementSyntax
    {
        public IfStatementSyntax(SyntaxToken keyword, SyntaxToken open, ExpressionSyntax condition, SyntaxToken close,
            StatementSyntax then, SyntaxToken? elseKeyword, StatementSyntax? @else)
            : base(SyntaxKind.IfStatement, Cover(keyword.Span, (@else ?? then).Span))
        {
            Keyword = keyword;
            OpenParen = open;
            Condition = condition;
            CloseParen = close;
            Then = then;
            ElseKeyword = elseKeyword;
            Else = @else;
        }

        public SyntaxToken Keyword { get; }
        public SyntaxToken OpenParen { get; }
        public ExpressionSyntax Condition { get; }
        public SyntaxToken CloseParen { get; }
        public StatementSyntax Then { get; }
        public SyntaxToken? ElseKeyword { get; }
        public StatementSyntax? Else { get; }
    }

    public sealed class WhileStatementSyntax : StatementSyntax
    {
        public WhileStatementSyntax(SyntaxToken keyword, SyntaxToken open, ExpressionSyntax condition, SyntaxToken close, StatementSyntax body)
            : base(SyntaxKind.WhileStatement, Cover(keyword.Span, body.Span))
        {
            Keyword = keyword;
            OpenParen = open;
            Condition = condition;
            CloseParen = close;
            Body = body;
        }

        public SyntaxToken Keyword { get; }
        public SyntaxToken OpenParen { get; }
        public ExpressionSyntax Condition { get; }
        public SyntaxToken CloseParen { get; }
        public StatementSyntax Body { get; }
    }

    public sealed class DoWhileStatementSyntax : StatementSyntax
    {
        public DoWhileStatementSyntax(SyntaxToken doKeyword, StatementSyntax body, SyntaxToken whileKeyword, SyntaxToken open,
            ExpressionSyntax condition, SyntaxToken close, SyntaxToken semicolon)
            : base(SyntaxKind.DoWhileStatement, Cover(doKeyword, semicolon))
        {
            DoKeyword = doKeyword;
            Body = body;
            WhileKeyword = whileKeyword;
            OpenParen = open;
            Condition = condition;
            CloseParen = close;
            Semicolon = semicolon;
        }

        public SyntaxToken DoKeyword { get; }
        public StatementSyntax Body { get; }
        public SyntaxToken WhileKeyword { get; }
        public SyntaxToken OpenParen { get; }
        public ExpressionSyntax Condition { get; }
        public SyntaxToken CloseParen { get; }
        public SyntaxToken Semicolon { get; }
    }

    /// <summary>for (Initializer Condition; Step) Body. Initializer is a declaration, an expression statement or an empty statement (each with its ';').</summary>
    public sealed class ForStatementSyntax : StatementSyntax
    {
        public ForStatementSyntax(SyntaxToken keyword, SyntaxToken open, StatementSyntax initializer, ExpressionSyntax? condition,
            SyntaxToken semicolon, ExpressionSyntax? step, SyntaxToken close, StatementSyntax body)
            : base(SyntaxKind.ForStatement, Cover(keyword.Span, body.Span))
        {
            Keyword = keyword;
            OpenParen = open;
            Initializer = initializer;
            Condition = condition;
            Semicolon = semicolon;
            Step = step;
            CloseParen = close;
            Body = body;
        }

        public SyntaxToken Keyword { get; }
        public SyntaxToken OpenParen { get; }
        public StatementSyntax Initializer { get; }
        public ExpressionSyntax? Condition { get; }
        public SyntaxToken Semicolon { get; }
        public ExpressionSyntax? Step { get; }
        public SyntaxToken CloseParen { get; }
        public StatementSyntax Body { get; }
    }

    /// <summary>break; or continue; (see <see cref="SyntaxNode.Kind"/>).</summary>
    public sealed class JumpStatementSyntax : StatementSyntax
    {
        public JumpStatementSyntax(SyntaxKind kind, SyntaxToken keyword, SyntaxToken semicolon) : base(kind, Cover(keyword, semicolon))
        {
            Keyword = keyword;
            Semicolon = semicolon;
        }

        public SyntaxToken Keyword { get; }
        public SyntaxToken Semicolon { get; }
    }

    public sealed class ReturnStatementSyntax : StatementSyntax
    {
        public ReturnStatementSyntax(SyntaxToken keyword, ExpressionSyntax? expression, SyntaxToken semicolon)
            : base(SyntaxKind.ReturnStatement, Cover(keyword, semicolon))
        {
            Keyword = keyword;
            Expression = expression;
            Semicolon = semicolon;
        }

        public SyntaxToken Keyword { get; }
        public ExpressionSyntax? Expression { get; }
        public SyntaxToken Semicolon { get; }
    }
}
