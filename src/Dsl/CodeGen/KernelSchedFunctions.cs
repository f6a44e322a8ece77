using System;
using KDsl.Profiles;
using static Iced.Intel.AssemblerRegisters;

namespace KDsl.CodeGen
{
    /// <summary>
    /// What might_sleep() reaches when no other task needs the CPU (KernelProfile.MightSleepSymbol): 6.1's static call
    /// trampoline and __cond_resched, 5.10's _cond_resched and rcu_all_qs, each the recorded fast path's shape with its
    /// reads of per-CPU state as NOPs of their lengths, returning at once.
    /// </summary>
    internal static class KernelSchedFunctions
    {
        /// <summary>Writes <paramref name="name"/>'s code; false when it is not one of these functions.</summary>
        public static bool Emit(string name, CodeBuffer code, KernelProfile profile)
        {
            var a = code.Asm;
            code.SetCfa(8);
            void Ret() => KernelTextCompiler.Ret(code, profile);
            switch (name)
            {
                case "__SCT__might_resched":
                    code.JumpSymbol("__cond_resched");       // the static call, patched to voluntary preemption's target
                    break;
                case "__cond_resched":
                    // should_resched(0) finds nothing to run (KDsl never preempts here): the recorded fast path, its
                    // read of __preempt_count, test and je as NOPs of their lengths, then return 0
                    code.Bytes(profile.FtraceNop);
                    code.Bytes(0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00);
                    code.Bytes(0x66, 0x90, 0x66, 0x90);
                    a.xor(eax, eax);
                    Ret();
                    break;
                case "_cond_resched":
                    // 5.10's: the same fast path with RBX saved, then rcu_all_qs() (CONFIG_PREEMPT_RCU is off)
                    code.Bytes(profile.FtraceNop);
                    a.push(rbx);
                    code.SetCfa(16);
                    code.Bytes(0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00);
                    code.Bytes(0x66, 0x90, 0x66, 0x90);
                    code.CallSymbol("rcu_all_qs");
                    a.xor(eax, eax);
                    a.pop(rbx);
                    code.SetCfa(8);
                    Ret();
                    break;
                case "rcu_all_qs":
                    // no quiescent state requested: the recorded check, as NOPs, and return
                    code.Bytes(profile.FtraceNop);
                    code.Bytes(0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00);
                    code.Bytes(0x66, 0x90, 0x66, 0x90);
                    Ret();
                    break;
                default:
                    return false;
            }
            return true;
        }
    }
}
