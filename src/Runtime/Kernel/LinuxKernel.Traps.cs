using System.Collections.Generic;
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
            if (_replay is { InOops: true }) _recordedOops = null; // a fault in the oops path: its report is never finished
            _replay?.Interrupted(Cpu, info.FaultRsp); // a recorded printk that dies leaves what it had written so far
            var regs = RegistersAt(info);
            switch (info.Vector)
            {
                case Vectors.DF:
                    ExcDoubleFault(regs, info.Cr2);
                    break;
                case Vectors.PF:
                    if (ResolveOrFixUp(info, regs)) break;
                    ExcPageFault(regs, info.ErrorCode, info.Cr2, info.FrameRsp);
                    break;
                case Vectors.UD:
                    ExcInvalidOp(regs, info.FrameRsp);
                    break;
                case Vectors.GP:
                    DieFromEntry(Profile.ExceptionEntry(Vectors.GP), info.FrameRsp, new List<string>(), GeneralProtectionDesc(regs, info.ErrorCode),
                        "general_protection", regs, info.ErrorCode);
                    break;
                case Vectors.DE:
                    // do_error_trap(regs, 0, "divide error", X86_TRAP_DE, SIGFPE, ...) → die(): the same string in 4.11 and 6.1.
                    DieFromEntry(Profile.ExceptionEntry(Vectors.DE), info.FrameRsp, new List<string>(), "divide error", "divide_error", regs, 0);
                    break;
                case Vectors.BP:
                    // exc_int3 (5.8+) runs a kernel-mode #BP inside irqentry_nmi_enter; 4.11's do_int3 inside ist_enter,
                    // which adds HARDIRQ_OFFSET. With no kprobe or debugger claiming it, do_int3 fails and die("int3")
                    // follows; in_interrupt() is true there, so oops_end panics: "Fatal exception in interrupt". RIP is
                    // the byte after the int3 (a trap).
                    Die("int3", "int3", regs, 0, inInterrupt: true);
                    break;
                case Vectors.DB:
                case 15:
                case >= Vectors.FirstSystemVector:
                    // exc_debug_kernel: "The kernel doesn't use INT1", nothing to report; vector 15 is the spurious
                    // interrupt bug handler, which does nothing; 0xec and up are the APIC's system vectors (timer, IPIs),
                    // whose handlers print nothing either. Back to the interrupted code.
                    ReturnFromTrap(info, regs);
                    break;
                case >= Vectors.FirstExternalVector:
                    // common_interrupt with no irq_desc for the vector: "%s: %d.%u No irq handler for vector" (pr_emerg_ratelimited,
                    // __func__ is do_IRQ in 4.x and __common_interrupt since 5.8), then ack_APIC_irq and return.
                    Printk(Vsnprintf.Sprintf(Vsprintf, "%s: %d.%u No irq handler for vector\n",
                        Profile.LegacyOopsLayout ? "do_IRQ" : "__common_interrupt", (long)Profile.Cpu, (ulong)info.Vector));
                    ReturnFromTrap(info, regs);
                    break;
                default:
                    var trap = KernelTrap(info.Vector);
                    Die(trap.DieString, trap.Kind, regs, info.HasErrorCode ? info.ErrorCode : 0, inInterrupt: false);
                    break;
            }
        }

        /// <summary>
        /// traps.c's do_error_trap table (DO_ERROR and the int3/into handlers): per vector the str both modes print —
        /// die(str) for a kernel-mode exception with no exception-table fixup, "trap str" from show_signal for a user
        /// task — the signal a user task gets (force_sig, SI_KERNEL), and the kind an `oops KIND` expectation names.
        /// Null for the vectors handled elsewhere (#DE, #UD, #GP, #PF, #DF) or that have no such handler.
        /// </summary>
        private static (string Str, int Signo, string Kind)? ErrorTrap(int vector) => vector switch
        {
            Vectors.BP => ("int3", Signals.SIGTRAP, "int3"),
            Vectors.OF => ("overflow", Signals.SIGSEGV, "overflow"),
            Vectors.BR => ("bounds", Signals.SIGSEGV, "bounds"),
            Vectors.CoprocessorSegmentOverrun => ("coprocessor segment overrun", Signals.SIGFPE, "coprocessor_segment_overrun"),
            Vectors.TS => ("invalid TSS", Signals.SIGSEGV, "invalid_tss"),
            Vectors.NP => ("segment not present", Signals.SIGBUS, "segment_not_present"),
            Vectors.SS => ("stack segment", Signals.SIGBUS, "stack_segment"),
            Vectors.AC => ("alignment check", Signals.SIGBUS, "alignment_check"),
            Vectors.MF => ("fpu exception", Signals.SIGFPE, "coprocessor_error"),
            Vectors.XF => ("simd exception", Signals.SIGFPE, "simd_exception"),
            _ => null,
        };

        /// <summary>
        /// The die() string and kind of a kernel-mode exception: <see cref="ErrorTrap"/>'s, except #NM (its own handler:
        /// die("unexpected #NM exception")) and #AC since 5.7 (die("Split lock detected\n"), the string's own newline
        /// included).
        /// </summary>
        private (string DieString, string Kind) KernelTrap(int vector)
        {
            if (vector == Vectors.NM) return ("unexpected #NM exception", "device_not_available");
            if (vector == Vectors.AC && !Profile.LegacyOopsLayout) return ("Split lock detected\n", "alignment_check");
            return ErrorTrap(vector) is { } trap ? (trap.Str, trap.Kind) : ($"exception {vector}", "exception");
        }

        /// <summary>The handler returns (iretq): pops the frame the CPU pushed, error code first when there is one.</summary>
        private void ReturnFromTrap(in ExceptionInfo info, RegisterSet regs)
        {
            if (!Cpu.Iret(info.HasErrorCode))
                Die("general protection fault", "general_protection", regs, 0, inInterrupt: false);
        }

        /// <summary>
        /// idt_setup_traps / idt_setup_apic_and_irq_gates: the gates Linux installs besides the ones Boot sets (#DE, #UD,
        /// #DF, #GP, #PF). int3 and into's #OF are system gates (DPL 3, so user code may raise them); the others DPL 0,
        /// so `int n` from user space gets #GP(n * 8 + 2). Vectors 20–31 have no gate (#NP on use), 32–255 are the
        /// external and system interrupt vectors. The C# kernel takes every exception at delivery, before the handler's
        /// first instruction, so the gates share one entry address.
        /// </summary>
        private void SetUpTrapGates()
        {
            ulong entry = Kallsyms.AddressOf(Profile.ExceptionEntry(Vectors.GP));
            foreach (int vector in new[] { Vectors.DB, Vectors.NMI, Vectors.BR, Vectors.NM, Vectors.CoprocessorSegmentOverrun,
                Vectors.TS, Vectors.NP, Vectors.SS, 15, Vectors.MF, Vectors.AC, Vectors.MC, Vectors.XF })
                if (!Cpu.Idt[vector].Present) Cpu.Idt[vector] = IdtGate.Interrupt(entry);
            Cpu.Idt[Vectors.BP] = IdtGate.Interrupt(entry, dpl: 3);
            Cpu.Idt[Vectors.OF] = IdtGate.Interrupt(entry, dpl: 3);
            for (int vector = Vectors.FirstExternalVector; vector < 256; vector++)
                Cpu.Idt[vector] = IdtGate.Interrupt(entry);
        }

        /// <summary>
        /// exc_double_fault: read CR2 first (the failed push of the #PF frame), and if it lies in the guard page of a
        /// known stack it was a stack overflow (handle_stack_overflow). The #DF handler runs in NMI-like context, so
        /// the oops always ends in "Fatal exception in interrupt". Before 5.5 (CONFIG_DOUBLEFAULT) do_double_fault
        /// hands any other double fault to df_debug, which prints no oops at all (<see cref="DfDebug"/>).
        /// </summary>
        private void ExcDoubleFault(RegisterSet regs, ulong address)
        {
            if (InStackGuardPage(address))
            {
                HandleStackOverflow(regs, address, doubleFault: true);
                return;
            }
            if (Profile.DoubleFaultDebug)
            {
                DfDebug(regs, 0);
                return;
            }
            Printk(Vsnprintf.Sprintf(Vsprintf, "traps: PANIC: double fault, error_code: 0x%lx\n", 0UL));
            Die("double fault", "double_fault", regs, 0, inInterrupt: true);
        }

        /// <summary>
        /// 4.x do_double_fault → df_debug (arch/x86/kernel/doublefault.c, !CONFIG_X86_32):
        /// <c>pr_emerg("PANIC: double fault, error_code: 0x%lx\n", error_code); show_regs(regs); panic("Machine halted.");</c>
        /// No die(): no "double fault: 0000 [#1]" header, no "Modules linked in:", no end-of-trace marker, no taint D.
        /// show_regs is 4.x's: CPU/Hardware name/task lines, the registers, the call trace, the Code: line.
        /// panic()'s own dump_stack (CONFIG_DEBUG_BUGVERBOSE, TAINT_DIE not set), which would walk the #DF IST stack,
        /// is not modelled: the C# kernel takes the #DF at delivery, so that stack holds no handler frames.
        /// </summary>
        private void DfDebug(RegisterSet regs, ulong errorCode)
        {
            Printk(Vsnprintf.Sprintf(Vsprintf, "PANIC: double fault, error_code: 0x%lx\n", errorCode));
            var report = BuildReport("double fault", regs, errorCode, out var reliable);
            var lines = new System.Collections.Generic.List<string>();
            new OopsPrinter(Profile, Vsprintf).ShowRegs(lines, report);
            foreach (var line in lines)
                Printk(line + "\n");
            RecordOops("double_fault", "double fault", regs, report.Code!, reliable, panicked: true);
            Panic("Machine halted.");
        }

        /// <summary>
        /// The guard-page test: the page below the task stack (task_stack_page(tsk) - 1 - address &lt; PAGE_SIZE), and up to
        /// 5.15 the page above it too (<see cref="KernelProfile.GuardPageAboveTheStack"/>); ≥5.16 get_stack_guard_info
        /// tests the page below every known stack.
        /// </summary>
        private bool InStackGuardPage(ulong address) =>
            unchecked(Current.Stack - 1 - address) < PhysicalMemory.PageSize ||
            Profile.GuardPageAboveTheStack && unchecked(address - (Current.Stack + (ulong)Current.ThreadSize)) < PhysicalMemory.PageSize;

        /// <summary>
        /// exc_page_fault for a kernel-mode fault (KDsl's experiments run in the kernel): a #PF that was delivered
        /// (so not a push) but hit the guard page still means overflow (page_fault_oops' get_stack_guard_info check);
        /// anything else is a page-fault oops and kills the task.
        /// </summary>
        private void ExcPageFault(RegisterSet regs, uint errorCode, ulong address, ulong frameRsp)
        {
            if (InStackGuardPage(address))
            {
                HandleStackOverflow(regs, address, doubleFault: false);
                return;
            }
            var lines = new List<string>();
            ShowFaultOops(lines, regs, errorCode, address);
            // Then (arch/x86/mm/fault.c, 4.x no_context and 5.x+ page_fault_oops alike) the STACK_END_MAGIC check.
            if (Stacks.TaskStackEndCorrupted(Current)) lines.Add("Thread overran stack, or stack corrupted\n");
            // page_fault_oops: __die("Oops"), the "CR2: %016lx" executive line, oops_end(flags, regs, SIGKILL). The #PF
            // gate cleared IF and a kernel-mode fault reaches page_fault_oops before do_user_addr_fault would
            // local_irq_enable() (the SMAP and instruction-fetch checks come first; kernel addresses never enable them).
            DieFromEntry(Profile.ExceptionEntry(Vectors.PF), frameRsp, lines, "Oops", "page_fault", regs, errorCode,
                cr2Line: address, signal: SigKill, irqsDisabled: true);
        }

        /// <summary>
        /// show_fault_oops: what was accessed, how, and why it faulted, then dump_pagetable. 4.19+ (arch/x86/mm/fault.c):
        /// "BUG: kernel NULL pointer dereference, address: %px" / "BUG: unable to handle page fault for address: %px",
        /// the two "#PF:" lines, one "PGD … P4D … PUD … PMD … PTE …" line (pr_cont; a trailing blank where the walk stops).
        /// 4.x: "BUG: unable to handle kernel NULL pointer dereference at %p" / "… paging request at %p", "IP: %pS", and
        /// each level a printk of its own ("PGD %lx ", "PUD %lx ", …, no P4D before 4.12) ended by printk("\n"), which
        /// after a partial line stores an empty record. A table the walk cannot read (its entry points past RAM: bad_address)
        /// ends the walk with a "BAD" record instead. Both print the NX line first when an instruction fetch hit a
        /// present page without execute permission. Each printk's text goes to <paramref name="lines"/>.
        /// </summary>
        private void ShowFaultOops(List<string> lines, RegisterSet regs, uint errorCode, ulong address)
        {
            var walk = Tables.Walk(Root, address);
            if ((errorCode & PfError.Instr) != 0 && walk.Present && (LeafEntry(walk) & (ulong)PteFlags.NoExecute) != 0)
                lines.Add("kernel tried to execute NX-protected page - exploit attempt? (uid: 0)\n");
            // 4.15+ (the profiles that have SMEP in CR4): an executable present page under a user PGD entry.
            if ((errorCode & PfError.Instr) != 0 && walk.Present && (LeafEntry(walk) & (ulong)PteFlags.NoExecute) == 0 &&
                (walk.Pgd & (ulong)PteFlags.User) != 0 && (Cpu.Cr4 & Cr4Smep) != 0)
                lines.Add("unable to execute userspace code (SMEP?) (uid: 0)\n");

            if (Profile.LegacyOopsLayout)
            {
                lines.Add(Vsnprintf.Sprintf(Vsprintf, address < PhysicalMemory.PageSize
                    ? "BUG: unable to handle kernel NULL pointer dereference at %p\n"
                    : "BUG: unable to handle kernel paging request at %p\n", address));
                lines.Add(Vsnprintf.Sprintf(Vsprintf, "IP: %pS\n", regs.Rip));
                lines.Add(Vsnprintf.Sprintf(Vsprintf, "PGD %lx \n", walk.Pgd));
                if (walk.Level <= 3) lines.Add(Vsnprintf.Sprintf(Vsprintf, "PUD %lx \n", walk.Pud));
                if (walk.Level <= 2) lines.Add(Vsnprintf.Sprintf(Vsprintf, "PMD %lx \n", walk.Pmd));
                if (walk.Level <= 1) lines.Add(Vsnprintf.Sprintf(Vsprintf, "PTE %lx\n", walk.Pte));
                lines.Add(walk.Bad ? "BAD\n" : "\n");
                return;
            }

            lines.Add(address < PhysicalMemory.PageSize
                ? Vsnprintf.Sprintf(Vsprintf, "BUG: kernel NULL pointer dereference, address: %px\n", address)
                : Vsnprintf.Sprintf(Vsprintf, "BUG: unable to handle page fault for address: %px\n", address));
            string access = (errorCode & PfError.Instr) != 0 ? "instruction fetch" : (errorCode & PfError.Write) != 0 ? "write access" : "read access";
            lines.Add($"#PF: supervisor {access} in kernel mode\n");
            string why = (errorCode & PfError.Prot) == 0 ? "not-present page" : (errorCode & PfError.Rsvd) != 0 ? "reserved bit violation" : "permissions violation";
            lines.Add(Vsnprintf.Sprintf(Vsprintf, "#PF: error_code(0x%04lx) - %s\n", (ulong)errorCode, why));
            string line = Vsnprintf.Sprintf(Vsprintf, "PGD %lx P4D %lx ", walk.Pgd, walk.Pgd);
            if (walk.Level <= 3) line += Vsnprintf.Sprintf(Vsprintf, "PUD %lx ", walk.Pud);
            if (walk.Level <= 2) line += Vsnprintf.Sprintf(Vsprintf, "PMD %lx ", walk.Pmd);
            if (walk.Level <= 1) line += Vsnprintf.Sprintf(Vsprintf, "PTE %lx", walk.Pte);
            lines.Add(line + "\n");
            // bad_address(): the next table's read through the direct map faults (its entry points past RAM), and
            // dump_pagetable ends with pr_info("BAD\n"), a record of its own after the unfinished pr_cont line.
            if (walk.Bad) lines.Add("BAD\n");
        }

        /// <summary>X86_CR4_SMEP.</summary>
        private const ulong Cr4Smep = 1UL << 20;

        /// <summary>lookup_address's entry: the PTE, or the PMD/PUD of a 2 MiB / 1 GiB mapping.</summary>
        private static ulong LeafEntry(PageWalk walk) => walk.Level switch
        {
            1 => walk.Pte,
            2 => walk.Pmd,
            3 => walk.Pud,
            _ => walk.Pgd,
        };

        /// <summary>
        /// handle_stack_overflow: the BUG line, then die() with the profile's string (oops_end decides the rest). From
        /// the #PF path it runs, like page_fault_oops, with interrupts still off.
        /// </summary>
        private void HandleStackOverflow(RegisterSet regs, ulong address, bool doubleFault)
        {
            var printer = new OopsPrinter(Profile, Vsprintf);
            Printk(printer.StackGuardPageHit(address, Current.Stack, OopsPrinter.TaskStackName, (ulong)Current.ThreadSize) + "\n");
            Die(printer.StackOverflowDieString(doubleFault), "stack_guard", regs, 0, inInterrupt: doubleFault, irqsDisabled: true);
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
