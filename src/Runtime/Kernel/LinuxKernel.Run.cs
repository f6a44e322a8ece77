using KDsl.Runtime.Cpu;
using KDsl.Runtime.Kernel.Printk;
using KDsl.Runtime.Memory;

namespace KDsl.Runtime.Kernel
{
    public sealed partial class LinuxKernel
    {
        /// <summary>Instructions each run of the CPU (insmod, rmmod, the later work) may retire before the watchdog reports a soft lockup.</summary>
        public long InstructionBudget { get; set; } = Layout.InstructionBudget;

        /// <summary>What went wrong inside KDsl when the run ended in <see cref="RunOutcome.InternalError"/>, or null.</summary>
        public string? InternalErrorText { get; private set; }

        /// <summary>
        /// A host exception escaped the emulated kernel (Machine.Run's boundary): the run ends here, nothing else runs, and
        /// the exception's type, message and the guest's RIP are kept for the report.
        /// </summary>
        public void InternalError(System.Exception e)
        {
            Outcome = RunOutcome.InternalError;
            InternalErrorText = $"{e.GetType().Name}: {e.Message} (guest RIP {Cpu.Rip:x16}, {Cpu.InstructionCount} instructions)";
            _halted = true;
            _finished = true;
        }

        /// <summary>
        /// The CPU stopped at a valid instruction KDsl does not implement: the run ends there (nothing else runs), saying
        /// which and where. The real CPU would have run it, so what the kernel prints next is unknown: no report is invented.
        /// </summary>
        private void StopAtUnimplemented()
        {
            Outcome = RunOutcome.Unimplemented;
            InternalErrorText = $"KDsl does not implement {Cpu.UnimplementedMnemonic} (the instruction at guest RIP {Cpu.Rip:x16}, after {Cpu.InstructionCount} instructions)";
            _halted = true;
            _finished = true;
        }

        /// <summary>Where the CPU halted with interrupts disabled (<see cref="RunOutcome.Hung"/>), or 0.</summary>
        public ulong HaltedAt { get; private set; }

        /// <summary>
        /// Runs the CPU until the syscall returns, the task dies or the machine panics, and then the kernel threads waiting
        /// for the CPU (<see cref="Schedule"/>), so threads creating threads never nest on the host's stack. A task that
        /// runs the instruction budget without a switch is a soft lockup; tasks that keep switching (an endless chain of
        /// threads) end quietly after twice the budget, as the real machine would go on: <see cref="RunOutcome.StillRunning"/>
        /// when insmod has not returned.
        /// </summary>
        private void RunUntilDone()
        {
            TouchSoftlockupWatchdog(); // the task entered the kernel
            long windowEnd = Cpu.InstructionCount + 2 * InstructionBudget;
            while (!_finished || Schedule())
            {
                long budget = System.Math.Min(_lockupAt, windowEnd) - Cpu.InstructionCount;
                if (budget > 0 && Dispatch(Cpu.Run(budget))) continue;
                if (Cpu.InstructionCount < _lockupAt)
                {
                    if (InitReturn is null) Outcome = RunOutcome.StillRunning;
                    _finished = true;
                }
                else SoftLockup();
                AbandonOtherTasks();
                return;
            }
        }

        /// <summary>touch_softlockup_watchdog: the CPU scheduled (or a task entered the kernel), so the watchdog's
        /// timestamp is now and the running task may use a whole budget before it counts as stuck.</summary>
        private void TouchSoftlockupWatchdog()
        {
            _watchdogTouchNs = Log.NowNs;
            _lockupAt = Cpu.InstructionCount + InstructionBudget;
        }

        /// <summary>What the kernel does when the CPU stops; false when the instruction budget ran out.</summary>
        private bool Dispatch(StopReason stop)
        {
            switch (stop)
            {
                case StopReason.Hypercall:
                    try
                    {
                        Service();
                    }
                    catch (BadPageTableException bad)
                    {
                        KernelTableFault(bad);
                    }
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
                    if (TakeHostBranch()) break; // the recorded text's data-dependent branch
                    // hlt with interrupts on: the next timer tick wakes the CPU, which goes on after it
                    if ((Cpu.Rflags & CpuFlags.IF) != 0) break;
                    // with interrupts off nothing wakes it, and nothing reports it: QEMU's guests have no NMI watchdog
                    // ("NMI watchdog: Perf NMI watchdog permanently disabled" in their boot logs), and the soft-lockup
                    // watchdog's timer interrupt cannot come. The machine hangs silently.
                    Outcome = RunOutcome.Hung;
                    HaltedAt = Cpu.Rip - 1;
                    _halted = true; // nothing runs any more: no other task, no `later` work, no process
                    _finished = true;
                    break;
                case StopReason.Unimplemented:
                    StopAtUnimplemented();
                    break;
                case StopReason.BudgetExhausted:
                    return false;
            }
            return true;
        }

        /// <summary>
        /// A service reached a page table past the end of RAM (<see cref="BadPageTableException"/>: guest code corrupted
        /// an entry above it through the direct map). The real kernel reads that table at its direct-map address, which
        /// nothing maps, so the read is a kernel-mode page fault and page_fault_oops follows (vmalloc's: in the
        /// vmap_pages_range walk, pud_alloc_track reading *pud). KDsl raises it at the service's vmcall, so the oops's RIP
        /// is the modelled function's (vmalloc+0x...), not the real kernel's inner walker; CR2 and the report are the real ones.
        /// </summary>
        private void KernelTableFault(BadPageTableException bad)
        {
            ulong address = Profile.DirectMapBase + bad.DirectMapOffset;
            Cpu.Cr2 = address;
            var info = new ExceptionInfo
            {
                Vector = Vectors.PF, ErrorCode = bad.Write ? PfError.Write : 0, HasErrorCode = true, Cr2 = address,
                FaultRip = Cpu.Rip - 3, FaultRsp = Cpu.Rsp, FaultRflags = Cpu.Rflags, FaultCs = Selectors.KernelCs,
            };
            HandleException(info);
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

            LoadCoveredConstant(Cpu.Rip - 3);
            if (site.Function == Profile.PrintkSymbol && site.AtEntry && _replay is { InOops: true } && _replay.OopsPrintkEndsPath())
                EndRecordedOops(); // the printk of the trace's second entry: the recording ends here
            else if (site.Function == Profile.PrintkSymbol && site.AtEntry && _replay is { InKernelPath: true })
            {
                // a printk on panic's or the oops's recorded path: the path's own (the C# kernel prints their lines)
            }
            else if (site.Function == Profile.PrintkSymbol && site.AtEntry)
            {
                string format = FormatAtRdi();
                string text = FormatPrintk(format, out ulong? unreadable);
                if (unreadable is ulong address) StringFault(address);
                else
                {
                    _pendingPrintk = text;
                    _replay?.BeginPrintk(format, Cpu.Rsp + 8, Cpu.InstructionCount); // the recorded path the rest of printk's text follows
                }
            }
            else if (site.Function == KDsl.Profiles.KernelFootprint.InitCaller && !site.AtEntry)
            {
                // the init returned into do_one_initcall: finit_module's result (the recorded text above is not run)
                InitReturn = (long)Cpu[Reg.Rax];
                _finished = true;
            }
            else if (site.Function is "_copy_from_user" or "_copy_to_user")
            {
                if (site.AtEntry) UserCopyEntry(fromUser: site.Function == "_copy_from_user");
                else UserCopyReturned();
            }
            else if (_driverCall != null && !site.AtEntry && DriverPathEnd(site.Function))
                DriverReturned(); // a driver's handler returned into vfs_write, vfs_read or __x64_sys_ioctl
            else if (site.Function == KDsl.Profiles.KernelFootprint.ThreadCaller && !site.AtEntry)
                ThreadReturned(); // a recorded kthread's return site: the thread function is done
            else if (site.Function == Profile.SyscallEntry)
            {
                InitReturn = (long)Cpu[Reg.Rax];
                _finished = true;
            }
            else if (site.Function == "__stack_chk_fail")
            {
                // panic("stack-protector: Kernel stack is corrupted in: %pB", __builtin_return_address(0)); its body calls panic.
                Mmu.TryReadU64(Cpu.Rsp, out ulong caller);
                _pendingPanic = Vsnprintf.Sprintf(Vsprintf, "stack-protector: Kernel stack is corrupted in: %pB", caller);
                Oops ??= new OopsFacts
                {
                    Kind = "stack_protector",
                    DieString = _pendingPanic,
                    Rip = caller,
                    RipSymbol = KDsl.Runtime.Kernel.Printk.Kallsyms.SprintBacktrace(Kallsyms, caller),
                    Function = Kallsyms.TryFindFunction(caller - 1, out var f) ? f.SourceName : "",
                    ModuleFunction = f?.SourceName ?? "",
                    Rsp = Cpu.Rsp,
                    StackBase = Current.Stack,
                    StackTop = Current.StackTop,
                    Panicked = true,
                };
                _replay?.BeginPanic(Kallsyms.AddressOf(KDsl.Profiles.KernelFootprint.PanicEntry), Cpu.InstructionCount);
            }
            else if (site.Function == Profiles.KernelProfile.UserSyscallEntry)
            {
                // `syscall` executed by kernel code (a module function calling a system call): KDsl treats it as an
                // invalid opcode at the instruction (RCX holds the address after it), so the oops names the caller.
                var info = new ExceptionInfo { Vector = Vectors.UD, FaultRip = Cpu[Reg.Rcx] - 2, FaultRsp = Cpu.Rsp, FaultRflags = Cpu[Reg.R11], FaultCs = Selectors.KernelCs };
                HandleException(info);
            }
            else if (site.AtEntry && Footprint?.Calls.ContainsKey(site.Function) == true)
                RecordedAllocatorCall(site.Function);
            else if (site.Function == "panic")
            {
                if (_replay is { InPanic: false }) _replay.BeginPanic(FunctionStart(Cpu.Rip - 3), Cpu.InstructionCount); // panic called from elsewhere
                PanicEntry();
            }
            else if (site.Function == "dump_stack")
                DumpStackEntry();
            else if (site.Function == "show_stack")
                ShowStack();
            else if (site.Function == "warn_slowpath_null")
                WarnSlowpathNull();
            else if (site.Function == "dump_header")
            {
                if (site.AtEntry) DumpHeaderEntry();
                else DumpHeaderBody();
            }
            else if (site.Function == "oom_kill_process")
                OomKillProcessBody();
            else if (site.Function == Profiles.KernelFootprint.Vsnprintf)
                VsnprintfService(site.AtEntry);
            else if (StackModelService(site.Function))
            {
            }
            else if (site.Function == "worker_thread")
                _finished = true; // the work item returned: the kworker goes back to sleep
            else if (!site.AtEntry)
            {
                // vprintk_store / log_store: the record reaches the log only once the whole path ran without faulting.
                string text = _pendingPrintk ?? "";
                _pendingPrintk = null;
                Log.Emit(text);
                Cpu[Reg.Rax] = (ulong)text.Length;
            }
        }

        /// <summary>The start of the kernel function holding <paramref name="address"/>.</summary>
        private ulong FunctionStart(ulong address) => Kallsyms.TryFindFunction(address, out var f) ? f.Start : address;

        /// <summary>
        /// kernel/printk/printk.c LOG_LINE_MAX, CONSOLE_LOG_MAX (1024) - PREFIX_MAX (32): the text buffer a record is
        /// formatted into (vscnprintf), so a message keeps at most 991 characters (the same 992 in 4.11's textbuf).
        /// </summary>
        private const int LogLineMax = 1024 - 32;

        /// <summary>The format string of a printk-style call, from RDI ("" when unreadable).</summary>
        private string FormatAtRdi() => Mmu.TryReadCString(Cpu[Reg.Rdi], 1024, out string fmt) ? fmt : "";

        /// <summary>
        /// printk's message: <paramref name="fmt"/> (from RDI) with the varargs where the SysV ABI put them: RSI, RDX, RCX,
        /// R8, R9 and the caller's stack. <paramref name="unreadable"/>: the first byte of a %s string nothing maps, or null.
        /// </summary>
        private string FormatPrintk(string fmt, out ulong? unreadable)
        {
            unreadable = null;
            if (fmt.Length == 0) return "";
            var args = new GuestVarargs(new[] { Cpu[Reg.Rsi], Cpu[Reg.Rdx], Cpu[Reg.Rcx], Cpu[Reg.R8], Cpu[Reg.R9] }, Cpu.Rsp + 8, Mmu);
            string text = Vsnprintf.Format(fmt, args, Vsprintf, LogLineMax, out long length);
            Charge(length * KernelWork.FormattedCharacter); // vsnprintf runs through a field 8 million wide past its buffer's end
            unreadable = args.UnreadableByte;
            return text;
        }

        /// <summary>
        /// lib/vsprintf.c string(): check_pointer() turns only NULL, the first page and error pointers into "(null)" and
        /// "(efault)" (4.11 only a pointer below PAGE_SIZE, into "(null)"); any other pointer string_nocheck() reads, so a
        /// %s string at an address nothing maps is a kernel page fault at its first unreadable byte (a read, not-present
        /// page: error code 0), and one that is not canonical a general protection fault. KDsl formats at the service's
        /// vmcall, so the oops's RIP is the modelled function's (_printk+0x..., vsnprintf+0x...), not string_nocheck's; the
        /// #GP's description names the string's address as 5.5+ decodes it from that load.
        /// </summary>
        private void StringFault(ulong address)
        {
            var info = new ExceptionInfo
            {
                Vector = Vectors.GP, HasErrorCode = true,
                FaultRip = Cpu.Rip - 3, FaultRsp = Cpu.Rsp, FaultRflags = Cpu.Rflags, FaultCs = Selectors.KernelCs,
            };
            if (!Mmu.IsCanonical(address)) _gpOperand = address; // the hint 5.5+ decodes from string_nocheck's load
            else
            {
                Cpu.Cr2 = address;
                info.Vector = Vectors.PF;
                info.ErrorCode = Mmu.Probe(address, out _) ? PfError.Prot : 0;
                info.Cr2 = address;
            }
            HandleException(info);
        }

        /// <summary>vmalloc(size): PAGE_KERNEL pages with a guard page after the area; NULL for 0 or when memory runs out.</summary>
        private ulong VmallocService(ulong size)
        {
            if (size == 0 || size > Memory.Size) return 0;
            ulong rounded = (size + PhysicalMemory.PageMask) & ~PhysicalMemory.PageMask;
            return Vmalloc.TryAllocate(rounded, PhysicalMemory.PageSize, PteFlags.Kernel, out var area) ? area.Start : 0;
        }

        /// <summary>
        /// __vunmap(addr, 1) from vfree: NULL is nothing; an address that is not page aligned, or that no live area holds
        /// (freed already, never allocated, corrupted), is mm/vmalloc.c's WARN and nothing is freed; else the whole area
        /// the address lies in goes (find_vm_area finds it from any of its pages).
        /// </summary>
        private void Vunmap(ulong address)
        {
            if (address == 0 || Profile.VunmapWarnLines is not { } lines) return;
            if ((address & PhysicalMemory.PageMask) != 0)
                Warn("mm/vmalloc.c", lines.BadAddress, Vsnprintf.Sprintf(Vsprintf, "Trying to vfree() bad address (%p)", address));
            else if (!Vmalloc.TryFind(address, out var area))
                Warn("mm/vmalloc.c", lines.Nonexistent, Vsnprintf.Sprintf(Vsprintf, "Trying to vfree() nonexistent vm area (%p)", address));
            else
                Vmalloc.Free(area);
        }

        /// <summary>Work the C# kernel did for the guest, as the instructions the real kernel retires for it (<see cref="KernelWork"/>).</summary>
        private void Charge(long instructions) => Cpu.InstructionCount += instructions;

        /// <summary>When the running task last let the watchdog know it was alive (the start of this kernel run).</summary>
        private ulong _watchdogTouchNs;
        /// <summary>The instruction count at which the running task has had the CPU for a whole budget.</summary>
        private long _lockupAt;

        /// <summary>
        /// kernel/watchdog.c watchdog_timer_fn: the budget ran out, so the CPU never scheduled; the watchdog's hrtimer
        /// (every sample_period = 2 * watchdog_thresh / 5 = 4 s) finds it stuck at the first tick where is_softlockup's
        /// time_after(now, touch_ts + 2 * watchdog_thresh) holds, timestamps in get_timestamp()'s units (running_clock()
        /// &gt;&gt; 30, about seconds), and prints: the BUG line ("NMI watchdog: " pr_fmt before 4.13, "watchdog: " since),
        /// print_modules(), print_irqtrace_events (nothing without CONFIG_TRACE_IRQFLAGS, which the profiles' kernels
        /// lack), show_regs(the interrupted registers); then taint L. softlockup_panic is 0 on the profiles' kernels:
        /// the CPU stays stuck and the run ends here.
        /// </summary>
        private void SoftLockup()
        {
            const int watchdogThresh = 10;
            const ulong samplePeriodNs = 2UL * watchdogThresh * 1_000_000_000UL / 5;
            ulong touchTs = _watchdogTouchNs >> 30;
            ulong tick = (Log.NowNs / samplePeriodNs + 1) * samplePeriodNs;
            while ((tick >> 30) <= touchTs + 2 * watchdogThresh) tick += samplePeriodNs;
            ulong duration = (tick >> 30) - touchTs;
            // The budget stands for those seconds: the report is printed when the watchdog's hrtimer fires, at the tick.
            Log.AdvanceTo(tick);
            if (Log.Reserved)
            {
                // The budget ran out inside vprintk_store, between prb_reserve and prb_final_commit, a window printk runs
                // with interrupts off (6.1: printk_enter_irqsave; 5.10: vprintk_emit's logbuf_lock_irqsave): the hrtimer
                // fires only once the record is final, so its line is logged before the report, not lost behind it.
                Log.Commit(_pendingPrintk);
                _pendingPrintk = null;
            }

            string prefix = Profile.LegacyOopsLayout ? "NMI watchdog: " : "watchdog: ";
            Printk(Vsnprintf.Sprintf(Vsprintf, prefix + "BUG: soft lockup - CPU#%d stuck for %us! [%s:%d]\n",
                (long)Profile.Cpu, duration, Current.Comm, (long)Current.Pid));
            var info = new ExceptionInfo { FaultRip = Cpu.Rip, FaultRsp = Cpu.Rsp, FaultRflags = Cpu.Rflags, FaultCs = Cpu.Cs };
            var regs = RegistersAt(info);
            var report = BuildReport("", regs, 0, out var reliable);
            var printer = new KDsl.Runtime.Kernel.Oops.OopsPrinter(Profile, Vsprintf);
            var lines = new System.Collections.Generic.List<string> { printer.PrintModules(report) };
            printer.ShowRegs(lines, report);
            foreach (var line in lines) Printk(line + "\n");
            SoftLockupFacts = Facts("soft_lockup", "", regs, report.Code!, reliable, panicked: false);
            _taint |= KDsl.Runtime.Kernel.Oops.Taint.Bit(KDsl.Runtime.Kernel.Oops.Taint.SoftLockup);
            Outcome = RunOutcome.SoftLockup;
            _finished = true;
        }

        /// <summary>printk from the C# side of the kernel (oops reports, load messages).</summary>
        private void Printk(string text) => Log.Emit(text);
    }
}
