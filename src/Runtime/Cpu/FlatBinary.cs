using System;
using System.Collections.Generic;
using Iced.Intel;
using KDsl.Image;

namespace KDsl.Runtime.Cpu
{
    /// <summary>
    /// A module function as a flat, position-independent binary that also runs natively (`kdsl build --emit-bin`):
    /// entry at offset 0, called as <c>uint64_t entry(uint64_t arg, uint8_t *scratch, uint64_t size)</c> (SysV),
    /// result in RAX. The blob holds the entry and every module function it calls (their relative layout kept, so
    /// the rel32 calls need no fixing); when the entry is not the first of them, offset 0 holds a <c>jmp</c> to it.
    /// Refused: relocations (kernel calls such as printk, string addresses), indirect calls and jumps, and system
    /// instructions (syscall, vmcall, int, hlt, ...). The canary check's call of __stack_chk_fail goes to a ud2 at the
    /// blob's end. Reads of the stack-protector canary at gs:0x28 are allowed
    /// and reported (<see cref="UsesGs"/>): the native loader points GS at a zeroed page.
    /// </summary>
    public sealed class FlatBinary
    {
        /// <summary>Bytes before the first function when the entry needs a jump stub (keeps 16-byte alignment).</summary>
        public const int StubSize = 16;

        private const string StackChkFail = "__stack_chk_fail";

        private FlatBinary(byte[] bytes, int entryOffset, bool usesGs, IReadOnlyList<string> functions)
        {
            Bytes = bytes;
            EntryOffset = entryOffset;
            UsesGs = usesGs;
            Functions = functions;
        }

        public byte[] Bytes { get; }
        /// <summary>Where the entry function itself starts in <see cref="Bytes"/> (0, or <see cref="StubSize"/> after a jump stub).</summary>
        public int EntryOffset { get; }
        /// <summary>True when the code reads gs: (the stack-protector canary).</summary>
        public bool UsesGs { get; }
        /// <summary>The module functions the blob holds, entry first.</summary>
        public IReadOnlyList<string> Functions { get; }

        public static FlatBinary? TryCreate(ModuleImage image, string entry, out string? error)
        {
            error = null;
            var functions = new List<ModuleSymbol>();
            foreach (var s in image.Symbols)
                if (s.Section == Section.Text && s.Size > 0) functions.Add(s);
            functions.Sort((a, b) => a.Offset.CompareTo(b.Offset));

            ModuleSymbol? FunctionAt(long offset)
            {
                foreach (var f in functions)
                    if (offset >= f.Offset && offset < f.Offset + f.Size) return f;
                return null;
            }

            ModuleSymbol? start = functions.Find(f => f.Name == entry);
            if (start == null)
            {
                error = $"no function '{entry}' in module {image.Name} (functions: {string.Join(", ", functions.ConvertAll(f => f.Name))})";
                return null;
            }

            var closure = new List<ModuleSymbol> { start };
            var seen = new HashSet<string> { start.Name };
            bool usesGs = false;
            var traps = new List<Relocation>();
            for (int k = 0; k < closure.Count; k++)
            {
                var f = closure[k];
                var decoder = Decoder.Create(64, new ByteArrayCodeReader(image.Text, f.Offset, f.Size), (ulong)f.Offset);
                while (decoder.IP < (ulong)(f.Offset + f.Size))
                {
                    decoder.Decode(out Instruction ins);
                    string where = $"{f.Name}+0x{ins.IP - (ulong)f.Offset:x}";
                    if (ins.IsInvalid)
                    {
                        error = $"{where}: undecodable bytes";
                        return null;
                    }
                    foreach (var r in image.Relocations)
                    {
                        if ((ulong)r.Offset >= ins.IP && (ulong)r.Offset < ins.NextIP)
                        {
                            if (r.Target == StackChkFail && r.Kind == RelocationKind.Rel32)
                            {
                                traps.Add(r); // the canary check's failure path: sent to a ud2 inside the blob
                                continue;
                            }
                            error = $"{where}: refers to {r.Target} outside the blob (a blob makes no calls out and uses no data of the module)";
                            return null;
                        }
                    }
                    switch (ins.Mnemonic)
                    {
                        case Mnemonic.Syscall: case Mnemonic.Sysenter: case Mnemonic.Int: case Mnemonic.Int1: case Mnemonic.Into:
                        case Mnemonic.Vmcall: case Mnemonic.Hlt: case Mnemonic.Ud2: case Mnemonic.Iretq: case Mnemonic.Sysretq:
                        case Mnemonic.Rdmsr: case Mnemonic.Wrmsr: case Mnemonic.Cli: case Mnemonic.Sti: case Mnemonic.Swapgs:
                            error = $"{where}: {ins.Mnemonic.ToString().ToLowerInvariant()} cannot run in a native blob";
                            return null;
                    }
                    if (ins.SegmentPrefix == Register.GS || ins.SegmentPrefix == Register.FS) usesGs = true;
                    FlowControl flow = ins.FlowControl;
                    if (flow == FlowControl.IndirectCall || flow == FlowControl.IndirectBranch)
                    {
                        error = $"{where}: indirect {(flow == FlowControl.IndirectCall ? "call" : "jump")} (the blob cannot prove it stays inside)";
                        return null;
                    }
                    bool relocated = traps.Exists(r => (ulong)r.Offset >= ins.IP && (ulong)r.Offset < ins.NextIP);
                    if (!relocated && (flow == FlowControl.Call || flow == FlowControl.UnconditionalBranch || flow == FlowControl.ConditionalBranch))
                    {
                        var target = FunctionAt((long)ins.NearBranchTarget);
                        if (target == null)
                        {
                            error = $"{where}: branches to 0x{ins.NearBranchTarget:x}, outside every function";
                            return null;
                        }
                        if (seen.Add(target.Name)) closure.Add(target);
                    }
                }
            }

            int lo = int.MaxValue, hi = 0;
            foreach (var f in closure)
            {
                lo = Math.Min(lo, f.Offset);
                hi = Math.Max(hi, f.Offset + f.Size);
            }
            int stub = start.Offset == lo ? 0 : StubSize;
            int body = stub + hi - lo;
            int trap = traps.Count == 0 ? body : (body + 15) & ~15;
            var bytes = new byte[traps.Count == 0 ? body : trap + 16];
            for (int i = body; i < bytes.Length; i++) bytes[i] = 0xCC;
            Array.Copy(image.Text, lo, bytes, stub, hi - lo);
            if (traps.Count != 0)
            {
                bytes[trap] = 0x0F; // ud2: __stack_chk_fail's stand-in (the canary was overwritten)
                bytes[trap + 1] = 0x0B;
                foreach (var r in traps)
                {
                    int field = stub + r.Offset - lo;
                    BitConverter.TryWriteBytes(new Span<byte>(bytes, field, 4), checked((int)(trap + r.Addend - field)));
                }
            }
            if (stub != 0)
            {
                int rel = stub + (start.Offset - lo) - 5;
                bytes[0] = 0xE9;
                BitConverter.TryWriteBytes(new Span<byte>(bytes, 1, 4), rel);
                for (int i = 5; i < stub; i++) bytes[i] = 0xCC;
            }
            var names = closure.ConvertAll(f => f.Name);
            return new FlatBinary(bytes, stub + (start.Offset - lo), usesGs, names);
        }
    }
}
