namespace KDsl.Runtime.Cpu
{
    /// <summary>General-purpose registers in hardware (and Iced) encoding order.</summary>
    public enum Reg
    {
        Rax = 0, Rcx = 1, Rdx = 2, Rbx = 3, Rsp = 4, Rbp = 5, Rsi = 6, Rdi = 7,
        R8 = 8, R9 = 9, R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15,
    }

    /// <summary>Why <see cref="X64Cpu.Run"/> returned.</summary>
    public enum StopReason
    {
        /// <summary>An exception was delivered (see <see cref="X64Cpu.LastException"/>); RIP is at the gate's handler.</summary>
        Exception,
        /// <summary>vmcall executed; RIP is past it.</summary>
        Hypercall,
        /// <summary>hlt executed; RIP is past it.</summary>
        Halt,
        /// <summary>A fault while delivering #DF (or a #DF gate that cannot be used).</summary>
        TripleFault,
        /// <summary>The instruction budget ran out.</summary>
        BudgetExhausted,
        /// <summary>
        /// A valid instruction KDsl does not implement (<see cref="X64Cpu.UnimplementedMnemonic"/>); RIP is at it, it did
        /// not retire.
        /// </summary>
        Unimplemented,
    }

    /// <summary>Architectural exception vectors.</summary>
    public static class Vectors
    {
        public const int DE = 0;
        public const int DB = 1;
        public const int NMI = 2;
        public const int BP = 3;
        public const int OF = 4;
        public const int BR = 5;
        public const int UD = 6;
        public const int NM = 7;
        public const int DF = 8;
        public const int TS = 10;
        public const int NP = 11;
        public const int SS = 12;
        public const int GP = 13;
        public const int PF = 14;
        public const int MF = 16;
        public const int AC = 17;
        public const int CoprocessorSegmentOverrun = 9, MC = 18, XF = 19;
        /// <summary>The first vector after the exceptions (external interrupts), and the first APIC system vector (LOCAL_TIMER_VECTOR).</summary>
        public const int FirstExternalVector = 0x20, FirstSystemVector = 0xec;

        /// <summary>True for vectors whose delivery pushes an error code.</summary>
        public static bool HasErrorCode(int vector) =>
            vector == DF || vector == TS || vector == NP || vector == SS || vector == GP || vector == PF || vector == AC;

        internal static bool IsContributory(int vector) =>
            vector == DE || vector == TS || vector == NP || vector == SS || vector == GP;
    }

    /// <summary>Selectors of the flat 64-bit GDT the kernel uses (Linux values).</summary>
    public static class Selectors
    {
        public const ushort KernelCs = 0x10;
        public const ushort KernelDs = 0x18;
        public const ushort UserDs = 0x2b;
        public const ushort UserCs = 0x33;
    }

    /// <summary>RFLAGS bits.</summary>
    public static class CpuFlags
    {
        public const ulong CF = 1UL << 0;
        public const ulong Reserved1 = 1UL << 1;
        public const ulong PF = 1UL << 2;
        public const ulong AF = 1UL << 4;
        public const ulong ZF = 1UL << 6;
        public const ulong SF = 1UL << 7;
        public const ulong TF = 1UL << 8;
        public const ulong IF = 1UL << 9;
        public const ulong DF = 1UL << 10;
        public const ulong OF = 1UL << 11;
        public const ulong IOPL = 3UL << 12;
        public const ulong NT = 1UL << 14;
        public const ulong RF = 1UL << 16;
        public const ulong AC = 1UL << 18;
        public const ulong ID = 1UL << 21;
        public const ulong Status = CF | PF | AF | ZF | SF | OF;
        /// <summary>Bits software can change with popfq at CPL 0.</summary>
        internal const ulong Writable = Status | TF | IF | DF | IOPL | NT | RF | AC | ID;
    }
}
