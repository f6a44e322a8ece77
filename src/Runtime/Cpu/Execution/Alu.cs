using System.Numerics;
using KDsl.Runtime.Cpu.Decoding;

namespace KDsl.Runtime.Cpu
{
    public sealed partial class X64Cpu
    {
        /// <summary>add/or/adc/sbb/and/sub/xor/cmp/test: A op= B.</summary>
        private bool ExecAlu(ref DecodedInstruction d)
        {
            int size = d.Size;
            ulong mask = SizeMask(size);
            ulong dst, src, ea;
            if (d.A == OpKindX.Mem)
            {
                ea = EffectiveAddress(ref d);
                if (!Read(ea, size, out dst)) return false;
                src = d.B == OpKindX.Imm ? d.Imm & mask : GetReg(d.B, d.RegB, size);
            }
            else
            {
                ea = 0;
                dst = GetReg(d.A, d.RegA, size);
                if (!ReadB(ref d, size, out src)) return false;
            }

            ulong res;
            LazyOp lop;
            switch (d.Op)
            {
                case Op.Add: res = (dst + src) & mask; lop = LazyOp.Add; break;
                case Op.Sub:
                case Op.Cmp: res = (dst - src) & mask; lop = LazyOp.Sub; break;
                case Op.And:
                case Op.Test: res = dst & src; lop = LazyOp.Logic; break;
                case Op.Or: res = dst | src; lop = LazyOp.Logic; break;
                case Op.Xor: res = dst ^ src; lop = LazyOp.Logic; break;
                case Op.Adc:
                    if (GetCf()) { res = (dst + src + 1) & mask; lop = LazyOp.Adc1; }
                    else { res = (dst + src) & mask; lop = LazyOp.Add; }
                    break;
                default: // Sbb
                    if (GetCf()) { res = (dst - src - 1) & mask; lop = LazyOp.Sbb1; }
                    else { res = (dst - src) & mask; lop = LazyOp.Sub; }
                    break;
            }
            if (d.Op != Op.Cmp && d.Op != Op.Test)
            {
                if (d.A == OpKindX.Mem)
                {
                    if (!Write(ea, size, res)) return false;
                }
                else
                {
                    SetReg(d.A, d.RegA, size, res);
                    if (d.Op == Op.Sub && d.RegA == RspIndex && d.A == OpKindX.Reg) NoteRsp(res);
                }
            }
            SetLazy(lop, dst, src, res, size);
            return true;
        }

        private bool ExecIncDec(ref DecodedInstruction d, bool inc)
        {
            int size = d.Size;
            if (!ReadA(ref d, size, out ulong dst, out ulong ea)) return false;
            ulong res = (inc ? dst + 1 : dst - 1) & SizeMask(size);
            if (!WriteA(ref d, size, ea, res)) return false;
            _lcf = GetCf();
            SetLazy(inc ? LazyOp.Inc : LazyOp.Dec, dst, 1, res, size);
            return true;
        }

        private bool ExecNeg(ref DecodedInstruction d)
        {
            int size = d.Size;
            if (!ReadA(ref d, size, out ulong v, out ulong ea)) return false;
            ulong res = (0 - v) & SizeMask(size);
            if (!WriteA(ref d, size, ea, res)) return false;
            SetLazy(LazyOp.Sub, 0, v, res, size);
            return true;
        }

        private bool ExecNot(ref DecodedInstruction d)
        {
            int size = d.Size;
            if (!ReadA(ref d, size, out ulong v, out ulong ea)) return false;
            return WriteA(ref d, size, ea, ~v & SizeMask(size));
        }

        private bool ExecMov(ref DecodedInstruction d)
        {
            int size = d.Size;
            if (!ReadB(ref d, size, out ulong v)) return false;
            return StoreA(ref d, size, v);
        }

        private bool ExecMovzxMovsx(ref DecodedInstruction d, bool signed)
        {
            int ss = d.SrcSize;
            if (!ReadB(ref d, ss, out ulong v)) return false;
            if (signed) v = (ulong)SignExtend(v, ss) & SizeMask(d.Size);
            SetReg(d.A, d.RegA, d.Size, v);
            return true;
        }

        private void ExecLea(ref DecodedInstruction d)
        {
            ulong ea = EffectiveAddress(ref d);
            if (d.Seg != 0) ea -= d.Seg == 1 ? FsBase : GsBase; // lea ignores segment bases
            SetReg(d.A, d.RegA, d.Size, ea);
        }

        private bool ExecXchg(ref DecodedInstruction d)
        {
            int size = d.Size;
            if (d.A == OpKindX.Mem || d.B == OpKindX.Mem)
            {
                bool memA = d.A == OpKindX.Mem;
                ulong ea = EffectiveAddress(ref d);
                OpKindX rk = memA ? d.B : d.A;
                int ri = memA ? d.RegB : d.RegA;
                if (!Read(ea, size, out ulong m)) return false;
                if (!Write(ea, size, GetReg(rk, ri, size))) return false;
                SetReg(rk, ri, size, m);
                return true;
            }
            ulong a = GetReg(d.A, d.RegA, size);
            ulong b = GetReg(d.B, d.RegB, size);
            SetReg(d.A, d.RegA, size, b);
            SetReg(d.B, d.RegB, size, a);
            return true;
        }

        private bool ExecXadd(ref DecodedInstruction d)
        {
            int size = d.Size;
            if (!ReadA(ref d, size, out ulong dst, out ulong ea)) return false;
            ulong src = GetReg(d.B, d.RegB, size);
            ulong res = (dst + src) & SizeMask(size);
            if (!WriteA(ref d, size, ea, res)) return false;
            SetReg(d.B, d.RegB, size, dst);
            if (d.A != OpKindX.Mem) SetReg(d.A, d.RegA, size, res); // dest wins when both are registers
            SetLazy(LazyOp.Add, dst, src, res, size);
            return true;
        }

        private bool ExecCmpxchg(ref DecodedInstruction d)
        {
            int size = d.Size;
            if (!ReadA(ref d, size, out ulong dst, out ulong ea)) return false;
            ulong acc = GetReg(OpKindX.Reg, 0, size);
            ulong res = (acc - dst) & SizeMask(size);
            if (acc == dst)
            {
                if (!WriteA(ref d, size, ea, GetReg(d.B, d.RegB, size))) return false;
            }
            else
            {
                if (d.A == OpKindX.Mem && !Write(ea, size, dst)) return false;
                SetReg(OpKindX.Reg, 0, size, dst);
            }
            SetLazy(LazyOp.Sub, acc, dst, res, size);
            return true;
        }

        /// <summary>
        /// cmpxchg8b m64 / cmpxchg16b m128 (REX.W; CPUID's CX8 and CX16): EDX:EAX (RDX:RAX) against the operand; equal, ZF
        /// is set and ECX:EBX (RCX:RBX) stored; else ZF is clear and the operand loaded into EDX:EAX (RDX:RAX). Only ZF
        /// changes. cmpxchg16b's operand must be 16-byte aligned (#GP(0)), so both its halves lie in one page.
        /// </summary>
        private bool ExecCmpxchg8b16b(ref DecodedInstruction d)
        {
            ulong ea = EffectiveAddress(ref d);
            bool equal;
            if (d.Size == 16)
            {
                if ((ea & 15) != 0) return Raise(Vectors.GP, 0);
                if (!Read(ea, 8, out ulong lo) || !Read(ea + 8, 8, out ulong hi)) return false;
                equal = lo == R(0) && hi == R(2);
                if (equal)
                {
                    if (!Write(ea, 8, R(3)) || !Write(ea + 8, 8, R(1))) return false;
                }
                else
                {
                    R(0) = lo;
                    R(2) = hi;
                }
            }
            else
            {
                if (!Read(ea, 8, out ulong v)) return false;
                equal = v == ((R(2) << 32) | (uint)R(0));
                if (equal)
                {
                    if (!Write(ea, 8, (R(1) << 32) | (uint)R(3))) return false;
                }
                else
                {
                    R(0) = (uint)v; // 32-bit register writes zero-extend
                    R(2) = v >> 32;
                }
            }
            Materialize();
            _flags = equal ? _flags | CpuFlags.ZF : _flags & ~CpuFlags.ZF;
            return true;
        }

        /// <summary>bt/bts/btr/btc (kind 0..3) with bit-string addressing for memory operands.</summary>
        private bool ExecBt(ref DecodedInstruction d, int kind)
        {
            int size = d.Size;
            int bits = size * 8;
            ulong offset;
            bool immediate = d.B == OpKindX.Imm;
            offset = immediate ? d.Imm : GetReg(d.B, d.RegB, size);
            ulong ea = 0, v;
            if (d.A == OpKindX.Mem)
            {
                ea = EffectiveAddress(ref d);
                if (!immediate)
                {
                    long so = SignExtend(offset, size);
                    ea += (ulong)((so >> BitOperations.Log2((uint)bits)) * size);
                }
                if (!Read(ea, size, out v)) return false;
            }
            else
            {
                v = GetReg(d.A, d.RegA, size);
            }
            int bit = (int)(offset & (ulong)(bits - 1));
            bool cf = ((v >> bit) & 1) != 0;
            if (kind != 0)
            {
                ulong m = 1UL << bit;
                ulong nv = kind == 1 ? v | m : kind == 2 ? v & ~m : v ^ m;
                if (!WriteA(ref d, size, ea, nv)) return false;
            }
            Materialize();
            _flags = (_flags & ~CpuFlags.CF) | (cf ? CpuFlags.CF : 0);
            return true;
        }

        private bool ExecBsfBsr(ref DecodedInstruction d, bool reverse)
        {
            int size = d.Size;
            if (!ReadB(ref d, size, out ulong v)) return false;
            Materialize();
            if (v == 0)
            {
                _flags |= CpuFlags.ZF;
                return true;
            }
            _flags &= ~CpuFlags.ZF;
            int idx = reverse ? BitOperations.Log2(v) : BitOperations.TrailingZeroCount(v);
            SetReg(d.A, d.RegA, size, (ulong)idx);
            return true;
        }

        private void ExecBswap(ref DecodedInstruction d)
        {
            ulong v = GetReg(d.A, d.RegA, d.Size);
            if (d.Size == 8) v = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(v);
            else if (d.Size == 4) v = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((uint)v);
            else v = 0; // 16-bit bswap is undefined; hardware gives 0
            SetReg(d.A, d.RegA, d.Size, v);
        }

        private bool ExecSetcc(ref DecodedInstruction d) => StoreA(ref d, 1, Cond(d.Cc) ? 1UL : 0UL);

        private bool ExecCmovcc(ref DecodedInstruction d)
        {
            int size = d.Size;
            if (!ReadB(ref d, size, out ulong v)) return false;
            if (Cond(d.Cc)) SetReg(d.A, d.RegA, size, v);
            else if (size == 4) SetReg(d.A, d.RegA, 4, GetReg(d.A, d.RegA, 4)); // 32-bit form always zero-extends
            return true;
        }

        private void ExecCbw(ref DecodedInstruction d)
        {
            ref ulong rax = ref R(0);
            switch (d.Size)
            {
                case 2: rax = (rax & ~0xFFFFUL) | (ushort)(short)(sbyte)rax; break;
                case 4: rax = (uint)(short)rax; break;
                default: rax = (ulong)(long)(int)rax; break;
            }
        }

        private void ExecCwd(ref DecodedInstruction d)
        {
            ulong rax = R(0);
            ref ulong rdx = ref R(2);
            switch (d.Size)
            {
                case 2: rdx = (rdx & ~0xFFFFUL) | ((rax & 0x8000) != 0 ? 0xFFFFUL : 0); break;
                case 4: rdx = (rax & 0x8000_0000) != 0 ? 0xFFFF_FFFFUL : 0; break;
                default: rdx = (long)rax < 0 ? ulong.MaxValue : 0; break;
            }
        }
    }
}
