namespace KDsl.Runtime.Cpu
{
    /// <summary>The last delivered exception (a plain struct: no allocation).</summary>
    public struct ExceptionInfo
    {
        public int Vector;
        public uint ErrorCode;
        public bool HasErrorCode;
        /// <summary>RIP saved in the frame: the faulting instruction (for traps such as int3, the next one).</summary>
        public ulong FaultRip;
        public ulong FaultRsp;
        public ulong FaultRflags;
        public ushort FaultCs;
        public ushort FaultSs;
        /// <summary>RSP after the hardware pushes (points at the error code when there is one, else at RIP).</summary>
        public ulong FrameRsp;
        /// <summary>CR2 at delivery (meaningful for #PF and #DF).</summary>
        public ulong Cr2;

        public override string ToString() =>
            $"vector {Vector} err 0x{ErrorCode:x} rip 0x{FaultRip:x} rsp 0x{FaultRsp:x} cr2 0x{Cr2:x} frame 0x{FrameRsp:x}";
    }

    /// <summary>One IDT entry, as data.</summary>
    public struct IdtGate
    {
        public bool Present;
        public ulong HandlerAddress;
        /// <summary>0 = no stack switch by IST; 1..7 = TSS.Ist[n].</summary>
        public byte Ist;
        /// <summary>Highest CPL allowed to reach the gate with int3/int n.</summary>
        public byte Dpl;
        /// <summary>Trap gate (IF stays set); false = interrupt gate (IF cleared).</summary>
        public bool Trap;

        public static IdtGate Interrupt(ulong handler, byte ist = 0, byte dpl = 0) =>
            new IdtGate { Present = true, HandlerAddress = handler, Ist = ist, Dpl = dpl };
    }

    /// <summary>The 64-bit TSS fields the CPU uses.</summary>
    public sealed class TaskStateSegment
    {
        public ulong Rsp0;
        public ulong Rsp1;
        public ulong Rsp2;
        /// <summary>Index 1..7 used (index 0 unused, as in the IDT's 1-based IST field).</summary>
        public readonly ulong[] Ist = new ulong[8];
    }
}
