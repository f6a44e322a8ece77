using System;
using System.Collections.Generic;
using System.Text;
using Iced.Intel;
using KDsl.Runtime.Cpu;
using KDsl.Runtime.Memory;
using KDsl.Runtime.Tests.Cpu;

namespace KDsl.Runtime.Tests.Differential
{
    /// <summary>
    /// Runs one instruction sequence twice, on the host CPU and on <see cref="X64Cpu"/>, from the same registers, flags
    /// and memory, at the same virtual addresses, and compares the GPRs, the defined arithmetic flags and the data and
    /// stack pages. The shared code: load every GPR and RFLAGS from the state block, the sequence, store them back.
    /// Natively a prologue/epilogue saves the host's callee-saved registers and RSP around it; the guest ends in hlt.
    /// </summary>
    internal sealed class DifferentialHarness : IDisposable
    {
        private const int StateRflags = 128, StateHostRsp = 136, StateFaulted = 144, StateFaultRip = 152;
        /// <summary>Where in the code page the SIGFPE handler and the recovery code go (sequences stay far below).</summary>
        private const int HandlerOffset = 0xC00, RecoveryOffset = 0xE00;
        private static readonly Register[] CalleeSaved = { Register.RBX, Register.RBP, Register.R12, Register.R13, Register.R14, Register.R15 };
        private readonly NativeCode _native;
        private readonly DiffLayout _layout;
        private readonly GuestFixture _guest;
        private readonly Dictionary<ulong, ulong> _guestPa = new Dictionary<ulong, ulong>();

        private DifferentialHarness(NativeCode native)
        {
            _native = native;
            _layout = new DiffLayout(native.Address);
            _guest = new GuestFixture();
            for (ulong off = 0; off < DiffLayout.Size; off += 0x1000)
                _guestPa[_layout.Base + off] = _guest.MapNew(_layout.Base + off, 1, PteFlags.Present | PteFlags.Writable);
        }

        public DiffLayout Layout => _layout;

        public static DifferentialHarness? TryCreate()
        {
            var native = NativeCode.TryMap(DiffLayout.Size);
            return native is null ? null : new DifferentialHarness(native);
        }

        private static MemoryOperand Abs(ulong address) => new MemoryOperand(Register.None, Register.None, 1, (long)address, 8);

        /// <summary>The body's first byte in the last assembled native / emulated code (the native prologue is longer).</summary>
        private ulong _bodyStart;

        private byte[] Assemble(IReadOnlyList<Action<Assembler>> body, bool native)
        {
            var a = new Assembler(64);
            ulong s = _layout.State;
            if (native)
            {
                foreach (var r in new[] { Register.RBX, Register.RBP, Register.R12, Register.R13, Register.R14, Register.R15 })
                    a.AddInstruction(Instruction.Create(Code.Push_r64, r));
                a.AddInstruction(Instruction.Create(Code.Mov_rm64_r64, Abs(s + StateHostRsp), Register.RSP));
            }
            // Load: RSP first (popfq needs the stack), then flags, then the others, RAX last.
            a.AddInstruction(Instruction.Create(Code.Mov_r64_imm64, Register.RAX, s));
            a.AddInstruction(Instruction.Create(Code.Mov_r64_rm64, Register.RSP, new MemoryOperand(Register.RAX, 4 * 8)));
            a.AddInstruction(Instruction.Create(Code.Push_rm64, new MemoryOperand(Register.RAX, StateRflags)));
            a.AddInstruction(Instruction.Create(Code.Popfq));
            for (int i = 1; i < 16; i++)
                if (i != 4) a.AddInstruction(Instruction.Create(Code.Mov_r64_rm64, Register.RAX + i, new MemoryOperand(Register.RAX, i * 8)));
            a.AddInstruction(Instruction.Create(Code.Mov_r64_rm64, Register.RAX, new MemoryOperand(Register.RAX, 0L)));
            var bodyLabel = a.CreateLabel();
            a.Label(ref bodyLabel);
            a.nop(); // the label needs an instruction; both sides run it
            foreach (var op in body) op(a);
            // Store.
            for (int i = 0; i < 16; i++)
                a.AddInstruction(Instruction.Create(Code.Mov_rm64_r64, Abs(s + (ulong)i * 8), Register.RAX + i));
            a.AddInstruction(Instruction.Create(Code.Pushfq));
            a.AddInstruction(Instruction.Create(Code.Pop_rm64, Abs(s + StateRflags)));
            if (native)
            {
                a.AddInstruction(Instruction.Create(Code.Mov_r64_rm64, Register.RSP, Abs(s + StateHostRsp)));
                foreach (var r in new[] { Register.R15, Register.R14, Register.R13, Register.R12, Register.RBP, Register.RBX })
                    a.AddInstruction(Instruction.Create(Code.Pop_r64, r));
                a.ret();
            }
            else
            {
                a.hlt();
            }
            var w = new ByteListWriter();
            var result = a.Assemble(w, _layout.Code, BlockEncoderOptions.ReturnNewInstructionOffsets);
            _bodyStart = result.GetLabelRIP(bodyLabel);
            return w.Bytes.ToArray();
        }

        /// <summary>
        /// The native SIGFPE handler (rdi = signo, rsi = siginfo, rdx = ucontext): the faulting context's GPRs, RFLAGS
        /// and RIP into the state block, the fault flag set, and the context's RIP pointed at the recovery code, which
        /// rt_sigreturn then resumes: back on the host's stack, callee-saved registers popped, return to the caller.
        /// </summary>
        private (byte[] Handler, byte[] Recovery) AssembleFaultPath()
        {
            ulong s = _layout.State;
            var h = new Assembler(64);
            MemoryOperand Greg(int index) => new MemoryOperand(Register.RDX, SigFpeTrap.GregsOffset + index * 8);
            for (int i = 0; i < 16; i++)
            {
                h.AddInstruction(Instruction.Create(Code.Mov_r64_rm64, Register.RAX, Greg(SigFpeTrap.GregOfReg[i])));
                h.AddInstruction(Instruction.Create(Code.Mov_rm64_r64, Abs(s + (ulong)i * 8), Register.RAX));
            }
            h.AddInstruction(Instruction.Create(Code.Mov_r64_rm64, Register.RAX, Greg(SigFpeTrap.RegEfl)));
            h.AddInstruction(Instruction.Create(Code.Mov_rm64_r64, Abs(s + StateRflags), Register.RAX));
            h.AddInstruction(Instruction.Create(Code.Mov_r64_rm64, Register.RAX, Greg(SigFpeTrap.RegRip)));
            h.AddInstruction(Instruction.Create(Code.Mov_rm64_r64, Abs(s + StateFaultRip), Register.RAX));
            h.AddInstruction(Instruction.Create(Code.Mov_rm64_imm32, Abs(s + StateFaulted), 1));
            h.AddInstruction(Instruction.Create(Code.Mov_r64_imm64, Register.RAX, _layout.Code + RecoveryOffset));
            h.AddInstruction(Instruction.Create(Code.Mov_rm64_r64, Greg(SigFpeTrap.RegRip), Register.RAX));
            h.ret();
            var hw = new ByteListWriter();
            h.Assemble(hw, _layout.Code + HandlerOffset);

            var r = new Assembler(64);
            r.AddInstruction(Instruction.Create(Code.Mov_r64_rm64, Register.RSP, Abs(s + StateHostRsp)));
            for (int i = CalleeSaved.Length - 1; i >= 0; i--) r.AddInstruction(Instruction.Create(Code.Pop_r64, CalleeSaved[i]));
            r.ret();
            var rw = new ByteListWriter();
            r.Assemble(rw, _layout.Code + RecoveryOffset);
            return (hw.Bytes.ToArray(), rw.Bytes.ToArray());
        }

        /// <summary>The sequence as assembly text (decoded from its bytes, so it is exactly what ran).</summary>
        public string Disassemble(IReadOnlyList<Action<Assembler>> body)
        {
            var a = new Assembler(64);
            foreach (var op in body) op(a);
            var w = new ByteListWriter();
            a.Assemble(w, 0);
            var bytes = w.Bytes.ToArray();
            var decoder = Iced.Intel.Decoder.Create(64, new ByteArrayCodeReader(bytes), 0);
            var formatter = new IntelFormatter();
            formatter.Options.FirstOperandCharIndex = 8;
            var sb = new StringBuilder();
            var output = new StringOutput();
            while (decoder.IP < (ulong)bytes.Length)
            {
                var ins = decoder.Decode();
                formatter.Format(ins, output);
                sb.Append("  ").Append(ins.IP.ToString("x4")).Append(": ").AppendLine(output.ToStringAndReset());
            }
            return sb.ToString();
        }

        /// <summary>The initial machine state of one case.</summary>
        public sealed class CaseState
        {
            public readonly ulong[] Gpr = new ulong[16];
            public ulong Rflags;
            public byte[] Data = Array.Empty<byte>();
            public byte[] Stack = Array.Empty<byte>();
        }

        public CaseState RandomState(Random rng)
        {
            var st = new CaseState();
            for (int i = 0; i < 16; i++) st.Gpr[i] = RandomValue(rng);
            st.Gpr[(int)Reg.Rsp] = _layout.InitialRsp;
            st.Gpr[(int)Reg.Rbx] = _layout.RbxValue;
            st.Gpr[(int)Reg.Rbp] = _layout.RbpValue;
            st.Gpr[(int)Reg.R12] = (ulong)rng.Next(0, SequenceGenerator.R12Max + 1);
            ulong flags = 0;
            foreach (ulong bit in new[] { FlagBits.CF, FlagBits.PF, FlagBits.AF, FlagBits.ZF, FlagBits.SF, FlagBits.OF })
                if (rng.Next(2) == 0) flags |= bit;
            st.Rflags = flags | 0x202;
            st.Data = new byte[0x1000];
            rng.NextBytes(st.Data);
            st.Stack = new byte[0x1000];
            rng.NextBytes(st.Stack);
            return st;
        }

        private static ulong RandomValue(Random rng)
        {
            switch (rng.Next(8))
            {
                case 0: return (ulong)(long)rng.Next(-4, 5);
                case 1: return 0x7fff_ffffUL + (ulong)rng.Next(0, 3);
                case 2: return 0xffff_ffffUL;
                case 3: return rng.Next(2) == 0 ? 0x8000_0000_0000_0000UL : 0x7fff_ffff_ffff_ffffUL;
                case 4: return (ulong)(long)rng.Next(int.MinValue, int.MaxValue);
                case 5: return (ulong)rng.Next(0, 256);
                default:
                    var b = new byte[8];
                    rng.NextBytes(b);
                    return BitConverter.ToUInt64(b, 0);
            }
        }

        /// <summary>The registers, flags and memory after one run.</summary>
        public sealed class Outcome
        {
            public readonly ulong[] Gpr = new ulong[16];
            public ulong Rflags;
            public byte[] Data = Array.Empty<byte>();
            public byte[] Stack = Array.Empty<byte>();
            public string? Error;
            /// <summary>The run stopped with #DE (natively: SIGFPE) at <see cref="FaultRip"/> (an offset into the body); the registers are the fault's.</summary>
            public bool DivideError;
            public ulong FaultRip;
        }

        private void WriteState(Span<byte> state, CaseState st)
        {
            state.Clear();
            for (int i = 0; i < 16; i++) BitConverter.TryWriteBytes(state.Slice(i * 8, 8), st.Gpr[i]);
            BitConverter.TryWriteBytes(state.Slice(StateRflags, 8), st.Rflags);
        }

        private static void ReadState(ReadOnlySpan<byte> state, Outcome o)
        {
            for (int i = 0; i < 16; i++) o.Gpr[i] = BitConverter.ToUInt64(state.Slice(i * 8, 8));
            o.Rflags = BitConverter.ToUInt64(state.Slice(StateRflags, 8));
        }

        public Outcome RunNative(IReadOnlyList<Action<Assembler>> body, CaseState st, bool mayDivideError = false)
        {
            byte[] code = Assemble(body, native: true);
            if (code.Length > HandlerOffset) throw new InvalidOperationException("sequence too long for the code page");
            _native.Span(_layout.Code, 0x1000).Clear();
            code.CopyTo(_native.Span(_layout.Code, code.Length));
            WriteState(_native.Span(_layout.State, 0x1000), st);
            st.Data.CopyTo(_native.Span(_layout.Data, 0x1000));
            st.Stack.CopyTo(_native.Span(_layout.StackPage, 0x1000));
            if (mayDivideError)
            {
                var (handler, recovery) = AssembleFaultPath();
                handler.CopyTo(_native.Span(_layout.Code + HandlerOffset, handler.Length));
                recovery.CopyTo(_native.Span(_layout.Code + RecoveryOffset, recovery.Length));
                using (new SigFpeTrap(_layout.Code + HandlerOffset))
                    _native.Call(_layout.Code);
            }
            else
            {
                _native.Call(_layout.Code);
            }
            var o = new Outcome();
            ReadState(_native.Span(_layout.State, 0x1000), o);
            var state = _native.Span(_layout.State, 0x1000);
            o.DivideError = BitConverter.ToUInt64(state.Slice(StateFaulted, 8)) != 0;
            o.FaultRip = BitConverter.ToUInt64(state.Slice(StateFaultRip, 8)) - _bodyStart;
            o.Data = _native.Span(_layout.Data, 0x1000).ToArray();
            o.Stack = _native.Span(_layout.StackPage, 0x1000).ToArray();
            return o;
        }

        public Outcome RunEmulated(IReadOnlyList<Action<Assembler>> body, CaseState st)
        {
            byte[] code = Assemble(body, native: false);
            var mem = _guest.Mem;
            var page = new byte[0x1000];
            code.CopyTo(page, 0);
            mem.Write(_guestPa[_layout.Code], page);
            var state = new byte[0x1000];
            WriteState(state, st);
            mem.Write(_guestPa[_layout.State], state);
            mem.Write(_guestPa[_layout.Data], st.Data);
            mem.Write(_guestPa[_layout.StackPage], st.Stack);
            var cpu = _guest.Cpu;
            cpu.Rip = _layout.Code;
            cpu.Rsp = GuestFixture.StackTop;
            var o = new Outcome();
            StopReason stop = cpu.Run(100_000);
            mem.Read(_guestPa[_layout.State], state);
            ReadState(state, o);
            if (stop == StopReason.Exception && cpu.LastException.Vector == Vectors.DE)
            {
                // #DE: the registers at the fault are the CPU's (delivery changes only RSP, RIP, RFLAGS and CS).
                var e = cpu.LastException;
                o.DivideError = true;
                o.FaultRip = e.FaultRip - _bodyStart;
                for (int i = 0; i < 16; i++) o.Gpr[i] = cpu[(Reg)i];
                o.Gpr[(int)Reg.Rsp] = e.FaultRsp;
                o.Rflags = e.FaultRflags;
            }
            else if (stop != StopReason.Halt)
                o.Error = $"the emulator stopped with {stop} (vector {cpu.LastException.Vector}, rip 0x{cpu.LastException.FaultRip:x})";
            o.Data = new byte[0x1000];
            mem.Read(_guestPa[_layout.Data], o.Data);
            o.Stack = new byte[0x1000];
            mem.Read(_guestPa[_layout.StackPage], o.Stack);
            return o;
        }

        private static readonly string[] RegNames =
            { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };

        /// <summary>Null when both agree, else a report of every difference.</summary>
        public string? Compare(Outcome native, Outcome emulated, ulong definedFlags)
        {
            var sb = new StringBuilder();
            if (emulated.Error != null) sb.AppendLine(emulated.Error);
            if (native.DivideError != emulated.DivideError)
                sb.AppendLine($"#DE: hardware {(native.DivideError ? "raised it (SIGFPE)" : "did not")}, emulator {(emulated.DivideError ? "raised it" : "did not")}");
            else if (native.DivideError && native.FaultRip != emulated.FaultRip)
                sb.AppendLine($"#DE at: hardware body+0x{native.FaultRip:x}, emulator body+0x{emulated.FaultRip:x}");
            for (int i = 0; i < 16; i++)
                if (native.Gpr[i] != emulated.Gpr[i])
                    sb.AppendLine($"{RegNames[i]}: hardware 0x{native.Gpr[i]:x16}, emulator 0x{emulated.Gpr[i]:x16}");
            ulong diff = (native.Rflags ^ emulated.Rflags) & definedFlags;
            if (diff != 0)
                sb.AppendLine($"flags {FlagBits.Names(diff)}: hardware 0x{native.Rflags & FlagBits.All:x}, emulator 0x{emulated.Rflags & FlagBits.All:x} (defined: {FlagBits.Names(definedFlags)})");
            for (int i = 0; i < 0x1000; i++)
                if (native.Data[i] != emulated.Data[i])
                {
                    sb.AppendLine($"data byte 0x{_layout.Data + (ulong)i:x} (rbx{(long)i - 0x100:+#;-#;+0}): hardware 0x{native.Data[i]:x2}, emulator 0x{emulated.Data[i]:x2}");
                    break;
                }
            // The stack below the final RSP is dead (and the host's signal frames may land there).
            ulong rsp = native.Gpr[(int)Reg.Rsp];
            int from = rsp >= _layout.StackPage && rsp < _layout.StackTop ? (int)(rsp - _layout.StackPage) : 0;
            for (int i = from; i < 0x1000; i++)
                if (native.Stack[i] != emulated.Stack[i])
                {
                    sb.AppendLine($"stack byte 0x{_layout.StackPage + (ulong)i:x}: hardware 0x{native.Stack[i]:x2}, emulator 0x{emulated.Stack[i]:x2}");
                    break;
                }
            return sb.Length == 0 ? null : sb.ToString();
        }

        public static string DescribeState(CaseState st)
        {
            var sb = new StringBuilder("initial state:");
            for (int i = 0; i < 16; i++) sb.Append($" {RegNames[i]}=0x{st.Gpr[i]:x}");
            sb.Append($" rflags=0x{st.Rflags:x}");
            return sb.ToString();
        }

        public void Dispose()
        {
            _guest.Dispose();
            _native.Dispose();
        }
    }
}
