namespace KDsl.Runtime.Kernel
{
    /// <summary>What an oops established, as data for tests and the CLI (the text is in the log).</summary>
    public sealed class OopsFacts : StackPosition
    {
        /// <summary>stack_guard, page_fault, double_fault, invalid_opcode, general_protection, divide_error, ...; soft_lockup for the watchdog's report.</summary>
        public string Kind { get; init; } = "";
        public string DieString { get; init; } = "";
        /// <summary>CR2 for page faults and stack overflows: the address that faulted.</summary>
        public ulong FaultAddress { get; init; }
        /// <summary>Bytes the Code: line shows and where they start (the byte at RIP is marked).</summary>
        public byte[]? CodeBytes { get; init; }
        public ulong CodeStart { get; init; }
        /// <summary>Whether oops_end panicked (always, for a #DF) or killed the task.</summary>
        public bool Panicked { get; init; }
    }
}
