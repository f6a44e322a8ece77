using System.Collections.Generic;
using System.Linq;
using KDsl.Profiles;
using KDsl.Runtime.Cpu;
using KDsl.Runtime.Kernel.Oops;
using KDsl.Runtime.Memory;
using KDsl.Runtime.Kernel.Printk;

namespace KDsl.Runtime.Kernel
{
    /// <summary>arch/x86/kernel/dumpstack.c: die(), the call trace, oops_end() and kernel/panic.c's panic().</summary>
    public sealed partial class LinuxKernel
    {
        /// <summary>
        /// die(str, regs, err): the oops report in the profile's format, then oops_end: taint D, and panic when in
        /// interrupt context (the #DF handler) or with panic_on_oops; otherwise the task is killed and the system
        /// goes on (the experiment ends here, as insmod would never return). <paramref name="irqsDisabled"/> is the
        /// interrupt state oops_begin saved and oops_end restores, which make_task_dead finds: by default the faulting
        /// context's (do_error_trap's cond_local_irq_enable(regs) turns them on when regs had IF set).
        /// </summary>
        private void Die(string dieString, string kind, RegisterSet regs, ulong errorCode, bool inInterrupt, ulong? cr2Line = null,
            int signal = SigSegv, bool? irqsDisabled = null)
        {
            var die = DieReport(dieString, regs, errorCode, cr2Line);
            foreach (var line in die.Lines)
                Printk(line + "\n");
            _taint |= Taint.Bit(Taint.Die);

            RecordOops(kind, dieString, regs, die.Report.Code!, die.Reliable, panicked: inInterrupt || Config.PanicOnOops);
            OopsEnd(inInterrupt, signal, irqsDisabled ?? (regs.Rflags & CpuFlags.IF) == 0);
        }

        /// <summary>What die() prints, __die_header's count taken.</summary>
        private DieLines DieReport(string dieString, RegisterSet regs, ulong errorCode, ulong? cr2Line)
        {
            var report = BuildReport(dieString, regs, errorCode, out var reliable);
            report.DieCounter = ++_dieCounter;
            report.Cr2Line = cr2Line;
            return new DieLines(report, new OopsPrinter(Profile, Vsprintf).Die(report), reliable);
        }

        private sealed record DieLines(OopsReport Report, IReadOnlyList<string> Lines, HashSet<ulong> Reliable);

        /// <summary>
        /// The oops facts an experiment's expectations read. <paramref name="regs"/> are the faulting context's: the fault
        /// address is the CR2 the exception left, whatever a later code copy wrote to CR2 before the report printed it.
        /// </summary>
        private void RecordOops(string kind, string dieString, RegisterSet regs, CodeDump code, HashSet<ulong> reliable, bool panicked) =>
            Oops ??= Facts(kind, dieString, regs, code, reliable, panicked); // the first oops is the one an experiment is about; later ones add [#2], taint D, ...

        /// <summary>What a report's registers tell: RIP's function, the reliable call chain, the stack.</summary>
        private OopsFacts Facts(string kind, string dieString, RegisterSet regs, CodeDump code, HashSet<ulong> reliable, bool panicked)
        {
            var chain = Unwinder.CallChain(Kallsyms, Mmu, regs.Rip, reliable);
            var (moduleFunction, depth) = Unwinder.InnermostModuleFrame(chain);
            return new OopsFacts
            {
                Kind = kind,
                DieString = dieString,
                Rip = regs.Rip,
                RipSymbol = KDsl.Runtime.Kernel.Printk.Kallsyms.SprintSymbol(Kallsyms, regs.Rip),
                Function = Kallsyms.TryFindFunction(regs.Rip, out var f) ? f.SourceName : "",
                Rsp = regs.Rsp,
                ModuleFunction = moduleFunction,
                CallChain = chain.Select(f => f.SourceName).ToList(),
                Depth = depth,
                FaultAddress = regs.Cr2,
                StackBase = Current.Stack,
                StackTop = Current.StackTop,
                CodeBytes = code.Bytes,
                CodeStart = code.Start,
                Panicked = panicked,
            };
        }

        /// <summary>What die() and __warn() print about the current task at <paramref name="regs"/>: registers, Code:, trace, modules.</summary>
        private OopsReport BuildReport(string dieString, RegisterSet regs, ulong errorCode, out HashSet<ulong> reliable)
        {
            var code = CodeDump.Copy(Profile, regs.Rip, ReadKernelByte);
            var report = new OopsReport
            {
                DieString = dieString,
                ErrorCode = errorCode,
                DieCounter = _dieCounter,
                Cpu = Profile.Cpu,
                Pid = Current.Pid,
                Comm = Current.Comm,
                TaintMask = _taint,
                Regs = regs,
                Code = code,
                TaskAddress = Current.Address,
                TaskStackAddress = Current.Stack,
                OopsId = _random.Next(),
            };
            report.CallTrace.AddRange(CallTrace(regs, out reliable));
            report.Modules.AddRange(LoadedModules());
            ShowRegsCr2(report);
            return report;
        }

        /// <summary>
        /// What the "CR2:" lines print: __show_regs' <c>cr2 = read_cr2()</c>, the live register, not the fault's address.
        /// On 4.19+ each __show_regs runs show_opcodes first, and a copy that faulted left its failed load's address in
        /// CR2: the first register dump shows the code copy's fault; the trace's pt_regs dumps copy code too (a fault
        /// there moves CR2 again); oops_end's executive summary copies the same RIP window once more. 4.x prints the
        /// registers before it reads any code, so there CR2 is the fault's. Only these lines change: the BUG line,
        /// page_fault_oops' own "CR2: %016lx" line and the oops facts keep the real fault address.
        /// </summary>
        private void ShowRegsCr2(OopsReport report)
        {
            if (!Profile.ShowOpcodesBeforeCr2) return;
            var regs = report.Regs;
            ulong cr2 = report.Code?.FaultAddress ?? regs.Cr2;
            if (cr2 != regs.Cr2)
            {
                report.Regs = regs.Clone();
                report.Regs.Cr2 = cr2;
            }
            foreach (var entry in report.CallTrace)
                if (entry.Kind == CallTraceEntryKind.Regs && entry.Code?.FaultAddress is ulong traced)
                    cr2 = traced;
            if (report.Code?.FaultAddress is ulong again)
                cr2 = again;
            if (cr2 != report.Regs.Cr2)
            {
                report.SummaryRegs = regs.Clone();
                report.SummaryRegs.Cr2 = cr2;
            }
        }

        /// <summary>print_modules' list: the experiment's module with its taints and state, unless init failed and freed it.</summary>
        private IEnumerable<LoadedModule> LoadedModules()
        {
            if (Module is not null && !_moduleFreed)
                yield return LoadedModule.Create(Profile, Module.Name, Taint.Bit(Taint.OotModule) | Taint.Bit(Taint.UnsignedModule), _moduleState);
        }

        /// <summary>panic(): the message, the kernel offset notifier, and the end marker (<see cref="OopsPrinter.Panic"/>); the machine stops.</summary>
        private void Panic(string message, bool inNmi = false)
        {
            foreach (var line in new OopsPrinter(Profile, Vsprintf).Panic(message, inNmi))
                Printk(line + "\n");
            Outcome = RunOutcome.Panic;
            _finished = true;
            _halted = true;
        }

        /// <summary>
        /// show_trace_log_lvl over the task stack: every word that is a kernel text address, "?" unless the unwinder
        /// found it as a return-address slot. The syscall's pt_regs end the task stack. Where the scan starts is
        /// <see cref="TraceStart"/>'s; when RSP is on no known stack the trace is empty.
        /// </summary>
        private List<CallTraceEntry> CallTrace(RegisterSet regs, out HashSet<ulong> reliable)
        {
            var entries = new List<CallTraceEntry>();
            ulong ptRegs = Current.StackTop - KernelProfile.PtRegsSize;
            var regsFrames = new List<ulong>();
            reliable = Unwinder.ReliableSlots(Profile, Kallsyms, Mmu, regs.Rip, regs.Rsp, regs.Rbp, Current.Stack, ptRegs, regsFrames);
            if (TraceStart(regs.Rsp) is not ulong start)
                return entries; // "Call Trace:" and nothing after it: no <TASK>, no frames, no pt_regs
            // 4.11's frame-pointer unwinder (arch/x86/kernel/unwind_frame.c, __unwind_start) skips frames until it reaches
            // regs->sp; when that is off the task stack (in the guard page below it) it never does: the unwind is done before
            // the first frame and the scan prints every entry "?" (the seed's trace). The oops facts keep the real chain.
            bool unwindLost = Profile.FramePointer && !Current.OnStack(regs.Rsp);
            if (Profile.TaskStackMarkers) entries.Add(CallTraceEntry.BeginStack(OopsPrinter.TaskStackName));
            for (ulong slot = start; slot < ptRegs; slot += 8)
            {
                // __kernel_text_address(addr) tests the word itself (a function's first byte counts: a stored function
                // pointer, the init's address); %pB then names the byte before it, the call a return address follows
                if (regsFrames.Exists(frame => slot == frame + Unwinder.PtRegsIpOffset)) continue; // printed with its registers
                if (Mmu.TryReadU64(slot, out ulong word) && IsKernelTextAddress(word))
                    entries.Add(CallTraceEntry.Frame(word, !unwindLost && reliable.Contains(slot)));
                if (regsFrames.Contains(slot + 8))
                {
                    // the unwinder stepped from the entry's return address into the exception's pt_regs: show_regs_if_on_stack
                    var interrupted = ReadPtRegs(slot + 8);
                    entries.Add(CallTraceEntry.RegsOnStack(interrupted, CodeDump.Copy(Profile, interrupted.Rip, ReadKernelByte)));
                }
            }
            if (!Profile.LegacyOopsLayout && !Current.KernelThread)
            {
                var user = ReadUserPtRegs();
                entries.Add(CallTraceEntry.RegsOnStack(user, CodeDump.Copy(Profile, user.Rip, ReadKernelByte, userMode: user.IsUserMode)));
            }
            if (Profile.TaskStackMarkers) entries.Add(CallTraceEntry.EndStack(OopsPrinter.TaskStackName));
            return entries;
        }

        /// <summary>
        /// __kernel_text_address for a stack word: inside a function KDsl knows. The vmlinux text holds only the recorded
        /// functions, so a word just past one of them (the first byte of the unrecorded function after it, stored as a
        /// pointer) is text too; a module's symbols are all known, and a word just past its text (its .rodata) is not.
        /// </summary>
        private bool IsKernelTextAddress(ulong word) =>
            Kallsyms.IsTextAddress(word) || (Kallsyms.TryFindFunction(word - 1, out var before) && before.Module is null);

        /// <summary>
        /// Where show_trace_log_lvl's scan of the task stack starts, or null when it prints nothing. 4.19+ (dumpstack.c):
        /// <c>if (get_stack_info(stack, …)) { stack = PAGE_ALIGN(stack); if (get_stack_info(stack, …)) break; }</c>: RSP
        /// itself, or the next page boundary above it when that is on the stack, which is the stack's base exactly when
        /// RSP is in the guard page below it (an overflow). 4.11: <c>if (task_stack_page(task) - (void *)stack &lt;
        /// PAGE_SIZE) stack = task_stack_page(task);</c> (unsigned, so the same page) and then the same get_stack_info
        /// break. RSP further down, or anywhere else, is on no stack: the loop breaks before the stack's name is printed.
        /// </summary>
        private ulong? TraceStart(ulong rsp)
        {
            if (Current.OnStack(rsp)) return rsp;
            ulong pageAligned = unchecked(rsp + PhysicalMemory.PageMask) & ~PhysicalMemory.PageMask;
            return Current.OnStack(pageAligned) ? pageAligned : null;
        }

        private bool ReadKernelByte(ulong address, out byte value)
        {
            System.Span<byte> b = stackalloc byte[1];
            bool ok = Mmu.TryRead(address, b);
            value = b[0];
            return ok;
        }
    }
}
