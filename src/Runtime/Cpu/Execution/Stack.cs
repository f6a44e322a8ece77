using KDsl.Runtime.Cpu.Decoding;

namespace KDsl.Runtime.Cpu
{
    public sealed partial class X64Cpu
    {
        private const int RspIndex = 4;

        /// <summary>
        /// The lowest RSP any push, call or sub rsp produced since the last reset: the stack's high-water mark,
        /// exact even where the deepest frame only holds zeros (which a stack_not_used() scan cannot see).
        /// </summary>
        public ulong LowestRsp = ulong.MaxValue;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private void NoteRsp(ulong rsp)
        {
            if (rsp < LowestRsp) LowestRsp = rsp;
        }

        private bool ExecPush(ref DecodedInstruction d)
        {
            int size = d.Size;
            ulong v;
            if (d.A == OpKindX.Mem)
            {
                if (!Read(EffectiveAddress(ref d), size, out v)) return false;
            }
            else if (d.A == OpKindX.Imm)
            {
                v = d.Imm & SizeMask(size);
            }
            else
            {
                v = GetReg(d.A, d.RegA, size);
            }
            ulong rsp = R(RspIndex) - (ulong)size;
            if (!Write(rsp, size, v)) return false;
            R(RspIndex) = rsp;
            NoteRsp(rsp);
            return true;
        }

        private bool ExecPop(ref DecodedInstruction d)
        {
            int size = d.Size;
            ulong old = R(RspIndex);
            if (!Read(old, size, out ulong v)) return false;
            if (d.A == OpKindX.Mem)
            {
                // The address uses RSP after the increment.
                R(RspIndex) = old + (ulong)size;
                if (!Write(EffectiveAddress(ref d), size, v))
                {
                    R(RspIndex) = old;
                    return false;
                }
                return true;
            }
            R(RspIndex) = old + (ulong)size;
            SetReg(d.A, d.RegA, size, v); // pop rsp: the loaded value wins
            return true;
        }

        private bool ExecPushf(ref DecodedInstruction d)
        {
            ulong v = Rflags & ~(CpuFlags.RF | (1UL << 17));
            ulong rsp = R(RspIndex) - d.Size;
            if (!Write(rsp, d.Size, v)) return false;
            R(RspIndex) = rsp;
            return true;
        }

        private bool ExecPopf(ref DecodedInstruction d)
        {
            ulong rsp = R(RspIndex);
            if (!Read(rsp, d.Size, out ulong v)) return false;
            ulong cur = Rflags;
            ulong writable = CpuFlags.Writable & ~CpuFlags.RF;
            if (_cpl != 0) writable &= ~(CpuFlags.IF | CpuFlags.IOPL);
            if (d.Size == 2) writable &= 0xFFFF;
            Rflags = (cur & ~writable) | (v & writable);
            R(RspIndex) = rsp + d.Size;
            return true;
        }

        private bool ExecLeave()
        {
            ulong rbp = R(5);
            if (!Read64(rbp, out ulong v)) return false;
            R(RspIndex) = rbp + 8;
            R(5) = v;
            return true;
        }
    }
}
