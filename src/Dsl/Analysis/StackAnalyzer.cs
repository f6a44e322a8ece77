using System;
using System.Collections.Generic;
using System.Linq;
using KDsl.Binding;
using KDsl.Diagnostics;
using KDsl.Image;
using KDsl.Profiles;
using KDsl.Symbols;
using KDsl.Text;

namespace KDsl.Analysis
{
    /// <summary>
    /// Static worst-case stack analysis, like GNATstack over the exact emitted code: frames read off the machine
    /// code (<see cref="FrameReader"/>), calls into the kernel costed from the profile's calibrated text
    /// (<see cref="KernelCosts"/>), recursion bounded where its depth follows from constant arguments
    /// (<see cref="CallGuards"/>, <see cref="ConstantEvaluator"/>). Never runs the experiment.
    /// </summary>
    public sealed class StackAnalyzer
    {
        /// <summary>Deeper than this many activations overflows any THREAD_SIZE KDsl has (32 KiB at 8 bytes a level).</summary>
        private const int MaxActivations = 4096;
        private const long Unbounded = long.MaxValue / 4;

        private readonly KernelProfile _profile;
        private readonly SourceText _source;
        private readonly int _threadSize;
        private readonly KernelCosts _kernel;
        private readonly Dictionary<string, FunctionFrame> _frames = new Dictionary<string, FunctionFrame>();
        private readonly Dictionary<string, BoundFunction> _functions = new Dictionary<string, BoundFunction>();
        private readonly Dictionary<string, List<(CallSite Site, GuardedCall? Call)>> _calls = new Dictionary<string, List<(CallSite, GuardedCall?)>>();
        private readonly Dictionary<string, HashSet<VariableSymbol>> _assigned = new Dictionary<string, HashSet<VariableSymbol>>();
        private readonly Dictionary<string, long> _costs = new Dictionary<string, long>();
        private readonly HashSet<string> _inProgress = new HashSet<string>();
        private readonly HashSet<BoundCall> _unboundedCalls = new HashSet<BoundCall>();
        /// <summary>`max_depth N` of each function that states one (by link name).</summary>
        private readonly SortedDictionary<string, int> _maxDepth = new SortedDictionary<string, int>(StringComparer.Ordinal);
        /// <summary>Activations of each function on the path being costed, walked or printed.</summary>
        private readonly Dictionary<string, int> _active = new Dictionary<string, int>();
        private int _activations;
        private readonly System.Text.StringBuilder _keyBuilder = new System.Text.StringBuilder();

        private StackAnalyzer(BoundProgram program, ModuleImage image, SourceText source, KernelProfile profile)
        {
            _profile = profile;
            _source = source;
            _threadSize = program.Config.ThreadSize;
            _kernel = new KernelCosts(profile);
            foreach (var f in program.Functions)
            {
                _functions[f.Symbol.LinkName] = f;
                if (f.Symbol.MaxDepth is int bound) _maxDepth[f.Symbol.LinkName] = bound;
            }
            foreach (var symbol in image.Symbols)
            {
                if (symbol.Section != Section.Text || !_functions.TryGetValue(symbol.Name, out var bound)) continue;
                var frame = FrameReader.Read(image, symbol);
                _frames[symbol.Name] = frame;
                _assigned[symbol.Name] = CallGuards.AssignedVariables(bound);
                _calls[symbol.Name] = Match(frame, CallGuards.Collect(bound));
            }
        }

        public static StackReport Analyze(BoundProgram program, ModuleImage image, SourceText source, KernelProfile profile, int frameWarn,
            List<Diagnostic> diagnostics)
        {
            var analyzer = new StackAnalyzer(program, image, source, profile);
            var functions = new List<FunctionStackUsage>();
            foreach (var f in program.Functions)
            {
                if (!analyzer._frames.TryGetValue(f.Symbol.LinkName, out var frame)) continue;
                var position = source.GetLinePosition(f.Symbol.NameSpan.Start);
                functions.Add(new FunctionStackUsage(f.Symbol.LinkName, position.Line + 1, position.Character + 1, frame.FrameSize, frame.LocalSize));
                if (frameWarn > 0 && frame.LocalSize > frameWarn)
                    diagnostics.Add(analyzer.Report(DiagnosticDescriptors.FrameLargerThanWarn, f.Symbol.NameSpan,
                        $"the frame size of {frame.LocalSize} bytes is larger than {frameWarn} bytes"));
            }

            var entries = new List<EntryStackUsage>();
            foreach (var f in program.Functions)
            {
                if (f.Symbol.Kind is not (FunctionKind.Init or FunctionKind.Exit)) continue;
                entries.Add(analyzer.AnalyzeEntry(f, diagnostics));
            }
            foreach (var call in analyzer._unboundedCalls)
                diagnostics.Add(analyzer.Report(DiagnosticDescriptors.UnboundedRecursion, call.Span,
                    $"the recursion through '{call.Function.Name}' has no bound KDsl can prove from constant arguments; it is assumed to go on until the stack overflows"));
            functions.Sort((a, b) => b.FrameSize.CompareTo(a.FrameSize));
            return new StackReport(functions, entries, analyzer._threadSize);
        }

        private EntryStackUsage AnalyzeEntry(BoundFunction entry, List<Diagnostic> diagnostics)
        {
            string name = entry.Symbol.LinkName;
            int inUse = _profile.StackInUseAtInitCall; // exit runs from delete_module's path; the same depth is assumed
            long cost = Cost(name, Array.Empty<long?>());
            long worst = cost >= Unbounded ? long.MaxValue : inUse + cost;
            string path = Path(name, Array.Empty<long?>());
            var overflow = Descend(name, Array.Empty<long?>(), inUse, new List<string>(), null, out BoundCall? at);

            if (overflow is not null)
                diagnostics.Add(Report(DiagnosticDescriptors.StackOverflowPredicted, at?.Span ?? entry.Symbol.NameSpan,
                    $"{entry.Symbol.Name}: {overflow} (path: {path})"));
            else
                diagnostics.Add(Report(DiagnosticDescriptors.StackSummary, entry.Symbol.NameSpan,
                    $"{entry.Symbol.Name} uses at most {worst} of {_threadSize} bytes of stack (path: {path})"));
            return new EntryStackUsage(name, worst, path, cost >= Unbounded, overflow);
        }

        /// <summary>Bytes a call of the function uses below the caller's RSP at its deepest, its return address included.</summary>
        private long Cost(string function, long?[] args)
        {
            if (!_frames.TryGetValue(function, out var frame)) return 8;
            string key = Key(function, args);
            if (_costs.TryGetValue(key, out long cached)) return cached;
            if (_inProgress.Contains(key) || _activations >= MaxActivations || !HostStackLeft()) return Unbounded;

            _inProgress.Add(key);
            _activations++;
            Enter(function);
            long best = frame.FrameSize;
            var known = Known(function, args);
            foreach (var (site, call) in _calls[function])
            {
                if (!Reachable(call, known) || Capped(site)) continue;
                long callee = CalleeCost(site, call, known, out bool recursed);
                if (recursed && callee >= Unbounded && call is not null) _unboundedCalls.Add(call.Call);
                best = Math.Max(best, Add(site.Depth, callee));
            }
            Leave(function);
            _activations--;
            _inProgress.Remove(key);
            // A cost that ran into the activation cap stays uncached so another path can compute it afresh.
            if (best < Unbounded) _costs[key] = best;
            return best;
        }

        private long CalleeCost(CallSite site, GuardedCall? call, Dictionary<VariableSymbol, long> known, out bool recursed)
        {
            recursed = false;
            if (site.Target is null) return 8; // an indirect call: its callee is unknown (none are emitted today)
            if (site.IsKernel) return _kernel.CostOf(site.Target);
            var args = Arguments(call, known);
            recursed = _inProgress.Contains(Key(site.Target, args)) || _activations >= MaxActivations;
            return Cost(site.Target, args);
        }

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
                    if (site.Target is null) continue;
                    if (site.IsKernel)
                    {
                        long need = here + _kernel.CostOf(site.Target);
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
                var known = Known(function, args);
                foreach (var (site, call) in _calls[function])
                {
                    if (!Reachable(call, known) || site.Target is null || Capped(site)) continue;
                    var calleeArgs = Arguments(call, known);
                    long total = Add(site.Depth, site.IsKernel ? _kernel.CostOf(site.Target) : Cost(site.Target, calleeArgs));
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

        /// <summary>Pairs each call instruction with the bound call it came from: the k-th call of g in code order is the k-th in evaluation order.</summary>
        private List<(CallSite, GuardedCall?)> Match(FunctionFrame frame, List<GuardedCall> calls)
        {
            var byTarget = new Dictionary<string, Queue<GuardedCall>>();
            foreach (var c in calls)
            {
                string target = c.Call.Function.Kind == FunctionKind.Kernel && c.Call.Function.Name == "printk" ? _profile.PrintkSymbol : c.Call.Function.LinkName;
                if (!byTarget.TryGetValue(target, out var q)) byTarget[target] = q = new Queue<GuardedCall>();
                q.Enqueue(c);
            }
            var result = new List<(CallSite, GuardedCall?)>();
            foreach (var site in frame.Calls)
            {
                GuardedCall? call = null;
                if (site.Target is not null && byTarget.TryGetValue(site.Target, out var q) && q.Count > 0) call = q.Dequeue();
                result.Add((site, call));
            }
            return result;
        }

        private Dictionary<VariableSymbol, long> Known(string function, long?[] args)
        {
            var known = new Dictionary<VariableSymbol, long>();
            if (!_functions.TryGetValue(function, out var f)) return known;
            var assigned = _assigned[function];
            for (int i = 0; i < args.Length && i < f.Symbol.Parameters.Length; i++)
                if (args[i] is long value && !assigned.Contains(f.Symbol.Parameters[i])) known[f.Symbol.Parameters[i]] = value;
            return known;
        }

        private static bool Reachable(GuardedCall? call, Dictionary<VariableSymbol, long> known)
        {
            if (call is null) return true;
            foreach (var (condition, mustBe) in call.Guards)
                if (ConstantEvaluator.Evaluate(condition, known) is long value && (value != 0) != mustBe) return false;
            return true;
        }

        private static long?[] Arguments(GuardedCall? call, Dictionary<VariableSymbol, long> known)
        {
            if (call is null) return Array.Empty<long?>();
            var args = new long?[call.Call.Arguments.Length];
            for (int i = 0; i < args.Length; i++) args[i] = ConstantEvaluator.Evaluate(call.Call.Arguments[i], known);
            return args;
        }

        /// <summary>
        /// The memo key of an activation about to start: the function and its known arguments, plus, when functions state
        /// a max_depth, how many activations of each such function the stack holds (its cost depends on what is left).
        /// </summary>
        private string Key(string function, long?[] args)
        {
            var sb = _keyBuilder.Clear().Append(function).Append('(');
            for (int i = 0; i < args.Length; i++)
            {
                if (i > 0) sb.Append(',');
                if (args[i] is long value) sb.Append(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
                else sb.Append('?');
            }
            sb.Append(')');
            foreach (var bounded in _maxDepth.Keys)
                sb.Append('@').Append(ActiveCount(bounded) + (bounded == function ? 1 : 0));
            return sb.ToString();
        }

        private int ActiveCount(string function) => _active.TryGetValue(function, out int n) ? n : 0;

        private void Enter(string function) => _active[function] = ActiveCount(function) + 1;

        private void Leave(string function)
        {
            int n = ActiveCount(function) - 1;
            if (n <= 0) _active.Remove(function);
            else _active[function] = n;
        }

        /// <summary>A call the author's bound rules out: its target states max_depth N and N activations are already on the stack.</summary>
        private bool Capped(CallSite site) =>
            site.Target is not null && !site.IsKernel && _maxDepth.TryGetValue(site.Target, out int bound) && ActiveCount(site.Target) >= bound;

        /// <summary>
        /// False when the host thread's stack is nearly used up (a chain of thousands of distinct functions, found by the
        /// compiler fuzz tests): the walk then stops as at <see cref="MaxActivations"/> instead of overflowing the host
        /// (a Roslyn generator may run on a 1 MiB stack).
        /// </summary>
        private static bool HostStackLeft()
        {
            try
            {
                System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
                return true;
            }
            catch (InsufficientExecutionStackException)
            {
                return false;
            }
        }

        private static long Add(long a, long b) => a >= Unbounded || b >= Unbounded ? Unbounded : a + b;

        private Diagnostic Report(DiagnosticDescriptor descriptor, TextSpan span, string message) =>
            new Diagnostic(descriptor.Id, descriptor.DefaultSeverity, _source.GetLocation(span), message);
    }
}
