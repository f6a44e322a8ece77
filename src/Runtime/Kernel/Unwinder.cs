using System.Collections.Generic;
using System.Linq;
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
        /// The reliable call chain at a fault, innermost first: RIP's function, then the function of each return
        /// address the unwinder found (a return address belongs to the call just before it).
        /// </summary>
        public static List<TextFunction> CallChain(KernelSymbols kallsyms, Mmu mmu, ulong rip, IEnumerable<ulong> reliableSlots)
        {
            var chain = new List<TextFunction>();
            if (kallsyms.TryFindFunction(rip, out var at)) chain.Add(at);
            foreach (var slot in reliableSlots.OrderBy(s => s)) // the innermost frame sits lowest on the stack
                if (mmu.TryReadU64(slot, out ulong ret) && kallsyms.TryFindFunction(ret - 1, out var caller)) chain.Add(caller);
            return chain;
        }

        /// <summary>
        /// How deep the innermost module function had recursed: its frames from the innermost module frame up, while
        /// they are the same function. step5's fourth level faulting in rstack gives 4; its fifteenth level dying
        /// inside printk gives 15.
        /// </summary>
        public static (string Function, int Depth) InnermostModuleFrame(IEnumerable<TextFunction> chain)
        {
            string? function = null;
            int depth = 0;
            foreach (var f in chain)
            {
                if (f.Module is null)
                {
                    if (function is null) continue;
                    break;
                }
                if (function is null) function = f.SourceName;
                else if (f.SourceName != function) break;
                depth++;
            }
            return (function ?? "", depth);
        }

        /// <summary>pt_regs' words: where an entry frame keeps the interrupted context's RBP, RIP and RSP.</summary>
        private const int PtRegsRbp = 4 * 8, PtRegsRip = 16 * 8, PtRegsRsp = 19 * 8;

        /// <summary>The byte offset of pt_regs' ip: show_trace_log_lvl does not print that word again after the registers.</summary>
        public const int PtRegsIpOffset = PtRegsRip;

        /// <summary>
        /// The reliable return-address slots. <paramref name="regsFrames"/> (when given) receives each pt_regs of a
        /// kernel-mode exception the unwind went through: an IDT entry (asm_exc_*) calls its handler with RSP at the
        /// pt_regs it built, and ORC's UNWIND_HINT_REGS there continues at the interrupted RIP and RSP.
        /// </summary>
        public static HashSet<ulong> ReliableSlots(KernelProfile profile, KernelSymbols kallsyms, Mmu mmu, ulong rip, ulong rsp, ulong rbp,
            ulong stackLow, ulong stackTop, List<ulong>? regsFrames = null)
        {
            var slots = new HashSet<ulong>();
            bool exact = true; // rip is where the context stopped, not a return address
            for (int frame = 0; frame < MaxFrames; frame++)
            {
                // A return address names its call's function (ORC looks up ip - 1): a noreturn call can end a function
                // (__stack_chk_fail's call of panic), so the address after it belongs to the next one.
                if (!kallsyms.TryFindFunction(exact ? rip : rip - 1, out var function)) break;
                if (!exact && function.Name.StartsWith("asm_exc_", System.StringComparison.Ordinal))
                {
                    // the entry's call of its handler: RSP (just above this return address) is the pt_regs
                    ulong ptRegs = rsp;
                    if (ptRegs + PtRegsRsp + 8 > stackTop || !mmu.TryReadU64(ptRegs + PtRegsRip, out ulong ip) ||
                        !mmu.TryReadU64(ptRegs + PtRegsRsp, out ulong sp) || !mmu.TryReadU64(ptRegs + PtRegsRbp, out ulong bp) ||
                        !kallsyms.TryFindFunction(ip, out _)) break; // a user context: the task's own pt_regs end the stack
                    regsFrames?.Add(ptRegs);
                    rip = ip;
                    rsp = sp;
                    rbp = bp;
                    exact = true;
                    continue;
                }
                exact = false;
                int cfa = function.CfaAt(rip);
                ulong slot;
                if (cfa < 0)
                {
                    // A recorded function that realigned RSP: ORC's CFA is RBP + 16, the caller's RBP saved at RBP.
                    slot = rbp + (ulong)(-cfa) - 8;
                    if (!mmu.TryReadU64(rbp, out ulong savedRbp)) break;
                    rbp = savedRbp;
                }
                else if (profile.FramePointer && cfa > 16)
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
                    // the function saved its caller's RBP and may have used the register since: the caller's is in the slot
                    int rbpSaved = function.RbpSavedAt(rip);
                    if (rbpSaved > 0 && !mmu.TryReadU64(rsp + (ulong)cfa - (ulong)rbpSaved, out rbp)) break;
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
