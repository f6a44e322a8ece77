using System.Collections.Generic;
using KDsl.Image;
using KDsl.Runtime.Cpu;
using KDsl.Runtime.Kernel.Oops;
using KDsl.Runtime.Kernel.Printk;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// lib/bug.c report_bug and kernel/panic.c __warn: what a BUG()/WARN() ud2 (or 4.11's warn_slowpath_null) prints,
    /// and the dump_stack() that panic() and 4.11's __warn print from the live stack.
    /// </summary>
    public sealed partial class LinuxKernel
    {
        public const string CutHere = "------------[ cut here ]------------";

        /// <summary>What a dump_stack() reached through show_stack's service is for.</summary>
        private enum DumpStackReason { None, Warn, Panic }

        private DumpStackReason _dumpStackReason;
        private string _pendingPanic = "";

        /// <summary>find_bug: the __bug_table entry of the module's ud2 at <paramref name="rip"/>, or null.</summary>
        private BugEntry? FindBug(ulong rip)
        {
            if (_kernelBugs.TryGetValue(rip, out var kernelBug)) return kernelBug;
            if (Module is null || _moduleFreed || rip < Module.TextBase) return null;
            ulong offset = rip - Module.TextBase;
            foreach (var bug in Module.Image.Bugs)
                if ((ulong)bug.Offset == offset) return bug;
            return null;
        }

        /// <summary>
        /// exc_invalid_op → handle_bug (≥5.8; earlier die() calls report_bug itself): a WARN prints its report and
        /// execution continues after the ud2 (regs->ip += LEN_UD2); a BUG prints "kernel BUG at FILE:LINE!" and the
        /// "invalid opcode" oops follows, as does any other #UD.
        /// </summary>
        private void ExcInvalidOp(RegisterSet regs, ulong frameRsp)
        {
            var bug = FindBug(regs.Rip);
            if (bug is not null && bug.Warning)
            {
                if (ReportWarning(regs, bug, frameRsp)) return; // on the recorded path, which returns after the ud2 itself
                if (Cpu.Iret()) Cpu.Rip = regs.Rip + 2;
                else Die("invalid opcode", "invalid_opcode", regs, 0, inInterrupt: false);
                return;
            }
            if (bug is null)
            {
                Die("invalid opcode", "invalid_opcode", regs, 0, inInterrupt: false); // the recorded path is a BUG()'s
                return;
            }
            var lines = new List<string> { CutHere + "\n", Vsnprintf.Sprintf(Vsprintf, "kernel BUG at %s:%u!\n", bug.File, (ulong)bug.Line) };
            DieFromEntry(Profile.ExceptionEntry(Vectors.UD), frameRsp, lines, "invalid opcode", "bug", regs, 0);
        }

        /// <summary>
        /// report_bug's warning branch: CUT_HERE, then __warn(file, line, bugaddr, TAINT_WARN, regs): "WARNING: CPU: %d
        /// PID: %d at %s:%d %pS", print_modules(), show_regs(regs), the end marker, and taint W. On the path recorded from
        /// a WARN when the footprint has it (true: that path returns after the ud2), else at once.
        /// </summary>
        private bool ReportWarning(RegisterSet regs, BugEntry bug, ulong frameRsp, string? message = null)
        {
            var printer = new OopsPrinter(Profile, Vsprintf);
            var report = BuildReport("", regs, 0, out _);
            var lines = new List<string>();
            if (!bug.NoCutHere) lines.Add(CutHere);
            if (message != null) lines.Add(message);
            lines.Add(Vsnprintf.Sprintf(Vsprintf, "WARNING: CPU: %d PID: %d at %s:%d %pS", Profile.Cpu, Current.Pid, bug.File, (ulong)bug.Line, regs.Rip));
            lines.Add(printer.PrintModules(report));
            printer.ShowRegs(lines, report);
            lines.Add(printer.OopsEndMarker(report.OopsId));
            if (WarnOnRecordedPath(lines, regs, frameRsp, cutHerePrinted: bug.NoCutHere)) return true;
            foreach (var line in lines) Printk(line + "\n");
            _taint |= Taint.Bit(Taint.Warn);
            return false;
        }

        /// <summary>
        /// WARN(1, fmt, ...) in kernel code the C# kernel runs: __warn_printk prints CUT_HERE and the message, then the
        /// ud2's report_bug (BUGFLAG_NO_CUT_HERE) prints __warn's report for the registers as they are here. WARN has
        /// no rate limit: each line of the report is charged as a printk record, so a loop of WARNs meets the budget.
        /// </summary>
        private void Warn(string file, int line, string message)
        {
            long before = Log.Records;
            ReportWarning(RegistersAt(new ExceptionInfo { FaultRip = Cpu.Rip, FaultRsp = Cpu.Rsp, FaultRflags = Cpu.Rflags, FaultCs = Cpu.Cs }),
                new BugEntry(0, file, line, warning: true), frameRsp: 0, message);
            Charge((Log.Records - before) * KernelWork.PrintkRecord);
        }

        /// <summary>
        /// 4.11's warn_slowpath_null(file, line) at entry: CUT_HERE and the WARNING line (caller = its return address);
        /// __warn then prints print_modules() and the dump_stack() that show_stack's service completes.
        /// </summary>
        private void WarnSlowpathNull()
        {
            Mmu.TryReadU64(Cpu.Rsp, out ulong caller);
            if (!Mmu.TryReadCString(Cpu[Reg.Rdi], 4096, out string file)) file = "";
            ulong line = Cpu[Reg.Rsi] & 0xffffffff;
            Printk(CutHere + "\n");
            Printk(Vsnprintf.Sprintf(Vsprintf, "WARNING: CPU: %d PID: %d at %s:%d %pS\n", Profile.Cpu, Current.Pid, file, line, caller));
            Printk(new OopsPrinter(Profile, Vsprintf).PrintModules(LoadedModules()) + "\n");
            _dumpStackReason = DumpStackReason.Warn;
        }

        /// <summary>show_stack(NULL, NULL)'s lines: dump_stack_print_info (CPU:, Hardware name:) and the call trace of the live stack.</summary>
        private void PrintLiveStack(OopsPrinter printer)
        {
            var regs = new RegisterSet { Rip = Cpu.Rip, Rsp = Cpu.Rsp, Rbp = Cpu[Reg.Rbp], Cs = Selectors.KernelCs, Ss = Selectors.KernelDs };
            var report = new OopsReport { Cpu = Profile.Cpu, Pid = Current.Pid, Comm = Current.Comm, TaintMask = _taint };
            var lines = new List<string>(printer.DumpStackPrintInfo(report));
            lines.AddRange(printer.CallTrace(CallTrace(regs, out _)));
            foreach (var line in lines) Printk(line + "\n");
        }

        /// <summary>
        /// panic(fmt, ...) at entry: the message (from a module's call, or the one __stack_chk_fail prepared), the
        /// "Kernel panic - not syncing" line; without a previous oops panic dumps the stack (CONFIG_DEBUG_BUGVERBOSE),
        /// which its call of dump_stack reaches; after one it stops here.
        /// </summary>
        private void PanicEntry()
        {
            // (a %s string nothing maps is not a fault here: panic formats into its own buffer, and KDsl prints what it read)
            string message = _pendingPanic.Length > 0 ? _pendingPanic : FormatPrintk(FormatAtRdi(), out _);
            _pendingPanic = "";
            if ((_taint & Taint.Bit(Taint.Die)) != 0)
            {
                Panic(message);
                return;
            }
            _pendingPanic = message;
            Printk(new OopsPrinter(Profile, Vsprintf).Panic(message)[0] + "\n");
            _dumpStackReason = DumpStackReason.Panic;
        }

        /// <summary>
        /// The recorded dump_stack's entry, called by the OOM report: the rest of panic's recorded path from here runs to
        /// show_stack (dump_stack_lvl's frame, dump_stack_print_info's printks), whose service prints the trace and returns
        /// to this caller with its callee-saved registers (the rest of dump_stack_lvl is not recorded). On panic's own
        /// path it is just a step of the path.
        /// </summary>
        private void DumpStackEntry()
        {
            if (_replay is null || _replay.InPanic) return;
            // the service may stand after pushes (5.10): the caller's RSP is where the CFA there says
            ulong at = Cpu.Rip - 3;
            if (!Kallsyms.TryFindFunction(at, out var dumpStack)) return;
            ulong entryRsp = Cpu.Rsp + (ulong)dumpStack.CfaAt(at) - 8;
            _dumpStackCaller = new DumpStackCaller(entryRsp, Cpu[Reg.Rbx], Cpu[Reg.Rbp], Cpu[Reg.R12], Cpu[Reg.R13], Cpu[Reg.R14], Cpu[Reg.R15]);
            _replay.BeginPanic(dumpStack.Start, Cpu.InstructionCount);
        }

        /// <summary>The recorded dump_stack's caller while its trace is being reached, or null.</summary>
        private DumpStackCaller? _dumpStackCaller;

        /// <summary>RSP at the return address, and the callee-saved registers dump_stack gives back.</summary>
        private sealed record DumpStackCaller(ulong Rsp, ulong Rbx, ulong Rbp, ulong R12, ulong R13, ulong R14, ulong R15);

        /// <summary>
        /// show_stack(NULL, NULL) from dump_stack: dump_stack_print_info (CPU:, Hardware name:) and the call trace of
        /// the live stack, whose first reliable frame is the return into dump_stack. Then what the caller does next:
        /// __warn prints the end marker and taints W; panic ends the machine.
        /// </summary>
        private void ShowStack()
        {
            var printer = new OopsPrinter(Profile, Vsprintf);
            PrintLiveStack(printer);

            var reason = _dumpStackReason;
            _dumpStackReason = DumpStackReason.None;
            _replay?.EndPanic();
            if (_dumpStackCaller is { } caller)
            {
                // back to the recorded dump_stack's caller, as its ret would
                _dumpStackCaller = null;
                Mmu.TryReadU64(caller.Rsp, out ulong ret);
                Cpu.Rip = ret;
                Cpu.Rsp = caller.Rsp + 8;
                Cpu[Reg.Rbx] = caller.Rbx;
                Cpu[Reg.Rbp] = caller.Rbp;
                Cpu[Reg.R12] = caller.R12;
                Cpu[Reg.R13] = caller.R13;
                Cpu[Reg.R14] = caller.R14;
                Cpu[Reg.R15] = caller.R15;
            }
            if (reason == DumpStackReason.Warn)
            {
                Printk(printer.OopsEndMarker(_random.Next()) + "\n");
                _taint |= Taint.Bit(Taint.Warn);
            }
            else if (reason == DumpStackReason.Panic)
            {
                var panic = printer.Panic(_pendingPanic);
                for (int i = 1; i < panic.Count; i++) Printk(panic[i] + "\n");
                Outcome = RunOutcome.Panic;
                _finished = true;
                _halted = true;
            }
        }
    }
}
