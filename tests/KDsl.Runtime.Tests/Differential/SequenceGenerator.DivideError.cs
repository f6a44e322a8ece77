using Iced.Intel;

namespace KDsl.Runtime.Tests.Differential
{
    /// <summary>
    /// #DE: a last div/idiv that must fault, by a zero divisor or a quotient too large for the destination (unsigned:
    /// the high half at least the divisor; signed: the most negative dividend by -1), at every width. The hardware
    /// raises #DE with nothing written (SDM "DIV"/"IDIV"), which the host turns into SIGFPE; both sides must stop at
    /// that instruction with the same registers, flags and memory.
    /// </summary>
    internal sealed partial class SequenceGenerator
    {
        /// <summary>True when the sequence ends in a divide that raises #DE.</summary>
        public bool EndsInDivideError { get; private set; }

        private void EmitDivideError()
        {
            EndsInDivideError = true;
            int size = new[] { 8, 16, 32, 64 }[_rng.Next(4)];
            bool signed = _rng.Next(2) == 0;
            Register divisor;
            do divisor = Free64[_rng.Next(Free64.Length)]; while (divisor == Register.RAX || divisor == Register.RDX);
            Register d = Sized(divisor, size);
            switch (_rng.Next(3))
            {
                case 0:
                    // A zero divisor: the dividend does not matter.
                    Add(Instruction.Create(Code.Mov_r32_imm32, Sized(divisor, 32), 0));
                    break;
                case 1 when !signed:
                    // Unsigned overflow: high half (AH for 8-bit) >= divisor.
                    Add(Instruction.Create(Code.Mov_r32_imm32, Sized(divisor, 32), _rng.Next(1, 100)));
                    if (size == 8) Add(Instruction.Create(Code.Mov_r8_imm8, Register.AH, _rng.Next(100, 256)));
                    else Add(Instruction.Create(Code.Mov_r32_imm32, Register.EDX, _rng.Next(100, size == 16 ? 0x10000 : int.MaxValue)));
                    break;
                default:
                    // Signed overflow (or, unsigned, a dividend of all ones over 1 with the high half all ones): MIN / -1.
                    signed = true;
                    Add(Instruction.Create(Code.Mov_r64_imm64, Register.RAX, size switch
                    {
                        8 => 0xff80UL, // AX = -128
                        16 => 0x8000UL,
                        32 => 0x8000_0000UL,
                        _ => 0x8000_0000_0000_0000UL,
                    }));
                    if (size == 16) Add(Instruction.Create(Code.Mov_r32_imm32, Register.EDX, 0xffff));
                    else if (size == 32) Add(Instruction.Create(Code.Mov_r32_imm32, Register.EDX, -1));
                    else if (size == 64) Add(Instruction.Create(Code.Mov_r64_imm64, Register.RDX, ulong.MaxValue));
                    Add(Instruction.Create(Code.Mov_r64_imm64, divisor, ulong.MaxValue));
                    break;
            }
            Add(Instruction.Create(C($"{(signed ? "Idiv" : "Div")}_rm{size}"), d));
        }
    }
}
