using System;
using KDsl.Runtime.Cpu;
using KDsl.Runtime.Memory;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// Signals with handlers (kernel/signal.c, arch/x86/kernel/signal.c): rt_sigaction copies a struct sigaction from
    /// user space (<see cref="KSigaction"/>); force_sig_fault delivers to its handler unless the signal is blocked (its own
    /// handler is running) or ignored, in which case the kernel resets it to SIG_DFL and the default action kills.
    /// setup_rt_frame builds the frame on the user stack below the red zone: the return address (sa_restorer, which
    /// x86-64 requires: without SA_RESTORER the frame is refused and force_sigsegv kills), a siginfo_t (si_signo @0,
    /// si_errno @4, si_code @8, si_addr @16; written with SA_SIGINFO only), a ucontext (uc_flags, uc_link, uc_stack,
    /// then the 256-byte sigcontext: r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags, cs/gs/fs/ss, err,
    /// trapno, oldmask, cr2, fpstate, reserved; then uc_sigmask); the handler gets (signo, &amp;info, &amp;uc).
    /// </summary>
    public sealed partial class LinuxKernel
    {
        /// <summary>sizeof(struct ucontext) on x86-64: uc_flags 8, uc_link 8, uc_stack 24, uc_mcontext 256, uc_sigmask 8.</summary>
        private const int SiginfoSize = 128, UcontextSize = 304, SigcontextOffset = 40, SigmaskOffset = 296, RedZone = 128;

        /// <summary>struct sigcontext_64's longs after eflags (index 17): the selector word, then err, trapno, oldmask, cr2.</summary>
        private const int ScSelectors = 18, ScErr = 19, ScTrapno = 20, ScOldmask = 21, ScCr2 = 22;

        private const int SIGSTOP = 19;

        /// <summary>A handler runs: one is installed (not SIG_DFL or SIG_IGN) and the signal is not blocked.</summary>
        private static bool HasHandler(UserProcess p, int signo) =>
            p.Handlers.TryGetValue(signo, out var ka) && ka.Handler > KSigaction.SigIgn && (p.Blocked & SigMask(signo)) == 0;

        private static ulong SigMask(int signo) => 1UL << (signo - 1);

        private void ForceSigFault(UserProcess p, in ExceptionInfo info, int signo, int code, ulong address)
        {
            if (!HasHandler(p, signo))
            {
                KillProcess(p, signo, code, address);
                return;
            }
            if (!SetupRtFrame(p, info, signo, code, address))
            {
                // signal_setup_done(failed) → force_sigsegv: SIGSEGV (SI_KERNEL), its own handler reset first when the
                // frame that failed was SIGSEGV's, so this ends
                if (signo == Signals.SIGSEGV) p.Handlers.Remove(signo);
                ForceSigFault(p, info, Signals.SIGSEGV, Signals.SI_KERNEL, 0);
                return;
            }
            p.Result.Delivered(signo, code, address);
        }

        private bool SetupRtFrame(UserProcess p, in ExceptionInfo info, int signo, int code, ulong address)
        {
            Charge(KernelWork.SignalDelivery);
            var ka = p.Handlers[signo];
            if (!ka.Has(KSigaction.SaRestorer)) return false; // "x86-64 should always use SA_RESTORER"
            ulong sp = ((info.FaultRsp - RedZone - UcontextSize - SiginfoSize) & ~0xFUL) - 8;
            ulong siginfo = sp + 8, ucontext = siginfo + SiginfoSize;
            var frame = new byte[8 + SiginfoSize + UcontextSize];
            BitConverter.GetBytes(ka.Restorer).CopyTo(frame, 0);
            if (ka.Has(KSigaction.SaSiginfo))
            {
                BitConverter.GetBytes(signo).CopyTo(frame, 8);
                BitConverter.GetBytes(code).CopyTo(frame, 8 + 8);
                BitConverter.GetBytes(address).CopyTo(frame, 8 + 16);
            }
            else
            {
                // without SA_SIGINFO copy_siginfo_to_user is skipped: the bytes stay what the stack held
                var stale = new byte[SiginfoSize];
                if (CopyFromUser(p, siginfo, stale) == SiginfoSize) stale.CopyTo(frame, 8);
            }
            ulong[] sc =
            {
                Cpu[Reg.R8], Cpu[Reg.R9], Cpu[Reg.R10], Cpu[Reg.R11], Cpu[Reg.R12], Cpu[Reg.R13], Cpu[Reg.R14], Cpu[Reg.R15],
                Cpu[Reg.Rdi], Cpu[Reg.Rsi], Cpu[Reg.Rbp], Cpu[Reg.Rbx], Cpu[Reg.Rdx], Cpu[Reg.Rax], Cpu[Reg.Rcx],
                info.FaultRsp, info.FaultRip, info.FaultRflags,
            };
            for (int i = 0; i < sc.Length; i++)
                BitConverter.GetBytes(sc[i]).CopyTo(frame, 8 + SiginfoSize + SigcontextOffset + 8 * i);
            // setup_sigcontext, the rest: cs, gs = 0, fs = 0, ss; then "put_user_ex(current->thread.trap_nr, &sc->trapno);
            // put_user_ex(current->thread.error_code, &sc->err); … put_user_ex(mask, &sc->oldmask);
            // put_user_ex(current->thread.cr2, &sc->cr2);". uc_sigmask is the same mask: the set blocked before the handler.
            ulong oldmask = p.Blocked;
            int selectors = 8 + SiginfoSize + SigcontextOffset + 8 * ScSelectors;
            BitConverter.GetBytes((ushort)Selectors.UserCs).CopyTo(frame, selectors);
            BitConverter.GetBytes((ushort)Selectors.UserDs).CopyTo(frame, selectors + 6);
            void Sc(int index, ulong value) => BitConverter.GetBytes(value).CopyTo(frame, 8 + SiginfoSize + SigcontextOffset + 8 * index);
            Sc(ScErr, p.ThreadErrorCode);
            Sc(ScTrapno, p.ThreadTrapNr);
            Sc(ScOldmask, oldmask);
            Sc(ScCr2, p.ThreadCr2);
            BitConverter.GetBytes(oldmask).CopyTo(frame, 8 + SiginfoSize + SigmaskOffset);
            if (CopyToUser(p, sp, frame) != frame.Length) return false;

            // signal_delivered → sigorsets(blocked, sa_mask), plus the signal itself unless SA_NODEFER
            p.Blocked |= ka.Mask | (ka.Has(KSigaction.SaNodefer) ? 0 : SigMask(signo));
            Cpu[Reg.Rdi] = (ulong)signo;
            Cpu[Reg.Rsi] = siginfo;
            Cpu[Reg.Rdx] = ucontext;
            Cpu[Reg.Rax] = 0;
            Cpu.Cs = Selectors.UserCs;
            Cpu.Ss = Selectors.UserDs;
            Cpu.Rsp = sp;
            Cpu.Rip = ka.Handler;
            Cpu.Rflags = (info.FaultRflags & ~(CpuFlags.DF | CpuFlags.TF)) | CpuFlags.Reserved1;
            return true;
        }

        /// <summary>
        /// rt_sigaction(sig, act, oact, sigsetsize): EINVAL for a sigsetsize other than sizeof(sigset_t), EFAULT for an act
        /// or oact it cannot copy, then do_sigaction: EINVAL for a signal out of 1..64, or SIGKILL/SIGSTOP with an act;
        /// the new action's mask never holds SIGKILL or SIGSTOP. The old action goes to oact.
        /// </summary>
        private long RtSigaction(UserProcess p, int signo, ulong act, ulong oact, ulong sigsetsize)
        {
            if (sigsetsize != 8) return -EINVAL;
            KSigaction? action = null;
            if (act != 0)
            {
                var bytes = new byte[KSigaction.Size];
                if (CopyFromUser(p, act, bytes) != bytes.Length) return -EFAULT;
                action = KSigaction.Read(bytes);
            }
            if (signo < 1 || signo > 64 || (action is not null && (signo == Signals.SIGKILL || signo == SIGSTOP))) return -EINVAL;
            p.Handlers.TryGetValue(signo, out var old);
            if (action is { } a)
                p.Handlers[signo] = new KSigaction(a.Handler, a.Flags, a.Restorer, a.Mask & ~(SigMask(Signals.SIGKILL) | SigMask(SIGSTOP)));
            if (oact != 0 && CopyToUser(p, oact, old.ToBytes()) != KSigaction.Size) return -EFAULT;
            return 0;
        }

        /// <summary>
        /// rt_sigreturn: the sigcontext back into the registers (RSP at the syscall is the frame + 8) and uc_sigmask back
        /// into the blocked set (set_current_blocked, which never blocks SIGKILL or SIGSTOP).
        /// </summary>
        private long RtSigreturn(UserProcess p)
        {
            ulong ucontext = Cpu.Rsp + SiginfoSize;
            var sc = new byte[18 * 8];
            var sigmask = new byte[8];
            if (CopyFromUser(p, ucontext + SigcontextOffset, sc) != sc.Length || CopyFromUser(p, ucontext + SigmaskOffset, sigmask) != sigmask.Length)
            {
                KillProcess(p, Signals.SIGSEGV, Signals.SI_KERNEL, 0);
                return 0;
            }
            ulong Q(int i) => BitConverter.ToUInt64(sc, 8 * i);
            Reg[] order = { Reg.R8, Reg.R9, Reg.R10, Reg.R11, Reg.R12, Reg.R13, Reg.R14, Reg.R15, Reg.Rdi, Reg.Rsi, Reg.Rbp, Reg.Rbx, Reg.Rdx, Reg.Rax, Reg.Rcx };
            p.Blocked = BitConverter.ToUInt64(sigmask, 0) & ~(SigMask(Signals.SIGKILL) | SigMask(SIGSTOP));
            for (int i = 0; i < order.Length; i++) Cpu[order[i]] = Q(i);
            Cpu.Rsp = Q(15);
            Cpu.Rip = Q(16);
            Cpu.Rflags = (Q(17) & 0x3F7FD5UL) | CpuFlags.Reserved1;
            Cpu.Cs = Selectors.UserCs;
            Cpu.Ss = Selectors.UserDs;
            return 0;
        }
    }
}
