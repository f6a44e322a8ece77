using System.Collections.Generic;
using KDsl.Profiles;
using KDsl.Runtime.Kernel.Oops;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// A kernel-mode page fault's oops on the real kernel's footprint (Profiles/Footprints, the "oops" path): the #PF
    /// entry, exc_page_fault, page_fault_oops, __die and show_regs run as recorded on the faulting task's stack, their
    /// printks included, down to show_trace_log_lvl. The C# kernel writes the report's lines: each one when the recorded
    /// path has committed the record that held it, so an oops that overflows the stack on the way (a fault deep in a
    /// recursion leaves the report little room) has logged what the real one had, and dies where the real one dies.
    /// </summary>
    public sealed partial class LinuxKernel
    {
        /// <summary>The page-fault oops under way on the recorded path: its lines, and how many are logged.</summary>
        private sealed class RecordedOops
        {
            public RecordedOops(List<string> beforeTrace, List<string> rest)
            {
                BeforeTrace = beforeTrace;
                Rest = rest;
            }

            /// <summary>show_fault_oops through __show_regs: one printk's text each (a pr_cont line is one).</summary>
            public List<string> BeforeTrace { get; }
            /// <summary>show_trace_log_lvl's lines and what follows: print_modules, the CR2 line, oops_end's.</summary>
            public List<string> Rest { get; }
            public int Logged { get; set; }
        }

        private RecordedOops? _recordedOops;

        /// <summary>
        /// page_fault_oops on the recorded path: the report is what the C# kernel would print at once (its die counter
        /// taken now, as __die_header takes it), the oops facts are the fault's, and the CPU, its exception frame
        /// pushed, runs the #PF gate's recorded text from <paramref name="frameRsp"/>.
        /// </summary>
        private void BeginRecordedOops(List<string> faultLines, RegisterSet regs, uint errorCode, ulong address, ulong frameRsp)
        {
            var die = DieReport("Oops", regs, errorCode, cr2Line: address);
            var before = new List<string>(faultLines);
            var rest = new List<string>();
            for (int i = 0; i < die.Lines.Count; i++)
                (i < die.TraceStart ? before : rest).Add(die.Lines[i] + "\n");
            RecordOops("page_fault", "Oops", regs, die.Report.Code!, die.Reliable, panicked: Config.PanicOnOops);
            _recordedOops = new RecordedOops(before, rest);
            _replay!.BeginOops(frameRsp, regs.Rip, Cpu.InstructionCount);
        }

        /// <summary>At a host branch of the oops path: the lines whose records the path has committed are in the log.</summary>
        private void LogCommittedOopsLines()
        {
            if (_recordedOops is not { } oops) return;
            int committed = _replay!.OopsRecordsCommitted;
            while (oops.Logged < committed && oops.Logged < oops.BeforeTrace.Count)
                Printk(oops.BeforeTrace[oops.Logged++]);
        }

        /// <summary>
        /// show_trace_log_lvl's entry: the recorded path ends. The lines not logged yet (a line more than the recording
        /// had), the call trace and the rest of the report, taint D (oops_end's add_taint), and oops_end's ending.
        /// </summary>
        private void ShowTraceLogLvl()
        {
            if (_recordedOops is not { } oops) return;
            _recordedOops = null;
            _replay?.EndOops();
            for (; oops.Logged < oops.BeforeTrace.Count; oops.Logged++) Printk(oops.BeforeTrace[oops.Logged]);
            foreach (var line in oops.Rest) Printk(line);
            _taint |= Taint.Bit(Taint.Die);
            OopsEnd(inInterrupt: false, SigKill, irqsDisabled: true);
        }
    }
}
