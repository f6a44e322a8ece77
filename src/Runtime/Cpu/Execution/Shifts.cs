using KDsl.Runtime.Cpu.Decoding;

namespace KDsl.Runtime.Cpu
{
    public sealed partial class X64Cpu
    {
        /// <summary>shl/shr/sar/rol/ror/rcl/rcr by 1, imm8 or CL; the count is masked to 5 bits (6 for 64-bit).</summary>
        private bool ExecShift(ref DecodedInstruction d)
        {
            int size = d.Size;
            int bits = size * 8;
            ulong raw = d.B == OpKindX.Imm ? d.Imm : GetReg(d.B, d.RegB, 1);
            int count = (int)(raw & (size == 8 ? 0x3FUL : 0x1FUL));
            if (!ReadA(ref d, size, out ulong v, out ulong ea)) return false;
            // Count 0: flags unaffected, but a 32-bit register is still written (its upper half clears), as on hardware.
            if (count == 0) return size != 4 || d.A != OpKindX.Reg || WriteA(ref d, size, ea, v);

            ulong mask = SizeMask(size);
            ulong sign = SignBit(size);
            ulong res;
            bool cf, of;
            switch (d.Op)
            {
                case Op.Shl:
                    res = count < 64 ? (v << count) & mask : 0;
                    cf = count <= bits && ((v >> (bits - count)) & 1) != 0;
                    of = ((res & sign) != 0) != cf;
                    break;
                case Op.Shr:
                    res = count < 64 ? v >> count : 0;
                    cf = ((v >> (count - 1)) & 1) != 0;
                    of = (v & sign) != 0;
                    break;
                case Op.Sar:
                {
                    long sv = SignExtend(v, size);
                    res = (ulong)(sv >> (count > 63 ? 63 : count)) & mask;
                    cf = ((sv >> (count - 1 > 63 ? 63 : count - 1)) & 1) != 0;
                    of = false;
                    break;
                }
                case Op.Rol:
                {
                    int c = count % bits;
                    res = c == 0 ? v : ((v << c) | (v >> (bits - c))) & mask;
                    cf = (res & 1) != 0;
                    of = ((res & sign) != 0) != cf;
                    return FinishRotate(ref d, size, ea, res, cf, of);
                }
                case Op.Ror:
                {
                    int c = count % bits;
                    res = c == 0 ? v : ((v >> c) | (v << (bits - c))) & mask;
                    cf = (res & sign) != 0;
                    of = ((res & sign) != 0) != ((res & (sign >> 1)) != 0);
                    return FinishRotate(ref d, size, ea, res, cf, of);
                }
                case Op.Rcl:
                {
                    int c = count % (bits + 1);
                    bool carry = GetCf();
                    res = v;
                    for (int i = 0; i < c; i++)
                    {
                        bool top = (res & sign) != 0;
                        res = ((res << 1) | (carry ? 1UL : 0)) & mask;
                        carry = top;
                    }
                    cf = carry;
                    of = ((res & sign) != 0) != cf;
                    return FinishRotate(ref d, size, ea, res, cf, of);
                }
                default: // Rcr
                {
                    int c = count % (bits + 1);
                    bool carry = GetCf();
                    res = v;
                    of = ((res & sign) != 0) != carry;
                    for (int i = 0; i < c; i++)
                    {
                        bool low = (res & 1) != 0;
                        res = (res >> 1) | (carry ? sign : 0);
                        carry = low;
                    }
                    cf = carry;
                    return FinishRotate(ref d, size, ea, res, cf, of);
                }
            }
            if (!WriteA(ref d, size, ea, res)) return false;
            ulong f = ResultFlags(res, size);
            if (cf) f |= CpuFlags.CF;
            if (of) f |= CpuFlags.OF;
            SetStatus(f);
            return true;
        }

        /// <summary>Rotates change only CF and OF.</summary>
        private bool FinishRotate(ref DecodedInstruction d, int size, ulong ea, ulong res, bool cf, bool of)
        {
            if (!WriteA(ref d, size, ea, res)) return false;
            Materialize();
            ulong f = _flags & ~(CpuFlags.CF | CpuFlags.OF);
            if (cf) f |= CpuFlags.CF;
            if (of) f |= CpuFlags.OF;
            _flags = f;
            return true;
        }
    }
}
