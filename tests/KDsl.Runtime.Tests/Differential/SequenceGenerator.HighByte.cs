using Iced.Intel;

namespace KDsl.Runtime.Tests.Differential
{
    /// <summary>
    /// AH, CH, DH and BH: the legacy high-byte registers, encodable only without a REX prefix, so they pair with
    /// AL..BL, each other, and memory through RBX (never R8+ or SIL/DIL). BH is read, never written: it is part of
    /// RBX, the sequences' base register.
    /// </summary>
    internal sealed partial class SequenceGenerator
    {
        private static readonly Register[] HighOrLow = { Register.AL, Register.CL, Register.DL, Register.AH, Register.CH, Register.DH };
        private static readonly Register[] Sources = { Register.AL, Register.CL, Register.DL, Register.BL, Register.AH, Register.CH, Register.DH, Register.BH };

        private Register HighDest() => HighOrLow[_rng.Next(HighOrLow.Length)];
        private Register HighSource() => Sources[_rng.Next(Sources.Length)];
        private MemoryOperand RbxMem() => Operand(Register.RBX, Register.None, 1, _rng.Next(-0x80, 0x80));

        private void EmitHighByte()
        {
            switch (_rng.Next(7))
            {
                case 0: Add(Instruction.Create(Code.Mov_rm8_r8, HighDest(), HighSource())); break;
                case 1: Add(Instruction.Create(Code.Mov_r8_rm8, HighDest(), RbxMem())); break;
                case 2: Add(Instruction.Create(Code.Mov_rm8_r8, RbxMem(), HighSource())); break;
                case 3: Add(Instruction.Create(Code.Mov_r8_imm8, HighDest(), (int)Imm(8))); break;
                case 4:
                {
                    string op = Alu[_rng.Next(Alu.Length)];
                    Add(_rng.Next(2) == 0 ? Instruction.Create(C($"{op}_rm8_r8"), HighDest(), HighSource())
                        : Instruction.Create(C($"{op}_rm8_imm8"), HighDest(), (int)Imm(8)));
                    _defined = op is "And" or "Or" or "Xor" ? (_defined | FlagBits.All) & ~FlagBits.AF : _defined | FlagBits.All;
                    break;
                }
                case 5:
                {
                    // movzx/movsx from a high byte: the code generator's char loads, with a legacy source.
                    string form = new[] { "Movzx_r32_rm8", "Movsx_r32_rm8" }[_rng.Next(2)];
                    var dst = new[] { Register.EAX, Register.ECX, Register.EDX, Register.ESI, Register.EDI }[_rng.Next(5)];
                    Add(Instruction.Create(C(form), dst, new[] { Register.AH, Register.BH, Register.CH, Register.DH }[_rng.Next(4)]));
                    break;
                }
                default:
                {
                    int cc = PickCondition();
                    if (cc < 0) return;
                    Add(Instruction.Create(C($"Set{Cc[cc]}_rm8"), HighDest()));
                    break;
                }
            }
        }
    }
}
