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
