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
    /// Random straight-line sequences (plus short forward jcc skips) of the instructions KDsl's code generator emits
    /// and of those hand-placed code may use that the CPU implements (SequenceGenerator.HandPlaced.cs),
    /// keeping track of which arithmetic flags are architecturally defined (SDM) so that setcc/jcc only read defined
    /// flags and the comparison masks the undefined ones. RBX, RBP and R12 are base/index registers and RSP the stack
    /// pointer: the sequence never writes them except through push/pop.
    /// </summary>
    internal sealed partial class SequenceGenerator
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
            EndsInDivideError = false;
            for (int i = 0; i < count; i++)
            {
                if (_rng.Next(10) == 0) EmitSkip();
                else EmitOne(allowStack: true);
            }
            if (_rng.Next(8) == 0) EmitDivideError();
            return _ops;
        }

        private void Add(Instruction ins) => _ops.Add(a => a.AddInstruction(ins));

        private static Code C(string name) => (Code)Enum.Parse(typeof(Code), name);

        private int Size() => _rng.Next(8) switch { 0 => 8, 1 => 16, 2 or 3 or 4 => 32, _ => 64 };

        private Register FreeReg(int size) => Sized(Free64[_rng.Next(Free64.Length)], size);

        /// <summary>The register numbered like r64 (RAX..R15) at the given width; 8-bit: SPL/BPL/SIL/DIL style (AH..BH: EmitHighByte).</summary>
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
            switch (_rng.Next(allowStack ? 20 : 18))
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
                case 13: EmitAdcSbb(); break;
                case 14: EmitRotate(); break;
                case 15: EmitHighByte(); break;
                case 16: EmitStringOp(); break;
                case 17: EmitHandPlaced(); break;
                default: EmitPushPop(); break;
            }
        }
    }
}
