using System.Collections.Generic;
using System.Linq;
using KDsl.Image;
using KDsl.Profiles;
using KDsl.Runtime.Cpu;
using KDsl.Runtime.Kernel;
using KDsl.Runtime.Kernel.Printk;

namespace KDsl.Runtime
{
    /// <summary>
    /// The insmod task's kernel stack at the moment it was deepest (<see cref="RunResult.StackHighWater"/>): RIP and RSP
    /// then, and the reliable call chain the oops unwinder would have found there, in <see cref="OopsFacts"/>' terms, so
    /// that a run in which nothing faulted can be drawn with its frames and locals as a faulting one is.
    /// </summary>
    public sealed class StackAtHighWater : StackPosition
    {
        private StackAtHighWater()
        {
        }

        /// <summary>
        /// Where each frame of <see cref="StackPosition.CallChain"/> but the outermost ends: its CFA, the address just above the return
        /// address the unwinder found for it (so frame i is [FrameTops[i-1], FrameTops[i]), frame 0 starting at RSP).
        /// </summary>
        public IReadOnlyList<ulong> FrameTops { get; init; } = System.Array.Empty<ulong>();

        /// <summary>
        /// Runs the experiment again as <see cref="Machine.Run(ModuleImage, ExperimentConfig?)"/> ran it (a run is
        /// deterministic, so the replay reaches the same RSP at the same instruction) and unwinds the insmod task's stack
        /// when RSP first reaches the depth <paramref name="stackHighWater"/> reported. Null when the module has no init or
        /// the stack was not used.
        /// </summary>
        public static StackAtHighWater? Replay(ModuleImage image, ExperimentConfig? config, long stackHighWater)
        {
            if (image is null) throw new System.ArgumentNullException(nameof(image));
            if (!image.HasInit || stackHighWater <= 0) return null;
            var effective = config ?? image.Config;
            using var kernel = LinuxKernel.Boot(effective, Machine.MemorySizeOf(effective));
            var insmod = kernel.Current;
            StackAtHighWater? found = null;
            kernel.Cpu.WatchRsp(insmod.StackTop - (ulong)stackHighWater, rip =>
            {
                if (found is null && kernel.Current == insmod) found = Unwind(kernel, insmod, rip);
            });
            try
            {
                kernel.Insmod(image);
            }
            catch (System.Exception e) when (e is not System.OutOfMemoryException)
            {
                // The first run ended the same way (Machine.Run's boundary); what was found before it stands.
            }
            return found;
        }

        /// <summary>
        /// The frames at an oops of the insmod task, with the return-address slots the oops' own unwind used, which
        /// <see cref="OopsFacts"/> does not keep: the replay stops where RSP first reached the faulting RSP (the sub or
        /// push that took it there), and is kept only when its call chain is the oops' one. Null otherwise.
        /// </summary>
        public static StackAtHighWater? AtOops(ModuleImage image, ExperimentConfig? config, OopsFacts oops)
        {
            if (oops is null) throw new System.ArgumentNullException(nameof(oops));
            if (oops.StackTop == 0 || oops.Rsp >= oops.StackTop) return null;
            var replay = Replay(image, config, (long)(oops.StackTop - oops.Rsp));
            return replay is not null && replay.StackTop == oops.StackTop && replay.CallChain.SequenceEqual(oops.CallChain) ? replay : null;
        }

        /// <summary>The unwind the oops path does (LinuxKernel.CallTrace): from RIP and RSP up to the syscall's pt_regs.</summary>
        private static StackAtHighWater Unwind(LinuxKernel kernel, TaskStruct task, ulong rip)
        {
            var cpu = kernel.Cpu;
            ulong rsp = cpu[Reg.Rsp];
            var reliable = Unwinder.ReliableSlots(kernel.Profile, kernel.Kallsyms, kernel.Mmu, rip, rsp, cpu[Reg.Rbp], task.Stack,
                task.StackTop - KernelProfile.PtRegsSize);
            // Unwinder.CallChain's walk, keeping where each return address was.
            var chain = new List<TextFunction>();
            var tops = new List<ulong>();
            if (kernel.Kallsyms.TryFindFunction(rip, out var at)) chain.Add(at);
            foreach (var slot in reliable.OrderBy(s => s))
            {
                if (!kernel.Mmu.TryReadU64(slot, out ulong ret) || !kernel.Kallsyms.TryFindFunction(ret - 1, out var caller)) continue;
                chain.Add(caller);
                tops.Add(slot + 8);
            }
            var (moduleFunction, depth) = Unwinder.InnermostModuleFrame(chain);
            return new StackAtHighWater
            {
                Rip = rip,
                RipSymbol = Kallsyms.SprintSymbol(kernel.Kallsyms, rip),
                Function = kernel.Kallsyms.TryFindFunction(rip, out var f) ? f.SourceName : "",
                Rsp = rsp,
                ModuleFunction = moduleFunction,
                Depth = depth,
                CallChain = chain.Select(c => c.SourceName).ToList(),
                FrameTops = tops,
                StackBase = task.Stack,
                StackTop = task.StackTop,
            };
        }
    }
}
