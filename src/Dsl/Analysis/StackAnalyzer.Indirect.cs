using System;
using System.Collections.Generic;
using KDsl.Binding;
using KDsl.Symbols;

namespace KDsl.Analysis
{
    /// <summary>
    /// Calls through a pointer: the analysis cannot see the target, so it assumes the worst function the pointer can
    /// hold, any module function whose address the file takes (a function name used as a value, in code or in a static
    /// initializer) with the pointer's type. A function whose address is also used as another type (a cast, a long,
    /// call_ptr's untyped address) may be reached by any of them, and call_ptr may reach every one. A call with no such
    /// function still costs its return address.
    /// </summary>
    public sealed partial class StackAnalyzer
    {
        /// <summary>Link names of the module functions whose address is taken, in source order.</summary>
        private readonly List<string> _addressTaken = new List<string>();
        /// <summary>Those whose address is also used as something else than a pointer to their own type.</summary>
        private readonly HashSet<string> _untyped = new HashSet<string>(StringComparer.Ordinal);
        /// <summary>Caller and callee of each step the worst case takes through a pointer (the path says so).</summary>
        private readonly HashSet<(string From, string To)> _indirect = new HashSet<(string, string)>();

        private void CollectAddressTaken(BoundProgram program)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            void Add(string name, bool typed)
            {
                if (!_frames.ContainsKey(name)) return;
                if (seen.Add(name)) _addressTaken.Add(name);
                if (!typed) _untyped.Add(name);
            }
            foreach (var f in program.Functions)
                foreach (var s in BoundTree.Statements(f.Body))
                    foreach (var e in BoundTree.OwnExpressions(s))
                        BoundTree.Visit(e, x =>
                        {
                            if (x is BoundFunctionAddress a) Add(a.Function.LinkName, a.Type.Equals(a.Function.PointerType));
                            else if (x is BoundConversion { Operand: BoundFunctionAddress cast }) Add(cast.Function.LinkName, typed: false);
                        });
            foreach (var g in program.Globals)
                foreach (var p in g.Data.Pointers)
                    if (p.Symbol is not null && _functions.TryGetValue(p.Symbol, out var function))
                        Add(p.Symbol, p.Addend == 0 && p.Type is not null && p.Type.Equals(function.Symbol.PointerType));
        }

        /// <summary>
        /// The costliest function the indirect call <paramref name="call"/> may reach (null when none) and its cost: one of
        /// the callee's type, or any for call_ptr and a call not matched to its source.
        /// </summary>
        private long IndirectCost(GuardedCall? call, out string? worst)
        {
            var type = call?.Call.Callee?.Type;
            worst = null;
            long best = 8;
            foreach (var candidate in _addressTaken)
            {
                if (type is not null && !_untyped.Contains(candidate) && !_functions[candidate].Symbol.PointerType.Equals(type)) continue;
                long cost = Cost(candidate, Array.Empty<long?>());
                if (cost <= best && worst is not null) continue;
                best = Math.Max(best, cost);
                worst = candidate;
            }
            return best;
        }
    }
}
