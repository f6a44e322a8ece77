using System.Runtime.CompilerServices;
using KDsl.Runtime.Cpu.Decoding;

namespace KDsl.Runtime.Cpu
{
    /// <summary>Handlers for the specialised 32/64-bit register forms (see InstructionTranslator.Specialize).</summary>
    public sealed partial class X64Cpu
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool ExecMovRM(ref DecodedInstruction d)
        {
            ulong ea = EffectiveAddress(ref d);
            ulong v;
            if (d.Size == 8)
            {
                if (!Read64(ea, out v)) return false;
            }
            else if (!Read(ea, 4, out v))
            {
                return false;
            }
            R(d.RegA) = v;
            return true;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool ExecMovMR(ref DecodedInstruction d)
        {
            ulong ea = EffectiveAddress(ref d);
            ulong v = R(d.RegB);
            return d.Size == 8 ? Write64(ea, v) : Write(ea, d.Size, v);
        }

        /// <summary>ALU op on a 32/64-bit register with a register or (pre-masked) immediate source.</summary>
        private void ExecAluReg(ref DecodedInstruction d, ulong src)
        {
            int size = d.Size;
            ulong mask = size == 8 ? ulong.MaxValue : 0xFFFF_FFFFUL;
            ref ulong r = ref R(d.RegA);
            ulong dst = r & mask;
            src &= mask;
            ulong res;
            LazyOp lop;
            switch (d.Cc)
            {
                case InstructionTranslator.AluAdd: res = (dst + src) & mask; r = res; lop = LazyOp.Add; break;
                case InstructionTranslator.AluSub: res = (dst - src) & mask; r = res; lop = LazyOp.Sub; if (d.RegA == RspIndex) NoteRsp(res); break;
                case InstructionTranslator.AluCmp: res = (dst - src) & mask; lop = LazyOp.Sub; break;
                case InstructionTranslator.AluAnd: res = dst & src; r = res; lop = LazyOp.Logic; break;
                case InstructionTranslator.AluTest: res = dst & src; lop = LazyOp.Logic; break;
                case InstructionTranslator.AluOr: res = dst | src; r = res; lop = LazyOp.Logic; break;
                case InstructionTranslator.AluXor: res = dst ^ src; r = res; lop = LazyOp.Logic; break;
                case InstructionTranslator.AluAdc:
                    if (GetCf()) { res = (dst + src + 1) & mask; lop = LazyOp.Adc1; }
                    else { res = (dst + src) & mask; lop = LazyOp.Add; }
                    r = res;
                    break;
                default: // sbb
                    if (GetCf()) { res = (dst - src - 1) & mask; lop = LazyOp.Sbb1; }
                    else { res = (dst - src) & mask; lop = LazyOp.Sub; }
                    r = res;
                    break;
            }
            _lop = lop;
            _lsize = (byte)size;
            _ldst = dst;
            _lsrc = src;
            _lres = res;
        }

        /// <summary>add/sub/cmp reg, reg-or-imm at 32 or 64 bits (src pre-masked for imm): what ExecAluReg does for them.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void ExecAddSubCmpReg(ref DecodedInstruction d, ulong src, LazyOp lop, bool store)
        {
            ref ulong r = ref R(d.RegA);
            ulong dst, res;
            if (d.Size == 8)
            {
                dst = r;
                res = lop == LazyOp.Add ? dst + src : dst - src;
            }
            else
            {
                dst = (uint)r;
                src = (uint)src;
                res = (uint)(lop == LazyOp.Add ? dst + src : dst - src);
            }
            if (store)
            {
                r = res;
                if (lop == LazyOp.Sub && d.RegA == RspIndex) NoteRsp(res);
            }
            _lop = lop;
            _lsize = d.Size;
            _ldst = dst;
            _lsrc = src;
            _lres = res;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void ExecIncDecReg(ref DecodedInstruction d)
        {
            int size = d.Size;
            ulong mask = size == 8 ? ulong.MaxValue : 0xFFFF_FFFFUL;
            ref ulong r = ref R(d.RegA);
            ulong dst = r & mask;
            bool inc = d.Cc != 0;
            ulong res = (inc ? dst + 1 : dst - 1) & mask;
            r = res;
            _lcf = GetCf();
            SetLazy(inc ? LazyOp.Inc : LazyOp.Dec, dst, 1, res, size);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool ExecPushReg(ref DecodedInstruction d)
        {
            ulong rsp = R(RspIndex) - 8;
            if (!Write64(rsp, R(d.RegA))) return false;
            R(RspIndex) = rsp;
            NoteRsp(rsp);
            return true;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool ExecPopReg(ref DecodedInstruction d)
        {
            ulong rsp = R(RspIndex);
            if (!Read64(rsp, out ulong v)) return false;
            R(RspIndex) = rsp + 8;
            R(d.RegA) = v;
            return true;
        }
    }
}
