using System.Collections.Generic;

namespace KDsl.Runtime.Kernel.Oops
{
    /// <summary>
    /// Everything die() prints, gathered by the kernel layer at the moment of the oops. The printer only formats;
    /// it reads no machine state, so the record must hold the live values too (see <see cref="RegisterSet"/>).
    /// </summary>
    public sealed class OopsReport
    {
        /// <summary>die()'s str: "kernel stack overflow (double-fault)", "stack guard page", "general protection fault", …</summary>
        public string DieString { get; set; } = "";
        /// <summary>The hardware error code; the header prints err &amp; 0xffff (0 for handle_stack_overflow).</summary>
        public ulong ErrorCode { get; set; }
        /// <summary>die_counter after the increment: 1 for the first oops since boot.</summary>
        public int DieCounter { get; set; } = 1;

        public int Cpu { get; set; }
        public int Pid { get; set; }
        /// <summary>current->comm (at most 15 characters in the kernel).</summary>
        public string Comm { get; set; } = "";
        /// <summary>tainted_mask at the time of the oops (bits of <see cref="Taint"/>); D is added only after it.</summary>
        public ulong TaintMask { get; set; }

        /// <summary>The registers of the faulting context.</summary>
        public RegisterSet Regs { get; set; } = new RegisterSet();
        /// <summary>Code bytes around Regs.Rip; null prints as unreadable.</summary>
        public CodeDump? Code { get; set; }

        /// <summary>show_trace_log_lvl's lines: addresses, stack markers, pt_regs found on the stack.</summary>
        public List<CallTraceEntry> CallTrace { get; } = new();

        /// <summary>The module list in the kernel's order (newest first).</summary>
        public List<LoadedModule> Modules { get; } = new();
        /// <summary>" [last unloaded: …]" text, or null.</summary>
        public string? LastUnloaded { get; set; }

        /// <summary>4.x "task: %p task.stack: %p": current and task_stack_page(current).</summary>
        public ulong TaskAddress { get; set; }
        public ulong TaskStackAddress { get; set; }

        /// <summary>oops_id for "---[ end trace %016llx ]---" on profiles with random ids (ignored on the others).</summary>
        public ulong OopsId { get; set; }

        /// <summary>
        /// page_fault_oops' own executive line, printk(KERN_DEFAULT "CR2: %016lx\n", address), between __die and
        /// oops_end: after "Modules linked in" (4.19+), after the "RIP: … RSP: …" summary (4.x); null for die().
        /// </summary>
        public ulong? Cr2Line { get; set; }

        /// <summary>exec_summary_regs: the first oops' registers (null = <see cref="Regs"/>), printed after the end marker.</summary>
        public RegisterSet? SummaryRegs { get; set; }
        /// <summary>Code bytes for the summary (show_opcodes reads memory again; null = <see cref="Code"/>).</summary>
        public CodeDump? SummaryCode { get; set; }
    }
}
