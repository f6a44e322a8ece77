using System;
using System.Collections.Generic;
using KDsl.Binding;
using KDsl.Symbols;

namespace KDsl.Analysis
{
    /// <summary>
    /// Calls through a pointer (call_ptr): the analysis cannot see the target, so it assumes the worst function the
    /// pointer can hold, any module function whose address the file takes (a function name used as a value, in code or
    /// in a static initializer). A call with no such function still costs its return address.
    /// </summary>
    public sealed partial class StackAnalyzer
    {
        /// <summary>Link names of the module functions whose address is taken, in source order.</summary>
        private readonly List<string> _addressTaken = new List<string>();
        /// <summary>Caller and callee of each step the worst case takes through a pointer (the path says so).</summary>
        private readonly HashSet<(string From, string To)> _indirect = new HashSet<(string, string)>();

        private void CollectAddressTaken(BoundProgram program)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            void Add(string name)
            {
                if (_frames.ContainsKey(name) && seen.Add(name)) _addressTaken.Add(name);
            }
            foreach (var f in program.Functions)
                foreach (var s in BoundTree.Statements(f.Body))
                    foreach (var e in BoundTree.OwnExpressions(s))
                        BoundTree.Visit(e, x =>
                        {
                            if (x is BoundFunctionAddress a) Add(a.Function.LinkName);
                        });
            foreach (var g in program.Globals)
                foreach (var p in g.Data.Pointers)
                    if (p.Symbol is not null) Add(p.Symbol);
        }

        /// <summary>The costliest function an indirect call may reach (null when the file takes no function's address) and its cost.</summary>
        private long IndirectCost(out string? worst)
        {
            worst = null;
            long best = 8;
            foreach (var candidate in _addressTaken)
            {
                long cost = Cost(candidate, Array.Empty<long?>());
                if (cost <= best && worst is not null) continue;
                best = Math.Max(best, cost);
                worst = candidate;
            }
            return best;
        }
    }
}
