using System.Collections.Immutable;
using KDsl.Symbols;
using KDsl.Text;

namespace KDsl.Binding
{
    /// <summary>A statement, with the span it came from (its line goes to the module's line table).</summary>
    public abstract class BoundStatement
    {
        protected BoundStatement(TextSpan span) => Span = span;
        public TextSpan Span { get; }
    }

    public sealed class BoundBlock : BoundStatement
    {
        public BoundBlock(ImmutableArray<BoundStatement> statements, TextSpan span) : base(span) => Statements = statements;
        public ImmutableArray<BoundStatement> Statements { get; }
    }

    /// <summary>A local's declaration; Initializer is null when the source has none (arrays never have one).</summary>
    public sealed class BoundVariableDeclaration : BoundStatement
    {
        public BoundVariableDeclaration(VariableSymbol variable, BoundExpression? initializer, TextSpan span) : base(span)
        {
            Variable = variable;
            Initializer = initializer;
        }

        public VariableSymbol Variable { get; }
        public BoundExpression? Initializer { get; }
    }

    public sealed class BoundExpressionStatement : BoundStatement
    {
        public BoundExpressionStatement(BoundExpression expression, TextSpan span) : base(span) => Expression = expression;
        public BoundExpression Expression { get; }
    }

    public sealed class BoundIf : BoundStatement
    {
        public BoundIf(BoundExpression condition, BoundStatement then, BoundStatement? @else, TextSpan span) : base(span)
        {
            Condition = condition;
            Then = then;
            Else = @else;
        }

        public BoundExpression Condition { get; }
        public BoundStatement Then { get; }
        public BoundStatement? Else { get; }
    }

    /// <summary>while (Condition) Body, or do Body while (Condition) when <see cref="IsDoWhile"/>.</summary>
    public sealed class BoundWhile : BoundStatement
    {
        public BoundWhile(BoundExpression condition, BoundStatement body, bool isDoWhile, TextSpan span) : base(span)
        {
            Condition = condition;
            Body = body;
            IsDoWhile = isDoWhile;
        }

        public BoundExpression Condition { get; }
        public BoundStatement Body { get; }
        public bool IsDoWhile { get; }
    }

    /// <summary>for (Initializer; Condition; Step) Body. Any part may be null; a null condition loops forever.</summary>
    public sealed class BoundFor : BoundStatement
    {
        public BoundFor(BoundStatement? initializer, BoundExpression? condition, BoundExpression? step, BoundStatement body, TextSpan span) : base(span)
        {
            Initializer = initializer;
            Condition = condition;
            Step = step;
            Body = body;
        }

        public BoundStatement? Initializer { get; }
        public BoundExpression? Condition { get; }
        public BoundExpression? Step { get; }
        public BoundStatement Body { get; }
    }

    public sealed class BoundBreak : BoundStatement
    {
        public BoundBreak(TextSpan span) : base(span) { }
    }

    public sealed class BoundContinue : BoundStatement
    {
        public BoundContinue(TextSpan span) : base(span) { }
    }

    /// <summary>return [Value]; Value is converted to the function's return type.</summary>
    public sealed class BoundReturn : BoundStatement
    {
        public BoundReturn(BoundExpression? value, TextSpan span) : base(span) => Value = value;
        public BoundExpression? Value { get; }
    }
}

namespace KDsl.Binding
{
    /// <summary>A place in a function's code a jump goes to: a `NAME:` label, or a switch's `case`/`default`.</summary>
    public sealed class BoundLabel
    {
        public BoundLabel(string name) => Name = name;
        public string Name { get; }
        public override string ToString() => Name;
    }

    /// <summary>Where <see cref="Label"/> is placed in the statement list.</summary>
    public sealed class BoundLabelStatement : BoundStatement
    {
        public BoundLabelStatement(BoundLabel label, TextSpan span) : base(span) => Label = label;
        public BoundLabel Label { get; }
    }

    /// <summary>goto: a jump to a label of the same function.</summary>
    public sealed class BoundGoto : BoundStatement
    {
        public BoundGoto(BoundLabel label, TextSpan span) : base(span) => Label = label;
        public BoundLabel Label { get; }
    }

    /// <summary>
    /// switch: the value (an integer, promoted) compared with each case's constant, a jump to the first equal one's
    /// label in the body, else to the default's, else past the body. `break` in the body leaves the switch.
    /// </summary>
    public sealed class BoundSwitch : BoundStatement
    {
        public BoundSwitch(BoundExpression value, ImmutableArray<(long Value, BoundLabel Label)> cases, BoundLabel? defaultLabel,
            BoundStatement body, TextSpan span) : base(span)
        {
            Value = value;
            Cases = cases;
            Default = defaultLabel;
            Body = body;
        }

        public BoundExpression Value { get; }
        public ImmutableArray<(long Value, BoundLabel Label)> Cases { get; }
        public BoundLabel? Default { get; }
        public BoundStatement Body { get; }
    }
}
