using System.Collections.Immutable;

namespace KDsl.Binding
{
    /// <summary>
    /// Rebuilds a bound tree bottom-up, node by node, keeping every node whose children did not change (so an untouched
    /// function comes back as the same object). A lowering overrides <see cref="Expression"/> or <see cref="Statement"/>
    /// for the nodes it replaces and calls the base for the rest. A node kind this class does not know is kept whole and
    /// sets <see cref="MetUnknownNode"/>: a lowering that must see every node then leaves the function as it was.
    /// </summary>
    internal abstract class BoundTreeRewriter
    {
        /// <summary>A node kind with children this class does not know was kept whole (its children not rewritten).</summary>
        public bool MetUnknownNode { get; private set; }

        public virtual BoundStatement Statement(BoundStatement s)
        {
            switch (s)
            {
                case BoundBlock b:
                {
                    ImmutableArray<BoundStatement>.Builder? rebuilt = null;
                    for (int i = 0; i < b.Statements.Length; i++)
                    {
                        var x = Statement(b.Statements[i]);
                        if (rebuilt is null && !ReferenceEquals(x, b.Statements[i]))
                        {
                            rebuilt = ImmutableArray.CreateBuilder<BoundStatement>(b.Statements.Length);
                            for (int j = 0; j < i; j++) rebuilt.Add(b.Statements[j]);
                        }
                        rebuilt?.Add(x);
                    }
                    return rebuilt is null ? b : new BoundBlock(rebuilt.ToImmutable(), b.Span);
                }
                case BoundVariableDeclaration { Initializer: { } init } d:
                {
                    var x = Expression(init);
                    return ReferenceEquals(x, init) ? d : new BoundVariableDeclaration(d.Variable, x, d.Span);
                }
                case BoundExpressionStatement e:
                {
                    var x = Expression(e.Expression);
                    return ReferenceEquals(x, e.Expression) ? e : new BoundExpressionStatement(x, e.Span);
                }
                case BoundIf i:
                {
                    var c = Expression(i.Condition);
                    var t = Statement(i.Then);
                    var f = i.Else is null ? null : Statement(i.Else);
                    return ReferenceEquals(c, i.Condition) && ReferenceEquals(t, i.Then) && ReferenceEquals(f, i.Else) ? i : new BoundIf(c, t, f, i.Span);
                }
                case BoundWhile w:
                {
                    var c = Expression(w.Condition);
                    var body = Statement(w.Body);
                    return ReferenceEquals(c, w.Condition) && ReferenceEquals(body, w.Body) ? w : new BoundWhile(c, body, w.IsDoWhile, w.Span);
                }
                case BoundFor f:
                {
                    var init = f.Initializer is null ? null : Statement(f.Initializer);
                    var c = f.Condition is null ? null : Expression(f.Condition);
                    var step = f.Step is null ? null : Expression(f.Step);
                    var body = Statement(f.Body);
                    return ReferenceEquals(init, f.Initializer) && ReferenceEquals(c, f.Condition) && ReferenceEquals(step, f.Step) && ReferenceEquals(body, f.Body)
                        ? f : new BoundFor(init, c, step, body, f.Span);
                }
                case BoundReturn { Value: { } value } r:
                {
                    var x = Expression(value);
                    return ReferenceEquals(x, value) ? r : new BoundReturn(x, r.Span);
                }
                case BoundSwitch sw:
                {
                    var v = Expression(sw.Value);
                    var body = Statement(sw.Body);
                    return ReferenceEquals(v, sw.Value) && ReferenceEquals(body, sw.Body) ? sw : new BoundSwitch(v, sw.Cases, sw.Default, body, sw.Span);
                }
                case BoundVariableDeclaration or BoundReturn or BoundBreak or BoundContinue or BoundGoto or BoundLabelStatement:
                    return s;
                default:
                    MetUnknownNode = true;
                    return s;
            }
        }

        public virtual BoundExpression Expression(BoundExpression e)
        {
            switch (e)
            {
                case BoundBinary b:
                {
                    var l = Expression(b.Left);
                    var r = Expression(b.Right);
                    return Same(l, b.Left, r, b.Right) ? b : new BoundBinary(l, b.Operator, r, b.IsUnsigned, b.Type, b.Span);
                }
                case BoundLogical l:
                {
                    var left = Expression(l.Left);
                    var right = Expression(l.Right);
                    return Same(left, l.Left, right, l.Right) ? l : new BoundLogical(left, l.IsAnd, right, l.Span);
                }
                case BoundConditional c:
                {
                    var cond = Expression(c.Condition);
                    var t = Expression(c.WhenTrue);
                    var f = Expression(c.WhenFalse);
                    return Same(cond, c.Condition, t, c.WhenTrue) && ReferenceEquals(f, c.WhenFalse) ? c : new BoundConditional(cond, t, f, c.Type, c.Span);
                }
                case BoundSequence s:
                {
                    var l = Expression(s.Left);
                    var r = Expression(s.Right);
                    return Same(l, s.Left, r, s.Right) ? s : new BoundSequence(l, r, s.Span);
                }
                case BoundAssignment a:
                {
                    var t = Expression(a.Target);
                    var v = Expression(a.Value);
                    return Same(t, a.Target, v, a.Value) ? a : new BoundAssignment(t, a.CompoundOperator, a.IsUnsigned, v, a.Span);
                }
                case BoundUnary u:
                {
                    var x = Expression(u.Operand);
                    return ReferenceEquals(x, u.Operand) ? u : new BoundUnary(u.Operator, x, u.Type, u.Span);
                }
                case BoundConversion c:
                {
                    var x = Expression(c.Operand);
                    return ReferenceEquals(x, c.Operand) ? c : new BoundConversion(x, c.Type, c.Span);
                }
                case BoundDereference d:
                {
                    var x = Expression(d.Pointer);
                    return ReferenceEquals(x, d.Pointer) ? d : new BoundDereference(x, d.Type, d.Span);
                }
                case BoundAddressOf a:
                {
                    var x = Expression(a.Operand);
                    return ReferenceEquals(x, a.Operand) ? a : new BoundAddressOf(x, a.Type, a.Span);
                }
                case BoundIncrement i:
                {
                    var x = Expression(i.Target);
                    return ReferenceEquals(x, i.Target) ? i : new BoundIncrement(x, i.Delta, i.IsPrefix, i.Span);
                }
                case BoundCall c:
                {
                    var callee = c.Callee is null ? null : Expression(c.Callee);
                    ImmutableArray<BoundExpression>.Builder? rebuilt = null;
                    for (int i = 0; i < c.Arguments.Length; i++)
                    {
                        var x = Expression(c.Arguments[i]);
                        if (rebuilt is null && !ReferenceEquals(x, c.Arguments[i]))
                        {
                            rebuilt = ImmutableArray.CreateBuilder<BoundExpression>(c.Arguments.Length);
                            for (int j = 0; j < i; j++) rebuilt.Add(c.Arguments[j]);
                        }
                        rebuilt?.Add(x);
                    }
                    if (rebuilt is null && ReferenceEquals(callee, c.Callee)) return c;
                    return new BoundCall(c.Function, rebuilt?.ToImmutable() ?? c.Arguments, c.Span, callee);
                }
                case BoundLiteral or BoundStringLiteral or BoundFunctionAddress or BoundGlobalAddress or BoundVariable or BoundArrayVariable
                    or BoundErrorExpression:
                    return e;
                default:
                    MetUnknownNode = true;
                    return e;
            }
        }

        private static bool Same(BoundExpression a, BoundExpression a0, BoundExpression b, BoundExpression b0) =>
            ReferenceEquals(a, a0) && ReferenceEquals(b, b0);
    }
}
