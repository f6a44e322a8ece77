using System;
using System.Collections.Generic;

namespace KDsl.Binding
{
    /// <summary>
    /// The bound tree's shape in one place, for the questions that need every node but no evaluation order (does an
    /// expression call anything, where may a local's address go). Analyses that care about order (Liveness, CallGuards)
    /// walk the tree themselves.
    /// </summary>
    public static class BoundTree
    {
        /// <summary>Whether <paramref name="match"/> holds for the expression or any expression inside it.</summary>
        public static bool Contains(BoundExpression e, Func<BoundExpression, bool> match)
        {
            if (match(e)) return true;
            switch (e)
            {
                case BoundBinary b: return Contains(b.Left, match) || Contains(b.Right, match);
                case BoundLogical l: return Contains(l.Left, match) || Contains(l.Right, match);
                case BoundConditional c: return Contains(c.Condition, match) || Contains(c.WhenTrue, match) || Contains(c.WhenFalse, match);
                case BoundSequence s: return Contains(s.Left, match) || Contains(s.Right, match);
                case BoundAssignment a: return Contains(a.Target, match) || Contains(a.Value, match);
                case BoundUnary u: return Contains(u.Operand, match);
                case BoundConversion c: return Contains(c.Operand, match);
                case BoundDereference d: return Contains(d.Pointer, match);
                case BoundAddressOf a: return Contains(a.Operand, match);
                case BoundIncrement i: return Contains(i.Target, match);
                case BoundCall c:
                    if (c.Callee is not null && Contains(c.Callee, match)) return true;
                    foreach (var argument in c.Arguments)
                        if (Contains(argument, match)) return true;
                    return false;
                default: return false;
            }
        }

        /// <summary>Calls <paramref name="visit"/> on the expression and every expression inside it.</summary>
        public static void Visit(BoundExpression e, Action<BoundExpression> visit) => Contains(e, x => { visit(x); return false; });

        /// <summary>The statement and every statement nested in it.</summary>
        public static IEnumerable<BoundStatement> Statements(BoundStatement s)
        {
            yield return s;
            var nested = s switch
            {
                BoundBlock b => (IEnumerable<BoundStatement>)b.Statements,
                BoundIf i => i.Else is null ? new[] { i.Then } : new[] { i.Then, i.Else },
                BoundWhile w => new[] { w.Body },
                BoundFor f => f.Initializer is null ? new[] { f.Body } : new[] { f.Initializer, f.Body },
                BoundSwitch sw => new[] { sw.Body },
                _ => Array.Empty<BoundStatement>(),
            };
            foreach (var child in nested)
                foreach (var x in Statements(child))
                    yield return x;
        }

        /// <summary>Every expression in the statement and the statements nested in it, each with those inside it.</summary>
        public static List<BoundExpression> AllExpressions(BoundStatement s)
        {
            var all = new List<BoundExpression>();
            foreach (var statement in Statements(s))
                foreach (var e in OwnExpressions(statement))
                    Visit(e, all.Add);
            return all;
        }

        /// <summary>The expressions a statement evaluates itself (not those of the statements nested in it).</summary>
        public static IEnumerable<BoundExpression> OwnExpressions(BoundStatement s)
        {
            switch (s)
            {
                case BoundVariableDeclaration { Initializer: { } init }: yield return init; break;
                case BoundExpressionStatement e: yield return e.Expression; break;
                case BoundIf i: yield return i.Condition; break;
                case BoundWhile w: yield return w.Condition; break;
                case BoundFor f:
                    if (f.Condition is not null) yield return f.Condition;
                    if (f.Step is not null) yield return f.Step;
                    break;
                case BoundReturn { Value: { } value }: yield return value; break;
                case BoundSwitch sw: yield return sw.Value; break;
            }
        }
    }
}
