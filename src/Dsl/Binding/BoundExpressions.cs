using System.Collections.Immutable;
using KDsl.Symbols;
using KDsl.Text;

namespace KDsl.Binding
{
    /// <summary>
    /// A typed expression. The binder has already done C's work here: integer promotions and conversions are
    /// explicit <see cref="BoundConversion"/> nodes, pointer arithmetic is scaled (p + i is p + i * sizeof(*p)),
    /// p[i] is *(p + i), an array used as a value is <see cref="BoundAddressOf"/> of it, and constants are folded
    /// where both sides are literals. Code generation therefore never looks at C's typing rules again.
    /// </summary>
    public abstract class BoundExpression
    {
        protected BoundExpression(TypeSymbol type, TextSpan span)
        {
            Type = type;
            Span = span;
        }

        public TypeSymbol Type { get; }
        public TextSpan Span { get; }
    }

    /// <summary>An integer constant of <see cref="BoundExpression.Type"/> (value already truncated/sign-extended to it).</summary>
    public sealed class BoundLiteral : BoundExpression
    {
        public BoundLiteral(long value, TypeSymbol type, TextSpan span) : base(type, span) => Value = value;
        public long Value { get; }
    }

    /// <summary>A string literal; its type is char *. The bytes (escapes decoded, no terminator) go to .rodata.</summary>
    public sealed class BoundStringLiteral : BoundExpression
    {
        public BoundStringLiteral(ImmutableArray<byte> bytes, TextSpan span) : base(TypeSymbol.PointerTo(TypeSymbol.Char), span) => Bytes = bytes;
        public ImmutableArray<byte> Bytes { get; }
    }

    /// <summary>
    /// A module function's address as a value (`f`, `&amp;f`): a pointer to the function's type, or a `long` where the
    /// address is used as one (kthread_run's threadfn, `sigaction(SIGBUS, handler)` in a process).
    /// </summary>
    public sealed class BoundFunctionAddress : BoundExpression
    {
        public BoundFunctionAddress(FunctionSymbol function, TypeSymbol type, TextSpan span) : base(type, span) => Function = function;
        public FunctionSymbol Function { get; }
    }

    /// <summary>
    /// The address of a static object (a global or a static local), of pointer type: the module address insmod
    /// relocates (R_X86_64_32S, as GCC's -mcmodel=kernel addresses data). A use of the global is a
    /// <see cref="BoundDereference"/> of it, so loads, stores, members and elements work as through any pointer.
    /// </summary>
    public sealed class BoundGlobalAddress : BoundExpression
    {
        public BoundGlobalAddress(GlobalSymbol global, TypeSymbol type, TextSpan span) : base(type, span) => Global = global;
        public GlobalSymbol Global { get; }
    }

    /// <summary>The value of a scalar variable (never an array: arrays appear only under <see cref="BoundAddressOf"/>).</summary>
    public sealed class BoundVariable : BoundExpression
    {
        public BoundVariable(VariableSymbol variable, TextSpan span) : base(variable.Type, span) => Variable = variable;
        public VariableSymbol Variable { get; }
    }

    /// <summary>*Pointer: a load of <see cref="BoundExpression.Type"/> when read, a store target when assigned.</summary>
    public sealed class BoundDereference : BoundExpression
    {
        public BoundDereference(BoundExpression pointer, TypeSymbol type, TextSpan span) : base(type, span) => Pointer = pointer;
        public BoundExpression Pointer { get; }
    }

    /// <summary>&amp;Operand, where Operand is a <see cref="BoundVariable"/> (scalar or array) or a <see cref="BoundDereference"/>.</summary>
    public sealed class BoundAddressOf : BoundExpression
    {
        public BoundAddressOf(BoundExpression operand, TypeSymbol type, TextSpan span) : base(type, span) => Operand = operand;
        public BoundExpression Operand { get; }
    }

    /// <summary>An address-of operand that names an aggregate local, an array or a struct/union (a decayed array, &amp;buf, s.member's base).</summary>
    public sealed class BoundArrayVariable : BoundExpression
    {
        public BoundArrayVariable(VariableSymbol variable, TextSpan span) : base(variable.Type, span) => Variable = variable;
        public VariableSymbol Variable { get; }
    }

    public enum BoundUnaryOperator { Negate, BitwiseNot, LogicalNot }

    public sealed class BoundUnary : BoundExpression
    {
        public BoundUnary(BoundUnaryOperator op, BoundExpression operand, TypeSymbol type, TextSpan span) : base(type, span)
        {
            Operator = op;
            Operand = operand;
        }

        public BoundUnaryOperator Operator { get; }
        public BoundExpression Operand { get; }
    }

    public enum BoundBinaryOperator
    {
        Add, Subtract, Multiply, Divide, Remainder,
        ShiftLeft, ShiftRight, BitwiseAnd, BitwiseOr, BitwiseXor,
        Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual,
    }

    /// <summary>
    /// Both operands have the same type (after conversions), except that comparisons yield int.
    /// <see cref="IsUnsigned"/> says whether division, shifts right and comparisons are unsigned (pointers are).
    /// </summary>
    public sealed class BoundBinary : BoundExpression
    {
        public BoundBinary(BoundExpression left, BoundBinaryOperator op, BoundExpression right, bool isUnsigned, TypeSymbol type, TextSpan span)
            : base(type, span)
        {
            Left = left;
            Operator = op;
            Right = right;
            IsUnsigned = isUnsigned;
        }

        public BoundExpression Left { get; }
        public BoundBinaryOperator Operator { get; }
        public BoundExpression Right { get; }
        public bool IsUnsigned { get; }
    }

    /// <summary>a &amp;&amp; b, a || b: short-circuit, result int 0 or 1.</summary>
    public sealed class BoundLogical : BoundExpression
    {
        public BoundLogical(BoundExpression left, bool isAnd, BoundExpression right, TextSpan span) : base(TypeSymbol.Int, span)
        {
            Left = left;
            IsAnd = isAnd;
            Right = right;
        }

        public BoundExpression Left { get; }
        public bool IsAnd { get; }
        public BoundExpression Right { get; }
    }

    /// <summary>
    /// Target = Value, or Target op= Value when <see cref="CompoundOperator"/> is set (the target is evaluated once).
    /// Target is a <see cref="BoundVariable"/> or <see cref="BoundDereference"/>; Value already has the target's type
    /// for plain assignment; for compound assignment Value has the type the operation is done in.
    /// The expression's value is the stored value.
    /// </summary>
    public sealed class BoundAssignment : BoundExpression
    {
        public BoundAssignment(BoundExpression target, BoundBinaryOperator? compoundOperator, bool isUnsigned, BoundExpression value, TextSpan span)
            : base(target.Type, span)
        {
            Target = target;
            CompoundOperator = compoundOperator;
            IsUnsigned = isUnsigned;
            Value = value;
        }

        public BoundExpression Target { get; }
        public BoundBinaryOperator? CompoundOperator { get; }
        public bool IsUnsigned { get; }
        public BoundExpression Value { get; }
    }

    /// <summary>++x, x++, --x, x--: Delta is +1/-1 scaled by the pointee size for pointers.</summary>
    public sealed class BoundIncrement : BoundExpression
    {
        public BoundIncrement(BoundExpression target, long delta, bool isPrefix, TextSpan span) : base(target.Type, span)
        {
            Target = target;
            Delta = delta;
            IsPrefix = isPrefix;
        }

        public BoundExpression Target { get; }
        public long Delta { get; }
        public bool IsPrefix { get; }
    }

    /// <summary>A call of a user function or a kernel function (printk). Arguments are converted to the parameter types;
    /// a variadic call's extra arguments are promoted to at least int.</summary>
    public sealed class BoundCall : BoundExpression
    {
        public BoundCall(FunctionSymbol function, ImmutableArray<BoundExpression> arguments, TextSpan span, BoundExpression? callee = null)
            : base(function.ReturnType, span)
        {
            Function = function;
            Arguments = arguments;
            Callee = callee;
        }

        public FunctionSymbol Function { get; }
        public ImmutableArray<BoundExpression> Arguments { get; }
        /// <summary>The function pointer called, for a call through one (<see cref="FunctionKind.Pointer"/>); null for a direct call.</summary>
        public BoundExpression? Callee { get; }
    }

    /// <summary>A conversion between scalar types: truncation, sign/zero extension, or a reinterpretation (long to pointer).</summary>
    public sealed class BoundConversion : BoundExpression
    {
        public BoundConversion(BoundExpression operand, TypeSymbol type, TextSpan span) : base(type, span) => Operand = operand;
        public BoundExpression Operand { get; }
    }

    /// <summary>Condition ? WhenTrue : WhenFalse, both arms already converted to <see cref="BoundExpression.Type"/>; only one is evaluated.</summary>
    public sealed class BoundConditional : BoundExpression
    {
        public BoundConditional(BoundExpression condition, BoundExpression whenTrue, BoundExpression whenFalse, TypeSymbol type, TextSpan span)
            : base(type, span)
        {
            Condition = condition;
            WhenTrue = whenTrue;
            WhenFalse = whenFalse;
        }

        public BoundExpression Condition { get; }
        public BoundExpression WhenTrue { get; }
        public BoundExpression WhenFalse { get; }
    }

    /// <summary>The comma operator: Left evaluated for its effect, then Right, whose value and type the sequence has.</summary>
    public sealed class BoundSequence : BoundExpression
    {
        public BoundSequence(BoundExpression left, BoundExpression right, TextSpan span) : base(right.Type, span)
        {
            Left = left;
            Right = right;
        }

        public BoundExpression Left { get; }
        public BoundExpression Right { get; }
    }

    /// <summary>Stands in for an expression that failed to bind (a diagnostic was reported); never reaches code generation.</summary>
    public sealed class BoundErrorExpression : BoundExpression
    {
        public BoundErrorExpression(TextSpan span) : base(TypeSymbol.Error, span) { }
    }
}
