using System.Collections.Generic;
using KDsl.Binding;
using KDsl.Symbols;

namespace KDsl.CodeGen
{
    /// <summary>
    /// Where each variable occurs in a function's text, in order, and whether the occurrence only stores to it (a
    /// declaration's initialisation, a plain assignment's target); which have their address taken; where the loops are.
    /// </summary>
    internal sealed class Occurrences
    {
        private readonly List<(VariableSymbol Variable, int At, bool Write)> _all = new List<(VariableSymbol, int, bool)>();
        private readonly List<BoundStatement> _loops = new List<BoundStatement>();

        public Occurrences(BoundStatement body) => Statement(body);

        public HashSet<VariableSymbol> AddressTaken { get; } = new HashSet<VariableSymbol>();

        /// <summary>The text has a label or a goto: its statements need not run in their order.</summary>
        public bool HasLabels { get; private set; }

        public IEnumerable<(VariableSymbol Variable, bool Write)> All
        {
            get
            {
                foreach (var (v, _, write) in _all) yield return (v, write);
            }
        }

        /// <summary><paramref name="v"/>'s occurrences in text order: where, and whether only stored to.</summary>
        public IEnumerable<(int At, bool Write)> Of(VariableSymbol v)
        {
            var list = new List<(int, bool)>();
            foreach (var (x, at, write) in _all)
                if (x == v) list.Add((at, write));
            list.Sort((a, b) => a.Item1.CompareTo(b.Item1));
            return list;
        }

        public bool Contains(VariableSymbol v)
        {
            foreach (var (x, _, _) in _all)
                if (x == v) return true;
            return false;
        }

        /// <summary>Whether <paramref name="v"/> occurs outside <paramref name="outside"/>'s text.</summary>
        public bool Contains(VariableSymbol v, BoundStatement outside)
        {
            foreach (var (x, at, _) in _all)
                if (x == v && (at < outside.Span.Start || at >= outside.Span.End)) return true;
            return false;
        }

        /// <summary>Whether another loop's text encloses <paramref name="loop"/>'s.</summary>
        public bool InLoopAround(BoundStatement loop)
        {
            foreach (var l in _loops)
                if (!ReferenceEquals(l, loop) && l.Span.Start <= loop.Span.Start && loop.Span.End <= l.Span.End) return true;
            return false;
        }

        /// <summary>Every expression in <paramref name="body"/>, outer first.</summary>
        public static IEnumerable<BoundExpression> Expressions(BoundStatement body)
        {
            var roots = new List<BoundExpression>();
            Roots(body, roots);
            var stack = new Stack<BoundExpression>(roots);
            while (stack.Count > 0)
            {
                var e = stack.Pop();
                yield return e;
                foreach (var child in CompleteUnrolling.Children(e)) stack.Push(child);
            }
        }

        private static void Roots(BoundStatement s, List<BoundExpression> roots)
        {
            switch (s)
            {
                case BoundBlock b:
                    foreach (var x in b.Statements) Roots(x, roots);
                    break;
                case BoundVariableDeclaration { Initializer: { } init }:
                    roots.Add(init);
                    break;
                case BoundExpressionStatement e:
                    roots.Add(e.Expression);
                    break;
                case BoundIf i:
                    roots.Add(i.Condition);
                    Roots(i.Then, roots);
                    if (i.Else is not null) Roots(i.Else, roots);
                    break;
                case BoundWhile w:
                    roots.Add(w.Condition);
                    Roots(w.Body, roots);
                    break;
                case BoundFor f:
                    if (f.Initializer is not null) Roots(f.Initializer, roots);
                    if (f.Condition is not null) roots.Add(f.Condition);
                    if (f.Step is not null) roots.Add(f.Step);
                    Roots(f.Body, roots);
                    break;
                case BoundReturn { Value: { } value }:
                    roots.Add(value);
                    break;
                case BoundSwitch sw:
                    roots.Add(sw.Value);
                    Roots(sw.Body, roots);
                    break;
            }
        }

        private void Statement(BoundStatement s)
        {
            switch (s)
            {
                case BoundBlock b:
                    foreach (var x in b.Statements) Statement(x);
                    break;
                case BoundVariableDeclaration d:
                    if (d.Initializer is not null)
                    {
                        Expression(d.Initializer);
                        _all.Add((d.Variable, d.Span.Start, true));
                    }
                    break;
                case BoundExpressionStatement e:
                    Expression(e.Expression);
                    break;
                case BoundIf i:
                    Expression(i.Condition);
                    Statement(i.Then);
                    if (i.Else is not null) Statement(i.Else);
                    break;
                case BoundWhile w:
                    _loops.Add(w);
                    Expression(w.Condition);
                    Statement(w.Body);
                    break;
                case BoundFor f:
                    _loops.Add(f);
                    if (f.Initializer is not null) Statement(f.Initializer);
                    if (f.Condition is not null) Expression(f.Condition);
                    Statement(f.Body);
                    if (f.Step is not null) Expression(f.Step);
                    break;
                case BoundReturn { Value: { } value }:
                    Expression(value);
                    break;
                case BoundSwitch sw:
                    Expression(sw.Value);
                    Statement(sw.Body);
                    break;
                case BoundLabelStatement or BoundGoto:
                    HasLabels = true;
                    break;
            }
        }

        private void Expression(BoundExpression e)
        {
            switch (e)
            {
                case BoundVariable v:
                    _all.Add((v.Variable, v.Span.Start, false));
                    break;
                case BoundAssignment { CompoundOperator: null, Target: BoundVariable t } a:
                    Expression(a.Value);
                    _all.Add((t.Variable, t.Span.Start, true));
                    break;
                case BoundAddressOf { Operand: BoundVariable av }:
                    AddressTaken.Add(av.Variable);
                    _all.Add((av.Variable, av.Span.Start, false));
                    break;
                default:
                    foreach (var child in CompleteUnrolling.Children(e)) Expression(child);
                    break;
            }
        }
    }
}
