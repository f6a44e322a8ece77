using KDsl.Symbols;
using static Iced.Intel.AssemblerRegisters;

namespace KDsl.CodeGen
{
    internal sealed partial class FunctionEmitter
    {
        /// <summary>
        /// A system call as glibc's wrappers make it: the arguments are already in RDI, RSI, RDX, RCX, R8, R9 (the SysV
        /// call registers); the kernel's ABI takes the fourth in R10 (RCX is the return RIP), the number in RAX, and
        /// returns the result or -errno in RAX. `syscall` clobbers RCX and R11, both caller-saved already.
        /// </summary>
        private void EmitSyscall(FunctionSymbol function)
        {
            if (function.Parameters.Length > 3) A.mov(r10, rcx);
            A.mov(eax, (uint)function.SyscallNumber);
            A.syscall();
        }
    }
}
