using System.Collections.Generic;
using System.Linq;
using KDsl.Binding;
using KDsl.Image;
using KDsl.Profiles;
using KDsl.Symbols;
using KDsl.Text;

namespace KDsl.CodeGen
{
    /// <summary>
    /// Which of a module's functions GCC 12 puts in .text.unlikely, as its profile estimate decides without profile
    /// feedback. The kernel declares printk, panic and dump_stack <c>__cold</c>, and __init and __exit functions are
    /// <c>__cold</c> too. Two rules follow, both GCC's:
    /// <list type="bullet">
    /// <item>predict.cc's determine_unlikely_bbs: a basic block that calls a cold function (before any call that could
    /// end the block; GCC's nothrow C-library builtins cannot) never runs, and so does every block the entry reaches only
    /// through such blocks. When every path from the function's entry reaches such a block through blocks with no call
    /// and no loop, the entry never runs either and compute_function_frequency makes the whole function unlikely
    /// (-Wsuggest-attribute=cold's "always calls a cold function").</item>
    /// <item>ipa-profile.cc's ipa_propagate_frequency: a function only the module calls directly (its address is never
    /// taken) whose every call comes from an unlikely function or from a block that never runs is unlikely too; a
    /// recursive call in a block that runs keeps it in .text.</item>
    /// </list>
    /// Measured on the 45 experiment modules of tests/KDsl.Runtime.Tests/RealKernel/Logs/experiments, built with GCC 12
    /// against the 6.1.0-56 and 5.10.0-46 headers (objdump -d: the same placement on both): step5's rstack, whose
    /// recursion follows its printk, is in .text.unlikely; recurse's deep, which prints nothing, in .text; a function whose
    /// printk is conditional (condpk's rec) in .text, with the printk's block split off to rec.cold in .text.unlikely
    /// (<see cref="ColdPart"/>, emitted so by FunctionEmitter). Eight more modules (a printk after the recursion, in a
    /// loop, behind a kmalloc, in a switch, a leaf helper before or after the printk) were predicted before GCC built
    /// them: 8 of 8.
    /// </summary>
    internal static class TextSections
    {
        /// <summary>The kernel functions KDsl calls that Linux declares <c>__cold</c> (printk.h, panic.h).</summary>
        private static readonly HashSet<string> ColdKernelFunctions = new HashSet<string> { Binder.PrintkName, Binder.PanicName, "dump_stack" };

        /// <summary>
        /// Each function's section, by link name, and the order of the module's core text; <paramref name="exported"/>
        /// are called from outside the module. <paramref name="program"/> is as GCC's profile estimate sees it: after
        /// tail-recursion elimination, before ipa-cp and the loop unrolling.
        /// </summary>
        public static TextPlacement Place(BoundProgram program, IReadOnlyCollection<string>? exported, KernelProfile profile)
        {
            var placement = new Dictionary<FunctionSymbol, TextSection>();
            var calls = new List<(FunctionSymbol Caller, FunctionSymbol Callee, bool FromColdBlock)>();
            var coldParts = new Dictionary<FunctionSymbol, ColdPart>();
            var addressTaken = ConstantPropagation.AddressTaken(program, exported);
            foreach (var f in program.Functions)
            {
                var blocks = ColdBlocks.Walk(f.Body);
                foreach (var (callee, cold) in blocks.CallsMade)
                    calls.Add((f.Symbol, callee, cold));
                if (blocks.Part is { } part) coldParts[f.Symbol] = part;
                placement[f.Symbol] = f.Symbol.Kind switch
                {
                    FunctionKind.Init => TextSection.Init,
                    FunctionKind.Exit => TextSection.Exit,
                    FunctionKind.User or FunctionKind.Later when AlwaysReachesColdCall.Holds(f.Body) => TextSection.Unlikely,
                    _ => TextSection.Text,
                };
            }

            // ipa_propagate_frequency, to a fixed point: each function whose calls all come from cold code.
            var callsOf = calls.ToLookup(c => c.Callee);
            for (bool changed = true; changed;)
            {
                changed = false;
                foreach (var f in program.Functions)
                {
                    var symbol = f.Symbol;
                    if (placement[symbol] != TextSection.Text || symbol.Kind != FunctionKind.User || addressTaken.Contains(symbol)) continue;
                    var into = callsOf[symbol];
                    if (!into.Any() || !into.All(c => c.FromColdBlock || placement.TryGetValue(c.Caller, out var s) && s != TextSection.Text)) continue;
                    placement[symbol] = TextSection.Unlikely;
                    changed = true;
                }
            }
            bool exitFirst = profile.ModuleExitAddressable && ExitEmittedFirst(program, placement, calls, exported);
            // bb-reorder's hot/cold partitioning (-freorder-blocks-and-partition, on at -O2 from GCC 8): a module function
            // left in .text moves the blocks that never run to NAME.cold in .text.unlikely (a `process` is a user program)
            var split = profile.GccMajor >= 8
                ? coldParts.Where(c => placement[c.Key] == TextSection.Text && c.Key.Kind is FunctionKind.User or FunctionKind.Later)
                    .ToDictionary(c => c.Key.LinkName, c => c.Value)
                : new Dictionary<string, ColdPart>();
            return new TextPlacement(placement.ToDictionary(p => p.Key.LinkName, p => p.Value), exitFirst, split);
        }

        /// <summary>
        /// Whether GCC emits the exit function before every .text.unlikely function, so that .exit.text precedes
        /// .text.unlikely in the .ko. GCC emits functions in the reverse of ipa_reverse_postorder's order, which walks from
        /// each function a unit does not only call directly (the kernel's functions it calls) to its callers; what no such
        /// walk reaches is walked last, in a second pass, and so emitted first. On 6.1 module_exit takes cleanup_module's
        /// address (<see cref="KernelProfile.ModuleExitAddressable"/>), so the exit is no start of a walk: it is left to the
        /// second pass when it reaches no kernel function, and is emitted first unless a module function it calls (a
        /// callee comes before its caller), or a .text.unlikely function that reaches no kernel function either and was
        /// defined before it, is emitted earlier. ipa-cp's clones (<see cref="ConstantPropagation.Cloned"/>) are made last
        /// and so emitted after it. Measured with GCC 12 on the 6.1.0-56 and 5.10.0-46 headers (readelf -S on the
        /// modules of TextSectionOrderTests): on 5.10, whose module_exit takes no address, .text.unlikely always came
        /// first. ipa-sra's clones (f.isra.0) are not modelled.
        /// </summary>
        private static bool ExitEmittedFirst(BoundProgram program, Dictionary<FunctionSymbol, TextSection> placement,
            List<(FunctionSymbol Caller, FunctionSymbol Callee, bool FromColdBlock)> calls, IReadOnlyCollection<string>? exported)
        {
            var exit = program.Functions.FirstOrDefault(f => f.Symbol.Kind == FunctionKind.Exit);
            if (exit is null) return false;
            // the functions a walk from a kernel function reaches: its callers, theirs, and so on
            var reached = new HashSet<FunctionSymbol>(program.Functions.Where(f => CallsTheKernel(f.Body)).Select(f => f.Symbol));
            for (bool changed = true; changed;)
            {
                changed = false;
                foreach (var (caller, callee, _) in calls)
                    if (reached.Contains(callee) && reached.Add(caller)) changed = true;
            }
            if (reached.Contains(exit.Symbol) || calls.Any(c => c.Caller == exit.Symbol && placement[c.Callee] == TextSection.Unlikely)) return false;
            var cloned = ConstantPropagation.Cloned(program, exported);
            return !program.Functions.Any(f => placement[f.Symbol] == TextSection.Unlikely && !reached.Contains(f.Symbol)
                && !cloned.Contains(f.Symbol) && f.Span.Start < exit.Span.Start);
        }

        /// <summary>
        /// A call of a kernel function in the code (an edge of GCC's call graph to a function outside the unit): not one
        /// GCC expands in place; of the builtins, WARN's call of __warn_printk.
        /// </summary>
        private static bool CallsTheKernel(BoundStatement body) =>
            BoundTree.AllExpressions(body).Any(e => e is BoundCall c && c.Callee is null
                && (c.Function.Kind == FunctionKind.Kernel && !InlinedStringCalls.IsInlined(c)
                    || c.Function.Kind == FunctionKind.Builtin && c.Function.Name == Binder.WarnName));

        private static bool IsColdCall(BoundCall c) => c.Function.Kind == FunctionKind.Kernel && ColdKernelFunctions.Contains(c.Function.Name);

        /// <summary>
        /// The kernel functions KDsl calls that GCC knows as its own builtins of the C library (builtins.def, all nothrow):
        /// the kernel builds with builtins on (no -ffreestanding, only -fno-builtin-wcslen).
        /// </summary>
        private static readonly HashSet<string> LibraryBuiltins = new HashSet<string>
            { "memcpy", "memmove", "memset", "memcmp", "strcpy", "strncpy", "strlen", "strcmp", "strcat", "snprintf", "sprintf", "vsnprintf" };

        /// <summary>
        /// Whether the call can end its basic block (tree-cfg.cc's stmt_can_terminate_bb_p: a call may not return) unless
        /// it is a nothrow builtin: every real call but the C library's (snp's snprintf before its printk leaves the
        /// printk's block unlikely), and none of the builtins that are no call (IS_ERR, PTR_ERR).
        /// </summary>
        private static bool Terminates(BoundCall c) => c.Function.Kind switch
        {
            FunctionKind.Builtin => c.Function.Name is not (Binder.IsErrName or Binder.PtrErrName),
            FunctionKind.Kernel => !LibraryBuiltins.Contains(c.Function.Name),
            _ => true,
        };

        /// <summary>BUG(), panic(): no path goes on after them.</summary>
        private static bool NoReturn(BoundCall c) =>
            c.Function.Kind == FunctionKind.Builtin && c.Function.Name == Binder.BugName
            || c.Function.Kind == FunctionKind.Kernel && c.Function.Name == Binder.PanicName;

        /// <summary>The builtins that branch (<c>if (unlikely(cond)) { ... ud2 }</c>): what follows them is a block of its own.</summary>
        private static bool Branches(BoundCall c) =>
            c.Function.Kind == FunctionKind.Builtin && c.Function.Name is Binder.BugOnName or Binder.WarnOnName or Binder.WarnName;

        /// <summary>
        /// determine_unlikely_bbs' forward half (propagate_unlikely_bbs_forward), over the structured statements: the calls
        /// of module functions a function makes, each with whether its block never runs, that is whether every path from
        /// the entry to it passes a block that calls a cold function before any call that can end the block. Labels a
        /// goto reaches are taken to run.
        /// </summary>
        private sealed class ColdBlocks
        {
            /// <summary>The current block never runs.</summary>
            private bool _cold;
            /// <summary>The current block already made a call, so a cold call later in it does not mark it.</summary>
            private bool _called;
            /// <summary>Some path reaches this point.</summary>
            private bool _reachable = true;
            private readonly List<(FunctionSymbol, bool)> _calls = new List<(FunctionSymbol, bool)>();
            /// <summary>The innermost loop's or switch's: the states its breaks (and a loop's continues) leave with.</summary>
            private List<(bool Reachable, bool Cold)>? _breaks, _continues;
            private (BoundSwitch Switch, bool Cold)? _switch;
            /// <summary>The statements that start in a block that never runs.</summary>
            private readonly HashSet<TextSpan> _coldStatements = new HashSet<TextSpan>();
            /// <summary>The simple statements the current block began with: a cold call later in it makes them cold too.</summary>
            private readonly List<BoundStatement> _blockStatements = new List<BoundStatement>();
            /// <summary>The states the function's returns leave with.</summary>
            private readonly List<(bool Reachable, bool Cold)> _returns = new List<(bool, bool)>();

            /// <summary>The calls of module functions the function makes, each with whether its block never runs.</summary>
            public List<(FunctionSymbol Callee, bool FromColdBlock)> CallsMade => _calls;

            /// <summary>The statements that never run and whether the function's exit never does either, or null when none.</summary>
            public ColdPart? Part { get; private set; }

            public static ColdBlocks Walk(BoundStatement body)
            {
                var walk = new ColdBlocks();
                walk.Statement(body);
                var exit = Join(walk._returns.Append(walk.State));
                if (walk._coldStatements.Count > 0)
                    walk.Part = new ColdPart(walk._coldStatements, exit.Reachable && exit.Cold);
                return walk;
            }

            private (bool Reachable, bool Cold) State => (_reachable, _cold);

            private void Enter((bool Reachable, bool Cold) state)
            {
                (_reachable, _cold) = state;
                _called = false;
                _blockStatements.Clear();
            }

            /// <summary>A block whose predecessors end in these states: it never runs when none of them that is reached runs.</summary>
            private static (bool Reachable, bool Cold) Join(IEnumerable<(bool Reachable, bool Cold)> predecessors)
            {
                var reached = predecessors.Where(p => p.Reachable).ToList();
                return reached.Count == 0 ? (false, false) : (true, reached.All(p => p.Cold));
            }

            private void Statement(BoundStatement s)
            {
                if (_reachable && _cold) _coldStatements.Add(s.Span);
                else if (s is BoundVariableDeclaration or BoundExpressionStatement or BoundReturn) _blockStatements.Add(s);
                switch (s)
                {
                    case BoundBlock b:
                        foreach (var x in b.Statements) Statement(x);
                        break;
                    case BoundVariableDeclaration { Initializer: { } init }:
                        Expression(init);
                        break;
                    case BoundExpressionStatement e:
                        Expression(e.Expression);
                        break;
                    case BoundReturn r:
                        if (r.Value is not null) Expression(r.Value);
                        _returns.Add(State);
                        _reachable = false;
                        break;
                    case BoundIf i:
                    {
                        Expression(i.Condition);
                        var before = State;
                        Enter(before);
                        Statement(i.Then);
                        var afterThen = State;
                        Enter(before);
                        if (i.Else is not null) Statement(i.Else);
                        Enter(Join(new[] { afterThen, State }));
                        break;
                    }
                    case BoundWhile w:
                        Loop(null, w.IsDoWhile ? null : w.Condition, w.Body, null, w.IsDoWhile ? w.Condition : null);
                        break;
                    case BoundFor f:
                        Loop(f.Initializer, f.Condition, f.Body, f.Step, null);
                        break;
                    case BoundSwitch sw:
                        Switch(sw);
                        break;
                    case BoundBreak:
                        _breaks?.Add(State);
                        _reachable = false;
                        break;
                    case BoundContinue:
                        _continues?.Add(State);
                        _reachable = false;
                        break;
                    case BoundGoto:
                        _reachable = false;
                        break;
                    case BoundLabelStatement l:
                        if (_switch is { } sw2 && (sw2.Switch.Cases.Any(c => c.Label == l.Label) || sw2.Switch.Default == l.Label))
                            Enter(Join(new[] { State, (true, sw2.Cold) }));
                        else
                            Enter((true, false));
                        break;
                }
            }

            /// <summary>
            /// A loop. Every way into its header from the entry comes from before the loop (the latch is reached through the
            /// header), so the header never runs exactly when the way in never does.
            /// </summary>
            private void Loop(BoundStatement? initializer, BoundExpression? condition, BoundStatement body, BoundExpression? step, BoundExpression? bottomCondition)
            {
                if (initializer is not null) Statement(initializer);
                var header = State;
                var (outerBreaks, outerContinues) = (_breaks, _continues);
                (_breaks, _continues) = (new List<(bool, bool)>(), new List<(bool, bool)>());
                Enter(header);
                if (condition is not null) Expression(condition);
                var test = State;
                Enter(test);
                Statement(body);
                Enter(Join(_continues.Append(State)));
                if (step is not null) Expression(step);
                if (bottomCondition is not null) Expression(bottomCondition);
                var exits = new List<(bool, bool)>(_breaks);
                (_breaks, _continues) = (outerBreaks, outerContinues);
                // the header's test leaves the loop (a do-while's at the latch); `while (1)` and `for (;;)` only break out
                if (condition is not null && condition is not BoundLiteral { Value: not 0 }) exits.Add(test);
                if (bottomCondition is not null && bottomCondition is not BoundLiteral { Value: not 0 }) exits.Add(State);
                Enter(Join(exits));
            }

            private void Switch(BoundSwitch sw)
            {
                Expression(sw.Value);
                var dispatch = State;
                var (outerBreaks, outerSwitch) = (_breaks, _switch);
                _breaks = new List<(bool, bool)>();
                _switch = (sw, dispatch.Cold);
                Enter((false, false)); // the body is entered at its labels only
                Statement(sw.Body);
                var exits = new List<(bool, bool)>(_breaks) { State };
                if (sw.Default is null) exits.Add(dispatch);
                (_breaks, _switch) = (outerBreaks, outerSwitch);
                Enter(Join(exits));
            }

            /// <summary>The calls in evaluation order (arguments first); the arms of &amp;&amp;, || and ?: are blocks of their own.</summary>
            private void Expression(BoundExpression e)
            {
                switch (e)
                {
                    case BoundCall c:
                        if (c.Callee is not null) Expression(c.Callee);
                        foreach (var a in c.Arguments) Expression(a);
                        if (IsColdCall(c) && !_called)
                        {
                            // the whole block never runs, from its first statement
                            _cold = true;
                            if (_reachable) foreach (var x in _blockStatements) _coldStatements.Add(x.Span);
                        }
                        if (c.Function.Kind == FunctionKind.User) _calls.Add((c.Function, _cold && _reachable));
                        if (Terminates(c)) _called = true;
                        if (NoReturn(c)) _reachable = false;
                        else if (Branches(c)) Enter(State);
                        break;
                    case BoundLogical l:
                        Expression(l.Left);
                        Arm(l.Right);
                        break;
                    case BoundConditional c:
                        Expression(c.Condition);
                        Arm(c.WhenTrue);
                        Arm(c.WhenFalse);
                        break;
                    case BoundBinary b: Expression(b.Left); Expression(b.Right); break;
                    case BoundSequence q: Expression(q.Left); Expression(q.Right); break;
                    case BoundAssignment a: Expression(a.Target); Expression(a.Value); break;
                    case BoundUnary u: Expression(u.Operand); break;
                    case BoundConversion v: Expression(v.Operand); break;
                    case BoundDereference d: Expression(d.Pointer); break;
                    case BoundAddressOf a: Expression(a.Operand); break;
                    case BoundIncrement i: Expression(i.Target); break;
                }
            }

            /// <summary>A conditionally evaluated operand: its own block, entered from the current one, joined after.</summary>
            private void Arm(BoundExpression e)
            {
                var before = State;
                Enter(before);
                Expression(e);
                Enter(before);
            }
        }

        /// <summary>
        /// determine_unlikely_bbs' backward half, from the entry: every path reaches a block that calls a cold function
        /// first, through blocks with no call (one could end the path: stmt_can_terminate_bb_p) and no loop back (a
        /// cycle's blocks always keep a successor that runs).
        /// </summary>
        private static class AlwaysReachesColdCall
        {
            public static bool Holds(BoundStatement body) => Reaches(body, () => false);

            /// <summary>Whether every path through <paramref name="s"/> and then <paramref name="then"/> reaches a cold call first.</summary>
            private static bool Reaches(BoundStatement s, System.Func<bool> then)
            {
                switch (s)
                {
                    case BoundBlock b:
                        return Sequence(b.Statements, 0, then);
                    case BoundVariableDeclaration { Initializer: { } init }:
                        return Calls(init, then);
                    case BoundVariableDeclaration:
                        return then();
                    case BoundExpressionStatement e:
                        return Calls(e.Expression, then);
                    case BoundIf i:
                        return Calls(i.Condition, () => Reaches(i.Then, then) && (i.Else is null ? then() : Reaches(i.Else, then)));
                    case BoundFor { Condition: not null } f:
                        // the header's two successors: the body, which must reach one before its latch, and the exit
                        return (f.Initializer is null || Reaches(f.Initializer, () => true))
                               && Calls(f.Condition, () => Reaches(f.Body, () => false) && then());
                    case BoundWhile { IsDoWhile: false } w:
                        return Calls(w.Condition, () => Reaches(w.Body, () => false) && then());
                    default:
                        // return (the exit block runs), loops with no exit test, switches, labels, gotos
                        return false;
                }
            }

            private static bool Sequence(IReadOnlyList<BoundStatement> statements, int from, System.Func<bool> then) =>
                from == statements.Count ? then() : Reaches(statements[from], () => Sequence(statements, from + 1, then));

            /// <summary>The expression's first real call decides; with none, what follows does. A branch inside it: no.</summary>
            private static bool Calls(BoundExpression e, System.Func<bool> then)
            {
                if (BoundTree.Contains(e, x => x is BoundLogical or BoundConditional)) return false;
                return FirstCall(e) is { } first ? IsColdCall(first) : then();
            }

            /// <summary>The first call the expression makes, in evaluation order (a call's arguments before it), or null.</summary>
            private static BoundCall? FirstCall(BoundExpression e)
            {
                BoundCall? first = null;
                BoundTree.Contains(e, x => x is BoundCall c && (Terminates(c) || IsColdCall(c))
                    && (first = c.Arguments.Select(FirstCall).FirstOrDefault(a => a is not null) ?? c) != null);
                return first;
            }
        }
    }
}
