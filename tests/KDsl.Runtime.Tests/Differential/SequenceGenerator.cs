using System;
using System.Collections.Generic;
using Iced.Intel;

namespace KDsl.Runtime.Tests.Differential
{
    /// <summary>Flag bits of RFLAGS the comparison looks at.</summary>
    internal static class FlagBits
    {
        public const ulong CF = 1UL << 0, PF = 1UL << 2, AF = 1UL << 4, ZF = 1UL << 6, SF = 1UL << 7, OF = 1UL << 11;
        public const ulong All = CF | PF | AF | ZF | SF | OF;

        public static string Names(ulong mask)
        {
            var names = new List<string>();
            if ((mask & CF) != 0) names.Add("CF");
            if ((mask & PF) != 0) names.Add("PF");
            if ((mask & AF) != 0) names.Add("AF");
            if ((mask & ZF) != 0) names.Add("ZF");
            if ((mask & SF) != 0) names.Add("SF");
            if ((mask & OF) != 0) names.Add("OF");
            return string.Join(" ", names);
        }
    }

    /// <summary>Where the harness keeps things; the same virtual addresses on the host and in the guest.</summary>
    internal readonly struct DiffLayout
    {
        public DiffLayout(ulong baseAddress) => Base = baseAddress;

        public ulong Base { get; }
        public ulong Code => Base;
        /// <summary>16 GPRs, then RFLAGS at +128, the host RSP at +136.</summary>
        public ulong State => Base + 0x1000;
        public ulong Data => Base + 0x2000;
        /// <summary>RBX points here: [rbx + r12*s + disp] stays inside the data page.</summary>
        public ulong RbxValue => Data + 0x100;
        public ulong RbpValue => Data + 0x800;
        /// <summary>The stack page; 28 KiB below it are scratch for the host's signal frames.</summary>
        public ulong StackPage => Base + 0x9000;
        public ulong StackTop => StackPage + 0x1000;
        public ulong InitialRsp => StackPage + 0x800;
        public const ulong Size = 0xA000;
    }

    /// <summary>
    /// Random straight-line sequences (plus short forward jcc skips) of the instructions KDsl's code generator emits,
    /// keeping track of which arithmetic flags are architecturally defined (SDM) so that setcc/jcc only read defined
    /// flags and the comparison masks the undefined ones. RBX, RBP and R12 are base/index registers and RSP the stack
    /// pointer: the sequence never writes them except through push/pop.
    /// </summary>
    internal sealed class SequenceGenerator
    {
        private static readonly Register[] Free64 =
        {
            Register.RAX, Register.RCX, Register.RDX, Register.RSI, Register.RDI, Register.R8, Register.R9, Register.R10,
            Register.R11, Register.R13, Register.R14, Register.R15,
        };
        private static readonly string[] Alu = { "Add", "Sub", "And", "Or", "Xor", "Cmp" };
        private static readonly string[] Cc = { "o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g" };
        private static readonly ulong[] CcReads =
        {
            FlagBits.OF, FlagBits.CF, FlagBits.ZF, FlagBits.CF | FlagBits.ZF, FlagBits.SF, FlagBits.PF,
            FlagBits.SF | FlagBits.OF, FlagBits.ZF | FlagBits.SF | FlagBits.OF,
        };
        public const int R12Max = 63;

        private readonly Random _rng;
        private readonly DiffLayout _layout;
        private readonly List<Action<Assembler>> _ops = new List<Action<Assembler>>();
        private ulong _defined;
        private int _depth;

        public SequenceGenerator(Random rng, DiffLayout layout)
        {
            _rng = rng;
            _layout = layout;
        }

        /// <summary>Flags whose final value is architecturally defined.</summary>
        public ulong DefinedFlags => _defined;

        public List<Action<Assembler>> Generate(int count)
        {
            _ops.Clear();
            _defined = FlagBits.All; // the initial flags come from the state
            _depth = 0;
            for (int i = 0; i < count; i++)
            {
                if (_rng.Next(10) == 0) EmitSkip();
                else EmitOne(allowStack: true);
            }
            return _ops;
        }

        private void Add(Instruction ins) => _ops.Add(a => a.AddInstruction(ins));

        private static Code C(string name) => (Code)Enum.Parse(typeof(Code), name);

        private int Size() => _rng.Next(8) switch { 0 => 8, 1 => 16, 2 or 3 or 4 => 32, _ => 64 };

        private Register FreeReg(int size) => Sized(Free64[_rng.Next(Free64.Length)], size);

        /// <summary>The register numbered like r64 (RAX..R15) at the given width; 8-bit: SPL/BPL/SIL/DIL style, never AH..BH.</summary>
        public static Register Sized(Register r64, int size)
        {
            int n = r64 - Register.RAX;
            return size switch
            {
                8 => n < 4 ? Register.AL + n : Register.AL + n + 4,
                16 => Register.AX + n,
                32 => Register.EAX + n,
                _ => r64,
            };
        }

        private MemoryOperand Mem()
        {
            long disp;
            switch (_rng.Next(6))
            {
                case 0:
                    disp = _rng.Next(4) == 0 ? _rng.Next(0, 0x200) : _rng.Next(0, 0x40) * 8;
                    return Operand(Register.RSP, Register.None, 1, disp);
                case 1:
                    return Operand(Register.RBX, Register.None, 1, 0);
                case 2:
                    disp = _rng.Next(-0x100, 0x100);
                    return Operand(Register.RBX, Register.None, 1, disp);
                case 3:
                    disp = _rng.Next(-0x80, 0x80);
                    return Operand(Register.RBX, Register.R12, 1 << _rng.Next(4), disp);
                case 4:
                    return Operand(Register.RBP, Register.R12, 1 << _rng.Next(4), 0);
                default:
                    disp = _rng.Next(-0x400, 0x400);
                    return Operand(Register.RBP, Register.None, 1, disp);
            }
        }

        private static MemoryOperand Operand(Register b, Register index, int scale, long disp)
        {
            int displSize = disp == 0 ? 0 : disp >= -128 && disp <= 127 ? 1 : 8;
            return new MemoryOperand(b, index, scale, disp, displSize);
        }

        private long Imm(int size)
        {
            long v = _rng.Next(6) switch
            {
                0 => _rng.Next(-4, 5),
                1 => _rng.Next(-128, 128),
                2 => size == 8 ? sbyte.MinValue : size == 16 ? short.MinValue : int.MinValue,
                3 => size == 8 ? sbyte.MaxValue : size == 16 ? short.MaxValue : int.MaxValue,
                _ => _rng.Next(int.MinValue, int.MaxValue),
            };
            return size switch { 8 => (sbyte)v, 16 => (short)v, _ => (int)v };
        }

        private void EmitSkip()
        {
            int cc = PickCondition();
            if (cc < 0)
            {
                EmitOne(allowStack: false);
                return;
            }
            ulong before = _defined;
            int body = _rng.Next(1, 4);
            var bodyOps = new List<Action<Assembler>>();
            var saved = new List<Action<Assembler>>(_ops);
            _ops.Clear();
            for (int i = 0; i < body; i++) EmitOne(allowStack: false);
            bodyOps.AddRange(_ops);
            _ops.Clear();
            _ops.AddRange(saved);
            _defined &= before; // either path may have run
            _ops.Add(a =>
            {
                var skip = a.CreateLabel();
                Jcc(a, cc, skip);
                foreach (var op in bodyOps) op(a);
                a.Label(ref skip);
                a.nop();
            });
        }

        private static void Jcc(Assembler a, int cc, Label l)
        {
            switch (cc)
            {
                case 0: a.jo(l); break;
                case 1: a.jno(l); break;
                case 2: a.jb(l); break;
                case 3: a.jae(l); break;
                case 4: a.je(l); break;
                case 5: a.jne(l); break;
                case 6: a.jbe(l); break;
                case 7: a.ja(l); break;
                case 8: a.js(l); break;
                case 9: a.jns(l); break;
                case 10: a.jp(l); break;
                case 11: a.jnp(l); break;
                case 12: a.jl(l); break;
                case 13: a.jge(l); break;
                case 14: a.jle(l); break;
                default: a.jg(l); break;
            }
        }

        /// <summary>A condition whose flags are all defined now, or -1.</summary>
        private int PickCondition()
        {
            for (int tries = 0; tries < 8; tries++)
            {
                int cc = _rng.Next(16);
                if ((CcReads[cc >> 1] & ~_defined) == 0) return cc;
            }
            return -1;
        }

        private void EmitOne(bool allowStack)
        {
            switch (_rng.Next(allowStack ? 15 : 13))
            {
                case 0: case 1: EmitMov(); break;
                case 2: EmitExtend(); break;
                case 3:
                {
                    int size = _rng.Next(3) == 0 ? 32 : 64;
                    Add(Instruction.Create(C($"Lea_r{size}_m"), FreeReg(size), LeaOperand()));
                    break;
                }
                case 4: case 5: case 6: EmitAlu(); break;
                case 7: EmitImul(); break;
                case 8: EmitDivide(); break;
                case 9: EmitShift(); break;
                case 10: EmitNegNot(); break;
                case 11: EmitSetcc(); break;
                case 12: EmitTest(); break;
                default: EmitPushPop(); break;
            }
        }

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

        private Instruction WithRm(string code, int size, bool mem, Func<Register, Instruction> reg, Func<MemoryOperand, Instruction> m) =>
            mem ? m(Mem()) : reg(FreeReg(size));

        private Instruction RmImm(string code, int size, int imm) =>
            _rng.Next(2) == 0 ? Instruction.Create(C(code), FreeReg(size), imm) : Instruction.Create(C(code), Mem(), imm);

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
