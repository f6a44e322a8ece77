using System.Collections.Generic;
using KDsl.Binding;
using KDsl.Symbols;

namespace KDsl.CodeGen
{
    /// <summary>
    /// Which variables hold a known constant at each call, on every path that reaches it (<c>long x = 0; printk(...);
    /// if (n) x = f(n); return x;</c>: x is 0 at the printk). GCC's SSA value there is the constant itself, which it
    /// loads again after the call (`xor %eax,%eax`) rather than keep in a callee-saved register; KDsl does the same
    /// (<see cref="LiveVariables"/> leaves such a variable out of those a call must preserve, and the emitter reloads
    /// it after the call). A forward pass over the bound tree in evaluation order; a function with goto, labels or
    /// switch is left alone (no constants), as is any variable whose address is taken or that is volatile.
    /// </summary>
    internal sealed class ConstantAtCalls
    {
        /// <summary>A path's known constants; null: no path reaches here.</summary>
        private sealed class State
        {
            public readonly Dictionary<VariableSymbol, long> Values;
            public State(Dictionary<VariableSymbol, long> values) => Values = values;
            public State Copy() => new State(new Dictionary<VariableSymbol, long>(Values));
        }

        private readonly Dictionary<BoundCall, Dictionary<VariableSymbol, long>> _atCall = new Dictionary<BoundCall, Dictionary<VariableSymbol, long>>();
        private readonly HashSet<VariableSymbol> _excluded = new HashSet<VariableSymbol>();
        private readonly Stack<(List<State?> Breaks, List<State?>? Continues)> _targets = new Stack<(List<State?>, List<State?>?)>();

        public static ConstantAtCalls Analyze(BoundFunction function)
        {
            var a = new ConstantAtCalls();
            foreach (var s in BoundTree.Statements(function.Body))
            {
                if (s is BoundGoto or BoundLabelStatement or BoundSwitch) return new ConstantAtCalls();
                if (s is BoundVariableDeclaration { Variable.IsVolatile: true } d) a._excluded.Add(d.Variable);
                foreach (var e in BoundTree.OwnExpressions(s))
                    BoundTree.Visit(e, x =>
                    {
                        if (x is BoundAddressOf { Operand: BoundVariable v }) a._excluded.Add(v.Variable);
                    });
            }
            a.Statement(function.Body, new State(new Dictionary<VariableSymbol, long>()));
            return a;
        }

        /// <summary>The variables with a known constant where <paramref name="call"/> is made (empty when none).</summary>
        public IReadOnlyDictionary<VariableSymbol, long> At(BoundCall call) =>
            _atCall.TryGetValue(call, out var values) ? values : Empty;

        private static readonly Dictionary<VariableSymbol, long> Empty = new Dictionary<VariableSymbol, long>();

        private static State? Join(State? a, State? b)
        {
            if (a is null) return b;
            if (b is null) return a;
            var values = new Dictionary<VariableSymbol, long>();
            foreach (var pair in a.Values)
                if (b.Values.TryGetValue(pair.Key, out long other) && other == pair.Value) values[pair.Key] = pair.Value;
            return new State(values);
        }

        private static bool Same(State? a, State? b)
        {
            if (a is null || b is null) return a is null && b is null;
            if (a.Values.Count != b.Values.Count) return false;
            foreach (var pair in a.Values)
                if (!b.Values.TryGetValue(pair.Key, out long other) || other != pair.Value) return false;
            return true;
        }

        private State? Statement(BoundStatement s, State? state)
        {
            if (state is null) return null;
            switch (s)
            {
                case BoundBlock b:
                    foreach (var x in b.Statements) state = Statement(x, state);
                    return state;
                case BoundVariableDeclaration d:
                    if (d.Initializer is not null) state = Expression(d.Initializer, state);
                    return Assign(state, d.Variable, d.Initializer);
                case BoundExpressionStatement e:
                    return Expression(e.Expression, state);
                case BoundIf i:
                {
                    var after = Expression(i.Condition, state);
                    var then = Statement(i.Then, after?.Copy());
                    var otherwise = i.Else is null ? after : Statement(i.Else, after?.Copy());
                    return Join(then, otherwise);
                }
                case BoundWhile w:
                    return Loop(w.IsDoWhile ? null : w.Condition, w.Body, null, w.IsDoWhile ? w.Condition : null, state);
                case BoundFor f:
                    if (f.Initializer is not null) state = Statement(f.Initializer, state);
                    return Loop(f.Condition, f.Body, f.Step, null, state);
                case BoundBreak:
                    if (_targets.Count > 0) _targets.Peek().Breaks.Add(state);
                    return null;
                case BoundContinue:
                    foreach (var t in _targets)
                        if (t.Continues is not null) { t.Continues.Add(state); break; }
                    return null;
                case BoundReturn r:
                    if (r.Value is not null) Expression(r.Value, state);
                    return null;
                default:
                    return state;
            }
        }

        /// <summary>
        /// A loop: its top's state is the entry's joined with every way back (the body's end, continue), to a fixed point;
        /// it is left by the condition's failure and by break. A do-while tests <paramref name="bottom"/> after the body.
        /// </summary>
        private State? Loop(BoundExpression? condition, BoundStatement body, BoundExpression? step, BoundExpression? bottom, State? entry)
        {
            State? top = entry;
            while (true)
            {
                var breaks = new List<State?>();
                var continues = new List<State?>();
                var atTop = top?.Copy();
                var afterCondition = condition is null ? atTop : Expression(condition, atTop);
                _targets.Push((breaks, continues));
                var bodyEnd = Statement(body, afterCondition?.Copy());
                _targets.Pop();
                foreach (var c in continues) bodyEnd = Join(bodyEnd, c);
                var back = step is null ? bodyEnd : Expression(step, bodyEnd);
                var afterBottom = bottom is null ? back : Expression(bottom, back);
                var next = Join(entry, afterBottom);
                if (Same(next, top))
                {
                    var exit = condition is null ? null : afterCondition;
                    if (bottom is not null) exit = Join(exit, afterBottom);
                    foreach (var b in breaks) exit = Join(exit, b);
                    return exit;
                }
                top = next;
            }
        }

        private State? Assign(State? state, VariableSymbol v, BoundExpression? value)
        {
            if (state is null) return null;
            state = state.Copy();
            long? constant = value is null || _excluded.Contains(v) ? null : ConstantPropagation.Constant(value, v.Type);
            if (constant is long c) state.Values[v] = c;
            else state.Values.Remove(v);
            return state;
        }

        /// <summary>The state after <paramref name="e"/> runs, walking it in the emitter's order and noting each call's.</summary>
        private State? Expression(BoundExpression e, State? state)
        {
            if (state is null) return null;
            switch (e)
            {
                case BoundBinary b:
                {
                    var (first, second) = EvaluationOrder.Operands(b.Left, b.Right);
                    return Expression(second, Expression(first, state));
                }
                case BoundLogical l:
                {
                    var left = Expression(l.Left, state);
                    return Join(left, Expression(l.Right, left?.Copy()));
                }
                case BoundConditional c:
                {
                    var after = Expression(c.Condition, state);
                    return Join(Expression(c.WhenTrue, after?.Copy()), Expression(c.WhenFalse, after?.Copy()));
                }
                case BoundSequence s:
                    return Expression(s.Right, Expression(s.Left, state));
                case BoundUnary u:
                    return Expression(u.Operand, state);
                case BoundConversion c:
                    return Expression(c.Operand, state);
                case BoundDereference d:
                    return Expression(d.Pointer, state);
                case BoundAddressOf a:
                    return Expression(a.Operand, state);
                case BoundAssignment { Target: BoundVariable target, CompoundOperator: null } a:
                    return Assign(Expression(a.Value, state), target.Variable, a.Value);
                case BoundAssignment { Target: BoundVariable target } a:
                    return Assign(Expression(a.Value, state), target.Variable, null);
                case BoundAssignment { Target: BoundDereference d } a:
                {
                    var (first, second) = a.CompoundOperator is null ? EvaluationOrder.Operands(d.Pointer, a.Value) : (d.Pointer, a.Value);
                    return Expression(second, Expression(first, state));
                }
                case BoundAssignment a:
                    return Expression(a.Value, Expression(a.Target, state));
                case BoundIncrement { Target: BoundVariable v }:
                    return Assign(state, v.Variable, null);
                case BoundIncrement i:
                    return Expression(i.Target, state);
                case BoundCall c:
                {
                    foreach (var argument in EvaluationOrder.Arguments(c)) state = Expression(argument, state);
                    if (state is null) return null;
                    // every visit of a loop's call meets a state at least as wide as the fixed point's: keep what all agree on
                    _atCall[c] = _atCall.TryGetValue(c, out var known) ? Join(new State(known), state)!.Values : new Dictionary<VariableSymbol, long>(state.Values);
                    return state;
                }
                case BoundVariable or BoundArrayVariable or BoundLiteral or BoundStringLiteral or BoundFunctionAddress or BoundGlobalAddress:
                    return state;
                default:
                    // a node this pass does not know may assign anything: forget every constant
                    return new State(new Dictionary<VariableSymbol, long>());
            }
        }
    }
}
