using KDsl.Runtime.Kernel.Printk;
using KDsl.Runtime.Memory;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// va_arg over a guest call's SysV varargs: the five integer registers after the format (RSI, RDX, RCX, R8, R9),
    /// then the caller's stack slots upwards from the first one. Strings are read through the MMU.
    /// </summary>
    public sealed class GuestVarargs : IPrintkArgs
    {
        private readonly ulong[] _registers;
        private readonly Mmu _mmu;
        private ulong _stack;
        private int _next;

        public GuestVarargs(ulong[] registers, ulong firstStackSlot, Mmu mmu)
        {
            _registers = registers;
            _stack = firstStackSlot;
            _mmu = mmu;
        }

        public ulong NextArg()
        {
            if (_next < _registers.Length) return _registers[_next++];
            _mmu.TryReadU64(_stack, out ulong value);
            _stack += 8;
            return value;
        }

        /// <summary>
        /// The first byte of a string argument that could not be read, or null: the real vsnprintf's string_nocheck reads
        /// it all the same, so the kernel faults there (<see cref="LinuxKernel"/>'s StringFault).
        /// </summary>
        public ulong? UnreadableByte { get; private set; }

        public bool TryReadString(ulong address, int maxLength, out string value)
        {
            if (_mmu.TryReadCString(address, maxLength < 0 ? 4096 : maxLength, out value)) return true;
            UnreadableByte ??= address + (ulong)value.Length;
            return false;
        }
    }
}
