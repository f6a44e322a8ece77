using System.Collections.Immutable;
using KDsl.Text;

namespace KDsl.Syntax
{
    public abstract class ExpressionSyntax : SyntaxNode
    {
        protected ExpressionSyntax(SyntaxKind kind, TextSpan span) : base(kind, span) { }
    }

    /// <summary>Stands where an expression was expected and none was found (the error is already reported).</summary>
    public sealed class MissingExpressionSyntax : ExpressionSyntax
    {
        public MissingExpressionSyntax(int position) : base(SyntaxKind.MissingExpression, new TextSpan(position, 0)) { }
    }

    /// <summary>A number or character literal.</summary>
    public sealed class LiteralExpressionSyntax : ExpressionSyntax
    {
        public LiteralExpressionSyntax(SyntaxToken token) : base(SyntaxKind.LiteralExpression, token.Span) => Token = token;
        public SyntaxToken Token { get; }
    }

    /// <summary>One or more adjacent string literals, concatenated.</summary>
    public sealed class StringExpressionSyntax : ExpressionSyntax
    {
        public StringExpressionSyntax(ImmutableArray<SyntaxToken> tokens)
            : base(SyntaxKind.StringExpression, Cover(tokens[0], tokens[tokens.Length - 1]))
        {
            Tokens = tokens;
            var b = ImmutableArray.CreateBuilder<byte>();
            foreach (var t in tokens)
                if (t.Value is ImmutableArray<byte> bytes) b.AddRange(bytes);
            Bytes = b.ToImmutable();
        }

        public ImmutableArray<SyntaxToken> Tokens { get; }
        /// <summary>The decoded bytes of all parts, without a terminator.</summary>
        public ImmutableArray<byte> Bytes { get; }
        public bool IsMissing => Tokens.Length == 1 && Tokens[0].IsMissing;
    }

    public sealed class NameExpressionSyntax : ExpressionSyntax
    {
        public NameExpressionSyntax(SyntaxToken identifier) : base(SyntaxKind.NameExpression, identifier.Span) => Identifier = identifier;
        public SyntaxToken Identifier { get; }
    }

    public sealed class ParenthesizedExpressionSyntax : ExpressionSyntax
    {
        public ParenthesizedExpressionSyntax(SyntaxToken open, ExpressionSyntax expression, SyntaxToken close)
            : base(SyntaxKind.ParenthesizedExpression, Cover(open, close))
        {
            OpenParen = open;
            Expression = expression;
            CloseParen = close;
        }

        public SyntaxToken OpenParen { get; }
        public ExpressionSyntax Expression { get; }
        public SyntaxToken CloseParen { get; }
    }

    public sealed class CallExpressionSyntax : ExpressionSyntax
    {
        public CallExpressionSyntax(SyntaxToken identifier, SyntaxToken open, ImmutableArray<ExpressionSyntax> arguments, SyntaxToken close)
            : base(SyntaxKind.CallExpression, Cover(identifier, close))
        {
            Identifier = identifier;
            OpenParen = open;
            Arguments = arguments;
            CloseParen = close;
        }

        /// <summary>A call through a function pointer that is not a plain name: `ops->read(f)`, `(*fp)(x)`, `table[i](x)`.</summary>
        public CallExpressionSyntax(ExpressionSyntax callee, SyntaxToken open, ImmutableArray<ExpressionSyntax> arguments, SyntaxToken close)
            : base(SyntaxKind.CallExpression, Cover(callee.Span, close.Span))
        {
            Callee = callee;
            Identifier = new SyntaxToken(SyntaxKind.IdentifierToken, callee.Span.Start, "", null, isMissing: true);
            OpenParen = open;
            Arguments = arguments;
            CloseParen = close;
        }

        /// <summary>The called name; a missing token when <see cref="Callee"/> is an expression.</summary>
        public SyntaxToken Identifier { get; }
        /// <summary>The expression called when it is not a plain name (a function pointer), else null.</summary>
        public ExpressionSyntax? Callee { get; }
        public SyntaxToken OpenParen { get; }
        public ImmutableArray<ExpressionSyntax> Arguments { get; }
        public SyntaxToken CloseParen { get; }
    }

    public sealed class IndexExpressionSyntax : ExpressionSyntax
    {
        public IndexExpressionSyntax(ExpressionSyntax expression, SyntaxToken open, ExpressionSyntax index, SyntaxToken close)
            : base(SyntaxKind.IndexExpression, Cover(expression.Span, close.Span))
        {
            Expression = expression;
            OpenBracket = open;
            Index = index;
            CloseBracket = close;
        }

        public ExpressionSyntax Expression { get; }
        public SyntaxToken OpenBracket { get; }
        public ExpressionSyntax Index { get; }
        public SyntaxToken CloseBracket { get; }
    }

    /// <summary>offsetof(TYPE, member.member...) (include/linux/stddef.h's macro, as GCC's __builtin_offsetof).</summary>
    public sealed class OffsetofExpressionSyntax : ExpressionSyntax
    {
        public OffsetofExpressionSyntax(SyntaxToken keyword, TypeClauseSyntax type, ImmutableArray<SyntaxToken> members, SyntaxToken close)
            : base(SyntaxKind.OffsetofExpression, Cover(keyword.Span, close.Span))
        {
            Keyword = keyword;
            Type = type;
            Members = members;
        }

        public SyntaxToken Keyword { get; }
        public TypeClauseSyntax Type { get; }
        /// <summary>The member designator's names: `h.len` is [h, len].</summary>
        public ImmutableArray<SyntaxToken> Members { get; }
    }

    /// <summary>cond ? a : b.</summary>
    public sealed class ConditionalExpressionSyntax : ExpressionSyntax
    {
        public ConditionalExpressionSyntax(ExpressionSyntax condition, SyntaxToken question, ExpressionSyntax whenTrue, SyntaxToken colon, ExpressionSyntax whenFalse)
            : base(SyntaxKind.ConditionalExpression, Cover(condition.Span, whenFalse.Span))
        {
            Condition = condition;
            QuestionToken = question;
            WhenTrue = whenTrue;
            ColonToken = colon;
            WhenFalse = whenFalse;
        }

        public ExpressionSyntax Condition { get; }
        public SyntaxToken QuestionToken { get; }
        public ExpressionSyntax WhenTrue { get; }
        public SyntaxToken ColonToken { get; }
        public ExpressionSyntax WhenFalse { get; }
    }

    /// <summary>a, b: a for its effect, then b's value.</summary>
    public sealed class CommaExpressionSyntax : ExpressionSyntax
    {
        public CommaExpressionSyntax(ExpressionSyntax left, SyntaxToken comma, ExpressionSyntax right)
            : base(SyntaxKind.CommaExpression, Cover(left.Span, right.Span))
        {
            Left = left;
            CommaToken = comma;
            Right = right;
        }

        public ExpressionSyntax Left { get; }
        public SyntaxToken CommaToken { get; }
        public ExpressionSyntax Right { get; }
    }

    /// <summary>s.member or p-&gt;member.</summary>
    public sealed class MemberAccessExpressionSyntax : ExpressionSyntax
    {
        public MemberAccessExpressionSyntax(ExpressionSyntax expression, SyntaxToken operatorToken, SyntaxToken name)
            : base(SyntaxKind.MemberAccessExpression, Cover(expression.Span, name.IsMissing ? operatorToken.Span : name.Span))
        {
            Expression = expression;
            OperatorToken = operatorToken;
            Name = name;
        }

        public ExpressionSyntax Expression { get; }
        /// <summary>'.' or '-&gt;'.</summary>
        public SyntaxToken OperatorToken { get; }
        public SyntaxToken Name { get; }
    }

    /// <summary>Prefix - + ! ~ &amp; * ++ --.</summary>
    public sealed class UnaryExpressionSyntax : ExpressionSyntax
    {
        public UnaryExpressionSyntax(SyntaxToken op, ExpressionSyntax operand) : base(SyntaxKind.UnaryExpression, Cover(op.Span, operand.Span))
        {
            OperatorToken = op;
            Operand = operand;
        }

        public SyntaxToken OperatorToken { get; }
        public ExpressionSyntax Operand { get; }
    }

    /// <summary>Postfix ++ --.</summary>
    public sealed class PostfixExpressionSyntax : ExpressionSyntax
    {
        public PostfixExpressionSyntax(ExpressionSyntax operand, SyntaxToken op) : base(SyntaxKind.PostfixExpression, Cover(operand.Span, op.Span))
        {
            Operand = operand;
            OperatorToken = op;
        }

        public ExpressionSyntax Operand { get; }
        public SyntaxToken OperatorToken { get; }
    }

    public sealed class BinaryExpressionSyntax : ExpressionSyntax
    {
        public BinaryExpressionSyntax(ExpressionSyntax left, SyntaxToken op, ExpressionSyntax right)
            : base(SyntaxKind.BinaryExpression, Cover(left.Span, right.Span))
        {
            Left = left;
            OperatorToken = op;
            Right = right;
        }

        public ExpressionSyntax Left { get; }
        public SyntaxToken OperatorToken { get; }
        public ExpressionSyntax Right { get; }
    }

    public sealed class AssignmentExpressionSyntax : ExpressionSyntax
    {
        public AssignmentExpressionSyntax(ExpressionSyntax left, SyntaxToken op, ExpressionSyntax right)
            : base(SyntaxKind.AssignmentExpression, Cover(left.Span, right.Span))
        {
            Left = left;
            OperatorToken = op;
            Right = right;
        }

        public ExpressionSyntax Left { get; }
        public SyntaxToken OperatorToken { get; }
        public ExpressionSyntax Right { get; }
    }

    public sealed class CastExpressionSyntax : ExpressionSyntax
    {
        public CastExpressionSyntax(SyntaxToken open, TypeClauseSyntax type, SyntaxToken close, ExpressionSyntax operand)
            : base(SyntaxKind.CastExpression, Cover(open.Span, operand.Span))
        {
            OpenParen = open;
            Type = type;
            CloseParen = close;
            Operand = operand;
        }

        public SyntaxToken OpenParen { get; }
        public TypeClauseSyntax Type { get; }
        public SyntaxToken CloseParen { get; }
        public ExpressionSyntax Operand { get; }
    }

    /// <summary>sizeof(type).</summary>
    public sealed class SizeofTypeExpressionSyntax : ExpressionSyntax
    {
        public SizeofTypeExpressionSyntax(SyntaxToken keyword, SyntaxToken open, TypeClauseSyntax type, SyntaxToken close)
            : base(SyntaxKind.SizeofTypeExpression, Cover(keyword, close))
        {
            Keyword = keyword;
            OpenParen = open;
            Type = type;
            CloseParen = close;
        }

        public SyntaxToken Keyword { get; }
        public SyntaxToken OpenParen { get; }
        public TypeClauseSyntax Type { get; }
        public SyntaxToken CloseParen { get; }
    }

    /// <summary>sizeof expr (the operand is not evaluated).</summary>
    public sealed class SizeofExpressionSyntax : ExpressionSyntax
    {
        public SizeofExpressionSyntax(SyntaxToken keyword, ExpressionSyntax operand) : base(SyntaxKind.SizeofExpression, Cover(keyword.Span, operand.Span))
        {
            Keyword = keyword;
            Operand = operand;
        }

        public SyntaxToken Keyword { get; }
        public ExpressionSyntax Operand { get; }
    }

    /// <summary>
    /// A braced initializer `{ 1, [4] = 2, .name = "x", { nested } }`: only after `=` in a declaration (C11 6.7.9).
    /// </summary>
    public sealed class InitializerListSyntax : ExpressionSyntax
    {
        public InitializerListSyntax(SyntaxToken open, ImmutableArray<InitializerItemSyntax> items, SyntaxToken close)
            : base(SyntaxKind.InitializerList, Cover(open, close))
        {
            OpenBrace = open;
            Items = items;
            CloseBrace = close;
        }

        public SyntaxToken OpenBrace { get; }
        public ImmutableArray<InitializerItemSyntax> Items { get; }
        public SyntaxToken CloseBrace { get; }
    }

    /// <summary>One element of an initializer list: designators (`.member`, `[index]`, chained) then the value.</summary>
    public sealed class InitializerItemSyntax : SyntaxNode
    {
        public InitializerItemSyntax(ImmutableArray<DesignatorSyntax> designators, ExpressionSyntax value)
            : base(SyntaxKind.InitializerItem, Cover(designators.IsEmpty ? value.Span : designators[0].Span, value.Span))
        {
            Designators = designators;
            Value = value;
        }

        public ImmutableArray<DesignatorSyntax> Designators { get; }
        public ExpressionSyntax Value { get; }
    }

    /// <summary>`.member` (Member set) or `[index]` (Index set) in a designated initializer.</summary>
    public sealed class DesignatorSyntax
    {
        public DesignatorSyntax(SyntaxToken? member, ExpressionSyntax? index, TextSpan span)
        {
            Member = member;
            Index = index;
            Span = span;
        }

        public SyntaxToken? Member { get; }
        public ExpressionSyntax? Index { get; }
        public TextSpan Span { get; }
    }
}
