using System;
using System.Collections.Generic;
using KDsl.Profiles;

namespace KDsl.Analysis
{
    /// <summary>
    /// What calling a kernel function costs the caller's stack, from the profile's kernel text: the
    /// return address, the function's frame and its deepest callee; for a recorded kernel, printk's and the allocators'
    /// measured depths.
    /// </summary>
    public sealed class KernelCosts
    {
        private readonly Dictionary<string, KernelFunctionShape> _shapes = new Dictionary<string, KernelFunctionShape>();
        private readonly Dictionary<string, int> _costs = new Dictionary<string, int>();

        private readonly KernelFootprint? _footprint;
        private const string DumpStack = "dump_stack";
        private readonly string _printk;

        public KernelCosts(KernelProfile profile)
        {
            foreach (var f in profile.KernelFunctions) _shapes[f.Name] = f;
            _printk = profile.PrintkSymbol;
            // A recorded kernel's printk costs what the real one used at its deepest: per format, the recorded call the
            // run replays for it; of unknown format, the deepest recorded.
            var footprint = KernelFootprint.For(profile.Name);
            _footprint = footprint;
            if (footprint != null && footprint.Printks.Count > 0) _costs[profile.PrintkSymbol] = footprint.PrintkDeepest;
            // a recorded allocator costs what the real one used at its deepest, over every call recorded (the deepest
            // refills a slab)
            if (footprint != null)
                foreach (var call in footprint.CallPaths())
                    _costs[call.Key] = Math.Max(_costs.TryGetValue(call.Key, out int cost) ? cost : 0, call.Value.Deepest);
            // dump_stack() as panic's recorded path ran it, down to show_stack, whose trace the C# kernel prints: 1000
            // bytes on 6.1 (dump_stack_print_info's printk the deepest), 928 on 5.10
            if (footprint?.Panic is { } panic && footprint.Records(DumpStack))
                _costs[DumpStack] = footprint.DeepestCallOf(panic, footprint.AddressOf(KernelFootprint.PanicEntry), DumpStack);
        }

        /// <summary>
        /// A call site's cost, knowing its format where the analysis saw one: printk's recorded path for it, and for
        /// snprintf and sprintf their frame (<see cref="KernelProfile.SnprintfFrame"/>) over vsnprintf's depth for it
        /// (the deepest recorded one when the format is not a constant).
        /// </summary>
        public int CostOf(in CallSite site) => site.Target switch
        {
            "snprintf" when _footprint != null => KernelProfile.SnprintfFrame + VsnprintfDepth(site.StringArgument(2)),
            "sprintf" when _footprint != null => KernelProfile.SnprintfFrame + VsnprintfDepth(site.StringArgument(1)),
            // pr_warn(CUT_HERE) from a _printk-shaped frame, then the message's printk in that frame's place
            "__warn_printk" when _footprint != null =>
                Math.Max(KernelProfile.SnprintfFrame + CostOf(_printk, "\u00014------------[ cut here ]------------\n"), CostOf(_printk, site.FirstString)),
            _ => CostOf(site.Target!, site.FirstString),
        };

        private int VsnprintfDepth(string? format)
        {
            if (format != null) return _footprint!.VsnprintfDepth(format);
            var depths = _footprint!.VsnprintfDepths;
            return depths.Count == 0 ? 0 : depths[depths.Count - 1];
        }

        /// <summary>A call's cost, knowing the string its first argument points to (printk's format), if any.</summary>
        public int CostOf(string name, string? firstString) =>
            firstString != null && name == _printk && _footprint?.PrintkFor(firstString) is { } recorded ? recorded.Deepest : CostOf(name);

        /// <summary>
        /// Stack bytes in use when a kernel thread's function is called: pt_regs (copy_thread leaves them at the top),
        /// ret_from_fork's call of kthread and kthread's frame (recorded on 5.10 and 6.1); the function's own return
        /// address is its cost's.
        /// </summary>
        public int ThreadFunctionInUse =>
            _footprint is { ThreadWords.Count: > 0 } recorded ? recorded.StackInUseAtThreadCall
            : KernelProfile.PtRegsSize + 8 + (_shapes.TryGetValue("kthread", out var kthread) ? kthread.FrameSize : 0);

        /// <summary>
        /// Bytes below the caller's RSP the call reaches at its deepest, or 8 for a function KDsl does not model (so also
        /// the recorded __stack_chk_fail: a stack that reaches it is corrupted already and stops for good, and panic's path
        /// is not the experiment's stack use).
        /// </summary>
        public int CostOf(string name)
        {
            if (_costs.TryGetValue(name, out int cost)) return cost;
            if (!_shapes.TryGetValue(name, out var shape)) return 8;
            _costs[name] = 8; // the tables have no cycles; this only guards against a malformed one
            int deepest = 0;
            foreach (var step in shape.Steps)
                if (step.Step == KernelStep.Call && CostOf(step.Target) > deepest) deepest = CostOf(step.Target);
            cost = 8 + shape.FrameSize + deepest;
            _costs[name] = cost;
            return cost;
        }
    }
}
