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
    /// <summary>
    /// Static worst-case stack analysis, like GNATstack over the exact emitted code: frames read off the machine
    /// code (<see cref="FrameReader"/>), calls into the kernel costed from the profile's calibrated text
    /// (<see cref="KernelCosts"/>), recursion bounded where its depth follows from constant arguments
    /// (<see cref="CallGuards"/>, <see cref="ConstantEvaluator"/>). Never runs the experiment.
    /// </summary>
    public sealed partial class StackAnalyzer
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
        /// <summary>Per function, which parameters its body assigns (their values are not the caller's any more).</summary>
        private readonly Dictionary<string, bool[]> _assigned = new Dictionary<string, bool[]>();
        /// <summary>
        /// Each costed activation's cost and the call <see cref="Path"/> follows from it (the first call of the largest
        /// total over the calls with a target), recorded while costing so the path is not evaluated again level by level.
        /// </summary>
        private readonly Dictionary<ActivationKey, (long Cost, string? Next, string? Kernel, long?[] Args)> _costs =
            new Dictionary<ActivationKey, (long Cost, string? Next, string? Kernel, long?[] Args)>();
        private readonly HashSet<ActivationKey> _inProgress = new HashSet<ActivationKey>();
        /// <summary>
        /// Activations that ran into the cap (<see cref="MaxActivations"/>), with how many activations were under way when
        /// they started: started as deep or deeper, they run into it again, so the walk does not cost them afresh on each
        /// path (`t(n + 1); t(n + 1);` from t(0) would be costed 2^4096 times).
        /// </summary>
        private readonly Dictionary<ActivationKey, int> _cappedAt = new Dictionary<ActivationKey, int>();
        /// <summary>The activation being costed, or one it called, ran into the cap.</summary>
        private bool _hitCap;
        private readonly HashSet<BoundCall> _unboundedCalls = new HashSet<BoundCall>();
        /// <summary>`max_depth N` of each function that states one (by link name).</summary>
        private readonly SortedDictionary<string, int> _maxDepth = new SortedDictionary<string, int>(StringComparer.Ordinal);
        /// <summary>Activations of each function on the path being costed, walked or printed.</summary>
        private readonly Dictionary<string, int> _active = new Dictionary<string, int>();
        private int _activations;

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
            var index = new FrameReader.ImageIndex(image);
            foreach (var symbol in image.Symbols)
            {
                if (symbol.Section != Section.Text || !_functions.TryGetValue(symbol.Name, out var bound)) continue;
                var frame = FrameReader.Read(image, symbol, index);
                _frames[symbol.Name] = frame;
                _assigned[symbol.Name] = AssignedParameters(bound);
                _calls[symbol.Name] = Match(frame, CallGuards.Collect(bound));
            }
            CollectAddressTaken(program);
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
                // CONFIG_FRAME_WARN is the kernel's -Wframe-larger-than: a `process` block is a user program, built without it
                if (frameWarn > 0 && frame.LocalSize > frameWarn && f.Symbol.Kind != FunctionKind.Process)
                    diagnostics.Add(analyzer.Report(DiagnosticDescriptors.FrameLargerThanWarn, f.Symbol.NameSpan,
                        $"the frame size of {frame.LocalSize} bytes is larger than {frameWarn} bytes"));
            }

            var entries = new List<EntryStackUsage>();
            foreach (var f in program.Functions)
            {
                if (f.Symbol.Kind is not (FunctionKind.Init or FunctionKind.Exit)) continue;
                entries.Add(analyzer.AnalyzeEntry(f, diagnostics, profile.StackInUseAtInitCall, Array.Empty<long?>()));
            }
            foreach (var (thread, data) in analyzer.ThreadFunctions())
                entries.Add(analyzer.AnalyzeEntry(thread, diagnostics, analyzer._kernel.ThreadFunctionInUse, new[] { data }));
            foreach (var (handler, member) in analyzer.DriverHandlers(program))
            {
                if (DriverSyscallPath.InUseAtHandler(profile.Name, member) is int inUse and >= 0)
                    entries.Add(analyzer.AnalyzeEntry(handler, diagnostics, inUse, Array.Empty<long?>()));
                else // the run does not call it either (LinuxKernel.Drivers): say so rather than leave it silently out
                    diagnostics.Add(analyzer.Report(DiagnosticDescriptors.DriverHandlerNotCalled, handler.Span,
                        $"the device's '{member}' handler '{handler.Symbol.Name}' is not called under {profile.Name}: KDsl has no " +
                        $"measured path from the system call to it on that kernel (the paths it has: {DriverSyscallPath.ProfilesWith(member)})"));
            }
            analyzer.CheckMaxDepths(diagnostics);
            foreach (var call in analyzer._unboundedCalls)
                diagnostics.Add(analyzer.Report(DiagnosticDescriptors.UnboundedRecursion, call.Span,
                    $"the recursion through '{call.Function.Name}' has no bound KDsl can prove from constant arguments; it is assumed to go on until the stack overflows"));
            functions.Sort((a, b) => b.FrameSize.CompareTo(a.FrameSize));
            return new StackReport(functions, entries, analyzer._threadSize);
        }

        /// <summary>
        /// Bytes a call of the module function <paramref name="function"/> (its link name) reaches below the caller's RSP at
        /// its deepest, its return address included, with the arguments known where <paramref name="args"/> says (null:
        /// unknown); long.MaxValue when the analysis finds no bound. What an editor shows on a call.
        /// </summary>
        public static long CallCost(BoundProgram program, ModuleImage image, SourceText source, KernelProfile profile, string function,
            long?[] args)
        {
            long cost = new StackAnalyzer(program, image, source, profile).Cost(function, args);
            return cost >= Unbounded ? long.MaxValue : cost;
        }

        /// <param name="entry">The entry point (init, exit, a `later` block or a thread function).</param>
        /// <param name="diagnostics">Where the entry's stack warnings go.</param>
        /// <param name="inUse">Stack bytes in use when the entry is called: the syscall path for init (exit runs from
        /// delete_module's; the same depth is assumed), ret_from_fork → kthread for a thread function.</param>
        /// <param name="args">Its arguments where they are known.</param>
        private EntryStackUsage AnalyzeEntry(BoundFunction entry, List<Diagnostic> diagnostics, int inUse, long?[] args)
        {
            string name = entry.Symbol.LinkName;
            long cost = Cost(name, args);
            long worst = cost >= Unbounded ? long.MaxValue : inUse + cost;
            string path = Path(name, args);
            var overflow = Descend(name, args, inUse, new List<string>(), null, out BoundCall? at);

            if (overflow is not null)
                diagnostics.Add(Report(DiagnosticDescriptors.StackOverflowPredicted, at?.Span ?? entry.Symbol.NameSpan,
                    $"{entry.Symbol.Name}: {overflow} (path: {path})"));
            else if (worst == long.MaxValue)
                // no overflow point found, yet no bound either: a chain past the activation cap (every activation holds at
                // least its return address, so MaxActivations of them are more than any THREAD_SIZE)
                diagnostics.Add(Report(DiagnosticDescriptors.StackOverflowPredicted, entry.Symbol.NameSpan,
                    $"{entry.Symbol.Name}: the call chain is deeper than the analysis follows ({MaxActivations} activations, at least " +
                    $"{8L * MaxActivations} bytes of {_threadSize}) (path: {path})"));
            else
                diagnostics.Add(Report(DiagnosticDescriptors.StackSummary, entry.Symbol.NameSpan,
                    $"{entry.Symbol.Name} uses at most {worst} of {_threadSize} bytes of stack (path: {path})"));
            return new EntryStackUsage(name, worst, path, cost >= Unbounded, overflow);
        }

        /// <summary>Bytes a call of the function uses below the caller's RSP at its deepest, its return address included.</summary>
        private long Cost(string function, long?[] args) =>
            _frames.TryGetValue(function, out var frame) ? Cost(function, frame, args, Key(function, args)) : 8;

        private long Cost(string function, FunctionFrame frame, long?[] args, ActivationKey key)
        {
            if (_costs.TryGetValue(key, out var cached)) return cached.Cost;
            if (_inProgress.Contains(key)) return Unbounded;
            if (_activations >= MaxActivations || !HostStackLeft() || _cappedAt.TryGetValue(key, out int cappedAt) && _activations >= cappedAt)
            {
                _hitCap = true;
                return Unbounded;
            }

            int startedAt = _activations;
            bool capBefore = _hitCap;
            _hitCap = false;
            _inProgress.Add(key);
            _activations++;
            Enter(function);
            long best = frame.FrameSize, pathBest = frame.FrameSize;
            (string? Next, string? Kernel, long?[] Args) successor = (null, null, Array.Empty<long?>());
            var known = Known(function, args);
            foreach (var (site, call) in _calls[function])
            {
                if (!Reachable(call, known) || Capped(site)) continue;
                // A sibling call's callee takes this activation's place on the stack (the jmp reuses its return address):
                // no further activation, so a long chain of tail calls costs its deepest frame and runs into no cap.
                if (site.IsSibling) _activations--;
                long callee = CalleeCost(site, call, known, out bool recursed, out long?[] calleeArgs);
                if (site.IsSibling) _activations++;
                if (recursed && callee >= Unbounded && call is not null) _unboundedCalls.Add(call.Call);
                long total = Add(site.Depth, callee);
                best = Math.Max(best, total);
                string? target = site.Target;
                if (target is null && IndirectCost(call, out target) > 0 && target is not null) _indirect.Add((function, target));
                if (target is null || total <= pathBest) continue; // Path's choice, as Path makes it
                pathBest = total;
                successor = site.IsKernel ? (null, target, Array.Empty<long?>()) : (target, null, calleeArgs);
            }
            Leave(function);
            _activations--;
            _inProgress.Remove(key);
            // A cost that ran into the activation cap stays uncached so a path that reaches it with more activations left
            // can compute it afresh; one that reaches it as deep or deeper gets Unbounded at once (_cappedAt).
            if (best < Unbounded)
                _costs[key] = (best, successor.Next, successor.Kernel, successor.Args);
            else if (_hitCap)
                _cappedAt[key] = startedAt;
            _hitCap |= capBefore;
            return best;
        }

        private long CalleeCost(CallSite site, GuardedCall? call, KnownValues known, out bool recursed, out long?[] args)
        {
            recursed = false;
            args = Array.Empty<long?>();
            if (site.Target is null) // a call through a pointer: the worst function it may hold
            {
                long cost = IndirectCost(call, out string? worst);
                recursed = worst is not null && (ActiveCount(worst) > 0 || cost >= Unbounded);
                return cost;
            }
            if (site.IsKernel) return _kernel.CostOf(site);
            args = Arguments(call, known);
            var key = Key(site.Target, args); // computed once: the recursion check and the memo share it
            // a recursion is a call of a function already on the path; running into the activation cap on a long chain of
            // distinct functions is not one (its cost is unbounded to the analysis, but no KDSL1003 names a call for it)
            recursed = _inProgress.Contains(key) || ActiveCount(site.Target) > 0;
            return _frames.TryGetValue(site.Target, out var frame) ? Cost(site.Target, frame, args, key) : 8;
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
                // a call through a pointer is the next call_ptr or call through a function pointer in evaluation order
                if (byTarget.TryGetValue(site.Target ?? Binder.CallPtrName, out var q) && q.Count > 0) call = q.Dequeue();
                result.Add((site, call));
            }
            return result;
        }

        /// <summary>The function's parameters with the values its caller passed; a parameter the body assigns is unknown.</summary>
        private KnownValues Known(string function, long?[] args)
        {
            if (!_functions.TryGetValue(function, out var f)) return new KnownValues(ImmutableArray<VariableSymbol>.Empty, args);
            var parameters = f.Symbol.Parameters;
            var assigned = _assigned[function];
            long?[] values = args;
            for (int i = 0; i < args.Length && i < parameters.Length; i++)
            {
                if (!assigned[i] || args[i] is null) continue;
                if (ReferenceEquals(values, args)) values = (long?[])args.Clone(); // the caller's array is also a memo key
                values[i] = null;
            }
            return new KnownValues(parameters, values);
        }

        private static bool[] AssignedParameters(BoundFunction function)
        {
            var assigned = CallGuards.AssignedVariables(function);
            var parameters = function.Symbol.Parameters;
            var result = new bool[parameters.Length];
            for (int i = 0; i < result.Length; i++) result[i] = assigned.Contains(parameters[i]);
            return result;
        }

        private static bool Reachable(GuardedCall? call, KnownValues known)
        {
            if (call is null) return true;
            foreach (var (condition, mustBe) in call.Guards)
                if (ConstantEvaluator.Evaluate(condition, known.Parameters, known.Values) is long value && (value != 0) != mustBe) return false;
            return true;
        }

        private static long?[] Arguments(GuardedCall? call, KnownValues known)
        {
            if (call is null || call.Call.Arguments.Length == 0) return Array.Empty<long?>();
            var args = new long?[call.Call.Arguments.Length];
            for (int i = 0; i < args.Length; i++) args[i] = ConstantEvaluator.Evaluate(call.Call.Arguments[i], known.Parameters, known.Values);
            return args;
        }

        /// <summary>
        /// The memo key of an activation about to start: the function and its known arguments, plus, when functions state
        /// a max_depth, how many activations of each such function the stack holds (its cost depends on what is left).
        /// </summary>
        private ActivationKey Key(string function, long?[] args)
        {
            int[]? counts = null;
            if (_maxDepth.Count > 0)
            {
                counts = new int[_maxDepth.Count];
                int i = 0;
                foreach (var bounded in _maxDepth.Keys)
                    counts[i++] = ActiveCount(bounded) + (bounded == function ? 1 : 0);
            }
            return new ActivationKey(function, args, counts);
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
            _maxDepth.Count > 0 && site.Target is not null && !site.IsKernel && _maxDepth.TryGetValue(site.Target, out int bound) && ActiveCount(site.Target) >= bound;

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
