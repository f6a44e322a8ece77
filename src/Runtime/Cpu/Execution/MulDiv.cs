using System;
using KDsl.Runtime.Cpu.Decoding;

namespace KDsl.Runtime.Cpu
{
    public sealed partial class X64Cpu
    {
        /// <summary>CF = OF = overflow; SF/ZF/PF from the low result (architecturally undefined), AF cleared.</summary>
        private void SetMulFlags(bool overflow, ulong low, int size)
        {
            ulong f = ResultFlags(low, size);
            if (overflow) f |= CpuFlags.CF | CpuFlags.OF;
            SetStatus(f);
        }

        /// <summary>One-operand mul/imul: rDX:rAX = rAX * src.</summary>
        private bool ExecMul1(ref DecodedInstruction d, bool signed)
        {
            int size = d.Size;
            if (!ReadA(ref d, size, out ulong src, out _)) return false;
            ulong a = GetReg(OpKindX.Reg, 0, size);
            ulong lo, hi;
            bool ovf;
            if (size == 8)
            {
                if (signed)
                {
                    long h = Math.BigMul((long)a, (long)src, out long l);
                    lo = (ulong)l;
                    hi = (ulong)h;
                    ovf = h != (l >> 63);
                }
                else
                {
                    hi = Math.BigMul(a, src, out lo);
                    ovf = hi != 0;
                }
            }
            else
            {
                int bits = size * 8;
                ulong mask = SizeMask(size);
                if (signed)
                {
                    long p = SignExtend(a, size) * SignExtend(src, size);
                    lo = (ulong)p & mask;
                    hi = (ulong)(p >> bits) & mask;
                    ovf = p != SignExtend(lo, size);
                }
                else
                {
                    ulong p = a * src;
                    lo = p & mask;
                    hi = (p >> bits) & mask;
                    ovf = hi != 0;
                }
            }
            if (size == 1)
            {
                SetReg(OpKindX.Reg, 0, 2, (hi << 8) | lo);
            }
            else
            {
                SetReg(OpKindX.Reg, 0, size, lo);
                SetReg(OpKindX.Reg, 2, size, hi);
            }
            SetMulFlags(ovf, lo, size);
            return true;
        }

        /// <summary>imul r, r/m (two operands) and imul r, r/m, imm (three operands).</summary>
        private bool ExecImulN(ref DecodedInstruction d, bool three)
        {
            int size = d.Size;
            ulong x, y;
            if (three)
            {
                if (!ReadB(ref d, size, out x)) return false;
                y = d.Imm & SizeMask(size);
            }
            else
            {
                x = GetReg(d.A, d.RegA, size);
                if (!ReadB(ref d, size, out y)) return false;
            }
            ulong lo;
            bool ovf;
            if (size == 8)
            {
                long h = Math.BigMul((long)x, (long)y, out long l);
                lo = (ulong)l;
                ovf = h != (l >> 63);
            }
            else
            {
                long p = SignExtend(x, size) * SignExtend(y, size);
                lo = (ulong)p & SizeMask(size);
                ovf = p != SignExtend(lo, size);
            }
            SetReg(d.A, d.RegA, size, lo);
            SetMulFlags(ovf, lo, size);
            return true;
        }

        /// <summary>div/idiv: rDX:rAX / src; #DE on a zero divisor or a quotient that does not fit.</summary>
        private bool ExecDiv(ref DecodedInstruction d, bool signed)
        {
            int size = d.Size;
            if (!ReadA(ref d, size, out ulong src, out _)) return false;
            if (src == 0) return Raise(Vectors.DE);
            ulong mask = SizeMask(size);
            int bits = size * 8;
            ulong lo = size == 1 ? GetReg(OpKindX.Reg, 0, 1) : GetReg(OpKindX.Reg, 0, size);
            ulong hi = size == 1 ? (GetReg(OpKindX.Reg, 0, 2) >> 8) & 0xFF : GetReg(OpKindX.Reg, 2, size);
            ulong q, r;
            if (!signed)
            {
                UInt128 dividend = ((UInt128)hi << bits) | lo;
                UInt128 qq = dividend / src;
                if (qq > mask) return Raise(Vectors.DE);
                q = (ulong)qq;
                r = (ulong)(dividend % src);
            }
            else
            {
                Int128 dividend = size == 8
                    ? (Int128)(((UInt128)hi << 64) | lo)
                    : (Int128)SignExtend((hi << bits) | lo, size * 2);
                Int128 divisor = SignExtend(src, size);
                Int128 qq = dividend / divisor;
                long min = SignExtend(SignBit(size), size);
                long max = (long)(mask >> 1);
                if (qq < min || qq > max) return Raise(Vectors.DE);
                q = (ulong)(long)qq & mask;
                r = (ulong)(long)(dividend % divisor) & mask;
            }
            if (size == 1)
            {
                SetReg(OpKindX.Reg, 0, 2, (r << 8) | q);
            }
            else
            {
                SetReg(OpKindX.Reg, 0, size, q);
                SetReg(OpKindX.Reg, 2, size, r);
            }
            return true;
        }
    }
}
