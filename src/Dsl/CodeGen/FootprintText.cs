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
    /// - printk's own ret is a host branch too: after it the C# kernel writes what the recorded call left below its caller;
    /// - everything else (arithmetic, loads and stores through other pointers, per-CPU reads) becomes one NOP of the same
    ///   length, so every instruction keeps its real offset (a fault reports the real function+offset) and still
    ///   retires as one instruction.
    /// Bytes of a function the recorded runs never executed are int3.
    /// </summary>
    public static class FootprintText
    {
        private const byte Hlt = 0xF4, Int3 = 0xCC, PopRax = 0x58;

        /// <summary>Adds the footprint's functions to <paramref name="text"/> (offsets from the text base).</summary>
        public static void Lay(KernelFootprint footprint, string printkSymbol, ulong textBase, List<byte> text, List<ModuleSymbol> symbols,
            List<UnwindEntry> unwind, List<HostBranch> branches)
        {
            var outcomes = Outcomes(footprint, printkSymbol);
            foreach (var s in footprint.Symbols)
            {
                int start = checked((int)(s.Address - textBase));
                Grow(text, start + s.Size);
                for (int i = 0; i < s.Size; i++) text[start + i] = Int3;
                symbols.Add(new ModuleSymbol(s.Name, Section.Text, start, s.Size, 0));
            }

            var finalReturns = FinalReturns(footprint, printkSymbol);
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
                // the ret that ends a recorded printk or allocator call: the host runs it, then leaves the call's residue below the caller
                if (kind == Treatment.Verbatim && decoded.FlowControl == FlowControl.Return && finalReturns.Contains(insn.Address))
                    kind = Treatment.HostReturnToCaller;
                // A branch that went the same way on every recorded run needs no host: it falls through or jumps there.
                ulong fallThrough = insn.Address + (ulong)insn.Bytes.Length;
                if (kind == Treatment.HostJump && outcomes.TryGetValue(insn.Address, out var went) && went.Count == 1)
                {
                    ulong only = First(went);
                    if (only == fallThrough) kind = Treatment.Nop;
                    else if (WriteJump(text, offset, insn.Bytes.Length, (long)(only - fallThrough))) kind = Treatment.Written;
                }
                int length = insn.Bytes.Length;
                switch (kind)
                {
                    case Treatment.Verbatim:
                        for (int i = 0; i < length; i++) text[offset + i] = insn.Bytes[i];
                        break;
                    case Treatment.Nop:
                        WriteNop(text, offset, length);
                        break;
                    case Treatment.Written:
                        break;
                    default: // a one-byte stand-in (pop %rax for popf, hlt for a host branch), then the rest as one NOP
                        text[offset] = kind == Treatment.PopInsteadOfPopf ? PopRax : Hlt;
                        WriteNop(text, offset + 1, length - 1);
                        break;
                }
                if (kind == Treatment.HostJump || kind == Treatment.HostCall || kind == Treatment.HostReturn || kind == Treatment.HostReturnToCaller)
                    branches.Add(new HostBranch(offset, insn.Bytes.Length, kind == Treatment.HostCall ? +1 : kind == Treatment.HostJump ? 0 : -1,
                        returnsToCaller: kind == Treatment.HostReturnToCaller));
                unwind.Add(new UnwindEntry(offset, insn.Cfa, insn.RbpSaved));
            }

            foreach (var site in footprint.ReturnSites)
                unwind.Add(new UnwindEntry(checked((int)(site.Key - textBase)), site.Value));
            unwind.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        }

        /// <summary>
        /// The ret each recorded printk and allocator call returned to its caller with: the called function's own, or a
        /// function's it tail-called (vmalloc's jmp to __vmalloc_node).
        /// </summary>
        private static HashSet<ulong> FinalReturns(KernelFootprint footprint, string printkSymbol)
        {
            var rets = new HashSet<ulong>();
            void Add(RecordedPath path, ulong entry)
            {
                ulong last = 0;
                foreach (var step in footprint.Steps(path, entry)) last = step.Key;
                if (last != 0) rets.Add(last);
            }
            ulong printk = footprint.AddressOf(printkSymbol);
            foreach (var path in footprint.Printks) Add(path, printk);
            foreach (var call in footprint.CallPaths()) Add(call.Value, footprint.AddressOf(call.Key));
            return rets;
        }

        private enum Treatment { Verbatim, Nop, Written, PopInsteadOfPopf, HostJump, HostCall, HostReturn, HostReturnToCaller }

        /// <summary>Where control went after each instruction, over every recorded printk and allocator call, the panic path and the oops paths (the runs KDsl replays).</summary>
        private static Dictionary<ulong, HashSet<ulong>> Outcomes(KernelFootprint footprint, string printkSymbol)
        {
            var outcomes = new Dictionary<ulong, HashSet<ulong>>();
            void Add(RecordedPath path, ulong entry)
            {
                foreach (var step in footprint.Steps(path, entry))
                {
                    if (!outcomes.TryGetValue(step.Key, out var set)) outcomes[step.Key] = set = new HashSet<ulong>();
                    set.Add(step.Value);
                }
            }
            ulong printk = footprint.AddressOf(printkSymbol);
            foreach (var path in footprint.Printks) Add(path, printk);
            foreach (var call in footprint.CallPaths()) Add(call.Value, footprint.AddressOf(call.Key));
            if (footprint.Panic is { } panic) Add(panic, footprint.AddressOf(KernelFootprint.PanicEntry));
            foreach (var oops in footprint.OopsPaths) Add(oops.Value, footprint.AddressOf(KernelFootprint.OopsPathEntry(oops.Key)));
            return outcomes;
        }

        private static ulong First(HashSet<ulong> set)
        {
            foreach (var value in set) return value;
            throw new InvalidOperationException("empty set");
        }

        /// <summary>jmp rel8 or rel32 to <paramref name="displacement"/> from the instruction's end, NOP-padded to its length; false when it does not fit.</summary>
        private static bool WriteJump(List<byte> text, int offset, int length, long displacement)
        {
            if (length >= 2 && displacement >= sbyte.MinValue && displacement <= sbyte.MaxValue)
            {
                // the jmp goes last so its end is the real instruction's end; NOPs before it
                WriteNop(text, offset, length - 2);
                text[offset + length - 2] = 0xEB;
                text[offset + length - 1] = (byte)(sbyte)displacement;
                return true;
            }
            if (length >= 5 && displacement >= int.MinValue && displacement <= int.MaxValue)
            {
                WriteNop(text, offset, length - 5);
                text[offset + length - 5] = 0xE9;
                for (int i = 0; i < 4; i++) text[offset + length - 4 + i] = (byte)(displacement >> (8 * i));
                return true;
            }
            return false;
        }

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
            // A register copy or a constant load touches no memory: it runs, so the values a frame saves later (panic's
            // format in RBX, pushed by dump_stack_lvl) are the ones the real kernel had.
            if (IsConstantLoad(i) || IsZeroing(i) || (i.Mnemonic == Mnemonic.Mov && i.Op0Kind == OpKind.Register && i.Op0Register != Register.RSP &&
                i.Op1Kind == OpKind.Register && i.Op0Register.IsGPR() && i.Op1Register.IsGPR())) // not mov %fs,%edx (__show_regs)
                return Treatment.Verbatim;
            for (int op = 0; op < i.OpCount; op++)
            {
                var kind = i.GetOpKind(op);
                if (kind == OpKind.Memory && i.MemoryBase == Register.RSP && i.SegmentPrefix == Register.None) return Treatment.Verbatim;
                if (kind == OpKind.Register && op == 0 && (i.Op0Register == Register.RSP || (i.Op0Register == Register.RBP && ReadsRsp(i))))
                    return Treatment.Verbatim;
            }
            return Treatment.Nop;
        }

        private static bool IsConstantLoad(in Instruction i) =>
            i.Mnemonic == Mnemonic.Mov && i.Op0Kind == OpKind.Register && i.Op0Register != Register.RSP &&
            i.Op1Kind is OpKind.Immediate32 or OpKind.Immediate32to64 or OpKind.Immediate64;

        /// <summary>
        /// xor %reg,%reg: the zeroing idiom, a constant load of 0 (the entry code clears the interrupted context's
        /// registers with it, do_error_trap's caller its error code): run, so a register the real kernel cleared is not
        /// left holding an old return address that a later push would store as a stale "?" entry.
        /// </summary>
        private static bool IsZeroing(in Instruction i) =>
            (i.Mnemonic == Mnemonic.Xor || i.Mnemonic == Mnemonic.Sub) && i.OpCount == 2 && i.Op0Kind == OpKind.Register &&
            i.Op1Kind == OpKind.Register && i.Op0Register == i.Op1Register && i.Op0Register.IsGPR() && i.Op0Register != Register.ESP;

        /// <summary>The recorded instruction <paramref name="bytes"/> at <paramref name="address"/> decoded.</summary>
        private static Instruction Decode(byte[] bytes, ulong address)
        {
            var decoder = Decoder.Create(64, new ByteArrayCodeReader(bytes), address);
            decoder.Decode(out var decoded);
            return decoded;
        }

        /// <summary>
        /// Whether the recorded instruction loads a constant into a register (<c>mov $imm, %reg</c>): a service that
        /// stands over it does the load (<paramref name="register"/> is the full 64-bit one).
        /// </summary>
        public static bool TryConstantLoad(byte[] bytes, ulong address, out Register register, out ulong value)
        {
            var i = Decode(bytes, address);
            register = IsConstantLoad(i) ? i.Op0Register.GetFullRegister() : Register.None;
            value = register == Register.None ? 0 : i.GetImmediate(1);
            return register != Register.None;
        }

        /// <summary>
        /// Where a service's vmcall may stand over a recorded instruction: one the text makes a NOP, or a constant load the
        /// service performs. <paramref name="runsFirst"/>: otherwise, whether it is a plain stack operation (a push, a
        /// read through RSP) that can run as recorded before a service further on; a branch or call cannot.
        /// </summary>
        public static bool CanHoldService(byte[] bytes, ulong address, out bool runsFirst)
        {
            var i = Decode(bytes, address);
            var kind = Classify(i);
            runsFirst = kind == Treatment.Verbatim && i.FlowControl == FlowControl.Next && !IsConstantLoad(i);
            return kind == Treatment.Nop || IsConstantLoad(i);
        }

        /// <summary>mov %rsp,%rbp / lea N(%rsp),%rbp: the frame pointer a later leave or lea N(%rbp),%rsp goes back through.</summary>
        private static bool ReadsRsp(in Instruction i)
        {
            for (int op = 1; op < i.OpCount; op++)
                if ((i.GetOpKind(op) == OpKind.Register && i.GetOpRegister(op) == Register.RSP) ||
                    (i.GetOpKind(op) == OpKind.Memory && i.MemoryBase == Register.RSP)) return true;
            return false;
        }

        /// <summary>
        /// One NOP instruction of exactly <paramref name="length"/> bytes (the SDM's recommended multi-byte forms, extra
        /// 0x66 prefixes beyond nine), so a replaced instruction still retires as one instruction.
        /// </summary>
        public static void WriteNop(List<byte> text, int offset, int length)
        {
            if (length <= 0) return;
            byte[] form = NopForms[Math.Min(length, NopForms.Length - 1)];
            int prefixes = length - form.Length;
            for (int i = 0; i < prefixes; i++) text[offset + i] = 0x66;
            for (int i = 0; i < form.Length; i++) text[offset + prefixes + i] = form[i];
        }

        private static readonly byte[][] NopForms =
        {
            new byte[0],
            new byte[] { 0x90 },
            new byte[] { 0x66, 0x90 },
            new byte[] { 0x0F, 0x1F, 0x00 },
            new byte[] { 0x0F, 0x1F, 0x40, 0x00 },
            new byte[] { 0x0F, 0x1F, 0x44, 0x00, 0x00 },
            new byte[] { 0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00 },
            new byte[] { 0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00 },
            new byte[] { 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
            new byte[] { 0x66, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
        };

        private static void Grow(List<byte> text, int size)
        {
            if (text.Count < size) text.AddRange(new byte[size - text.Count]);
        }
    }
}
