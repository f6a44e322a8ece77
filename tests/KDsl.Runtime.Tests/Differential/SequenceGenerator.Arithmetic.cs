using System;
using Iced.Intel;

namespace KDsl.Runtime.Tests.Differential
{
    /// <summary>The arithmetic family: ALU ops, adc/sbb, test, imul/mul, div/idiv, neg/not, setcc.</summary>
    internal sealed partial class SequenceGenerator
    {
        private void EmitAlu()
        {
            string op = Alu[_rng.Next(Alu.Length)];
            int size = Size();
            switch (_rng.Next(5))
            {
                case 0: Add(Instruction.Create(C($"{op}_rm{size}_r{size}"), FreeReg(size), FreeReg(size))); break;
                case 1: Add(Instruction.Create(C($"{op}_r{size}_rm{size}"), FreeReg(size), Mem())); break;
                case 2: Add(Instruction.Create(C($"{op}_rm{size}_r{size}"), Mem(), FreeReg(size))); break;
                case 3:
                    if (size != 8 && _rng.Next(2) == 0)
                        Add(RmImm($"{op}_rm{size}_imm8", size, _rng.Next(-128, 128)));
                    else
                        Add(RmImm($"{op}_rm{size}_imm{(size == 64 ? 32 : size)}", size, (int)Imm(size)));
                    break;
                default:
                    // The same register on both sides: xor eax, eax; sub; cmp.
                    var r = FreeReg(size);
                    Add(Instruction.Create(C($"{op}_rm{size}_r{size}"), r, r));
                    break;
            }
            _defined = op is "And" or "Or" or "Xor" ? (_defined | FlagBits.All) & ~FlagBits.AF : _defined | FlagBits.All;
        }

        private void EmitTest()
        {
            int size = Size();
            if (_rng.Next(2) == 0)
                Add(_rng.Next(2) == 0 ? Instruction.Create(C($"Test_rm{size}_r{size}"), FreeReg(size), FreeReg(size))
                    : Instruction.Create(C($"Test_rm{size}_r{size}"), Mem(), FreeReg(size)));
            else Add(RmImm($"Test_rm{size}_imm{(size == 64 ? 32 : size)}", size, (int)Imm(size)));
            _defined = (_defined | FlagBits.All) & ~FlagBits.AF;
        }

        private Instruction CreateRm(string code, int size, Register dst, long imm)
        {
            if (_rng.Next(2) == 0) return Instruction.Create(C(code), dst, FreeReg(size), (int)imm);
            return Instruction.Create(C(code), dst, Mem(), (int)imm);
        }

        private void EmitImul()
        {
            int size = _rng.Next(4) == 0 ? 16 : _rng.Next(2) == 0 ? 32 : 64;
            switch (_rng.Next(4))
            {
                case 0:
                    if (_rng.Next(2) == 0) Add(Instruction.Create(C($"Imul_r{size}_rm{size}"), FreeReg(size), FreeReg(size)));
                    else Add(Instruction.Create(C($"Imul_r{size}_rm{size}"), FreeReg(size), Mem()));
                    break;
                case 1:
                    Add(CreateRm($"Imul_r{size}_rm{size}_imm8", size, FreeReg(size), _rng.Next(-128, 128)));
                    break;
                case 2:
                    Add(CreateRm($"Imul_r{size}_rm{size}_imm{(size == 64 ? 32 : size)}", size, FreeReg(size), Imm(size)));
                    break;
                default:
                    // One operand: RDX:RAX = RAX * r/m (8-bit: AX = AL * r/m8), signed or not.
                    int s = Size();
                    string op = _rng.Next(2) == 0 ? "Imul" : "Mul";
                    Add(Instruction.Create(C($"{op}_rm{s}"), FreeReg(s)));
                    break;
            }
            // SDM: CF and OF defined; SF, ZF, AF and PF undefined.
            _defined = (_defined | FlagBits.CF | FlagBits.OF) & ~(FlagBits.SF | FlagBits.ZF | FlagBits.AF | FlagBits.PF);
        }

        private void EmitDivide()
        {
            int size = _rng.Next(2) == 0 ? 32 : 64;
            bool signed = _rng.Next(2) == 0;
            long divisor;
            do divisor = Imm(32); while (divisor == 0 || divisor == -1);
            bool inMemory = _rng.Next(2) == 0;
            Register reg = Register.None;
            MemoryOperand mem = default;
            if (inMemory)
            {
                mem = Mem();
                Add(Instruction.Create(C(size == 64 ? "Mov_rm64_imm32" : "Mov_rm32_imm32"), mem, (int)divisor));
            }
            else
            {
                do reg = Free64[_rng.Next(Free64.Length)]; while (reg == Register.RAX || reg == Register.RDX);
                reg = Sized(reg, size);
                Add(Instruction.Create(C(size == 64 ? "Mov_rm64_imm32" : "Mov_r32_imm32"), reg, (int)divisor));
            }
            if (signed) Add(Instruction.Create(size == 64 ? Code.Cqo : Code.Cdq));
            else Add(Instruction.Create(Code.Xor_rm32_r32, Register.EDX, Register.EDX));
            string code = $"{(signed ? "Idiv" : "Div")}_rm{size}";
            Add(inMemory ? Instruction.Create(C(code), mem) : Instruction.Create(C(code), reg));
            _defined = 0; // all six undefined after div/idiv (the xor's flags too)
        }

        private void EmitNegNot()
        {
            int size = Size();
            bool neg = _rng.Next(2) == 0;
            string code = $"{(neg ? "Neg" : "Not")}_rm{size}";
            Add(_rng.Next(3) == 0 ? Instruction.Create(C(code), Mem()) : Instruction.Create(C(code), FreeReg(size)));
            if (neg) _defined |= FlagBits.All;
        }

        private void EmitSetcc()
        {
            int cc = PickCondition();
            if (cc < 0) return;
            string code = $"Set{Cc[cc]}_rm8";
            Add(_rng.Next(3) == 0 ? Instruction.Create(C(code), Mem()) : Instruction.Create(C(code), FreeReg(8)));
        }

        private Instruction RmImm(string code, int size, int imm) =>
            _rng.Next(2) == 0 ? Instruction.Create(C(code), FreeReg(size), imm) : Instruction.Create(C(code), Mem(), imm);

        /// <summary>
        /// adc/sbb (the code generator's 128-bit-free arithmetic does not emit them, but hand-written kernel code does):
        /// they read CF, so when CF is undefined the sequence first makes it known with clc or stc. All six flags are
        /// defined after (SDM), as for add/sub.
        /// </summary>
        private void EmitAdcSbb()
        {
            if ((_defined & FlagBits.CF) == 0)
            {
                Add(Instruction.Create(_rng.Next(2) == 0 ? Code.Clc : Code.Stc));
                _defined |= FlagBits.CF;
            }
            string op = _rng.Next(2) == 0 ? "Adc" : "Sbb";
            int size = Size();
            switch (_rng.Next(4))
            {
                case 0: Add(Instruction.Create(C($"{op}_rm{size}_r{size}"), FreeReg(size), FreeReg(size))); break;
                case 1: Add(Instruction.Create(C($"{op}_r{size}_rm{size}"), FreeReg(size), Mem())); break;
                case 2: Add(Instruction.Create(C($"{op}_rm{size}_r{size}"), Mem(), FreeReg(size))); break;
                default:
                    if (size != 8 && _rng.Next(2) == 0) Add(RmImm($"{op}_rm{size}_imm8", size, _rng.Next(-128, 128)));
                    else Add(RmImm($"{op}_rm{size}_imm{(size == 64 ? 32 : size)}", size, (int)Imm(size)));
                    break;
            }
            _defined |= FlagBits.All;
        }
    }
}
