using System.Collections.Generic;
using System.Linq;
using KDsl.Binding;
using KDsl.Symbols;

namespace KDsl.CodeGen
{
    /// <summary>
    /// Where each variable occurs in a function's text, and whether the occurrence only stores to it (a declaration's
    /// initialisation, a plain assignment's target); which have their address taken; where the loops are. Positions are
    /// the occurrences' places in the source text, which is their order in straight-line code.
    /// </summary>
    internal sealed class Occurrences
    {
        /// <summary>Each variable's occurrences, in text order once built.</summary>
        private readonly Dictionary<VariableSymbol, List<(int At, bool Write)>> _of = new Dictionary<VariableSymbol, List<(int, bool)>>();
        private readonly List<BoundStatement> _loops = new List<BoundStatement>();

        public Occurrences(BoundStatement body)
        {
            var expressions = BoundTree.AllExpressions(body);
            // a plain assignment's target is stored to, not read: known by the node itself
            var stores = new HashSet<BoundExpression>(expressions.OfType<BoundAssignment>()
                .Where(a => a.CompoundOperator is null && a.Target is BoundVariable).Select(a => a.Target));
            foreach (var e in expressions)
            {
                if (e is BoundVariable v) Add(v.Variable, v.Span.Start, stores.Contains(v));
                else if (e is BoundAddressOf { Operand: BoundVariable av }) AddressTaken.Add(av.Variable);
            }
            foreach (var s in BoundTree.Statements(body))
            {
                if (s is BoundVariableDeclaration { Initializer: not null } d) Add(d.Variable, d.Span.Start, true);
                else if (s is BoundFor or BoundWhile) _loops.Add(s);
                else if (s is BoundLabelStatement or BoundGoto) HasLabels = true;
            }
            foreach (var list in _of.Values) list.Sort((a, b) => a.At.CompareTo(b.At));
        }

        private void Add(VariableSymbol v, int at, bool write)
        {
            if (!_of.TryGetValue(v, out var list)) _of[v] = list = new List<(int, bool)>();
            list.Add((at, write));
        }

        public HashSet<VariableSymbol> AddressTaken { get; } = new HashSet<VariableSymbol>();

        /// <summary>The text has a label or a goto: its statements need not run in their order.</summary>
        public bool HasLabels { get; }

        public IEnumerable<(VariableSymbol Variable, bool Write)> All =>
            _of.SelectMany(pair => pair.Value.Select(o => (pair.Key, o.Write)));

        /// <summary><paramref name="v"/>'s occurrences in text order: where, and whether only stored to.</summary>
        public IReadOnlyList<(int At, bool Write)> Of(VariableSymbol v) =>
            _of.TryGetValue(v, out var list) ? list : (IReadOnlyList<(int, bool)>)System.Array.Empty<(int, bool)>();

        public bool Contains(VariableSymbol v) => _of.ContainsKey(v);

        /// <summary>Whether <paramref name="v"/> occurs outside <paramref name="outside"/>'s text.</summary>
        public bool Contains(VariableSymbol v, BoundStatement outside) =>
            Of(v).Any(o => o.At < outside.Span.Start || o.At >= outside.Span.End);

        /// <summary>Whether another loop's text encloses <paramref name="loop"/>'s.</summary>
        public bool InLoopAround(BoundStatement loop) =>
            _loops.Any(l => !ReferenceEquals(l, loop) && l.Span.Start <= loop.Span.Start && loop.Span.End <= l.Span.End);
    }
}
