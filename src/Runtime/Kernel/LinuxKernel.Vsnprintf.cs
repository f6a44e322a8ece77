using System;
using KDsl.Profiles;
using KDsl.Runtime.Cpu;
using KDsl.Runtime.Kernel.Printk;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// vsnprintf(buf, size, fmt, args) as snprintf and sprintf call it (lib/vsprintf.c): the text printk's formatting
    /// makes (Printk/Vsnprintf.cs), from the arguments the va_list names, cut to size - 1 bytes and NUL-terminated when
    /// size is not 0; the result is the length the whole text has. The guest code (CodeGen/KernelPrintfFunctions) takes
    /// the recorded stack for the format and stores the text into buf itself, a piece at a time.
    /// </summary>
    public sealed partial class LinuxKernel
    {
        /// <summary>The bytes vsnprintf still has to store, and where; null between calls.</summary>
        private byte[]? _vsnprintfText;
        private int _vsnprintfStored;
        private ulong _vsnprintfBuf;
        private long _vsnprintfLength;

        /// <summary>
        /// At the entry: which frame the format takes (R11, an index into the footprint's VsnprintfDepths). In a frame:
        /// the first time, format; each time, put the next piece of the text above RSP and point RSI, RDI, RCX at the
        /// copy (RCX 0 and the length in RAX when all is stored).
        /// </summary>
        private void VsnprintfService(bool atEntry)
        {
            var footprint = Footprint!;
            if (atEntry)
            {
                _vsnprintfText = null;
                string format = Mmu.TryReadCString(Cpu[Reg.Rdx], 1024, out string f) ? f : "";
                Cpu[Reg.R11] = (ulong)Math.Max(0, IndexOf(footprint.VsnprintfDepths, footprint.VsnprintfDepth(format)));
                return;
            }
            if (_vsnprintfText == null && !Format()) return;
            int below = footprint.VsnprintfBelowPrologue(footprint.VsnprintfDepths[(int)Cpu[Reg.R11]]);
            int piece = Math.Min(_vsnprintfText!.Length - _vsnprintfStored, below - 8);
            ulong scratch = Cpu.Rsp + 8; // below the prologue's saved registers, above its lowest word: stack the real vsnprintf uses
            Mmu.TryWrite(scratch, new ReadOnlySpan<byte>(_vsnprintfText, _vsnprintfStored, piece));
            Cpu[Reg.Rsi] = scratch;
            Cpu[Reg.Rdi] = _vsnprintfBuf + (ulong)_vsnprintfStored;
            Cpu[Reg.Rcx] = (ulong)piece;
            _vsnprintfStored += piece;
            if (piece == 0)
            {
                Cpu[Reg.Rax] = (ulong)(int)_vsnprintfLength;
                _vsnprintfText = null;
            }
        }

        /// <summary>Formats the text; false when a %s string was unreadable and the kernel faulted instead (StringFault).</summary>
        private bool Format()
        {
            ulong size = Cpu[Reg.Rsi], args = Cpu[Reg.Rcx];
            string format = Mmu.TryReadCString(Cpu[Reg.Rdx], 1024, out string f) ? f : "";
            // the va_list GCC's va_start built: gp_offset, fp_offset, overflow_arg_area, reg_save_area
            Mmu.TryReadU32(args, out uint gpOffset);
            Mmu.TryReadU64(args + 8, out ulong overflow);
            Mmu.TryReadU64(args + 16, out ulong saved);
            int inRegisters = gpOffset < 48 ? (int)(48 - gpOffset) / 8 : 0;
            var registers = new ulong[inRegisters];
            for (int i = 0; i < inRegisters; i++) Mmu.TryReadU64(saved + gpOffset + 8 * (ulong)i, out registers[i]);
            int limit = size > int.MaxValue ? int.MaxValue : (int)size;
            var varargs = new GuestVarargs(registers, overflow, Mmu);
            string text = Vsnprintf.Format(format, varargs, Vsprintf, Math.Max(limit, 1), out long length);
            Charge(length * KernelWork.FormattedCharacter);
            if (varargs.UnreadableByte is ulong unreadable)
            {
                StringFault(unreadable);
                return false;
            }
            var bytes = new byte[size == 0 ? 0 : text.Length + 1];
            for (int i = 0; i < text.Length && size != 0; i++) bytes[i] = (byte)text[i]; // Mmu.TryReadCString's chars are bytes
            _vsnprintfText = bytes;
            _vsnprintfStored = 0;
            _vsnprintfBuf = Cpu[Reg.Rdi];
            _vsnprintfLength = length;
            return true;
        }

        private static int IndexOf(System.Collections.Generic.IReadOnlyList<int> list, int value)
        {
            for (int i = 0; i < list.Count; i++)
                if (list[i] == value) return i;
            return -1;
        }
    }
}
