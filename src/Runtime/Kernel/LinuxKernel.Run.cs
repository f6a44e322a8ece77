using KDsl.Runtime.Cpu;
using KDsl.Runtime.Kernel.Printk;

namespace KDsl.Runtime.Kernel
{
    public sealed partial class LinuxKernel
    {
        /// <summary>Runs the CPU until the syscall returns, the task dies or the machine panics, within the instruction budget.</summary>
        private void RunUntilDone()
        {
            long end = Cpu.InstructionCount + Layout.InstructionBudget;
            while (!_finished)
            {
                long budget = end - Cpu.InstructionCount;
                if (budget <= 0)
                {
                    SoftLockup();
                    return;
                }
                switch (Cpu.Run(budget))
                {
                    case StopReason.Hypercall:
                        Service();
                        break;
                    case StopReason.Exception:
                        HandleException(Cpu.LastException);
                        break;
                    case StopReason.TripleFault:
                        // A fault while delivering #DF: the CPU shuts down and the machine resets; the kernel prints nothing.
                        Outcome = RunOutcome.TripleFault;
                        _finished = true;
                        break;
                    case StopReason.Halt:
                        Outcome = RunOutcome.Completed;
                        _finished = true;
                        break;
                    case StopReason.BudgetExhausted:
                        SoftLockup();
                        return;
                }
            }
        }

        /// <summary>A vmcall in the modelled kernel text: the C# kernel does the function's real work.</summary>
        private void Service()
        {
            if (!_services.TryGetValue(Cpu.Rip, out var site))
            {
                // vmcall outside the kernel's own sites: without a hypervisor the instruction is undefined.
                var info = new ExceptionInfo { Vector = Vectors.UD, FaultRip = Cpu.Rip - 3, FaultRsp = Cpu.Rsp, FaultRflags = Cpu.Rflags, FaultCs = Cpu.Cs };
                HandleException(info);
                return;
            }

            if (site.Function == Profile.PrintkSymbol && site.AtEntry)
                _pendingPrintk = FormatPrintk();
            else if (site.Function == Profile.SyscallEntry)
            {
                InitReturn = (long)Cpu[Reg.Rax];
                _finished = true;
            }
            else if (site.Function == "__stack_chk_fail")
            {
                Mmu.TryReadU64(Cpu.Rsp, out ulong caller);
                Panic(Vsnprintf.Sprintf(Vsprintf, "stack-protector: Kernel stack is corrupted in: %pB", caller));
            }
            else if (!site.AtEntry)
            {
                // vprintk_store / log_store: the record reaches the log only once the whole path ran without faulting.
                string text = _pendingPrintk ?? "";
                _pendingPrintk = null;
                Log.Emit(text);
                Cpu[Reg.Rax] = (ulong)text.Length;
            }
        }

        /// <summary>printk's varargs where the SysV ABI put them: RDI the format, then RSI, RDX, RCX, R8, R9 and the caller's stack.</summary>
        private string FormatPrintk()
        {
            ulong fmtAddress = Cpu[Reg.Rdi];
            if (!Mmu.TryReadCString(fmtAddress, 1024, out string fmt)) return "";
            var args = new GuestVarargs(new[] { Cpu[Reg.Rsi], Cpu[Reg.Rdx], Cpu[Reg.Rcx], Cpu[Reg.R8], Cpu[Reg.R9] }, Cpu.Rsp + 8, Mmu);
            return Vsnprintf.Format(fmt, args, Vsprintf);
        }

        /// <summary>printk from the C# side of the kernel (oops reports, load messages).</summary>
        private void Printk(string text) => Log.Emit(text);
    }
}
