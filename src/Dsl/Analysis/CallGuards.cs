using System.Collections.Generic;
using KDsl.Binding;
using KDsl.Symbols;

namespace KDsl.Analysis
{
    /// <summary>A call in a function's body with the conditions that must hold for it to run.</summary>
    public sealed class GuardedCall
    {
        public GuardedCall(BoundCall call, IReadOnlyList<(BoundExpression Condition, bool MustBe)> guards)
        {
            Call = call;
            // a copy: the block walk goes on adding `if (c) return;` guards to its list, which hold only for the calls
            // after that statement
            Guards = new List<(BoundExpression Condition, bool MustBe)>(guards);
        }

        public BoundCall Call { get; }
        public IReadOnlyList<(BoundExpression Condition, bool MustBe)> Guards { get; }
    }

    /// <summary>
    /// Collects the calls of a function in evaluation order (arguments before the call, as the code generator emits
    /// them) with their guards: the if conditions around them, and `if (c) return;` statements before them in the
    /// same block. That is what recursion bounds follow from: `if (n > 0) rstack(n - 1);` or
    /// `if (n == 0) return; f(n - 1);` with a constant first argument.
    /// </summary>
    public static class CallGuards
    {
        public static List<GuardedCall> Collect(BoundFunction function)
        {
            var calls = new List<GuardedCall>();
            Statement(function.Body, new List<(BoundExpression, bool)>(), calls);
            return calls;
        }

        /// <summary>Parameters the function assigns to: their values are not the caller's any more.</summary>
        public static HashSet<VariableSymbol> AssignedVariables(BoundFunction function)
        {
            var assigned = new HashSet<VariableSymbol>();
            void Visit(BoundExpression e)
            {
                switch (e)
                {
                    case BoundAssignment a:
                        if (a.Target is BoundVariable v) assigned.Add(v.Variable);
                        Visit(a.Target);
                        Visit(a.Value);
                        break;
                    case BoundIncrement i:
                        if (i.Target is BoundVariable iv) assigned.Add(iv.Variable);
                        Visit(i.Target);
                        break;
                    case BoundAddressOf { Operand: BoundVariable av }:
                        assigned.Add(av.Variable); // its address escapes: anything may write it
                        break;
                    default:
                        foreach (var child in Children(e)) Visit(child);
                        break;
                }
            }
            foreach (var e in Expressions(function.Body)) Visit(e);
            return assigned;
        }

        /// <param name="s">The statement.</param>
        /// <param name="guards">The conditions that hold where it starts.</param>
        /// <param name="calls">Where its calls go, with their guards.</param>
        /// <param name="cases">The case and default labels of the switch whose body this is: reached only from the
        /// switch, so past the guards that held at it.</param>
        private static void Statement(BoundStatement s, List<(BoundExpression, bool)> guards, List<GuardedCall> calls,
            HashSet<BoundLabel>? cases = null)
        {
            switch (s)
            {
                case BoundBlock b:
                {
                    var local = new List<(BoundExpression, bool)>(guards);
                    foreach (var x in b.Statements)
                    {
                        // a label is reached by jumps that need not have passed the guards before it; a case label only by
                        // the switch's, which did pass those the block began with (not an `if (c) return;` of the case before)
                        if (x is BoundLabelStatement label)
                            local = cases is not null && cases.Contains(label.Label) ? new List<(BoundExpression, bool)>(guards) : new List<(BoundExpression, bool)>();
                        Statement(x, local, calls, cases);
                        // `if (c) return;` guards everything after it in the block with !c.
                        if (x is BoundIf { Else: null } i && EndsInReturn(i.Then))
                            local.Add((i.Condition, false));
                    }
                    break;
                }
                case BoundVariableDeclaration d:
                    if (d.Initializer is not null) Expression(d.Initializer, guards, calls);
                    break;
                case BoundExpressionStatement e:
                    Expression(e.Expression, guards, calls);
                    break;
                case BoundIf i:
                    Expression(i.Condition, guards, calls);
                    Statement(i.Then, With(guards, i.Condition, true), calls, cases);
                    if (i.Else is not null) Statement(i.Else, With(guards, i.Condition, false), calls, cases);
                    break;
                // Loops in the order the code generator lays them out: body, step, then the test at the bottom.
                case BoundWhile w:
                    Statement(w.Body, guards, calls);
                    Expression(w.Condition, guards, calls);
                    break;
                case BoundFor f:
                    if (f.Initializer is not null) Statement(f.Initializer, guards, calls);
                    Statement(f.Body, guards, calls);
                    if (f.Step is not null) Expression(f.Step, guards, calls);
                    if (f.Condition is not null) Expression(f.Condition, guards, calls);
                    break;
                case BoundReturn r:
                    if (r.Value is not null) Expression(r.Value, guards, calls);
                    break;
                case BoundSwitch sw:
                    Expression(sw.Value, guards, calls);
                    var labels = new HashSet<BoundLabel>();
                    foreach (var (_, label) in sw.Cases) labels.Add(label);
                    if (sw.Default is not null) labels.Add(sw.Default);
                    Statement(sw.Body, guards, calls, labels);
                    break;
            }
        }

        private static bool EndsInReturn(BoundStatement s) => s switch
        {
            BoundReturn => true,
            BoundBlock b => b.Statements.Length > 0 && EndsInReturn(b.Statements[b.Statements.Length - 1]),
            _ => false,
        };

        private static List<(BoundExpression, bool)> With(List<(BoundExpression, bool)> guards, BoundExpression condition, bool mustBe) =>
            new List<(BoundExpression, bool)>(guards) { (condition, mustBe) };

        private static void Expression(BoundExpression e, List<(BoundExpression, bool)> guards, List<GuardedCall> calls)
        {
            foreach (var child in Children(e)) Expression(child, guards, calls);
            if (e is BoundCall call) calls.Add(new GuardedCall(call, guards));
        }

        private static IEnumerable<BoundExpression> Children(BoundExpression e)
        {
            switch (e)
            {
                case BoundDereference d: yield return d.Pointer; break;
                case BoundAddressOf a: yield return a.Operand; break;
                case BoundUnary u: yield return u.Operand; break;
                case BoundBinary b:
                {
                    var (first, second) = CodeGen.EvaluationOrder.Operands(b.Left, b.Right); // the calls in code order
                    yield return first;
                    yield return second;
                    break;
                }
                case BoundLogical l: yield return l.Left; yield return l.Right; break;
                case BoundConditional c: yield return c.Condition; yield return c.WhenTrue; yield return c.WhenFalse; break;
                case BoundSequence q: yield return q.Left; yield return q.Right; break;
                case BoundAssignment { Target: BoundDereference d, CompoundOperator: null } a:
                {
                    var (first, second) = CodeGen.EvaluationOrder.Operands(d.Pointer, a.Value);
                    yield return first;
                    yield return second;
                    break;
                }
                case BoundAssignment { Target: BoundDereference d } a: yield return d.Pointer; yield return a.Value; break;
                case BoundAssignment a: yield return a.Value; yield return a.Target; break;
                case BoundIncrement i: yield return i.Target; break;
                case BoundConversion c: yield return c.Operand; break;
                case BoundCall c:
                    if (c.Callee is not null) yield return c.Callee; // a simple one makes no call; another is evaluated first
                    foreach (var arg in c.Arguments) yield return arg;
                    break;
            }
        }

        private static IEnumerable<BoundExpression> Expressions(BoundStatement s)
        {
            switch (s)
            {
                case BoundBlock b:
                    foreach (var x in b.Statements)
                    foreach (var e in Expressions(x)) yield return e;
                    break;
                case BoundVariableDeclaration { Initializer: { } init }: yield return init; break;
                case BoundExpressionStatement e: yield return e.Expression; break;
                case BoundIf i:
                    yield return i.Condition;
                    foreach (var e in Expressions(i.Then)) yield return e;
                    if (i.Else is not null) foreach (var e in Expressions(i.Else)) yield return e;
                    break;
                case BoundWhile w:
                    yield return w.Condition;
                    foreach (var e in Expressions(w.Body)) yield return e;
                    break;
                case BoundFor f:
                    if (f.Initializer is not null) foreach (var e in Expressions(f.Initializer)) yield return e;
                    if (f.Condition is not null) yield return f.Condition;
                    if (f.Step is not null) yield return f.Step;
                    foreach (var e in Expressions(f.Body)) yield return e;
                    break;
                case BoundReturn { Value: { } v }: yield return v; break;
                case BoundSwitch sw:
                    yield return sw.Value;
                    foreach (var e in Expressions(sw.Body)) yield return e;
                    break;
            }
        }
    }
}
