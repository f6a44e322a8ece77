using KDsl.Runtime.Cpu.Decoding;

namespace KDsl.Runtime.Cpu
{
    public sealed unsafe partial class X64Cpu
    {
        private const int RcxIndex = 1, RsiIndex = 6, RdiIndex = 7;

        private ulong SourceSegBase(ref DecodedInstruction d) => d.Seg == 0 ? 0 : d.Seg == 1 ? FsBase : GsBase;

        /// <summary>
        /// stos/movs/lods/scas/cmps with optional rep/repe/repne. Each iteration commits, so a fault
        /// leaves RCX/RSI/RDI describing the remaining work and RIP on the instruction (as hardware does).
        /// </summary>
        private bool ExecString(ref DecodedInstruction d)
        {
            int size = d.Size;
            long step = (_flags & CpuFlags.DF) != 0 ? -size : size;
            bool rep = d.Rep != 0;
            if (!rep) return StringStep(ref d, size, step);

            if (d.Op == Op.Stos && step > 0) return RepStosForward(size);
            ref ulong rcx = ref R(RcxIndex);
            while (rcx != 0)
            {
                if (!StringStep(ref d, size, step)) return false;
                rcx--;
                if (d.Op == Op.Scas || d.Op == Op.Cmps)
                {
                    bool zf = Cond(4);
                    if (d.Rep == 1 && !zf) break;   // repe: stop when not equal
                    if (d.Rep == 2 && zf) break;    // repne: stop when equal
                }
            }
            return true;
        }

        private bool StringStep(ref DecodedInstruction d, int size, long step)
        {
            ref ulong rsi = ref R(RsiIndex);
            ref ulong rdi = ref R(RdiIndex);
            ulong v, w;
            switch (d.Op)
            {
                case Op.Stos:
                    if (!Write(rdi, size, GetReg(OpKindX.Reg, 0, size))) return false;
                    rdi += (ulong)step;
                    return true;
                case Op.Movs:
                    if (!Read(rsi + SourceSegBase(ref d), size, out v)) return false;
                    if (!Write(rdi, size, v)) return false;
                    rsi += (ulong)step;
                    rdi += (ulong)step;
                    return true;
                case Op.Lods:
                    if (!Read(rsi + SourceSegBase(ref d), size, out v)) return false;
                    SetReg(OpKindX.Reg, 0, size, v);
                    rsi += (ulong)step;
                    return true;
                case Op.Scas:
                    if (!Read(rdi, size, out w)) return false;
                    v = GetReg(OpKindX.Reg, 0, size);
                    SetLazy(LazyOp.Sub, v, w, (v - w) & SizeMask(size), size);
                    rdi += (ulong)step;
                    return true;
                default: // Cmps: compares [rsi] with [rdi]
                    if (!Read(rsi + SourceSegBase(ref d), size, out v)) return false;
                    if (!Read(rdi, size, out w)) return false;
                    SetLazy(LazyOp.Sub, v, w, (v - w) & SizeMask(size), size);
                    rsi += (ulong)step;
                    rdi += (ulong)step;
                    return true;
            }
        }

        /// <summary>rep stos with DF=0: fills page-sized chunks through one translation each.</summary>
        private bool RepStosForward(int size)
        {
            ref ulong rcx = ref R(RcxIndex);
            ref ulong rdi = ref R(RdiIndex);
            ulong value = GetReg(OpKindX.Reg, 0, size);
            while (rcx != 0)
            {
                int inPage = 0x1000 - (int)(rdi & 0xFFF);
                ulong n = (ulong)(inPage / size);
                if (n == 0 || (rdi & (ulong)(size - 1)) != 0)
                {
                    // Unaligned element straddling a page: one element at a time.
                    if (!Write(rdi, size, value)) return false;
                    rdi += (ulong)size;
                    rcx--;
                    continue;
                }
                if (n > rcx) n = rcx;
                if (!ProbeWrite(rdi, size, out ulong pa, out _, out _)) return false;
                byte* p = _ram + pa;
                switch (size)
                {
                    case 1: System.Runtime.InteropServices.NativeMemory.Fill(p, (nuint)n, (byte)value); break;
                    case 2: new System.Span<ushort>(p, (int)n).Fill((ushort)value); break;
                    case 4: new System.Span<uint>(p, (int)n).Fill((uint)value); break;
                    default: new System.Span<ulong>(p, (int)n).Fill(value); break;
                }
                rdi += n * (ulong)size;
                rcx -= n;
            }
            return true;
        }
    }
}
