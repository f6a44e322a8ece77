using System.Collections.Generic;
using KDsl.Binding;
using KDsl.Symbols;

namespace KDsl.CodeGen
{
    /// <summary>
    /// Where each variable's value is live (read later, on some path, before being written again), as GCC's register
    /// allocator sees it on SSA values: which variables a call must preserve (live where it returns: a callee-saved
    /// register or a slot) and which two variables are live at once (they cannot share a register). So a variable
    /// written on every path between a call and its next read (<c>x = 0; if (n) x = f(n);</c>) does not make the call
    /// keep it, and three loop counters, or a parameter read only before a local is set, share one register. A
    /// backward liveness pass over the bound tree, in the emitter's evaluation order (<see cref="EvaluationOrder"/>);
    /// loops, gotos and switch labels iterate to a fixed point.
    /// </summary>
    internal sealed class LiveVariables
    {
        private readonly HashSet<VariableSymbol> _across = new HashSet<VariableSymbol>();
        private readonly Dictionary<VariableSymbol, HashSet<VariableSymbol>> _interference = new Dictionary<VariableSymbol, HashSet<VariableSymbol>>();
        private readonly Dictionary<BoundLabel, HashSet<VariableSymbol>> _labels = new Dictionary<BoundLabel, HashSet<VariableSymbol>>();
        private readonly Stack<(HashSet<VariableSymbol> Break, HashSet<VariableSymbol>? Continue)> _targets =
            new Stack<(HashSet<VariableSymbol>, HashSet<VariableSymbol>?)>();
        /// <summary>
        /// Each loop's fixed point so far: what is live after a loop only grows from one pass to the next, so the next
        /// pass starts there, and nested loops cost a pass or two each instead of a product of passes.
        /// </summary>
        private readonly Dictionary<BoundStatement, HashSet<VariableSymbol>> _loops = new Dictionary<BoundStatement, HashSet<VariableSymbol>>();
        private bool _changed;
        private ConstantAtCalls _constants = null!;
        /// <summary>Per call, the variables live after it that hold a known constant there: the emitter loads them again.</summary>
        private readonly Dictionary<BoundCall, List<(VariableSymbol Variable, long Value)>> _reloads =
            new Dictionary<BoundCall, List<(VariableSymbol, long)>>();

        public static LiveVariables Analyze(BoundFunction function)
        {
            var a = new LiveVariables { _constants = ConstantAtCalls.Analyze(function) };
            // a goto backwards (or a case label reached from the switch above it) needs its label's live set before the
            // pass reaches it: repeat until no label's set grows
            HashSet<VariableSymbol> entry;
            do
            {
                a._changed = false;
                entry = a.Statement(function.Body, new HashSet<VariableSymbol>());
            } while (a._changed);
            // the prologue sets every parameter at once, and anything read before it is written is live there too
            var atEntry = new List<VariableSymbol>(function.Symbol.Parameters);
            foreach (var v in entry)
                if (!atEntry.Contains(v)) atEntry.Add(v);
            foreach (var v in atEntry)
                foreach (var w in atEntry)
                    if (v != w) a.AddInterference(v, w);
            return a;
        }

        /// <summary>
        /// The variables live after <paramref name="call"/> whose value there is a known constant (<see cref="ConstantAtCalls"/>):
        /// the call need not preserve them, so the emitter loads each again after it.
        /// </summary>
        public IReadOnlyList<(VariableSymbol Variable, long Value)> ReloadsAfter(BoundCall call) =>
            _reloads.TryGetValue(call, out var list) ? list : (IReadOnlyList<(VariableSymbol, long)>)System.Array.Empty<(VariableSymbol, long)>();

        /// <summary>The variable is live where some call returns with a value that is not a known constant there.</summary>
        public bool LivesAcrossCall(VariableSymbol v) => _across.Contains(v);

        /// <summary>The two are live at once somewhere: they cannot share a register.</summary>
        public bool Interfere(VariableSymbol a, VariableSymbol b) => _interference.TryGetValue(a, out var set) && set.Contains(b);

        /// <summary>
        /// <paramref name="v"/> is written where <paramref name="after"/> is live: it cannot share a register with any of
        /// those, except the variable it is a copy of (<c>x = y</c>: the two hold one value until one is written again).
        /// </summary>
        private void Define(VariableSymbol v, HashSet<VariableSymbol> after, BoundExpression? value)
        {
            var copyOf = value is BoundVariable source ? source.Variable : null;
            foreach (var w in after)
                if (w != v && w != copyOf) AddInterference(v, w);
        }

        private void AddInterference(VariableSymbol a, VariableSymbol b)
        {
            if (!_interference.TryGetValue(a, out var set)) _interference[a] = set = new HashSet<VariableSymbol>();
            set.Add(b);
            if (!_interference.TryGetValue(b, out set)) _interference[b] = set = new HashSet<VariableSymbol>();
            set.Add(a);
        }

        private HashSet<VariableSymbol> Label(BoundLabel label) =>
            _labels.TryGetValue(label, out var live) ? live : _labels[label] = new HashSet<VariableSymbol>();

        /// <summary>What is live before <paramref name="s"/> given what is live after it.</summary>
        private HashSet<VariableSymbol> Statement(BoundStatement s, HashSet<VariableSymbol> after)
        {
            switch (s)
            {
                case BoundBlock b:
                    var live = after;
                    for (int i = b.Statements.Length - 1; i >= 0; i--) live = Statement(b.Statements[i], live);
                    return live;
                case BoundVariableDeclaration d:
                {
                    Define(d.Variable, after, d.Initializer);
                    var before = Without(after, d.Variable);
                    return d.Initializer is null ? before : Expression(d.Initializer, before);
                }
                case BoundExpressionStatement e:
                    return Expression(e.Expression, after);
                case BoundIf i:
                {
                    var then = Statement(i.Then, after);
                    var otherwise = i.Else is null ? after : Statement(i.Else, after);
                    return Expression(i.Condition, Union(then, otherwise));
                }
                case BoundWhile { IsDoWhile: true } w:
                {
                    // body, then the condition, back to the body or out
                    var body = Start(w);
                    while (true)
                    {
                        var condition = Expression(w.Condition, Union(after, body));
                        _targets.Push((after, condition));
                        var next = Statement(w.Body, condition);
                        _targets.Pop();
                        if (next.SetEquals(body)) return body;
                        body = _loops[w] = next;
                    }
                }
                case BoundWhile w:
                    return Loop(w, w.Condition, w.Body, null, after);
                case BoundFor f:
                {
                    var top = Loop(f, f.Condition, f.Body, f.Step, after);
                    return f.Initializer is null ? top : Statement(f.Initializer, top);
                }
                case BoundBreak:
                    return _targets.Count > 0 ? new HashSet<VariableSymbol>(_targets.Peek().Break) : after;
                case BoundContinue:
                    foreach (var t in _targets)
                        if (t.Continue is not null) return new HashSet<VariableSymbol>(t.Continue);
                    return after;
                case BoundReturn r:
                    return r.Value is null ? new HashSet<VariableSymbol>() : Expression(r.Value, new HashSet<VariableSymbol>());
                case BoundGoto g:
                    return new HashSet<VariableSymbol>(Label(g.Label));
                case BoundLabelStatement l:
                {
                    var known = Label(l.Label);
                    foreach (var v in after)
                        if (known.Add(v)) _changed = true;
                    return new HashSet<VariableSymbol>(known);
                }
                case BoundSwitch sw:
                {
                    _targets.Push((after, null)); // a break leaves the switch; a continue belongs to the loop around it
                    Statement(sw.Body, after);
                    _targets.Pop();
                    var entry = new HashSet<VariableSymbol>(sw.Default is null ? after : Label(sw.Default));
                    foreach (var (_, label) in sw.Cases) entry.UnionWith(Label(label));
                    return Expression(sw.Value, entry);
                }
                default:
                    return after;
            }
        }

        /// <summary>A while or for loop: the condition at the top, the body, the step, back to the top.</summary>
        private HashSet<VariableSymbol> Loop(BoundStatement loop, BoundExpression? condition, BoundStatement body, BoundExpression? step,
            HashSet<VariableSymbol> after)
        {
            var top = Start(loop);
            while (true)
            {
                var continued = step is null ? top : Expression(step, top);
                _targets.Push((after, continued));
                var bodyIn = Statement(body, continued);
                _targets.Pop();
                var next = condition is null ? bodyIn : Expression(condition, Union(after, bodyIn));
                if (next.SetEquals(top)) return top;
                top = _loops[loop] = next;
            }
        }

        private HashSet<VariableSymbol> Start(BoundStatement loop) =>
            _loops.TryGetValue(loop, out var known) ? known : new HashSet<VariableSymbol>();

        /// <summary>What is live before <paramref name="e"/> runs given what is live after it, walking it backwards.</summary>
        private HashSet<VariableSymbol> Expression(BoundExpression e, HashSet<VariableSymbol> after)
        {
            switch (e)
            {
                case BoundVariable v:
                    return With(after, v.Variable);
                case BoundArrayVariable a:
                    return With(after, a.Variable);
                case BoundDereference d:
                    return Expression(d.Pointer, after);
                case BoundAddressOf a:
                    return Expression(a.Operand, after);
                case BoundUnary u:
                    return Expression(u.Operand, after);
                case BoundConversion c:
                    return Expression(c.Operand, after);
                case BoundBinary b:
                {
                    var (first, second) = EvaluationOrder.Operands(b.Left, b.Right);
                    return Expression(first, Expression(second, after));
                }
                case BoundLogical l:
                    return Expression(l.Left, Union(after, Expression(l.Right, after)));
                case BoundConditional c:
                    return Expression(c.Condition, Union(Expression(c.WhenTrue, after), Expression(c.WhenFalse, after)));
                case BoundSequence s:
                    return Expression(s.Left, Expression(s.Right, after));
                case BoundAssignment { Target: BoundVariable target, CompoundOperator: null } a:
                    Define(target.Variable, after, a.Value);
                    return Expression(a.Value, Without(after, target.Variable)); // a plain store ends the old value's life
                case BoundAssignment { Target: BoundVariable target } a:
                    Define(target.Variable, after, null);
                    return Expression(a.Target, Expression(a.Value, after)); // compound: the target is read too
                case BoundAssignment { Target: BoundDereference d } a:
                {
                    var (first, second) = a.CompoundOperator is null ? EvaluationOrder.Operands(d.Pointer, a.Value) : (d.Pointer, a.Value);
                    return Expression(first, Expression(second, after));
                }
                case BoundAssignment a:
                    return Expression(a.Target, Expression(a.Value, after)); // compound: the target is read too
                case BoundIncrement i:
                    if (i.Target is BoundVariable incremented) Define(incremented.Variable, after, null);
                    return Expression(i.Target, after);
                case BoundCall c when Liveness.IsUserAccess(c) || InlinedStringCalls.IsInlined(c):
                {
                    // the registers it clobbers are no variable's home (Liveness.IsUserAccess, InlinedStringCalls)
                    var live = after;
                    for (int k = c.Arguments.Length - 1; k >= 0; k--) live = Expression(c.Arguments[k], live);
                    return live;
                }
                case BoundCall c:
                {
                    var constants = _constants.At(c);
                    foreach (var v in after)
                    {
                        if (!constants.TryGetValue(v, out long value))
                        {
                            _across.Add(v);
                            continue;
                        }
                        if (!_reloads.TryGetValue(c, out var list)) _reloads[c] = list = new List<(VariableSymbol, long)>();
                        if (!list.Contains((v, value))) list.Add((v, value));
                    }
                    var live = after;
                    var arguments = new List<BoundExpression>(EvaluationOrder.Arguments(c));
                    for (int k = arguments.Count - 1; k >= 0; k--) live = Expression(arguments[k], live);
                    return live;
                }
                default:
                    return after;
            }
        }

        private static HashSet<VariableSymbol> With(HashSet<VariableSymbol> set, VariableSymbol v)
        {
            if (set.Contains(v)) return set;
            return new HashSet<VariableSymbol>(set) { v };
        }

        private static HashSet<VariableSymbol> Without(HashSet<VariableSymbol> set, VariableSymbol v)
        {
            if (!set.Contains(v)) return set;
            var copy = new HashSet<VariableSymbol>(set);
            copy.Remove(v);
            return copy;
        }

        private static HashSet<VariableSymbol> Union(HashSet<VariableSymbol> a, HashSet<VariableSymbol> b)
        {
            if (b.IsSubsetOf(a)) return a;
            var copy = new HashSet<VariableSymbol>(a);
            copy.UnionWith(b);
            return copy;
        }
    }
}
