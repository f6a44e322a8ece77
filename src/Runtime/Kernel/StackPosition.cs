namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// Where a task's kernel stack stood at one instruction, as the oops unwinder sees it: what an oops reports about its
    /// fault (<see cref="OopsFacts"/>) and what the deepest point of a run shows (<see cref="KDsl.Runtime.StackAtHighWater"/>).
    /// </summary>
    public abstract class StackPosition
    {
        /// <summary>The instruction pointer.</summary>
        public ulong Rip { get; init; }
        /// <summary>RIP as %pS prints it: "vprintk_store+0x14/0x60" or "rstack+0x2d/0x7f [step5]".</summary>
        public string RipSymbol { get; init; } = "";
        /// <summary>The function RIP is in, or "" when RIP is in no known function.</summary>
        public string Function { get; init; } = "";
        /// <summary>The stack pointer.</summary>
        public ulong Rsp { get; init; }
        /// <summary>The innermost module function on the stack (RIP's, or the one that called into the kernel).</summary>
        public string ModuleFunction { get; init; } = "";
        /// <summary>How many frames of <see cref="ModuleFunction"/> were on the stack: the recursion depth reached.</summary>
        public int Depth { get; init; }
        /// <summary>The reliable call chain, innermost first: RIP's function, then each caller.</summary>
        public System.Collections.Generic.IReadOnlyList<string> CallChain { get; init; } = System.Array.Empty<string>();
        /// <summary>The task stack: [StackBase, StackTop).</summary>
        public ulong StackBase { get; init; }
        /// <summary>The stack's top: its base plus THREAD_SIZE.</summary>
        public ulong StackTop { get; init; }
    }
}
