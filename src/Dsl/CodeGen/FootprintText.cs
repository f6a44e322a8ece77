using System;
using System.Collections.Generic;
using Iced.Intel;
using KDsl.Image;
using KDsl.Profiles;

namespace KDsl.CodeGen
{
    /// <summary>
    /// Lays the real kernel's recorded functions into the modelled text at their real addresses, instruction by
    /// instruction, so the emulated CPU uses the stack exactly as the real kernel did on the recorded paths:
    /// - what moves or touches the stack runs as recorded: push, pop, call, ret, sub/add/and/lea of RSP, frame-pointer
    ///   set-up, and every access through RSP (the first touch of a fresh frame is often a store to (%rsp));
    /// - every branch whose outcome depends on data (jcc, indirect jmp, indirect call) becomes a hlt and a host branch:
    ///   the C# kernel sends control where the recorded run went (KernelPathReplay);
    /// - everything else (arithmetic, loads and stores through other pointers, per-CPU reads) becomes NOPs of the same
    ///   length, so every instruction keeps its real offset and a fault reports the real function+offset.
    /// Bytes of a function the recorded runs never executed are int3.
    /// </summary>
    public static class FootprintText
    {
        private const byte Nop = 0x90, Hlt = 0xF4, Int3 = 0xCC, PopRax = 0x58;

        /// <summary>Adds the footprint's functions to <paramref name="text"/> (offsets from the text base).</summary>
        public static void Lay(KernelFootprint footprint, ulong textBase, List<byte> text, List<ModuleSymbol> symbols, List<UnwindEntry> unwind,
            List<HostBranch> branches)
        {
            foreach (var s in footprint.Symbols)
            {
                int start = checked((int)(s.Address - textBase));
                Grow(text, start + s.Size);
                for (int i = 0; i < s.Size; i++) text[start + i] = Int3;
                symbols.Add(new ModuleSymbol(s.Name, Section.Text, start, s.Size, 0));
            }

            var thunks = new List<FootprintSymbol>();
            foreach (var s in footprint.Symbols)
                if (s.Name.StartsWith("__x86_indirect_thunk_", StringComparison.Ordinal)) thunks.Add(s);
            foreach (var insn in footprint.Instructions)
            {
                int offset = checked((int)(insn.Address - textBase));
                var decoder = Decoder.Create(64, new ByteArrayCodeReader(insn.Bytes), insn.Address);
                decoder.Decode(out var decoded);
                var kind = Classify(decoded);
                // A retpoline's ret goes to the target it stored over its own return address: an indirect jump.
                if (kind == Treatment.Verbatim && decoded.FlowControl == FlowControl.Return && thunks.Exists(t => insn.Address - t.Address < (ulong)t.Size))
                    kind = Treatment.HostReturn;
                for (int i = 0; i < insn.Bytes.Length; i++)
                {
                    text[offset + i] = kind switch
                    {
                        Treatment.Verbatim => insn.Bytes[i],
                        Treatment.PopInsteadOfPopf => i == 0 ? PopRax : Nop,
                        Treatment.Nop => Nop,
                        _ => i == 0 ? Hlt : Nop,
                    };
                }
                if (kind == Treatment.HostJump || kind == Treatment.HostCall || kind == Treatment.HostReturn)
                    branches.Add(new HostBranch(offset, insn.Bytes.Length, kind == Treatment.HostCall ? +1 : kind == Treatment.HostReturn ? -1 : 0));
                unwind.Add(new UnwindEntry(offset, insn.Cfa));
            }

            foreach (var site in footprint.ReturnSites)
                unwind.Add(new UnwindEntry(checked((int)(site.Key - textBase)), site.Value));
            unwind.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        }

        private enum Treatment { Verbatim, Nop, PopInsteadOfPopf, HostJump, HostCall, HostReturn }

        private static Treatment Classify(in Instruction i)
        {
            switch (i.FlowControl)
            {
                case FlowControl.ConditionalBranch:
                case FlowControl.IndirectBranch:
                    return Treatment.HostJump;
                case FlowControl.IndirectCall:
                    return Treatment.HostCall;
                case FlowControl.Call:
                case FlowControl.UnconditionalBranch:
                case FlowControl.Return:
                    return Treatment.Verbatim;
            }
            // popf would load whatever the replay left in the saved word into RFLAGS (TF, IF): pop it as data instead.
            if (i.Mnemonic == Mnemonic.Popfq || i.Mnemonic == Mnemonic.Popf) return Treatment.PopInsteadOfPopf;
            if (i.StackPointerIncrement != 0 || i.Mnemonic == Mnemonic.Leave) return Treatment.Verbatim;
            for (int op = 0; op < i.OpCount; op++)
            {
                var kind = i.GetOpKind(op);
                if (kind == OpKind.Memory && i.MemoryBase == Register.RSP && i.SegmentPrefix == Register.None) return Treatment.Verbatim;
                if (kind == OpKind.Register && op == 0 && (i.Op0Register == Register.RSP || (i.Op0Register == Register.RBP && ReadsRsp(i))))
                    return Treatment.Verbatim;
            }
            return Treatment.Nop;
        }

        /// <summary>mov %rsp,%rbp / lea N(%rsp),%rbp: the frame pointer a later leave or lea N(%rbp),%rsp goes back through.</summary>
        private static bool ReadsRsp(in Instruction i)
        {
            for (int op = 1; op < i.OpCount; op++)
                if ((i.GetOpKind(op) == OpKind.Register && i.GetOpRegister(op) == Register.RSP) ||
                    (i.GetOpKind(op) == OpKind.Memory && i.MemoryBase == Register.RSP)) return true;
            return false;
        }

        private static void Grow(List<byte> text, int size)
        {
            while (text.Count < size) text.Add(0);
        }
    }
}
