using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using KDsl.Binding;
using KDsl.Diagnostics;
using KDsl.Image;
using KDsl.Profiles;
using KDsl.Symbols;
using KDsl.Text;

namespace KDsl.Analysis
{
    /// <summary>The walk along the costed calls: where the stack first overflows (Descend), and the worst path as printed (Path).</summary>
    public sealed partial class StackAnalyzer
    {
        /// <summary>
        /// Follows the execution in order (each call site of each activation once, as the worst case assumes) and
        /// returns the first point where the stack in use exceeds THREAD_SIZE.
        /// </summary>
        private StackOverflowPoint? Descend(string function, long?[] args, long used, List<string> active, BoundCall? via, out BoundCall? at)
        {
            at = via;
            if (!HostStackLeft()) return null; // a call chain too deep for the host's stack: no overflow point is reported
            var frame = _frames[function];
            active.Add(function);
            Enter(function);
            int depth = ActiveCount(function);
            try
            {
                if (used + frame.FrameSize > _threadSize)
                    return new StackOverflowPoint(function, depth, (int)Math.Min(int.MaxValue, used + frame.FrameSize), _threadSize, null);
                var known = Known(function, args);
                foreach (var (site, call) in _calls[function])
                {
                    if (!Reachable(call, known) || Capped(site)) continue;
                    long here = used + site.Depth;
                    if (site.Target is null)
                    {
                        long cost = IndirectCost(call, out string? worst);
                        if (worst is not null && Add(here, cost) > _threadSize && active.Count < MaxActivations)
                            return Descend(worst, Array.Empty<long?>(), here, active, call?.Call, out at);
                        continue;
                    }
                    if (site.IsKernel)
                    {
                        long need = here + _kernel.CostOf(site);
                        if (need > _threadSize)
                        {
                            at = call?.Call ?? via;
                            return new StackOverflowPoint(function, depth, (int)Math.Min(int.MaxValue, need), _threadSize, site.Target);
                        }
                        continue;
                    }
                    var calleeArgs = Arguments(call, known);
                    if (Add(here, Cost(site.Target, calleeArgs)) > _threadSize && active.Count < MaxActivations)
                        return Descend(site.Target, calleeArgs, here, active, call?.Call, out at);
                }
                return null;
            }
            finally
            {
                Leave(function);
                active.RemoveAt(active.Count - 1);
            }
        }

        /// <summary>The worst path, with consecutive activations of one function folded: "init → rstack ×101 → _printk".</summary>
        private string Path(string entry, long?[] entryArgs)
        {
            var steps = new List<string>();
            string? function = entry;
            long?[] args = entryArgs;
            var entered = new List<string>();
            while (function is not null && steps.Count < MaxActivations)
            {
                steps.Add(function);
                Enter(function);
                entered.Add(function);
                string? next = null, kernel = null;
                long?[] nextArgs = Array.Empty<long?>();
                long best = _frames[function].FrameSize;
                // Costed already (so bounded): the choice below was recorded then. Not when a function states max_depth:
                // the path's own activations then decide what is capped.
                if (_maxDepth.Count == 0 && _costs.TryGetValue(Key(function, args), out var successor))
                {
                    if (successor.Kernel is not null) steps.Add(successor.Kernel);
                    function = successor.Next;
                    args = successor.Args;
                    continue;
                }
                var known = Known(function, args);
                foreach (var (site, call) in _calls[function])
                {
                    if (!Reachable(call, known) || Capped(site)) continue;
                    if (site.Target is null)
                    {
                        long indirect = Add(site.Depth, IndirectCost(call, out string? worst));
                        if (worst is null || indirect <= best) continue;
                        _indirect.Add((function, worst));
                        best = indirect;
                        (next, kernel, nextArgs) = (worst, null, Array.Empty<long?>());
                        continue;
                    }
                    var calleeArgs = Arguments(call, known);
                    long total = Add(site.Depth, site.IsKernel ? _kernel.CostOf(site) : Cost(site.Target, calleeArgs));
                    if (total <= best) continue;
                    best = total;
                    (next, kernel, nextArgs) = site.IsKernel ? (null, site.Target, calleeArgs) : (site.Target, (string?)null, calleeArgs);
                }
                if (kernel is not null) steps.Add(kernel);
                if (best >= Unbounded)
                {
                    if (next is not null) steps.Add(next);
                    steps.Add("…");
                    break;
                }
                function = next;
                args = nextArgs;
            }
            foreach (string f in entered) Leave(f);
            for (int i = 1; i < steps.Count; i++)
                if (_indirect.Contains((steps[i - 1], steps[i]))) steps[i] += " (through a pointer)";
            return Fold(steps);
        }

        private static string Fold(List<string> steps)
        {
            var parts = new List<string>();
            for (int i = 0; i < steps.Count;)
            {
                int j = i;
                while (j < steps.Count && steps[j] == steps[i]) j++;
                parts.Add(j - i > 1 ? $"{steps[i]} ×{j - i}" : steps[i]);
                i = j;
            }
            return string.Join(" → ", parts);
        }
    }
}
