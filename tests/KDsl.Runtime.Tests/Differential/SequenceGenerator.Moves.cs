using System;
using Iced.Intel;

namespace KDsl.Runtime.Tests.Differential
{
    /// <summary>The data-movement family: mov, movsx/movzx, lea, push/pop.</summary>
    internal sealed partial class SequenceGenerator
    {
        private MemoryOperand LeaOperand()
        {
            // lea never touches memory: any registers, any scale.
            var all = new[] { Register.RAX, Register.RCX, Register.RDX, Register.RBX, Register.RSP, Register.RBP, Register.RSI, Register.RDI,
                Register.R8, Register.R9, Register.R10, Register.R11, Register.R12, Register.R13, Register.R14, Register.R15 };
            Register b = all[_rng.Next(all.Length)];
            Register index = _rng.Next(2) == 0 ? Register.None : all[_rng.Next(all.Length)];
            if (index == Register.RSP) index = Register.None;
            long disp = _rng.Next(3) == 0 ? _rng.Next(int.MinValue, int.MaxValue) : _rng.Next(-200, 200);
            return Operand(b, index, index == Register.None ? 1 : 1 << _rng.Next(4), disp);
        }

        private void EmitMov()
        {
            int size = Size();
            switch (_rng.Next(6))
            {
                case 0: Add(Instruction.Create(C($"Mov_rm{size}_r{size}"), FreeReg(size), FreeReg(size))); break;
                case 1: Add(Instruction.Create(C($"Mov_r{size}_rm{size}"), FreeReg(size), Mem())); break;
                case 2: Add(Instruction.Create(C($"Mov_rm{size}_r{size}"), Mem(), FreeReg(size))); break;
                case 3: Add(Instruction.Create(C(size == 64 ? "Mov_rm64_imm32" : $"Mov_rm{size}_imm{size}"), Mem(), (int)Imm(size))); break;
                case 4:
                    if (size == 64) Add(Instruction.Create(Code.Mov_r64_imm64, FreeReg(64), (ulong)((long)_rng.Next() << 33 ^ _rng.Next())));
                    else Add(Instruction.Create(C($"Mov_r{size}_imm{size}"), FreeReg(size), (int)Imm(size)));
                    break;
                default: Add(Instruction.Create(Code.Mov_rm64_imm32, FreeReg(64), (int)Imm(32))); break;
            }
        }

        private void EmitExtend()
        {
            string[] forms = { "Movsx_r32_rm8", "Movsx_r64_rm8", "Movsx_r32_rm16", "Movsx_r64_rm16", "Movzx_r32_rm8", "Movzx_r64_rm8",
                "Movzx_r32_rm16", "Movsxd_r64_rm32" };
            string form = forms[_rng.Next(forms.Length)];
            int dst = form.Contains("_r64_") ? 64 : 32;
            int src = form.EndsWith("rm8") ? 8 : form.EndsWith("rm16") ? 16 : 32;
            if (_rng.Next(2) == 0) Add(Instruction.Create(C(form), FreeReg(dst), FreeReg(src)));
            else Add(Instruction.Create(C(form), FreeReg(dst), Mem()));
        }

        private void EmitPushPop()
        {
            bool push = _depth == 0 || (_depth < 32 && _rng.Next(2) == 0);
            if (push)
            {
                switch (_rng.Next(4))
                {
                    case 0: Add(Instruction.Create(Code.Push_rm64, Mem())); break;
                    case 1: Add(Instruction.Create(Code.Pushq_imm32, (int)Imm(32))); break;
                    default:
                        var all = new[] { Register.RAX, Register.RBX, Register.RBP, Register.R12, Register.RSP, Register.RDI, Register.R15, Register.R8 };
                        Add(Instruction.Create(Code.Push_r64, _rng.Next(2) == 0 ? all[_rng.Next(all.Length)] : FreeReg(64)));
                        break;
                }
                _depth++;
            }
            else
            {
                // pop [rsp+disp] computes the address with RSP already incremented.
                if (_rng.Next(3) == 0) Add(Instruction.Create(Code.Pop_rm64, Mem()));
                else Add(Instruction.Create(Code.Pop_r64, FreeReg(64)));
                _depth--;
            }
        }
    }
}
