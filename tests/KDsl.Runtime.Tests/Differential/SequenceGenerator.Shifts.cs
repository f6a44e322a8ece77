using System;
using Iced.Intel;

namespace KDsl.Runtime.Tests.Differential
{
    /// <summary>The shift family: shl/sar/shr and rol/ror/rcl/rcr by 1, an immediate or CL.</summary>
    internal sealed partial class SequenceGenerator
    {
        private void EmitShift()
        {
            string op = new[] { "Shl", "Sar", "Shr" }[_rng.Next(3)];
            int size = Size();
            bool mem = _rng.Next(3) == 0;
            int mask = size == 64 ? 0x3f : 0x1f;
            int count;
            switch (_rng.Next(3))
            {
                case 0:
                {
                    // By CL, with CL set first (the code generator's way) or left random.
                    bool known = _rng.Next(3) != 0;
                    count = -1;
                    if (known)
                    {
                        count = _rng.Next(0, 70);
                        Add(Instruction.Create(Code.Mov_r32_imm32, Register.ECX, count));
                    }
                    Add(WithRm($"{op}_rm{size}_CL", size, mem, r => Instruction.Create(C($"{op}_rm{size}_CL"), r, Register.CL),
                        m => Instruction.Create(C($"{op}_rm{size}_CL"), m, Register.CL)));
                    break;
                }
                case 1:
                    count = _rng.Next(0, 70) & 0xff;
                    int c = count;
                    Add(WithRm("", size, mem, r => Instruction.Create(C($"{op}_rm{size}_imm8"), r, c),
                        m => Instruction.Create(C($"{op}_rm{size}_imm8"), m, c)));
                    break;
                default:
                    count = 1;
                    Add(WithRm("", size, mem, r => Instruction.Create(C($"{op}_rm{size}_1"), r, 1),
                        m => Instruction.Create(C($"{op}_rm{size}_1"), m, 1)));
                    break;
            }
            if (count < 0)
            {
                // Unknown count: zero leaves the flags alone, otherwise AF (and OF unless 1) are undefined.
                _defined &= ~(FlagBits.AF | FlagBits.OF);
                if (size < 32) _defined &= ~FlagBits.CF;
                return;
            }
            int masked = count & mask;
            if (masked == 0) return;
            _defined |= FlagBits.SF | FlagBits.ZF | FlagBits.PF | FlagBits.CF;
            _defined &= ~FlagBits.AF;
            if (masked == 1) _defined |= FlagBits.OF;
            else _defined &= ~FlagBits.OF;
            if (masked >= size) _defined &= ~FlagBits.CF; // SDM: CF undefined when the count is at least the operand size
        }

        private Instruction WithRm(string code, int size, bool mem, Func<Register, Instruction> reg, Func<MemoryOperand, Instruction> m) =>
            mem ? m(Mem()) : reg(FreeReg(size));

        /// <summary>
        /// rol/ror/rcl/rcr by 0, 1, an immediate or CL (SDM "RCL/RCR/ROL/ROR"): they write only CF and OF. A masked
        /// count of 0 leaves both alone; otherwise CF is the last bit rotated (through CF for rcl/rcr, so CF must be
        /// known before), and OF is defined for a masked count of 1 only. rcl/rcr of 8/16-bit operands rotate by the
        /// masked count mod 9/17, so CF may be left unchanged; either way it stays defined when it was.
        /// </summary>
        private void EmitRotate()
        {
            string op = new[] { "Rol", "Ror", "Rcl", "Rcr" }[_rng.Next(4)];
            bool throughCarry = op[1] == 'c';
            if (throughCarry && (_defined & FlagBits.CF) == 0)
            {
                Add(Instruction.Create(_rng.Next(2) == 0 ? Code.Clc : Code.Stc));
                _defined |= FlagBits.CF;
            }
            int size = Size();
            bool mem = _rng.Next(3) == 0;
            int mask = size == 64 ? 0x3f : 0x1f;
            int count;
            switch (_rng.Next(4))
            {
                case 0:
                {
                    bool known = _rng.Next(3) != 0;
                    count = -1;
                    if (known)
                    {
                        count = _rng.Next(4) == 0 ? 0 : _rng.Next(0, 70);
                        Add(Instruction.Create(Code.Mov_r32_imm32, Register.ECX, count));
                    }
                    Add(WithRm("", size, mem, r => Instruction.Create(C($"{op}_rm{size}_CL"), r, Register.CL),
                        m => Instruction.Create(C($"{op}_rm{size}_CL"), m, Register.CL)));
                    break;
                }
                case 1:
                {
                    int c = count = _rng.Next(2) == 0 ? 0 : _rng.Next(0, 70);
                    Add(WithRm("", size, mem, r => Instruction.Create(C($"{op}_rm{size}_imm8"), r, c),
                        m => Instruction.Create(C($"{op}_rm{size}_imm8"), m, c)));
                    break;
                }
                default:
                    count = 1;
                    Add(WithRm("", size, mem, r => Instruction.Create(C($"{op}_rm{size}_1"), r, 1),
                        m => Instruction.Create(C($"{op}_rm{size}_1"), m, 1)));
                    break;
            }
            if (count < 0)
            {
                _defined &= ~FlagBits.OF;
                return;
            }
            int masked = count & mask;
            if (masked == 0) return;
            if (!throughCarry) _defined |= FlagBits.CF;
            if (masked == 1) _defined |= FlagBits.OF;
            else _defined &= ~FlagBits.OF;
        }
    }
}
