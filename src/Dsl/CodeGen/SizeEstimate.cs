using System.Collections.Generic;
using KDsl.Binding;
using KDsl.Symbols;

namespace KDsl.CodeGen
{
    /// <summary>
    /// GCC's size estimate of a loop body (tree_estimate_loop_size with estimate_num_insns' eni_size_weights), on the
    /// GIMPLE statements KDsl's bound tree gimplifies to: an arithmetic operation or comparison 1, an integer conversion 0,
    /// a load or a store 1 (a constant offset folds into the memory reference), a call 1 (3 through a pointer) + 1 per
    /// argument + 1 when its result is used, a condition 2, a copy 0. An operation on constants and the counter alone is
    /// eliminated in the unrolled copies ("Induction variable computation will be folded away", "Constant
    /// conditional"). A body that computes the counter's next value itself (<c>rec(n - 1) * (i + 1)</c>) shares it with
    /// the increment, as GCC's value numbering does (sum3_BUF.c's loop is "size: 9-3", not 10-4). Loop-invariant operations
    /// stay in the size (<c>n - 1</c> of rec(n - 1) is in the loop in both passes' dumps of sum3_BUF.c).
    /// </summary>
    internal sealed class SizeEstimate
    {
        private enum Kind { Constant, Counter, Invariant, Variant }


        private readonly VariableSymbol _counter;
        private readonly long _step;
        private readonly HashSet<VariableSymbol> _addressTaken;
        private readonly HashSet<VariableSymbol> _written = new HashSet<VariableSymbol>();
        private int _overall, _eliminated;
        /// <summary>The body computes counter + 1 (or - 1, counting down): the loop's own increment is that value.</summary>
        public bool SharesIncrement { get; private set; }

        /// <param name="counter">The loop's counter.</param>
        /// <param name="step">What the loop adds to it (1 or -1).</param>
        /// <param name="body">The loop's body.</param>
        /// <param name="addressTaken">The function's locals whose address is taken (read and written in memory).</param>
        public SizeEstimate(VariableSymbol counter, long step, BoundStatement body, HashSet<VariableSymbol> addressTaken)
        {
            _counter = counter;
            _step = step;
            _addressTaken = addressTaken;
            foreach (var (v, write) in new Occurrences(body).All)
                if (write) _written.Add(v);
            foreach (var e in BoundTree.AllExpressions(body))
                if (e is BoundIncrement { Target: BoundVariable i }) _written.Add(i.Variable);
                else if (e is BoundAssignment { Target: BoundVariable a }) _written.Add(a.Variable);
            Statement(body);
            Size = new CompleteUnrolling.LoopSize(_overall, _eliminated);
        }

        /// <summary>The body's size, without the loop's own test and increment.</summary>
        public CompleteUnrolling.LoopSize Size { get; }

        private void Statement(BoundStatement s)
        {
            switch (s)
            {
                case BoundBlock b:
                    foreach (var x in b.Statements) Statement(x);
                    break;
                case BoundVariableDeclaration { Initializer: { } init }:
                    Value(init, used: true);
                    break;
                case BoundExpressionStatement e:
                    Value(e.Expression, used: false);
                    break;
                case BoundIf i:
                    Condition(i.Condition);
                    Statement(i.Then);
                    if (i.Else is not null) Statement(i.Else);
                    break;
            }
        }

        /// <summary>A GIMPLE_COND per test: 1 + the comparison's 1.</summary>
        private void Condition(BoundExpression e)
        {
            switch (e)
            {
                case BoundLogical l:
                    Condition(l.Left);
                    Condition(l.Right);
                    break;
                case BoundUnary { Operator: BoundUnaryOperator.LogicalNot } u:
                    Condition(u.Operand);
                    break;
                case BoundBinary { Operator: >= BoundBinaryOperator.Equal } b:
                    Charge(2, Join(Value(b.Left, true), Value(b.Right, true)));
                    break;
                default:
                    Charge(2, Value(e, true));
                    break;
            }
        }

        /// <summary>Charges one statement of <paramref name="size"/> computing from operands of <paramref name="kind"/>.</summary>
        private Kind Charge(int size, Kind kind)
        {
            _overall += size;
            if (kind is Kind.Constant or Kind.Counter) _eliminated += size;
            return kind;
        }

        private static Kind Join(Kind a, Kind b)
        {
            if (a == Kind.Variant || b == Kind.Variant) return Kind.Variant;
            if (a == Kind.Constant) return b;
            if (b == Kind.Constant) return a;
            return a == b ? a : Kind.Variant; // the counter with an invariant: neither folds nor leaves the loop
        }

        private Kind Value(BoundExpression e, bool used)
        {
            switch (e)
            {
                case BoundLiteral or BoundStringLiteral or BoundFunctionAddress or BoundGlobalAddress or BoundArrayVariable:
                    return Kind.Constant;
                case BoundVariable v:
                    if (v.Variable == _counter) return Kind.Counter;
                    if (_addressTaken.Contains(v.Variable)) return Charge(1, Kind.Variant); // a load
                    return _written.Contains(v.Variable) ? Kind.Variant : Kind.Invariant;
                case BoundConversion c:
                    return Value(c.Operand, true);
                case BoundUnary u:
                    return Charge(1, Value(u.Operand, true));
                case BoundBinary { Operator: BoundBinaryOperator.Add, Type.IsPointer: true, Right: BoundLiteral } b:
                    return Value(b.Left, true); // p + constant: the memory reference's offset
                case BoundBinary { Left: BoundVariable c, Right: BoundLiteral d } b when c.Variable == _counter &&
                                                                                      (b.Operator == BoundBinaryOperator.Add ? d.Value : -d.Value) == _step:
                    SharesIncrement = true;
                    return Charge(1, Kind.Counter);
                case BoundBinary b:
                    return Charge(1, Join(Value(b.Left, true), Value(b.Right, true)));
                case BoundDereference d:
                    Value(d.Pointer, true);
                    return Charge(1, Kind.Variant);
                case BoundAddressOf a:
                    return a.Operand is BoundDereference inner ? Value(inner.Pointer, true) : Kind.Constant;
                case BoundAssignment a:
                    return Assignment(a);
                case BoundIncrement i:
                    if (i.Target is BoundVariable iv && !_addressTaken.Contains(iv.Variable)) return Charge(1, Kind.Variant);
                    Address(i.Target);
                    return Charge(3, Kind.Variant); // load, add, store
                case BoundCall c:
                {
                    if (c.Callee is not null) Value(c.Callee, true);
                    foreach (var x in c.Arguments) Value(x, true);
                    return Charge((c.Callee is null ? 1 : 3) + c.Arguments.Length + (used ? 1 : 0), Kind.Variant);
                }
                case BoundLogical or BoundConditional:
                {
                    Condition(e is BoundLogical ? e : ((BoundConditional)e).Condition);
                    if (e is BoundConditional c)
                    {
                        Value(c.WhenTrue, true);
                        Value(c.WhenFalse, true);
                    }
                    return Kind.Variant;
                }
                case BoundSequence s:
                    Value(s.Left, false);
                    return Value(s.Right, used);
                default:
                    return Kind.Variant;
            }
        }

        private Kind Assignment(BoundAssignment a)
        {
            if (a.Target is BoundVariable v && !_addressTaken.Contains(v.Variable))
            {
                Value(a.Value, true); // the value's last operation writes the variable: a copy costs nothing
                return a.CompoundOperator is null ? Kind.Variant : Charge(1, Kind.Variant);
            }
            Address(a.Target);
            Value(a.Value, true);
            if (a.CompoundOperator is not null) Charge(2, Kind.Variant); // the load and the operation
            return Charge(1, Kind.Variant); // the store
        }

        /// <summary>The address a store or read-modify-write goes to.</summary>
        private void Address(BoundExpression target)
        {
            if (target is BoundDereference d) Value(d.Pointer, true);
        }
    }
}
