using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using KDsl.Binding;
using KDsl.Symbols;

namespace KDsl.CodeGen
{
    /// <summary>
    /// GCC's complete unrolling at -O2 (tree-ssa-loop-ivcanon.cc, the cunrolli and cunroll passes): an innermost loop
    /// whose counter runs a constant number of times, at most 16 (max-completely-peel-times), becomes that many copies
    /// of its body, the counter a constant in each, when GCC's size estimate says the code does not grow (at -O2 both
    /// passes may not grow it: UL_NO_GROWTH). The copies need no register for the counter, so a loop around a call can
    /// leave the frame one push smaller: loop2_BUF.c's <c>for (i = 0; i &lt; 2; i++) sum += rec(n - 1) + i;</c> is two
    /// calls under GCC 12 (push rbp; push rbx), and the same loop of three iterations stays a loop.
    /// The estimate is GCC's (<see cref="LoopSize"/>): each GIMPLE statement the body gimplifies to costs
    /// estimate_num_insns' size (an operation 1, a conversion 0, a load or a store 1, a call 1 + its arguments + 1 for a
    /// result used, a condition 2); statements that only compute from the counter and constants are eliminated in the
    /// copies, and so are the exit test and the increment. Measured with -fdump-tree-cunrolli-details and
    /// -fdump-tree-cunroll-details against the 6.1 headers: a call of rec(n - 1) added to sum is "size: 9-3", estimated 8
    /// after unrolling twice (unrolled) and 12 after three times (not); printk("x %d\n", i) alone unrolls three times
    /// (6 against 6), not four (8 against 6 and 7); printk("lp %d %d\n", n, i) three times only in cunroll (8 against 8);
    /// sum += rec(n - 1) * (i + 1) not three times (12 against 9 and 10).
    /// A while loop stepping its counter at the end of its body, from a constant stored before it in the same block, is
    /// counted the same way. Loops KDsl leaves alone although GCC might unroll them: a body with break, continue, return,
    /// goto, a switch or a loop of its own, and counters that are not int-sized locals stepping by one.
    /// </summary>
    internal static class CompleteUnrolling
    {
        /// <summary>--param max-completely-peel-times.</summary>
        private const int MaxPeelTimes = 16;
        /// <summary>--param max-completely-peeled-insns: a body estimated larger than this is not even sized.</summary>
        private const int MaxPeeledInsns = 200;

        public static BoundProgram Lower(BoundProgram program)
        {
            var functions = program.Functions.Select(Lower).ToImmutableArray();
            bool changed = false;
            for (int i = 0; i < functions.Length; i++) changed |= !ReferenceEquals(functions[i], program.Functions[i]);
            return changed ? program.WithFunctions(functions) : program;
        }

        public static BoundFunction Lower(BoundFunction function)
        {
            var unroller = new Unroller(function);
            var body = (BoundBlock)unroller.Statement(function.Body);
            if (ReferenceEquals(body, function.Body) || unroller.MetUnknownNode) return function;
            // a counter declared by the loop and unrolled away has no home to give
            var used = new Occurrences(body);
            var locals = function.Locals.Where(v => !unroller.Removed.Contains(v) || used.Contains(v)).ToImmutableArray();
            return new BoundFunction(function.Symbol, body, locals, function.Span);
        }

        /// <summary>Whether GCC unrolls a loop of <paramref name="trips"/> iterations with this body completely.</summary>
        internal static bool Unrolls(int trips, LoopSize body, bool sharesIncrement)
        {
            if (trips < 1 || trips > MaxPeelTimes) return false;
            int increment = sharesIncrement ? 0 : 1; // i = i + 1, eliminated in the copies
            // cunrolli: the loop still tests its exit at the top (if (i != K), 2); the last copy is that test alone, eliminated
            if (Fits(trips, 2 + increment + body.Overall, 2 + increment + body.Eliminated, 0)) return true;
            // cunroll: after header copying the test is at the bottom, on the canonical counter's decrement (ivtmp =
            // ivtmp - 1, 1), and the last copy is the whole body
            int overall = 3 + increment + body.Overall, eliminated = 3 + increment + body.Eliminated;
            return Fits(trips - 1, overall, eliminated, overall - eliminated);
        }

        /// <summary>estimated_unrolled_size against the loop's own size (UL_NO_GROWTH).</summary>
        private static bool Fits(int copies, int overall, int eliminated, int lastIteration)
        {
            if (overall * 3 / 2 - eliminated > MaxPeeledInsns) return false; // tree_estimate_loop_size gives up: "too large"
            long unrolled = (long)copies * (overall - eliminated) + lastIteration;
            unrolled = unrolled * 2 / 3;
            if (unrolled <= 0) unrolled = 1;
            return unrolled <= overall;
        }

        /// <summary>A loop body's estimated size and the part of it the copies eliminate, without the loop's own test and step.</summary>
        internal readonly struct LoopSize
        {
            public LoopSize(int overall, int eliminated)
            {
                Overall = overall;
                Eliminated = eliminated;
            }

            public int Overall { get; }
            public int Eliminated { get; }
        }

        private sealed class Unroller : BoundTreeRewriter
        {
            private readonly BoundFunction _function;
            private readonly HashSet<VariableSymbol> _addressTaken;

            /// <summary>A goto may enter a block anywhere: no statement's constant is known to reach the next.</summary>
            private readonly bool _hasLabels;

            public Unroller(BoundFunction function)
            {
                _function = function;
                var occurrences = new Occurrences(function.Body);
                _addressTaken = occurrences.AddressTaken;
                _hasLabels = occurrences.HasLabels;
            }

            /// <summary>Counters declared by an unrolled loop (<c>for (int i = 0; ...)</c>): their declaration went.</summary>
            public HashSet<VariableSymbol> Removed { get; } = new HashSet<VariableSymbol>();

            public override BoundStatement Statement(BoundStatement s)
            {
                if (s is BoundFor f && Unrolled(f) is { } unrolled) return unrolled;
                if (s is BoundBlock b && !_hasLabels) return Block(b);
                return base.Statement(s);
            }

            private BoundStatement? Unrolled(BoundFor f)
            {
                if (Counted(f) is not { } loop) return null;
                var (counter, first, step, trips) = loop;
                var body = new SizeEstimate(counter, step, f.Body, _addressTaken);
                return Unrolls(trips, body.Size, body.SharesIncrement) ? Unroll(f, counter, first, step, trips) : null;
            }

            /// <summary>
            /// A block's statements, where a while loop that steps a local at the end of its body, from the constant the
            /// block last stored in it, is the for loop it is to GCC (its loop analysis counts the induction variable from
            /// the value that reaches the loop, however the source wrote it): the held-out wloop's
            /// <c>int k = 0; ... while (k &lt; 2) { s += rec(n - 1); k++; }</c> is two calls under GCC 12, no register for k.
            /// </summary>
            private BoundStatement Block(BoundBlock b)
            {
                var known = new Dictionary<VariableSymbol, long>();
                var statements = ImmutableArray.CreateBuilder<BoundStatement>(b.Statements.Length);
                bool changed = false;
                foreach (var x in b.Statements)
                {
                    var rewritten = x is BoundWhile w && AsFor(w, known) is { } f && Unrolled(f) is { } unrolled ? unrolled : Statement(x);
                    changed |= !ReferenceEquals(rewritten, x);
                    statements.Add(rewritten);
                    foreach (var v in Written(x)) known.Remove(v);
                    switch (x)
                    {
                        case BoundVariableDeclaration { Initializer: BoundLiteral c } d:
                            known[d.Variable] = c.Value;
                            break;
                        case BoundExpressionStatement { Expression: BoundAssignment { CompoundOperator: null, Target: BoundVariable v, Value: BoundLiteral c } }:
                            known[v.Variable] = c.Value;
                            break;
                    }
                }
                return changed ? new BoundBlock(statements.ToImmutable(), b.Span) : b;
            }

            /// <summary><c>while (cond) { body; k++; }</c> with k known to hold C: <c>for (k = C; cond; k++) { body }</c>.</summary>
            private static BoundFor? AsFor(BoundWhile w, Dictionary<VariableSymbol, long> known)
            {
                if (w.IsDoWhile || w.Body is not BoundBlock { Statements: { Length: > 0 } body }) return null;
                if (body[body.Length - 1] is not BoundExpressionStatement { Expression: var step }) return null;
                var counter = step switch
                {
                    BoundIncrement { Target: BoundVariable v } => v.Variable,
                    BoundAssignment { CompoundOperator: BoundBinaryOperator.Add or BoundBinaryOperator.Subtract, Target: BoundVariable v, Value: BoundLiteral } => v.Variable,
                    _ => null,
                };
                if (counter is null || !known.TryGetValue(counter, out long first)) return null;
                var start = new BoundExpressionStatement(new BoundAssignment(new BoundVariable(counter, w.Span), null, counter.Type.IsUnsigned,
                    new BoundLiteral(first, counter.Type, w.Span), w.Span), w.Span);
                return new BoundFor(start, w.Condition, step, new BoundBlock(body.RemoveAt(body.Length - 1), w.Body.Span), w.Span);
            }

            /// <summary>The variables a statement may change: declared, assigned, stepped, or given away by address.</summary>
            private static IEnumerable<VariableSymbol> Written(BoundStatement s)
            {
                foreach (var x in BoundTree.Statements(s))
                    if (x is BoundVariableDeclaration d) yield return d.Variable;
                foreach (var e in BoundTree.AllExpressions(s))
                    switch (e)
                    {
                        case BoundAssignment { Target: BoundVariable v }: yield return v.Variable; break;
                        case BoundIncrement { Target: BoundVariable v }: yield return v.Variable; break;
                        case BoundAddressOf { Operand: BoundVariable v }: yield return v.Variable; break;
                    }
            }

            private BoundStatement Unroll(BoundFor f, VariableSymbol counter, long first, long step, int trips)
            {
                var statements = ImmutableArray.CreateBuilder<BoundStatement>();
                for (int k = 0; k < trips; k++)
                    statements.Add(new CounterSubstitution(counter, first + k * step).Statement(f.Body));
                bool declared = f.Initializer is BoundVariableDeclaration;
                if (declared) Removed.Add(counter);
                else if (LiveAfter(f, counter))
                {
                    // the value the counter leaves the loop with: C's, for a later read
                    var after = new BoundLiteral(first + trips * step, counter.Type, f.Span);
                    statements.Add(new BoundExpressionStatement(
                        new BoundAssignment(new BoundVariable(counter, f.Span), null, counter.Type.IsUnsigned, after, f.Span), f.Span));
                }
                return new BoundBlock(statements.ToImmutable(), f.Span);
            }

            /// <summary>
            /// Whether <paramref name="counter"/> may be read after the loop: its next occurrence after the loop's text is
            /// not a plain store (as <c>i = 0</c> of a later loop), or the loop is inside another loop.
            /// </summary>
            private bool LiveAfter(BoundFor f, VariableSymbol counter)
            {
                var all = new Occurrences(_function.Body);
                if (all.InLoopAround(f)) return all.Contains(counter, outside: f);
                foreach (var (at, write) in all.Of(counter))
                    if (at >= f.Span.End) return !write;
                return false;
            }

            /// <summary>
            /// The loop's counter, first value, step and trip count, when it is one GCC counts: <c>i = c0</c>, then
            /// <c>i &lt; K</c>, <c>i &lt;= K</c> or <c>i != K</c> (or &gt;, &gt;= counting down), <c>i++</c>/<c>i--</c> or
            /// <c>i += 1</c>, with constants c0 and K, i an int-sized local or parameter the body does not write and whose
            /// address is not taken, and a body without other exits or loops.
            /// </summary>
            private (VariableSymbol Counter, long First, long Step, int Trips)? Counted(BoundFor f)
            {
                VariableSymbol? counter;
                long first;
                switch (f.Initializer)
                {
                    case BoundVariableDeclaration { Initializer: BoundLiteral c } d:
                        (counter, first) = (d.Variable, c.Value);
                        break;
                    case BoundExpressionStatement { Expression: BoundAssignment { CompoundOperator: null, Target: BoundVariable v, Value: BoundLiteral c } }:
                        (counter, first) = (v.Variable, c.Value);
                        break;
                    default:
                        return null;
                }
                if (!counter.Type.IsInteger || counter.Type.Size != 4 || _addressTaken.Contains(counter)) return null;
                long step = f.Step switch
                {
                    BoundIncrement { Target: BoundVariable v } i when v.Variable == counter => i.Delta,
                    BoundAssignment { CompoundOperator: BoundBinaryOperator.Add, Target: BoundVariable v, Value: BoundLiteral c } when v.Variable == counter => c.Value,
                    BoundAssignment { CompoundOperator: BoundBinaryOperator.Subtract, Target: BoundVariable v, Value: BoundLiteral c } when v.Variable == counter => -c.Value,
                    _ => 0,
                };
                if (step is not (1 or -1)) return null;
                if (f.Condition is not BoundBinary { Left: var l, Right: var r } test) return null;
                var op = test.Operator;
                BoundLiteral? bound;
                if (l is BoundVariable lv && lv.Variable == counter && r is BoundLiteral rb) bound = rb;
                else if (r is BoundVariable rv && rv.Variable == counter && l is BoundLiteral lb) { bound = lb; op = Mirror(op); }
                else return null;
                long k = bound.Value, trips = (op, step) switch
                {
                    (BoundBinaryOperator.Less, 1) => k - first,
                    (BoundBinaryOperator.LessOrEqual, 1) => k - first + 1,
                    (BoundBinaryOperator.Greater, -1) => first - k,
                    (BoundBinaryOperator.GreaterOrEqual, -1) => first - k + 1,
                    (BoundBinaryOperator.NotEqual, _) => (k - first) * step,
                    _ => -1,
                };
                bool inRange(long x) => counter.Type.IsUnsigned ? x >= 0 && x <= uint.MaxValue : x >= int.MinValue && x <= int.MaxValue;
                if (trips < 1 || trips > MaxPeelTimes || !inRange(first) || !inRange(k)) return null;
                if (!SimpleBody.Is(f.Body, counter)) return null;
                return (counter, first, step, (int)trips);
            }

            private static BoundBinaryOperator Mirror(BoundBinaryOperator op) => op switch
            {
                BoundBinaryOperator.Less => BoundBinaryOperator.Greater,
                BoundBinaryOperator.LessOrEqual => BoundBinaryOperator.GreaterOrEqual,
                BoundBinaryOperator.Greater => BoundBinaryOperator.Less,
                BoundBinaryOperator.GreaterOrEqual => BoundBinaryOperator.LessOrEqual,
                _ => op,
            };
        }

        /// <summary>A body the unroller copies: no exit but the test, no loop or switch of its own, the counter only read.</summary>
        private static class SimpleBody
        {
            public static bool Is(BoundStatement body, VariableSymbol counter)
            {
                foreach (var s in BoundTree.Statements(body))
                    if (s is not (BoundBlock or BoundIf or BoundExpressionStatement or BoundVariableDeclaration) ||
                        s is BoundVariableDeclaration d && d.Variable == counter)
                        return false;
                return !BoundTree.AllExpressions(body).Any(e =>
                    e is BoundAssignment { Target: BoundVariable a } && a.Variable == counter ||
                    e is BoundIncrement { Target: BoundVariable i } && i.Variable == counter);
            }
        }

        /// <summary>The counter's reads become the iteration's constant, folded where that makes a constant.</summary>
        private sealed class CounterSubstitution : BoundTreeRewriter
        {
            private readonly VariableSymbol _counter;
            private readonly long _value;

            public CounterSubstitution(VariableSymbol counter, long value)
            {
                _counter = counter;
                _value = value;
            }

            public override BoundExpression Expression(BoundExpression e)
            {
                if (e is BoundVariable v && v.Variable == _counter) return new BoundLiteral(_value, v.Type, v.Span);
                var rewritten = base.Expression(e);
                return ConstantPropagation.Fold(rewritten) ?? rewritten;
            }
        }
    }
}
