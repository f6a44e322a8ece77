using System.Collections.Generic;
using KDsl.Profiles;
using KDsl.Runtime.Cpu;
using KDsl.Runtime.Kernel.Oops;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// A kernel-mode exception's oops on the real kernel's footprint (Profiles/Footprints, the "oops" paths: a page fault,
    /// a BUG(), a division by zero, a general protection fault, a WARN): the exception entry, its handler, die/__die and
    /// show_regs run as recorded on the faulting task's stack, their printks included, through the call trace's first
    /// entry. The C# kernel writes the report's lines: each one when the recorded path has committed the record that held
    /// it, so an oops that overflows the stack on the way (a fault deep in a recursion leaves the report little room) has
    /// logged what the real one had, and dies where the real one dies.
    /// </summary>
    public sealed partial class LinuxKernel
    {
        /// <summary>The oops under way on a recorded path: its lines, how many are logged, and how oops_end ends it.</summary>
        private sealed class RecordedOops
        {
            public RecordedOops(List<string> lines, int signal, bool irqsDisabled, RegisterSet? resume = null, int othersCommits = 0)
            {
                Lines = lines;
                OthersCommits = othersCommits;
                Signal = signal;
                IrqsDisabled = irqsDisabled;
                Resume = resume;
            }

            /// <summary>Every line of the report, the handler's first: one printk's text each (a pr_cont line is one).</summary>
            public List<string> Lines { get; }
            public int Signal { get; }
            public bool IrqsDisabled { get; }
            /// <summary>A warning's: the context the exception returns to, after the ud2 (null: the task dies).</summary>
            public RegisterSet? Resume { get; }
            public int Logged { get; set; }
            /// <summary>How many of the path's first committed records are none of these lines (the recording's own cut-here line).</summary>
            public int OthersCommits { get; }
        }

        private RecordedOops? _recordedOops;

        /// <summary>
        /// die() for a kernel-mode exception that came in through <paramref name="entry"/> (its gate; the CPU pushed its
        /// frame at <paramref name="frameRsp"/>) after the handler's own lines <paramref name="before"/>: on the path
        /// recorded from that entry when the footprint has one, else at once. The task is killed (or, with
        /// panic_on_oops, the machine panics) either way.
        /// </summary>
        private void DieFromEntry(string entry, ulong frameRsp, List<string> before, string dieString, string kind, RegisterSet regs,
            ulong errorCode, ulong? cr2Line = null, int signal = SigSegv, bool? irqsDisabled = null)
        {
            bool irqs = irqsDisabled ?? (regs.Rflags & CpuFlags.IF) == 0;
            if (_replay is not null && Footprint?.OopsPaths.ContainsKey(entry) == true && frameRsp != 0)
            {
                BeginRecordedOops(entry, frameRsp, before, dieString, kind, regs, errorCode, cr2Line, signal, irqs);
                return;
            }
            foreach (var line in before) Printk(line);
            Die(dieString, kind, regs, errorCode, inInterrupt: false, cr2Line, signal, irqs);
        }

        /// <summary>
        /// The oops on the recorded path: the report is what the C# kernel would print at once (its die counter taken
        /// now, as __die_header takes it), the oops facts are the fault's, and the CPU, its exception frame pushed, runs
        /// the gate's recorded text from <paramref name="frameRsp"/>.
        /// </summary>
        private void BeginRecordedOops(string entry, ulong frameRsp, List<string> faultLines, string dieString, string kind, RegisterSet regs,
            ulong errorCode, ulong? cr2Line, int signal, bool irqsDisabled)
        {
            var die = DieReport(dieString, regs, errorCode, cr2Line);
            var lines = new List<string>(faultLines);
            foreach (var line in die.Lines) lines.Add(line + "\n");
            RecordOops(kind, dieString, regs, die.Report.Code!, die.Reliable, panicked: Config.PanicOnOops);
            _recordedOops = new RecordedOops(lines, signal, irqsDisabled);
            _replay!.BeginOops(entry, frameRsp, FaultOf(regs), Cpu.InstructionCount);
        }

        /// <summary>
        /// report_bug's warning branch on the path recorded from a WARN (<see cref="KernelFootprint.WarnPath"/>), when the
        /// footprint has it: its lines (CUT_HERE, the WARNING line, print_modules, show_regs, the end marker) logged as
        /// the path commits them, the rest when it ends, then back after the ud2. False without it. The path was recorded
        /// from a WARN_ON, whose report_bug prints the cut-here line first; a WARN's flags say it was printed already
        /// (BUGFLAG_NO_CUT_HERE: __warn_printk did), so the path's first record is no line of this report
        /// (<paramref name="cutHerePrinted"/>): the replay still runs that printk, where the real one runs none.
        /// </summary>
        private bool WarnOnRecordedPath(List<string> lines, RegisterSet regs, ulong frameRsp, bool cutHerePrinted)
        {
            if (_replay is null || Footprint?.OopsPaths.ContainsKey(KernelFootprint.WarnPath) != true || frameRsp == 0) return false;
            _recordedOops = new RecordedOops(lines.ConvertAll(line => line + "\n"), 0, irqsDisabled: false, resume: regs,
                othersCommits: cutHerePrinted ? 1 : 0);
            _replay.BeginOops(KernelFootprint.WarnPath, frameRsp, FaultOf(regs), Cpu.InstructionCount);
            return true;
        }

        /// <summary>The faulting context as the oops path copies it: RIP, its kallsyms symbol's bounds, the module's data.</summary>
        private OopsFault FaultOf(RegisterSet regs)
        {
            ulong start = 0, end = 0;
            if (Kallsyms.TryLookup(regs.Rip, out var symbol))
            {
                start = symbol.Start;
                end = symbol.Start + symbol.Size;
            }
            return new OopsFault(regs.Rip, start, end, Module?.RoDataBase ?? 0);
        }

        /// <summary>The exception returns to <paramref name="regs"/>' context, RIP past the ud2 (handle_bug: regs->ip += LEN_UD2).</summary>
        private void ResumeAfterWarning(RegisterSet regs)
        {
            Cpu[Reg.Rax] = regs.Rax; Cpu[Reg.Rbx] = regs.Rbx; Cpu[Reg.Rcx] = regs.Rcx; Cpu[Reg.Rdx] = regs.Rdx;
            Cpu[Reg.Rsi] = regs.Rsi; Cpu[Reg.Rdi] = regs.Rdi; Cpu[Reg.Rbp] = regs.Rbp;
            Cpu[Reg.R8] = regs.R8; Cpu[Reg.R9] = regs.R9; Cpu[Reg.R10] = regs.R10; Cpu[Reg.R11] = regs.R11;
            Cpu[Reg.R12] = regs.R12; Cpu[Reg.R13] = regs.R13; Cpu[Reg.R14] = regs.R14; Cpu[Reg.R15] = regs.R15;
            Cpu.Rsp = regs.Rsp;
            Cpu.Rflags = regs.Rflags;
            Cpu.Rip = regs.Rip + 2;
        }

        /// <summary>At a host branch of the oops path: the lines whose records the path has committed are in the log.</summary>
        private void LogCommittedOopsLines()
        {
            if (_recordedOops is not { } oops) return;
            int committed = _replay!.OopsRecordsCommitted - oops.OthersCommits;
            while (oops.Logged < committed && oops.Logged < oops.Lines.Count)
                Printk(oops.Lines[oops.Logged++]);
        }

        /// <summary>
        /// The recorded path ends (at the printk of the call trace's second entry): the lines not logged yet, then
        /// oops_end's ending: taint D and the task's death (a warning's: taint W, and back after the ud2).
        /// </summary>
        private void EndRecordedOops()
        {
            if (_recordedOops is not { } oops) return;
            _recordedOops = null;
            _replay?.EndOops();
            for (; oops.Logged < oops.Lines.Count; oops.Logged++) Printk(oops.Lines[oops.Logged]);
            if (oops.Resume is { } regs)
            {
                // __warn's end: taint W; the handler returns and iret resumes after the ud2, every register as pt_regs kept it
                _taint |= Taint.Bit(Taint.Warn);
                ResumeAfterWarning(regs);
                return;
            }
            _taint |= Taint.Bit(Taint.Die);
            OopsEnd(inInterrupt: false, oops.Signal, oops.IrqsDisabled);
        }
    }
}
