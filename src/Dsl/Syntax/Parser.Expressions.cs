using System.Collections.Generic;
using System.Collections.Immutable;
using KDsl.Diagnostics;
using KDsl.Text;

namespace KDsl.Syntax
{
    /// <summary>Expressions by C precedence, calls, indexing, casts.</summary>
    public sealed partial class Parser
    {
        // --- expressions ---------------------------------------------------------------------------------------------

        /// <summary>An expression, comma operator included (a call's arguments and an initializer take <see cref="ParseAssignmentExpression"/>).</summary>
        public ExpressionSyntax ParseExpression()
        {
            var left = ParseAssignmentExpression();
            int entered = 0;
            while (Current.Kind == SyntaxKind.CommaToken && Enter())
            {
                entered++;
                var comma = NextToken();
                left = new CommaExpressionSyntax(left, comma, ParseAssignmentExpression());
            }
            _depth -= entered;
            return left;
        }

        private ExpressionSyntax ParseAssignmentExpression()
        {
            if (!Enter()) return new MissingExpressionSyntax(Current.Position);
            try
            {
                var left = ParseConditional(ParseBinaryExpression(0));
                if (!SyntaxFacts.IsAssignmentOperator(Current.Kind)) return left;
                var op = NextToken();
                var right = ParseAssignmentExpression();
                return new AssignmentExpressionSyntax(left, op, right);
            }
            finally
            {
                Leave();
            }
        }

        /// <summary>cond ? expression : conditional-expression (right-associative, looser than ||).</summary>
        private ExpressionSyntax ParseConditional(ExpressionSyntax condition)
        {
            if (Current.Kind != SyntaxKind.QuestionToken || !Enter()) return condition;
            try
            {
                var question = NextToken();
                var whenTrue = ParseExpression();
                var colon = MatchToken(SyntaxKind.ColonToken);
                var whenFalse = ParseConditional(ParseBinaryExpression(0));
                return new ConditionalExpressionSyntax(condition, question, whenTrue, colon, whenFalse);
            }
            finally
            {
                Leave();
            }
        }

        private ExpressionSyntax ParseBinaryExpression(int parentPrecedence)
        {
            var left = ParseUnaryExpression();
            int entered = 0;
            while (true)
            {
                int precedence = SyntaxFacts.GetBinaryPrecedence(Current.Kind);
                if (precedence == 0 || precedence <= parentPrecedence) break;
                if (!Enter()) break; // a long chain deepens the (left-nested) tree
                entered++;
                var op = NextToken();
                var right = ParseBinaryExpression(precedence);
                left = new BinaryExpressionSyntax(left, op, right);
            }
            _depth -= entered;
            return left;
        }

        private ExpressionSyntax ParseUnaryExpression()
        {
            if (!Enter()) return new MissingExpressionSyntax(Current.Position);
            try
            {
                switch (Current.Kind)
                {
                    case SyntaxKind.MinusToken:
                    case SyntaxKind.PlusToken:
                    case SyntaxKind.BangToken:
                    case SyntaxKind.TildeToken:
                    case SyntaxKind.AmpersandToken:
                    case SyntaxKind.StarToken:
                    case SyntaxKind.PlusPlusToken:
                    case SyntaxKind.MinusMinusToken:
                    {
                        var op = NextToken();
                        return new UnaryExpressionSyntax(op, ParseUnaryExpression());
                    }
                    case SyntaxKind.SizeofKeyword:
                    {
                        var keyword = NextToken();
                        if (Current.Kind == SyntaxKind.OpenParenToken && IsTypeStart(1))
                        {
                            var open = NextToken();
                            var type = ParseTypeClause();
                            return new SizeofTypeExpressionSyntax(keyword, open, type, MatchToken(SyntaxKind.CloseParenToken));
                        }
                        return new SizeofExpressionSyntax(keyword, ParseUnaryExpression());
                    }
                    case SyntaxKind.OpenParenToken when IsTypeStart(1):
                    {
                        var open = NextToken();
                        var type = ParseTypeClause();
                        var close = MatchToken(SyntaxKind.CloseParenToken);
                        return new CastExpressionSyntax(open, type, close, ParseUnaryExpression());
                    }
                    default:
                        return ParsePostfixExpression();
                }
            }
            finally
            {
                Leave();
            }
        }

        private ExpressionSyntax ParsePostfixExpression()
        {
            var expression = ParsePrimaryExpression();
            int entered = 0;
            while (true)
            {
                var kind = Current.Kind;
                if (kind != SyntaxKind.OpenParenToken && kind != SyntaxKind.OpenBracketToken &&
                    kind != SyntaxKind.PlusPlusToken && kind != SyntaxKind.MinusMinusToken &&
                    kind != SyntaxKind.DotToken && kind != SyntaxKind.ArrowToken)
                    break;
                if (!Enter()) break;
                entered++;
                if (kind == SyntaxKind.OpenParenToken)
                {
                    var open = Current;
                    bool ioctlMacro = expression is NameExpressionSyntax { Identifier.Text: "_IOR" or "_IOW" or "_IOWR" };
                    var (openToken, arguments, close) = ParseArgumentList(ioctlMacro);
                    expression = expression is NameExpressionSyntax name
                        ? new CallExpressionSyntax(name.Identifier, openToken, arguments, close)
                        : new CallExpressionSyntax(expression, openToken, arguments, close); // through a function pointer
                }
                else if (kind == SyntaxKind.OpenBracketToken)
                {
                    var open = NextToken();
                    var index = ParseExpression();
                    expression = new IndexExpressionSyntax(expression, open, index, MatchToken(SyntaxKind.CloseBracketToken));
                }
                else if (kind is SyntaxKind.DotToken or SyntaxKind.ArrowToken)
                {
                    var op = NextToken();
                    expression = new MemberAccessExpressionSyntax(expression, op, MatchToken(SyntaxKind.IdentifierToken));
                }
                else
                {
                    expression = new PostfixExpressionSyntax(expression, NextToken());
                }
            }
            _depth -= entered;
            return expression;
        }

        private bool CanReportAt(int position)
        {
            if (_tooDeep || position == _lastErrorPosition) return false;
            _lastErrorPosition = position;
            return true;
        }

        /// <param name="typeArguments">
        /// The call is of _IOR, _IOW or _IOWR (include/uapi/asm-generic/ioctl.h), whose macro takes sizeof of its third
        /// argument, a type: an argument that is a type is parsed as that sizeof.
        /// </param>
        private (SyntaxToken open, ImmutableArray<ExpressionSyntax> arguments, SyntaxToken close) ParseArgumentList(bool typeArguments = false)
        {
            var open = NextToken();
            var arguments = ImmutableArray.CreateBuilder<ExpressionSyntax>();
            if (Current.Kind != SyntaxKind.CloseParenToken)
            {
                while (true)
                {
                    if (typeArguments && IsTypeStart(0))
                    {
                        int at = Current.Span.Start;
                        var type = ParseTypeClause();
                        arguments.Add(new SizeofTypeExpressionSyntax(new SyntaxToken(SyntaxKind.SizeofKeyword, at, "", null),
                            new SyntaxToken(SyntaxKind.OpenParenToken, at, "", null), type, new SyntaxToken(SyntaxKind.CloseParenToken, Current.Span.Start, "", null)));
                    }
                    else arguments.Add(ParseAssignmentExpression());
                    if (Current.Kind != SyntaxKind.CommaToken) break;
                    NextToken();
                }
            }
            return (open, arguments.ToImmutable(), MatchToken(SyntaxKind.CloseParenToken));
        }

        /// <summary>offsetof(TYPE, a.b): a type, then member names joined by dots.</summary>
        private OffsetofExpressionSyntax ParseOffsetof()
        {
            var keyword = NextToken();
            NextToken(); // (
            var type = ParseTypeClause();
            MatchToken(SyntaxKind.CommaToken);
            var members = ImmutableArray.CreateBuilder<SyntaxToken>();
            members.Add(MatchToken(SyntaxKind.IdentifierToken));
            while (Current.Kind == SyntaxKind.DotToken)
            {
                NextToken();
                members.Add(MatchToken(SyntaxKind.IdentifierToken));
            }
            return new OffsetofExpressionSyntax(keyword, type, members.ToImmutable(), MatchToken(SyntaxKind.CloseParenToken));
        }

        private ExpressionSyntax ParsePrimaryExpression()
        {
            switch (Current.Kind)
            {
                // `x = { 1, 2 };`: a braced list where only a declaration takes one; parsed whole so the binder reports it once
                case SyntaxKind.OpenBraceToken when SyntaxFacts.IsAssignmentOperator(Previous.Kind):
                    return ParseInitializerList();
                case SyntaxKind.NumberToken:
                {
                    var token = NextToken();
                    if (token.Value is null && !_tooDeep)
                    {
                        if (NumberLiteral.TryParse(token.Text, out _, out _) == NumberParseResult.TooLarge)
                            _diagnostics.ReportNumberTooLarge(token.Span, token.Text);
                        else
                            _diagnostics.ReportInvalidNumber(token.Span, token.Text);
                    }
                    return new LiteralExpressionSyntax(token);
                }
                case SyntaxKind.CharacterToken:
                    return new LiteralExpressionSyntax(NextToken());
                case SyntaxKind.StringToken:
                    return ParseRequiredString();
                case SyntaxKind.IdentifierToken when Current.Text == "offsetof" && Peek(1).Kind == SyntaxKind.OpenParenToken && IsTypeStart(2):
                    return ParseOffsetof();
                case SyntaxKind.IdentifierToken:
                    return new NameExpressionSyntax(NextToken());
                case SyntaxKind.ExitKeyword when Peek(1).Kind == SyntaxKind.OpenParenToken:
                    return new NameExpressionSyntax(NextToken()); // exit(2) inside a process: the system call
                case SyntaxKind.OpenParenToken:
                {
                    var open = NextToken();
                    var expression = ParseExpression();
                    return new ParenthesizedExpressionSyntax(open, expression, MatchToken(SyntaxKind.CloseParenToken));
                }
                default:
                    if (CanReport()) _diagnostics.ReportExpectedExpression(Current.Span, SyntaxFacts.Describe(Current));
                    return new MissingExpressionSyntax(Current.Position);
            }
        }
    }
}
