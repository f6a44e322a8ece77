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

        // An RSP to report the first time the stack reaches it (WatchRsp): the stack at its high-water mark, for a replay.
        private ulong _watchRsp;
        private System.Action<ulong>? _watch;

        /// <summary>
        /// Calls <paramref name="reached"/> once RSP first goes down to <paramref name="rsp"/> as a new low (in
        /// <see cref="LowestRsp"/>'s sense), with RIP as it is when that instruction retires: every register then holds its
        /// value after the instruction, so the stack can be unwound from there. A replay of a deterministic run uses it to
        /// stop the picture where the first run's high-water mark was; it costs nothing until the stack gets that deep.
        /// </summary>
        public void WatchRsp(ulong rsp, System.Action<ulong> reached)
        {
            _watchRsp = rsp;
            _watch = reached;
        }

        // Every caller has stored the new RSP, and _nextRip is the RIP the instruction retires with (a call sets it to its
        // target first), so a watch sees the state after the instruction.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private void NoteRsp(ulong rsp)
        {
            if (rsp < LowestRsp) NewLowestRsp(rsp);
        }

        // Out of line: a new low is rare (the first time each depth is reached), and the loop that inlines NoteRsp at every
        // push, call and sub rsp stays as small as it was before the watch.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private void NewLowestRsp(ulong rsp)
        {
            LowestRsp = rsp;
            if (rsp == _watchRsp) _watch?.Invoke(_nextRip);
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
