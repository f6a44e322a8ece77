using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using KDsl.Runtime.Cpu.Decoding;

namespace KDsl.Runtime.Cpu
{
    public sealed partial class X64Cpu
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private ref ulong R(int idx) => ref Unsafe.Add(ref Unsafe.As<RegisterFile, ulong>(ref _gpr), idx);

        /// <summary>Reads a register operand of the given size (zero-extended).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private ulong GetReg(OpKindX kind, int idx, int size)
        {
            ulong v = R(idx);
            if (kind == OpKindX.RegHigh) return (v >> 8) & 0xFF;
            return size == 8 ? v : v & SizeMask(size);
        }

        /// <summary>Writes a register with x86-64 semantics: 8/16-bit merge, 32-bit zero-extends.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void SetReg(OpKindX kind, int idx, int size, ulong v)
        {
            ref ulong r = ref R(idx);
            switch (size)
            {
                case 8: r = v; break;
                case 4: r = (uint)v; break;
                case 2: r = (r & ~0xFFFFUL) | (v & 0xFFFF); break;
                default:
                    if (kind == OpKindX.RegHigh) r = (r & ~0xFF00UL) | ((v & 0xFF) << 8);
                    else r = (r & ~0xFFUL) | (v & 0xFF);
                    break;
            }
        }

        /// <summary>Value of operand B (register, immediate or memory).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool ReadB(ref DecodedInstruction d, int size, out ulong v)
        {
            switch (d.B)
            {
                case OpKindX.Imm:
                    v = d.Imm & SizeMask(size);
                    return true;
                case OpKindX.Mem:
                    return Read(EffectiveAddress(ref d), size, out v);
                default:
                    v = GetReg(d.B, d.RegB, size);
                    return true;
            }
        }

        /// <summary>Value of operand A; for memory also returns its address for a later write-back.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool ReadA(ref DecodedInstruction d, int size, out ulong v, out ulong ea)
        {
            switch (d.A)
            {
                case OpKindX.Mem:
                    ea = EffectiveAddress(ref d);
                    return Read(ea, size, out v);
                case OpKindX.Imm:
                    ea = 0;
                    v = d.Imm & SizeMask(size);
                    return true;
                default:
                    ea = 0;
                    v = GetReg(d.A, d.RegA, size);
                    return true;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool WriteA(ref DecodedInstruction d, int size, ulong ea, ulong v)
        {
            if (d.A == OpKindX.Mem) return Write(ea, size, v);
            SetReg(d.A, d.RegA, size, v);
            return true;
        }

        /// <summary>Writes operand A computing the address now (for instructions that do not read A).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool StoreA(ref DecodedInstruction d, int size, ulong v)
        {
            if (d.A == OpKindX.Mem) return Write(EffectiveAddress(ref d), size, v);
            SetReg(d.A, d.RegA, size, v);
            return true;
        }
    }
}
