using Iced.Intel;

namespace KDsl.Runtime.Tests.Differential
{
    /// <summary>
    /// Instructions KDsl's CPU implements that its code generator does not emit, which an experiment's hand-placed bytes
    /// (or the kernel's own asm) may use (issue 21): inc/dec, the bit tests, bsf/bsr, bswap, cmovcc, xchg, xadd, cmpxchg,
    /// cmpxchg8b/16b, cmc and the accumulator sign extensions. Flags as the SDM defines them for each.
    /// </summary>
    internal sealed partial class SequenceGenerator
    {
        private static readonly string[] BitTests = { "Bt", "Bts", "Btr", "Btc" };

        private void EmitHandPlaced()
        {
            switch (_rng.Next(11))
            {
                case 0: EmitIncDec(); break;
                case 1: EmitBitTest(); break;
                case 2: EmitBitScan(); break;
                case 3:
                {
                    int size = _rng.Next(2) == 0 ? 32 : 64;
                    Add(Instruction.Create(C($"Bswap_r{size}"), FreeReg(size)));
                    break;
                }
                case 4: EmitCmov(); break;
                case 5:
                {
                    int size = Size();
                    Add(_rng.Next(2) == 0 ? Instruction.Create(C($"Xchg_rm{size}_r{size}"), FreeReg(size), FreeReg(size))
                        : Instruction.Create(C($"Xchg_rm{size}_r{size}"), Mem(), FreeReg(size)));
                    break;
                }
                case 6:
                case 7:
                {
                    // xadd: the sum's flags, as add; cmpxchg: compares with the accumulator, flags as cmp.
                    string op = _rng.Next(2) == 0 ? "Xadd" : "Cmpxchg";
                    int size = Size();
                    Add(_rng.Next(2) == 0 ? Instruction.Create(C($"{op}_rm{size}_r{size}"), FreeReg(size), FreeReg(size))
                        : Instruction.Create(C($"{op}_rm{size}_r{size}"), Mem(), FreeReg(size)));
                    _defined |= FlagBits.All;
                    break;
                }
                case 8: EmitCmpxchgWide(); break;
                case 9:
                    // cmc complements CF: defined after only if it was before.
                    Add(Instruction.Create(Code.Cmc));
                    break;
                default:
                    Add(Instruction.Create(_rng.Next(5) switch { 0 => Code.Cbw, 1 => Code.Cwde, 2 => Code.Cdqe, 3 => Code.Cwd, _ => Code.Cdq }));
                    break;
            }
        }

        /// <summary>inc/dec: OF, SF, ZF, AF and PF from the result; CF unaffected.</summary>
        private void EmitIncDec()
        {
            int size = Size();
            string code = $"{(_rng.Next(2) == 0 ? "Inc" : "Dec")}_rm{size}";
            Add(_rng.Next(3) == 0 ? Instruction.Create(C(code), Mem()) : Instruction.Create(C(code), FreeReg(size)));
            _defined |= FlagBits.All & ~FlagBits.CF;
        }

        /// <summary>
        /// bt/bts/btr/btc: CF is the bit; ZF unaffected; OF, SF, AF and PF undefined (SDM). A register bit offset with a
        /// memory operand addresses a bit string past the operand, so memory takes an immediate offset (masked to the size).
        /// </summary>
        private void EmitBitTest()
        {
            string op = BitTests[_rng.Next(BitTests.Length)];
            int size = _rng.Next(3) switch { 0 => 16, 1 => 32, _ => 64 };
            switch (_rng.Next(3))
            {
                case 0: Add(Instruction.Create(C($"{op}_rm{size}_r{size}"), FreeReg(size), FreeReg(size))); break;
                case 1: Add(Instruction.Create(C($"{op}_rm{size}_imm8"), FreeReg(size), _rng.Next(0, 256))); break;
                default: Add(Instruction.Create(C($"{op}_rm{size}_imm8"), Mem(), _rng.Next(0, size))); break;
            }
            _defined = (_defined & FlagBits.ZF) | FlagBits.CF;
        }

        /// <summary>
        /// bsf/bsr of a source made non-zero first (an or with a non-zero immediate): with a zero source the destination
        /// is undefined (SDM). ZF is then defined (clear); CF, OF, SF, AF and PF are undefined.
        /// </summary>
        private void EmitBitScan()
        {
            int size = _rng.Next(3) switch { 0 => 16, 1 => 32, _ => 64 };
            string code = $"{(_rng.Next(2) == 0 ? "Bsf" : "Bsr")}_r{size}_rm{size}";
            int bits = _rng.Next(1, 128);
            if (_rng.Next(2) == 0)
            {
                var src = FreeReg(size);
                Add(Instruction.Create(C($"Or_rm{size}_imm8"), src, bits));
                Add(Instruction.Create(C(code), FreeReg(size), src));
            }
            else
            {
                var mem = Mem();
                Add(Instruction.Create(C($"Or_rm{size}_imm8"), mem, bits));
                Add(Instruction.Create(C(code), FreeReg(size), mem));
            }
            _defined = FlagBits.ZF;
        }

        /// <summary>cmovcc on defined flags. A 32-bit cmov writes the destination (zero-extending it) even when the condition is false.</summary>
        private void EmitCmov()
        {
            int cc = PickCondition();
            if (cc < 0) return;
            int size = _rng.Next(3) switch { 0 => 16, 1 => 32, _ => 64 };
            string code = $"Cmov{Cc[cc]}_r{size}_rm{size}";
            Add(_rng.Next(2) == 0 ? Instruction.Create(C(code), FreeReg(size), FreeReg(size)) : Instruction.Create(C(code), FreeReg(size), Mem()));
        }

        /// <summary>
        /// cmpxchg8b/16b on [rbx + 16k] (cmpxchg16b's operand must be 16-byte aligned): EDX:EAX (RDX:RAX) against memory,
        /// ECX:EBX (RCX:RBX) stored when equal, else memory loaded into EDX:EAX. Only ZF changes. Half the time EDX:EAX
        /// is loaded from the operand first, so the equal case runs too.
        /// </summary>
        private void EmitCmpxchgWide()
        {
            bool wide = _rng.Next(2) == 0;
            var mem = Operand(Register.RBX, Register.None, 1, _rng.Next(-8, 8) * 16);
            if (_rng.Next(2) == 0)
            {
                int width = wide ? 64 : 32;
                Add(Instruction.Create(C($"Mov_r{width}_rm{width}"), Sized(Register.RAX, width), mem));
                var high = new MemoryOperand(Register.RBX, Register.None, 1, mem.Displacement + width / 8, 1);
                Add(Instruction.Create(C($"Mov_r{width}_rm{width}"), Sized(Register.RDX, width), high));
            }
            Add(Instruction.Create(wide ? Code.Cmpxchg16b_m128 : Code.Cmpxchg8b_m64, mem));
            _defined |= FlagBits.ZF;
        }
    }
}
