using System.Collections.Generic;
using KDsl.Profiles;
using KDsl.Runtime.Memory;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// Finds the reliable return-address slots of a kernel stack: by the frame-pointer chain on profiles built with
    /// CONFIG_FRAME_POINTER, otherwise by the compiler's CFA rows as the ORC unwinder does. A slot is reliable when it
    /// is exactly where the unwinder expects a return address; every other text address on the stack prints with "?".
    /// </summary>
    public static class Unwinder
    {
        private const int MaxFrames = 512;

        /// <summary>
        /// How deep the innermost module function had recursed at the fault: its frame (RIP, or the first module
        /// return address when RIP is in the kernel) plus the consecutive reliable frames of the same function above it.
        /// step5's fourth level faulting in rstack gives 4; its fifteenth level dying inside printk gives 15.
        /// </summary>
        public static (string Function, int Depth) InnermostModuleFrame(KernelSymbols kallsyms, Mmu mmu, ulong rip, IEnumerable<ulong> reliableSlotsInnermostFirst)
        {
            var addresses = new List<ulong> { rip };
            foreach (var slot in reliableSlotsInnermostFirst)
                if (mmu.TryReadU64(slot, out ulong ret)) addresses.Add(ret - 1); // a return address belongs to the call before it
            string? function = null;
            int depth = 0;
            foreach (var address in addresses)
            {
                if (!kallsyms.TryFindFunction(address, out var f) || f.Module is null)
                {
                    if (function is null) continue;
                    break;
                }
                if (function is null) function = f.Name;
                else if (f.Name != function) break;
                depth++;
            }
            return (function ?? "", depth);
        }

        public static HashSet<ulong> ReliableSlots(KernelProfile profile, KernelSymbols kallsyms, Mmu mmu, ulong rip, ulong rsp, ulong rbp,
            ulong stackLow, ulong stackTop)
        {
            var slots = new HashSet<ulong>();
            for (int frame = 0; frame < MaxFrames; frame++)
            {
                if (!kallsyms.TryFindFunction(rip, out var function)) break;
                int cfa = function.CfaAt(rip);
                ulong slot;
                if (profile.FramePointer && cfa > 16)
                {
                    // push rbp; mov rbp, rsp has run: the return address sits just above the saved RBP.
                    slot = rbp + 8;
                    if (!mmu.TryReadU64(rbp, out ulong savedRbp)) break;
                    rbp = savedRbp;
                }
                else
                {
                    slot = rsp + (ulong)cfa - 8;
                    if (profile.FramePointer && cfa == 16 && !mmu.TryReadU64(rsp, out rbp)) break;
                }
                if (slot < stackLow || slot + 8 > stackTop) break;
                if (!mmu.TryReadU64(slot, out ulong returnAddress)) break;
                slots.Add(slot);
                rip = returnAddress;
                rsp = slot + 8;
            }
            return slots;
        }
    }
}
