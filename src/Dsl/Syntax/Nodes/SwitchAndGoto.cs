using KDsl.Text;

namespace KDsl.Syntax
{
    /// <summary>switch (Expression) Body: the body holds `case N:` and `default:` labels among its statements.</summary>
    public sealed class SwitchStatementSyntax : StatementSyntax
    {
        public SwitchStatementSyntax(SyntaxToken keyword, SyntaxToken open, ExpressionSyntax expression, SyntaxToken close, StatementSyntax body)
            : base(SyntaxKind.SwitchStatement, Cover(keyword.Span, body.Span))
        {
            Keyword = keyword;
            OpenParen = open;
            Expression = expression;
            CloseParen = close;
            Body = body;
        }

        public SyntaxToken Keyword { get; }
        public SyntaxToken OpenParen { get; }
        public ExpressionSyntax Expression { get; }
        public SyntaxToken CloseParen { get; }
        public StatementSyntax Body { get; }
    }

    /// <summary>`case VALUE:` (Value set) or `default:` (Value null): a place in a switch body, a statement of its own here.</summary>
    public sealed class CaseLabelSyntax : StatementSyntax
    {
        public CaseLabelSyntax(SyntaxToken keyword, ExpressionSyntax? value, SyntaxToken colon)
            : base(SyntaxKind.CaseLabel, Cover(keyword, colon))
        {
            Keyword = keyword;
            Value = value;
            Colon = colon;
        }

        public SyntaxToken Keyword { get; }
        public ExpressionSyntax? Value { get; }
        public SyntaxToken Colon { get; }
    }

    /// <summary>`NAME:`, a goto target (labels are the function's, whatever block they are in).</summary>
    public sealed class LabelStatementSyntax : StatementSyntax
    {
        public LabelStatementSyntax(SyntaxToken identifier, SyntaxToken colon) : base(SyntaxKind.LabelStatement, Cover(identifier, colon))
        {
            Identifier = identifier;
            Colon = colon;
        }

        public SyntaxToken Identifier { get; }
        public SyntaxToken Colon { get; }
    }

    /// <summary>goto NAME;</summary>
    public sealed class GotoStatementSyntax : StatementSyntax
    {
        public GotoStatementSyntax(SyntaxToken keyword, SyntaxToken label, SyntaxToken semicolon)
            : base(SyntaxKind.GotoStatement, Cover(keyword, semicolon))
        {
            Keyword = keyword;
            Label = label;
            Semicolon = semicolon;
        }

        public SyntaxToken Keyword { get; }
        public SyntaxToken Label { get; }
        public SyntaxToken Semicolon { get; }
    }
}
