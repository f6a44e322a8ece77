using Iced.Intel;

namespace KDsl.CodeGen
{
    /// <summary>The 16 general registers in hardware encoding order, and their Iced assembler forms.</summary>
    internal enum Gpr { Rax, Rcx, Rdx, Rbx, Rsp, Rbp, Rsi, Rdi, R8, R9, R10, R11, R12, R13, R14, R15 }

    internal static class GprExtensions
    {
        public static AssemblerRegister64 Q(this Gpr r) => new AssemblerRegister64(Register.RAX + (int)r);
        public static AssemblerRegister32 D(this Gpr r) => new AssemblerRegister32(Register.EAX + (int)r);
        public static AssemblerRegister16 W(this Gpr r) => new AssemblerRegister16(Register.AX + (int)r);

        public static AssemblerRegister8 B(this Gpr r) => (int)r switch
        {
            < 4 => new AssemblerRegister8(Register.AL + (int)r),
            < 8 => new AssemblerRegister8(Register.SPL + ((int)r - 4)),
            _ => new AssemblerRegister8(Register.R8L + ((int)r - 8)),
        };

        /// <summary>SysV argument registers, in order.</summary>
        public static readonly Gpr[] ArgumentRegisters = { Gpr.Rdi, Gpr.Rsi, Gpr.Rdx, Gpr.Rcx, Gpr.R8, Gpr.R9 };

        /// <summary>
        /// Callee-saved registers GCC hands out to values that live across calls, in its order, where RBP is the frame
        /// pointer (CONFIG_FRAME_POINTER).
        /// </summary>
        public static readonly Gpr[] CalleeSaved = { Gpr.Rbx, Gpr.R12, Gpr.R13, Gpr.R14, Gpr.R15 };

        /// <summary>
        /// The same without a frame pointer (the ORC unwinder's kernels, 5.10 and 6.1), where RBP is GCC's second choice:
        /// GCC 12's modules push rbx for one value, rbp and rbx for two, r12, rbp and rbx for three, and all six, r15 first,
        /// for more (Logs/experiments node_BUF.c, twice_BUF.c, params8_BUF.c).
        /// </summary>
        public static readonly Gpr[] CalleeSavedWithoutFramePointer = { Gpr.Rbx, Gpr.Rbp, Gpr.R12, Gpr.R13, Gpr.R14, Gpr.R15 };

        /// <summary>Caller-saved registers that no call sequence or expression evaluation here uses: homes for short-lived locals.</summary>
        public static readonly Gpr[] ScratchHomes = { Gpr.R10, Gpr.R11 };

        /// <summary>
        /// Caller-saved registers an expression without calls never touches (arguments are loaded only right before a
        /// call; evaluation uses RAX, RCX, RDX): an operand waits in one across the other operand's evaluation. Those a
        /// function does not need for that may be homes (<see cref="FrameLayout"/>).
        /// </summary>
        public static readonly Gpr[] OperandRegisters = { Gpr.Rsi, Gpr.Rdi, Gpr.R8, Gpr.R9 };
    }
}
