using System.Runtime.CompilerServices;
using KDsl.Runtime.Cpu.Decoding;

namespace KDsl.Runtime.Cpu
{
    public sealed partial class X64Cpu
    {
        // RIP of the instruction after the current one; branch handlers replace it.
        private ulong _nextRip;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool Canonical(ulong va) => (ulong)(((long)va << 16) >> 16) == va;

        [MethodImpl(MethodImplOptions.AggressiveInlining)] // call/ret are a sixth of recursive code: inlined in the loop
        private bool ExecCallRel(ref DecodedInstruction d)
        {
            ulong target = _nextRip + d.Imm;
            if (!Canonical(target)) return Raise(Vectors.GP, 0);
            ulong rsp = R(RspIndex) - 8;
            if (!Write64(rsp, _nextRip)) return false;
            R(RspIndex) = rsp;
            _nextRip = target;
            NoteRsp(rsp);
            return true;
        }

        private bool ExecCallInd(ref DecodedInstruction d)
        {
            if (!ReadA(ref d, 8, out ulong target, out _)) return false;
            if (!Canonical(target)) return Raise(Vectors.GP, 0);
            ulong rsp = R(RspIndex) - 8;
            if (!Write64(rsp, _nextRip)) return false;
            R(RspIndex) = rsp;
            _nextRip = target;
            NoteRsp(rsp);
            return true;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)] // call/ret are a sixth of recursive code: inlined in the loop
        private bool ExecRet(ref DecodedInstruction d)
        {
            ulong rsp = R(RspIndex);
            if (!Read64(rsp, out ulong target)) return false;
            if (!Canonical(target)) return Raise(Vectors.GP, 0);
            R(RspIndex) = rsp + 8 + (d.A == OpKindX.Imm ? (d.Imm & 0xFFFF) : 0);
            _nextRip = target;
            return true;
        }

        private bool ExecJmpInd(ref DecodedInstruction d)
        {
            if (!ReadA(ref d, 8, out ulong target, out _)) return false;
            if (!Canonical(target)) return Raise(Vectors.GP, 0);
            _nextRip = target;
            return true;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool JumpRel(ref DecodedInstruction d)
        {
            ulong target = _nextRip + d.Imm;
            if (!Canonical(target)) return Raise(Vectors.GP, 0);
            _nextRip = target;
            return true;
        }
    }
}
