using KDsl.Profiles;
using KDsl.Runtime.Cpu;
using KDsl.Runtime.Kernel.Oops;
using KDsl.Runtime.Kernel.Printk;
using KDsl.Runtime.Memory;

namespace KDsl.Runtime.Kernel
{
    /// <summary>arch/x86/kernel/traps.c and arch/x86/mm/fault.c: what the kernel does with each exception the CPU delivered.</summary>
    public sealed partial class LinuxKernel
    {
        private void HandleException(in ExceptionInfo info)
        {
            var regs = RegistersAt(info);
            switch (info.Vector)
            {
                case Vectors.DF:
                    ExcDoubleFault(regs, info.Cr2);
                    break;
                case Vectors.PF:
                    ExcPageFault(regs, info.ErrorCode, info.Cr2);
                    break;
                case Vectors.UD:
                    Die("invalid opcode", "invalid_opcode", regs, 0, inInterrupt: false);
                    break;
                case Vectors.GP:
                    Die("general protection fault", "general_protection", regs, info.ErrorCode, inInterrupt: false);
                    break;
                case Vectors.DE:
                    Die(Profile.LegacyOopsLayout ? "divide error" : "divide error", "divide_error", regs, 0, inInterrupt: false);
                    break;
                default:
                    Die($"exception {info.Vector}", "exception", regs, info.ErrorCode, inInterrupt: false);
                    break;
            }
        }

        /// <summary>
        /// exc_double_fault: read CR2 first (the failed push of the #PF frame), and if it lies in the guard page of a
        /// known stack it was a stack overflow (handle_stack_overflow). The #DF handler runs in NMI-like context, so
        /// the oops always ends in "Fatal exception in interrupt".
        /// </summary>
        private void ExcDoubleFault(RegisterSet regs, ulong address)
        {
            if (InStackGuardPage(address))
            {
                HandleStackOverflow(regs, address, doubleFault: true);
                return;
            }
            Printk(Vsnprintf.Sprintf(Vsprintf, "traps: PANIC: double fault, error_code: 0x%lx\n", 0UL));
            Die("double fault", "double_fault", regs, 0, inInterrupt: true);
        }

        /// <summary>
        /// The guard-page test: ≤5.15 only the page below the task stack
        /// (task_stack_page(tsk) - 1 - address &lt; PAGE_SIZE); ≥5.16 get_stack_guard_info does the same for every known stack.
        /// </summary>
        private bool InStackGuardPage(ulong address) =>
            unchecked(Current.Stack - 1 - address) < PhysicalMemory.PageSize;

        /// <summary>
        /// exc_page_fault for a kernel-mode fault (KDsl's experiments run in the kernel): a #PF that was delivered
        /// (so not a push) but hit the guard page still means overflow (page_fault_oops' get_stack_guard_info check);
        /// anything else is a page-fault oops and kills the task.
        /// </summary>
        private void ExcPageFault(RegisterSet regs, uint errorCode, ulong address)
        {
            if (InStackGuardPage(address))
            {
                HandleStackOverflow(regs, address, doubleFault: false);
                return;
            }
            ShowFaultOops(errorCode, address);
            Die("Oops", "page_fault", regs, errorCode, inInterrupt: false, cr2Line: address);
        }

        /// <summary>show_fault_oops: what was accessed, how, and why it faulted.</summary>
        private void ShowFaultOops(uint errorCode, ulong address)
        {
            if ((errorCode & PfError.Instr) != 0)
                Printk("kernel tried to execute NX-protected page - exploit attempt? (uid: 0)\n");
            Printk(address < PhysicalMemory.PageSize
                ? Vsnprintf.Sprintf(Vsprintf, "BUG: kernel NULL pointer dereference, address: %px\n", address)
                : Vsnprintf.Sprintf(Vsprintf, "BUG: unable to handle page fault for address: %px\n", address));
            string access = (errorCode & PfError.Instr) != 0 ? "instruction fetch" : (errorCode & PfError.Write) != 0 ? "write access" : "read access";
            Printk($"#PF: supervisor {access} in kernel mode\n");
            string why = (errorCode & PfError.Prot) == 0 ? "not-present page" : (errorCode & PfError.Rsvd) != 0 ? "reserved bit violation" : "permissions violation";
            Printk(Vsnprintf.Sprintf(Vsprintf, "#PF: error_code(0x%04lx) - %s\n", (ulong)errorCode, why));
            var walk = Tables.Walk(Root, address);
            string line = Vsnprintf.Sprintf(Vsprintf, "PGD %lx P4D %lx ", walk.Pgd, walk.Pgd);
            if (walk.Level <= 3) line += Vsnprintf.Sprintf(Vsprintf, "PUD %lx ", walk.Pud);
            if (walk.Level <= 2) line += Vsnprintf.Sprintf(Vsprintf, "PMD %lx ", walk.Pmd);
            if (walk.Level <= 1) line += Vsnprintf.Sprintf(Vsprintf, "PTE %lx", walk.Pte);
            Printk(line.TrimEnd() + "\n");
        }

        /// <summary>handle_stack_overflow: the BUG line, then die() with the profile's string (oops_end decides the rest).</summary>
        private void HandleStackOverflow(RegisterSet regs, ulong address, bool doubleFault)
        {
            var printer = new OopsPrinter(Profile, Vsprintf);
            Printk(printer.StackGuardPageHit(address, Current.Stack, OopsPrinter.TaskStackName, (ulong)Current.ThreadSize) + "\n");
            Die(printer.StackOverflowDieString(doubleFault), "stack_guard", regs, 0, inInterrupt: doubleFault);
        }

        /// <summary>The register state of the faulting context: the frame the CPU pushed, the rest still live in the CPU.</summary>
        private RegisterSet RegistersAt(in ExceptionInfo info) => new RegisterSet
        {
            Rip = info.FaultRip,
            Rsp = info.FaultRsp,
            Rflags = info.FaultRflags,
            Cs = info.FaultCs == 0 ? Selectors.KernelCs : info.FaultCs,
            Ss = Selectors.KernelDs,
            Rax = Cpu[Reg.Rax], Rbx = Cpu[Reg.Rbx], Rcx = Cpu[Reg.Rcx], Rdx = Cpu[Reg.Rdx],
            Rsi = Cpu[Reg.Rsi], Rdi = Cpu[Reg.Rdi], Rbp = Cpu[Reg.Rbp],
            R8 = Cpu[Reg.R8], R9 = Cpu[Reg.R9], R10 = Cpu[Reg.R10], R11 = Cpu[Reg.R11],
            R12 = Cpu[Reg.R12], R13 = Cpu[Reg.R13], R14 = Cpu[Reg.R14], R15 = Cpu[Reg.R15],
            FsBase = Cpu.FsBase, GsBase = Cpu.GsBase, KernelGsBase = Cpu.KernelGsBase,
            Cr0 = Profile.Cr0, Cr2 = Cpu.Cr2, Cr3 = Cpu.Cr3, Cr4 = Profile.Cr4,
            Dr6 = Profile.Dr6,
            Pkru = Profile.HasPkru ? 0x55555554u : 0u,
        };
    }
}
