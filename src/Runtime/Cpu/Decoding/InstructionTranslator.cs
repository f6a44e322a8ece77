using Iced.Intel;
using IcedRegister = Iced.Intel.Register;

namespace KDsl.Runtime.Cpu.Decoding
{
    /// <summary>Turns an Iced <see cref="Instruction"/> into the interpreter's compact form (once per cached instruction).</summary>
    internal static class InstructionTranslator
    {
        private static readonly Op[] s_ops = BuildTable();

        private static Op[] BuildTable()
        {
            var t = new Op[System.Enum.GetValues<Mnemonic>().Length + 16];
            void S(Op op, params Mnemonic[] ms) { foreach (Mnemonic m in ms) t[(int)m] = op; }
            S(Op.Nop, Mnemonic.Nop, Mnemonic.Endbr64, Mnemonic.Endbr32, Mnemonic.Pause, Mnemonic.Lfence, Mnemonic.Mfence,
                Mnemonic.Sfence, Mnemonic.Prefetchnta, Mnemonic.Prefetcht0, Mnemonic.Prefetcht1, Mnemonic.Prefetcht2,
                Mnemonic.Prefetchw, Mnemonic.Clflush);
            S(Op.Mov, Mnemonic.Mov);
            S(Op.Movzx, Mnemonic.Movzx);
            S(Op.Movsx, Mnemonic.Movsx, Mnemonic.Movsxd);
            S(Op.Lea, Mnemonic.Lea);
            S(Op.Add, Mnemonic.Add); S(Op.Or, Mnemonic.Or); S(Op.Adc, Mnemonic.Adc); S(Op.Sbb, Mnemonic.Sbb);
            S(Op.And, Mnemonic.And); S(Op.Sub, Mnemonic.Sub); S(Op.Xor, Mnemonic.Xor); S(Op.Cmp, Mnemonic.Cmp);
            S(Op.Test, Mnemonic.Test);
            S(Op.Inc, Mnemonic.Inc); S(Op.Dec, Mnemonic.Dec); S(Op.Neg, Mnemonic.Neg); S(Op.Not, Mnemonic.Not);
            S(Op.Mul, Mnemonic.Mul); S(Op.Imul1, Mnemonic.Imul); S(Op.Div, Mnemonic.Div); S(Op.Idiv, Mnemonic.Idiv);
            S(Op.Cbw, Mnemonic.Cbw, Mnemonic.Cwde, Mnemonic.Cdqe);
            S(Op.Cwd, Mnemonic.Cwd, Mnemonic.Cdq, Mnemonic.Cqo);
            S(Op.Shl, Mnemonic.Shl, Mnemonic.Sal); S(Op.Shr, Mnemonic.Shr); S(Op.Sar, Mnemonic.Sar);
            S(Op.Rol, Mnemonic.Rol); S(Op.Ror, Mnemonic.Ror); S(Op.Rcl, Mnemonic.Rcl); S(Op.Rcr, Mnemonic.Rcr);
            S(Op.Bt, Mnemonic.Bt); S(Op.Bts, Mnemonic.Bts); S(Op.Btr, Mnemonic.Btr); S(Op.Btc, Mnemonic.Btc);
            S(Op.Bsf, Mnemonic.Bsf); S(Op.Bsr, Mnemonic.Bsr); S(Op.Bswap, Mnemonic.Bswap);
            S(Op.Xadd, Mnemonic.Xadd); S(Op.Cmpxchg, Mnemonic.Cmpxchg); S(Op.Cmpxchg8b, Mnemonic.Cmpxchg8b, Mnemonic.Cmpxchg16b); S(Op.Xchg, Mnemonic.Xchg);
            S(Op.Push, Mnemonic.Push); S(Op.Pop, Mnemonic.Pop); S(Op.Pushfq, Mnemonic.Pushfq, Mnemonic.Pushf);
            S(Op.Popfq, Mnemonic.Popfq, Mnemonic.Popf); S(Op.Leave, Mnemonic.Leave);
            S(Op.CallRel, Mnemonic.Call); S(Op.Ret, Mnemonic.Ret); S(Op.JmpRel, Mnemonic.Jmp);
            S(Op.Jcc, Mnemonic.Jo, Mnemonic.Jno, Mnemonic.Jb, Mnemonic.Jae, Mnemonic.Je, Mnemonic.Jne, Mnemonic.Jbe, Mnemonic.Ja,
                Mnemonic.Js, Mnemonic.Jns, Mnemonic.Jp, Mnemonic.Jnp, Mnemonic.Jl, Mnemonic.Jge, Mnemonic.Jle, Mnemonic.Jg);
            S(Op.Setcc, Mnemonic.Seto, Mnemonic.Setno, Mnemonic.Setb, Mnemonic.Setae, Mnemonic.Sete, Mnemonic.Setne, Mnemonic.Setbe,
                Mnemonic.Seta, Mnemonic.Sets, Mnemonic.Setns, Mnemonic.Setp, Mnemonic.Setnp, Mnemonic.Setl, Mnemonic.Setge,
                Mnemonic.Setle, Mnemonic.Setg);
            S(Op.Cmovcc, Mnemonic.Cmovo, Mnemonic.Cmovno, Mnemonic.Cmovb, Mnemonic.Cmovae, Mnemonic.Cmove, Mnemonic.Cmovne,
                Mnemonic.Cmovbe, Mnemonic.Cmova, Mnemonic.Cmovs, Mnemonic.Cmovns, Mnemonic.Cmovp, Mnemonic.Cmovnp, Mnemonic.Cmovl,
                Mnemonic.Cmovge, Mnemonic.Cmovle, Mnemonic.Cmovg);
            S(Op.Stos, Mnemonic.Stosb, Mnemonic.Stosw, Mnemonic.Stosd, Mnemonic.Stosq);
            S(Op.Movs, Mnemonic.Movsb, Mnemonic.Movsw, Mnemonic.Movsd, Mnemonic.Movsq);
            S(Op.Lods, Mnemonic.Lodsb, Mnemonic.Lodsw, Mnemonic.Lodsd, Mnemonic.Lodsq);
            S(Op.Scas, Mnemonic.Scasb, Mnemonic.Scasw, Mnemonic.Scasd, Mnemonic.Scasq);
            S(Op.Cmps, Mnemonic.Cmpsb, Mnemonic.Cmpsw, Mnemonic.Cmpsd, Mnemonic.Cmpsq);
            S(Op.Cld, Mnemonic.Cld); S(Op.Std, Mnemonic.Std); S(Op.Clc, Mnemonic.Clc); S(Op.Stc, Mnemonic.Stc);
            S(Op.Cmc, Mnemonic.Cmc); S(Op.Cli, Mnemonic.Cli); S(Op.Sti, Mnemonic.Sti);
            S(Op.Stac, Mnemonic.Stac); S(Op.Clac, Mnemonic.Clac);
            S(Op.Hlt, Mnemonic.Hlt); S(Op.Ud, Mnemonic.Ud2, Mnemonic.Ud0, Mnemonic.Ud1); S(Op.Int3, Mnemonic.Int3);
            S(Op.IntN, Mnemonic.Int); S(Op.Vmcall, Mnemonic.Vmcall); S(Op.Swapgs, Mnemonic.Swapgs);
            S(Op.Rdmsr, Mnemonic.Rdmsr); S(Op.Wrmsr, Mnemonic.Wrmsr); S(Op.Rdtsc, Mnemonic.Rdtsc); S(Op.Cpuid, Mnemonic.Cpuid);
            S(Op.Invlpg, Mnemonic.Invlpg); S(Op.Iretq, Mnemonic.Iretq); S(Op.Syscall, Mnemonic.Syscall); S(Op.Sysret, Mnemonic.Sysretq);
            return t;
        }

        /// <summary>
        /// Fills d from ins; returns false for anything the interpreter does not run: d.Op = Invalid for bytes that are no
        /// x86-64 instruction (the CPU raises #UD, as the hardware does), Unimplemented with the mnemonic in Imm for a
        /// valid instruction outside KDsl's subset (the run stops and says so: a #UD there would be a lie about the hardware).
        /// </summary>
        public static bool Translate(in Instruction ins, ref DecodedInstruction d)
        {
            if (TranslateSupported(in ins, ref d)) return true;
            if (ins.Code != Code.INVALID)
            {
                d = default;
                d.Length = (byte)ins.Length;
                d.Op = Op.Unimplemented;
                d.Imm = (ulong)ins.Mnemonic;
            }
            return false;
        }

        private static bool TranslateSupported(in Instruction ins, ref DecodedInstruction d)
        {
            d = default;
            d.Length = (byte)ins.Length;
            d.Base = DecodedInstruction.NoReg;
            d.Index = DecodedInstruction.NoReg;
            if (ins.Code == Code.INVALID) return false;
            Op op = s_ops[(int)ins.Mnemonic];
            if (op == Op.Invalid) return false;
            d.Op = op;
            d.Cc = ins.ConditionCode == ConditionCode.None ? (byte)0 : (byte)(ins.ConditionCode - 1);
            d.Rep = ins.HasRepnePrefix ? (byte)2 : (ins.HasRepPrefix || ins.HasRepePrefix) ? (byte)1 : (byte)0;

            switch (op)
            {
                case Op.Stos:
                case Op.Movs:
                case Op.Lods:
                case Op.Scas:
                case Op.Cmps:
                    return TranslateString(in ins, ref d);
                case Op.Cbw:
                case Op.Cwd:
                    d.Size = ins.Mnemonic switch
                    {
                        Mnemonic.Cbw or Mnemonic.Cwd => 2,
                        Mnemonic.Cwde or Mnemonic.Cdq => 4,
                        _ => 8,
                    };
                    return true;
                case Op.Pushfq:
                case Op.Popfq:
                    d.Size = (byte)(ins.Mnemonic == Mnemonic.Pushf || ins.Mnemonic == Mnemonic.Popf ? 2 : 8);
                    return true;
                case Op.Leave:
                    if (ins.Code != Code.Leaveq) return Fail(ref d);
                    d.Size = 8;
                    return true;
                case Op.Iretq:
                    d.Size = 8;
                    return true;
                case Op.Mov:
                    if (ins.OpCount == 2 && ins.Op0Kind == OpKind.Register && ins.Op0Register.IsCR())
                    {
                        d.Op = Op.MovToCr;
                        d.RegA = (byte)(ins.Op0Register - IcedRegister.CR0);
                        d.RegB = (byte)(ins.Op1Register.GetFullRegister() - IcedRegister.RAX);
                        d.Size = 8;
                        return ins.Op1Register.IsGPR64() || Fail(ref d);
                    }
                    if (ins.OpCount == 2 && ins.Op1Kind == OpKind.Register && ins.Op1Register.IsCR())
                    {
                        d.Op = Op.MovFromCr;
                        d.RegB = (byte)(ins.Op1Register - IcedRegister.CR0);
                        d.RegA = (byte)(ins.Op0Register.GetFullRegister() - IcedRegister.RAX);
                        d.Size = 8;
                        return ins.Op0Register.IsGPR64() || Fail(ref d);
                    }
                    break;
                case Op.Imul1:
                    if (ins.OpCount == 2) d.Op = Op.Imul2;
                    else if (ins.OpCount == 3) d.Op = Op.Imul3;
                    break;
                case Op.CallRel:
                    if (ins.Op0Kind != OpKind.NearBranch64) d.Op = Op.CallInd;
                    break;
                case Op.JmpRel:
                    if (ins.Op0Kind != OpKind.NearBranch64) d.Op = Op.JmpInd;
                    break;
            }

            int n = ins.OpCount;
            if (n > 3) return Fail(ref d);
            for (int i = 0; i < n; i++)
            {
                if (!TranslateOperand(in ins, i, ref d)) return Fail(ref d);
            }

            // Operand size: the first operand's, with a few special cases.
            switch (d.Op)
            {
                case Op.Push:
                case Op.Pop:
                    d.Size = (byte)System.Math.Abs(ins.StackPointerIncrement);
                    if (d.Size != 2 && d.Size != 8) return Fail(ref d);
                    break;
                case Op.CallRel:
                case Op.CallInd:
                case Op.JmpRel:
                case Op.JmpInd:
                case Op.Jcc:
                case Op.Ret:
                    if (d.Op == Op.CallInd || d.Op == Op.JmpInd)
                    {
                        if (OperandSize(in ins, 0) != 8) return Fail(ref d);
                    }
                    if (d.Op == Op.Ret && ins.Code != Code.Retnq && ins.Code != Code.Retnq_imm16) return Fail(ref d);
                    d.Size = 8;
                    break;
                case Op.Movzx:
                case Op.Movsx:
                    d.Size = (byte)OperandSize(in ins, 0);
                    d.SrcSize = (byte)OperandSize(in ins, 1);
                    break;
                case Op.Invlpg:
                    d.Size = 8;
                    break;
                case Op.IntN:
                    d.Size = 8;
                    break;
                default:
                    d.Size = n > 0 ? (byte)OperandSize(in ins, 0) : (byte)8;
                    break;
            }
            if (d.Size == 0) return Fail(ref d);
            Specialize(ref d);
            return true;
        }

        /// <summary>Sub-operation codes kept in <see cref="DecodedInstruction.Cc"/> for <see cref="Op.AluRR"/>/<see cref="Op.AluRI"/>/<see cref="Op.AluRM"/>.</summary>
        internal const byte AluAdd = 0, AluOr = 1, AluAdc = 2, AluSbb = 3, AluAnd = 4, AluSub = 5, AluXor = 6, AluCmp = 7, AluTest = 8;

        /// <summary>Rewrites the most frequent operand forms to handlers without operand-kind switches.</summary>
        private static void Specialize(ref DecodedInstruction d)
        {
            bool wide = d.Size == 8 || d.Size == 4;
            ulong mask = d.Size == 8 ? ulong.MaxValue : 0xFFFF_FFFFUL;
            switch (d.Op)
            {
                case Op.Mov:
                    if (d.A == OpKindX.Reg && d.B == OpKindX.Reg && wide) d.Op = Op.MovRR;
                    else if (d.A == OpKindX.Reg && d.B == OpKindX.Imm && wide) { d.Op = Op.MovRI; d.Imm &= mask; }
                    else if (d.A == OpKindX.Reg && d.B == OpKindX.Mem && wide) d.Op = Op.MovRM;
                    else if (d.A == OpKindX.Mem && d.B == OpKindX.Reg) d.Op = Op.MovMR;
                    break;
                case Op.Add: case Op.Or: case Op.Adc: case Op.Sbb: case Op.And:
                case Op.Sub: case Op.Xor: case Op.Cmp: case Op.Test:
                {
                    if (d.A != OpKindX.Reg || !wide || (d.B != OpKindX.Reg && d.B != OpKindX.Imm && d.B != OpKindX.Mem)) break;
                    d.Cc = d.Op switch
                    {
                        Op.Add => AluAdd, Op.Or => AluOr, Op.Adc => AluAdc, Op.Sbb => AluSbb, Op.And => AluAnd,
                        Op.Sub => AluSub, Op.Xor => AluXor, Op.Cmp => AluCmp, _ => AluTest,
                    };
                    if (d.B == OpKindX.Mem)
                    {
                        d.Op = Op.AluRM;
                        break;
                    }
                    bool rr = d.B == OpKindX.Reg;
                    if (!rr) d.Imm &= mask;
                    d.Op = d.Cc switch
                    {
                        AluAdd => rr ? Op.AddRR : Op.AddRI,
                        AluSub => rr ? Op.SubRR : Op.SubRI,
                        AluCmp => rr ? Op.CmpRR : Op.CmpRI,
                        _ => rr ? Op.AluRR : Op.AluRI,
                    };
                    break;
                }
                case Op.Inc:
                case Op.Dec:
                    if (d.A == OpKindX.Reg && wide) { d.Cc = (byte)(d.Op == Op.Inc ? 1 : 0); d.Op = Op.IncDecR; }
                    break;
                case Op.Movsx:
                case Op.Movzx:
                    if (d.A == OpKindX.Reg && d.B == OpKindX.Reg && wide && d.SrcSize < d.Size)
                        d.Op = d.Op == Op.Movsx ? Op.MovsxRR : Op.MovzxRR;
                    else if (d.A == OpKindX.Reg && d.B == OpKindX.Mem && wide && d.SrcSize < d.Size)
                        d.Op = d.Op == Op.Movsx ? Op.MovsxRM : Op.MovzxRM;
                    break;
                case Op.Push:
                    if (d.A == OpKindX.Reg && d.Size == 8) d.Op = Op.PushR;
                    break;
                case Op.Pop:
                    if (d.A == OpKindX.Reg && d.Size == 8) d.Op = Op.PopR;
                    break;
            }
        }

        private static bool Fail(ref DecodedInstruction d)
        {
            byte len = d.Length;
            d = default;
            d.Length = len;
            d.Op = Op.Invalid;
            return false;
        }

        private static int OperandSize(in Instruction ins, int i)
        {
            switch (ins.GetOpKind(i))
            {
                case OpKind.Register:
                    return ins.GetOpRegister(i).GetSize();
                case OpKind.Memory:
                    return ins.MemorySize.GetSize();
                case OpKind.Immediate8:
                    return 1;
                case OpKind.Immediate16:
                case OpKind.Immediate8to16:
                    return 2;
                case OpKind.Immediate32:
                case OpKind.Immediate8to32:
                    return 4;
                default:
                    return 8;
            }
        }

        private static bool TranslateOperand(in Instruction ins, int i, ref DecodedInstruction d)
        {
            OpKind k = ins.GetOpKind(i);
            switch (k)
            {
                case OpKind.Register:
                {
                    IcedRegister r = ins.GetOpRegister(i);
                    if (!r.IsGPR()) return false;
                    OpKindX kind;
                    byte idx;
                    if (r == IcedRegister.AH || r == IcedRegister.CH || r == IcedRegister.DH || r == IcedRegister.BH)
                    {
                        kind = OpKindX.RegHigh;
                        idx = (byte)(r - IcedRegister.AH);
                    }
                    else
                    {
                        kind = OpKindX.Reg;
                        idx = (byte)(r.GetFullRegister() - IcedRegister.RAX);
                    }
                    if (i == 0) { d.A = kind; d.RegA = idx; }
                    else if (i == 1) { d.B = kind; d.RegB = idx; }
                    else return false;
                    return true;
                }
                case OpKind.Memory:
                {
                    if (i == 0) d.A = OpKindX.Mem;
                    else if (i == 1) d.B = OpKindX.Mem;
                    else return false;
                    IcedRegister seg = ins.SegmentPrefix;
                    d.Seg = seg == IcedRegister.FS ? (byte)1 : seg == IcedRegister.GS ? (byte)2 : (byte)0;
                    if (ins.IsIPRelativeMemoryOperand)
                    {
                        if (ins.MemoryBase != IcedRegister.RIP) return false; // EIP-relative not supported
                        d.MemFlags = DecodedInstruction.MemRipRel;
                        d.Disp = (long)(ins.IPRelativeMemoryAddress - ins.NextIP);
                        return true;
                    }
                    IcedRegister b = ins.MemoryBase;
                    IcedRegister x = ins.MemoryIndex;
                    bool addr32 = false;
                    if (b != IcedRegister.None)
                    {
                        if (b.IsGPR32()) addr32 = true;
                        else if (!b.IsGPR64()) return false;
                        d.Base = (byte)(b.GetFullRegister() - IcedRegister.RAX);
                    }
                    if (x != IcedRegister.None)
                    {
                        if (x.IsGPR32()) addr32 = true;
                        else if (!x.IsGPR64()) return false;
                        d.Index = (byte)(x.GetFullRegister() - IcedRegister.RAX);
                        int scale = ins.MemoryIndexScale;
                        d.ScaleShift = (byte)(scale == 1 ? 0 : scale == 2 ? 1 : scale == 4 ? 2 : 3);
                    }
                    if (addr32)
                    {
                        d.MemFlags |= DecodedInstruction.MemAddr32;
                        d.Disp = (int)ins.MemoryDisplacement32;
                    }
                    else
                    {
                        d.Disp = (long)ins.MemoryDisplacement64;
                    }
                    return true;
                }
                case OpKind.Immediate8:
                case OpKind.Immediate16:
                case OpKind.Immediate32:
                case OpKind.Immediate64:
                case OpKind.Immediate8to16:
                case OpKind.Immediate8to32:
                case OpKind.Immediate8to64:
                case OpKind.Immediate32to64:
                    if (i == 1 && d.B == OpKindX.None) d.B = OpKindX.Imm;
                    else if (i == 0) d.A = OpKindX.Imm;
                    d.Imm = ins.GetImmediate(i);
                    return true;
                case OpKind.NearBranch64:
                    if (i != 0) return false;
                    d.Imm = ins.NearBranch64 - ins.NextIP;
                    return true;
                default:
                    return false;
            }
        }

        private static bool TranslateString(in Instruction ins, ref DecodedInstruction d)
        {
            d.Size = ins.Mnemonic switch
            {
                Mnemonic.Stosb or Mnemonic.Movsb or Mnemonic.Lodsb or Mnemonic.Scasb or Mnemonic.Cmpsb => 1,
                Mnemonic.Stosw or Mnemonic.Movsw or Mnemonic.Lodsw or Mnemonic.Scasw or Mnemonic.Cmpsw => 2,
                Mnemonic.Stosd or Mnemonic.Movsd or Mnemonic.Lodsd or Mnemonic.Scasd or Mnemonic.Cmpsd => 4,
                _ => 8,
            };
            // Movsd/Cmpsd share mnemonics with SSE instructions: only the string forms are accepted.
            for (int i = 0; i < ins.OpCount; i++)
            {
                OpKind k = ins.GetOpKind(i);
                if (k == OpKind.MemorySegRSI || k == OpKind.MemoryESRDI || k == OpKind.MemorySegRDI) continue;
                if (k == OpKind.Register && ins.GetOpRegister(i).IsGPR()) continue;
                return Fail(ref d);
            }
            IcedRegister seg = ins.SegmentPrefix;
            d.Seg = seg == IcedRegister.FS ? (byte)1 : seg == IcedRegister.GS ? (byte)2 : (byte)0;
            return true;
        }
    }
}
