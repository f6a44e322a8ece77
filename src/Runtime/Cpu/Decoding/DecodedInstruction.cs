using System.Runtime.InteropServices;

namespace KDsl.Runtime.Cpu.Decoding
{
    /// <summary>The interpreter's dense handler ids (one switch case each).</summary>
    internal enum Op : byte
    {
        Invalid = 0,
        Nop,
        Mov, Movzx, Movsx, Lea,
        Add, Or, Adc, Sbb, And, Sub, Xor, Cmp, Test,
        Inc, Dec, Neg, Not,
        Mul, Imul1, Imul2, Imul3, Div, Idiv,
        Cbw, Cwd,
        Shl, Shr, Sar, Rol, Ror, Rcl, Rcr,
        Bt, Bts, Btr, Btc, Bsf, Bsr, Bswap,
        Xadd, Cmpxchg, Cmpxchg8b, Xchg,
        Push, Pop, Pushfq, Popfq, Leave,
        CallRel, CallInd, Ret, JmpRel, JmpInd, Jcc, Setcc, Cmovcc,
        Stos, Movs, Lods, Scas, Cmps,
        Cld, Std, Clc, Stc, Cmc, Cli, Sti, Stac, Clac,
        Hlt, Ud, Int3, IntN, Vmcall, Swapgs, Rdmsr, Wrmsr, Rdtsc, Cpuid,
        MovToCr, MovFromCr, Invlpg, Iretq, Syscall, Sysret,
        /// <summary>A valid x86-64 instruction KDsl does not implement (its Iced mnemonic in Imm): the run stops, no #UD.</summary>
        Unimplemented,

        // Specialised forms chosen by InstructionTranslator.Specialize (same semantics, fewer branches).
        MovRR, MovRI, MovRM, MovMR, AluRR, AluRI, AluRM, IncDecR, PushR, PopR, MovsxRR, MovzxRR, MovsxRM, MovzxRM,
        // The commonest ALU forms get their own case, inlined in the loop: no call, no second switch on the sub-op.
        AddRR, AddRI, SubRR, SubRI, CmpRR, CmpRI,
    }

    /// <summary>How an operand is held.</summary>
    internal enum OpKindX : byte
    {
        None = 0,
        /// <summary>A general register (index 0..15; byte forms are the low byte).</summary>
        Reg,
        /// <summary>AH/CH/DH/BH: bits 8..15 of register index 0..3.</summary>
        RegHigh,
        Mem,
        Imm,
    }

    /// <summary>One pre-decoded instruction (position independent: RIP-relative and branch values are relative to the next RIP).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct DecodedInstruction
    {
        public Op Op;
        /// <summary>Operand size in bytes (1, 2, 4, 8).</summary>
        public byte Size;
        /// <summary>Instruction length in bytes.</summary>
        public byte Length;
        /// <summary>Condition code 0..15 (Intel order: O NO B AE E NE BE A S NS P NP L GE LE G).</summary>
        public byte Cc;
        /// <summary>Source size for movzx/movsx.</summary>
        public byte SrcSize;
        public OpKindX A;
        public OpKindX B;
        public byte RegA;
        public byte RegB;
        /// <summary>Memory base register index, 0xFF = none.</summary>
        public byte Base;
        /// <summary>Memory index register index, 0xFF = none.</summary>
        public byte Index;
        /// <summary>log2 of the index scale.</summary>
        public byte ScaleShift;
        /// <summary>0 none, 1 FS, 2 GS.</summary>
        public byte Seg;
        /// <summary>bit 0: RIP-relative; bit 1: 32-bit address size.</summary>
        public byte MemFlags;
        /// <summary>0 none, 1 rep/repe, 2 repne.</summary>
        public byte Rep;
        /// <summary>
        /// 1 when the next element of the page's array is this instruction's fall-through successor (decoded in the
        /// same run), so the interpreter steps to it without a lookup.
        /// </summary>
        public byte FallsToNext;
        /// <summary>
        /// For a direct branch whose target lies in the same page: slot + 1 of the target (0 = not linked yet). A page
        /// offset is the same at every virtual address the frame is mapped at, so the link holds for all of them.
        /// </summary>
        public ushort Target;
        public long Disp;
        /// <summary>Immediate (sign-extended to the operand size) or branch displacement from the next RIP.</summary>
        public ulong Imm;

        public const byte NoReg = 0xFF;
        public const byte MemRipRel = 1;
        public const byte MemAddr32 = 2;
    }
}
