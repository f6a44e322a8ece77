namespace KDsl.Runtime.Kernel
{
    /// <summary>What an oops established, as data for tests and the CLI (the text is in the log).</summary>
    public sealed class OopsFacts
    {
        /// <summary>stack_guard, page_fault, double_fault, invalid_opcode, general_protection, divide_error.</summary>
        public string Kind { get; init; } = "";
        public string DieString { get; init; } = "";
        public ulong Rip { get; init; }
        /// <summary>RIP as %pS prints it: "rstack+0x2d/0x7f [step5]".</summary>
        public string RipSymbol { get; init; } = "";
        /// <summary>The function RIP is in, or "" when RIP is in no known function.</summary>
        public string Function { get; init; } = "";
        public ulong Rsp { get; init; }
        /// <summary>The innermost module function on the stack at the fault (RIP's, or the one that called into the kernel).</summary>
        public string ModuleFunction { get; init; } = "";
        /// <summary>How many frames of <see cref="ModuleFunction"/> were on the stack: the recursion depth reached.</summary>
        public int Depth { get; init; }
        /// <summary>The reliable call chain at the fault, innermost first: RIP's function, then each caller.</summary>
        public System.Collections.Generic.IReadOnlyList<string> CallChain { get; init; } = System.Array.Empty<string>();
        /// <summary>CR2 for page faults and stack overflows: the address that faulted.</summary>
        public ulong FaultAddress { get; init; }
        /// <summary>The task stack: [StackBase, StackTop).</summary>
        public ulong StackBase { get; init; }
        public ulong StackTop { get; init; }
        /// <summary>Bytes the Code: line shows and where they start (the byte at RIP is marked).</summary>
        public byte[]? CodeBytes { get; init; }
        public ulong CodeStart { get; init; }
        /// <summary>Whether oops_end panicked (always, for a #DF) or killed the task.</summary>
        public bool Panicked { get; init; }
    }
}
