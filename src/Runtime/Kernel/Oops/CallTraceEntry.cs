namespace KDsl.Runtime.Kernel.Oops
{
    public enum CallTraceEntryKind
    {
        /// <summary>A kernel text address found on the stack: " %s%pB" with "? " when unreliable.</summary>
        Address,
        /// <summary>" &lt;NAME&gt;" before a stack's entries (IRQ, NMI, #DF, TASK, …).</summary>
        StackBegin,
        /// <summary>" &lt;/NAME&gt;" after them (4.x: " &lt;EOE&gt;").</summary>
        StackEnd,
        /// <summary>A pt_regs found on the stack (an entry frame, e.g. the user registers of the syscall).</summary>
        Regs,
    }

    /// <summary>One line group of show_trace_log_lvl, in the order the unwinder met it.</summary>
    public sealed class CallTraceEntry
    {
        private CallTraceEntry(CallTraceEntryKind kind) { Kind = kind; }

        public CallTraceEntryKind Kind { get; }
        public ulong Address { get; private init; }
        /// <summary>The word is the unwinder's return-address slot; otherwise a stale text address, printed with "? ".</summary>
        public bool Reliable { get; private init; }
        public string StackName { get; private init; } = "";
        public RegisterSet? Regs { get; private init; }
        /// <summary>The Code: bytes for <see cref="Regs"/> (show_iret_regs → show_ip → show_opcodes).</summary>
        public CodeDump? Code { get; private init; }
        /// <summary>Only the iret frame is on the stack: RIP, Code and the RSP/EFLAGS line, no general registers.</summary>
        public bool Partial { get; private init; }

        public static CallTraceEntry Frame(ulong address, bool reliable) =>
            new(CallTraceEntryKind.Address) { Address = address, Reliable = reliable };

        /// <summary>
        /// Start of a stack. The kernel layer may always emit TASK markers: the printer drops them for profiles
        /// before ≈5.16 (<c>TaskStackMarkers</c> false), which did not name the task stack.
        /// </summary>
        public static CallTraceEntry BeginStack(string name) =>
            new(CallTraceEntryKind.StackBegin) { StackName = name };

        public static CallTraceEntry EndStack(string name) =>
            new(CallTraceEntryKind.StackEnd) { StackName = name };

        public static CallTraceEntry RegsOnStack(RegisterSet regs, CodeDump? code, bool partial = false) =>
            new(CallTraceEntryKind.Regs) { Regs = regs, Code = code, Partial = partial };
    }
}
