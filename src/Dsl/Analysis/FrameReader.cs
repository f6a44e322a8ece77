using System.Collections.Generic;
using Iced.Intel;
using KDsl.Image;
using IcedDecoder = Iced.Intel.Decoder;

namespace KDsl.Analysis
{
    /// <summary>A call instruction in a function: where, how deep the caller is at that point, and what it calls.</summary>
    public readonly struct CallSite
    {
        public CallSite(int offset, int depth, string? target, bool isKernel, string?[]? strings = null, bool isSibling = false)
        {
            Offset = offset;
            Depth = depth;
            Target = target;
            IsKernel = isKernel;
            _strings = strings;
            IsSibling = isSibling;
        }

        private readonly string?[]? _strings;

        /// <summary>Offset of the call instruction in .text.</summary>
        public int Offset { get; }
        /// <summary>Bytes the caller's frame occupies at the call (its return address, pushes, sub rsp, pushed arguments).</summary>
        public int Depth { get; }
        /// <summary>The called function (a module function or a kernel symbol), null for an indirect call.</summary>
        public string? Target { get; }
        public bool IsKernel { get; }
        /// <summary>The string constant the first argument register (RDI) was last loaded with before the call: printk's format.</summary>
        public string? FirstString => StringArgument(0);

        /// <summary>
        /// The string constant argument register <paramref name="index"/> (RDI, RSI, RDX: 0..2) was last loaded with
        /// before the call (snprintf's format is the third), or null.
        /// </summary>
        public string? StringArgument(int index) => _strings != null && index < _strings.Length ? _strings[index] : null;

        /// <summary>A sibling call (a jmp after the frame is torn down): the callee takes the caller's place on the stack.</summary>
        public bool IsSibling { get; }
    }

    /// <summary>One function's stack facts, read off its machine code.</summary>
    public sealed class FunctionFrame
    {
        public FunctionFrame(string name, int frameSize, int localSize, IReadOnlyList<CallSite> calls)
        {
            Name = name;
            FrameSize = frameSize;
            LocalSize = localSize;
            Calls = calls;
        }

        public string Name { get; }
        /// <summary>The deepest the function itself goes: return address + pushes + sub rsp (+ pushed call arguments).</summary>
        public int FrameSize { get; }
        /// <summary>What the prologue's sub rsp reserves: the number GCC's -Wframe-larger-than compares with FRAME_WARN.</summary>
        public int LocalSize { get; }
        public IReadOnlyList<CallSite> Calls { get; }
    }

    /// <summary>
    /// Reads a function's stack use off its bytes, as checkstack.pl reads objdump but following the control flow:
    /// Iced decodes each instruction, push/pop/sub/add on RSP move the depth, every path is followed from the entry
    /// (so the canary-failure block after the ret is seen at full depth), and calls are resolved through the
    /// image's relocations (kernel functions) or their displacement (module functions).
    /// </summary>
    public static class FrameReader
    {
        public static FunctionFrame Read(ModuleImage image, ModuleSymbol function) => Read(image, function, new ImageIndex(image));

        /// <summary>What resolving call targets needs from an image, built once for all of its functions.</summary>
        public sealed class ImageIndex
        {
            public ImageIndex(ModuleImage image)
            {
                var strings = new Dictionary<string, string>(System.StringComparer.Ordinal);
                foreach (var s in image.Symbols)
                {
                    if (s.Section == Section.RoData)
                    {
                        int length = 0;
                        while (s.Offset + length < image.RoData.Length && image.RoData[s.Offset + length] != 0) length++;
                        strings[s.Name] = System.Text.Encoding.UTF8.GetString(image.RoData, s.Offset, length);
                        continue;
                    }
                    FunctionsByOffset[s.Offset] = s.Name;
                    FunctionNames.Add(s.Name);
                    if (s.Name.EndsWith(ModuleSymbol.ColdSuffix, System.StringComparison.Ordinal))
                        ColdParts[s.Name.Substring(0, s.Name.Length - ModuleSymbol.ColdSuffix.Length)] = (s.Offset, s.Offset + s.Size);
                }
                foreach (var r in image.Relocations)
                {
                    if (r.Kind == RelocationKind.Rel32) Relocations[r.Offset] = r.Target;
                    else if (strings.TryGetValue(r.Target, out string? text) && r.Addend == 0) StringAt[r.Offset] = text;
                }
            }

            /// <summary>Relocation places (in .text) that load the address of a string constant, and the string.</summary>
            internal Dictionary<int, string> StringAt { get; } = new Dictionary<int, string>();

            internal Dictionary<int, string> Relocations { get; } = new Dictionary<int, string>();
            /// <summary>Each split function's cold part (NAME.cold), by the function's name: [start, end) in .text.</summary>
            internal Dictionary<string, (int Start, int End)> ColdParts { get; } = new Dictionary<string, (int, int)>();
            internal Dictionary<int, string> FunctionsByOffset { get; } = new Dictionary<int, string>();
            internal HashSet<string> FunctionNames { get; } = new HashSet<string>(System.StringComparer.Ordinal);
        }

        public static FunctionFrame Read(ModuleImage image, ModuleSymbol function, ImageIndex index)
        {
            int start = function.Offset, end = function.Offset + function.Size;
            // the function's code is its body and, split off, its cold part: control flows between the two
            var cold = index.ColdParts.TryGetValue(function.Name, out var part) ? part : (Start: 0, End: 0);
            bool InCold(int offset) => offset >= cold.Start && offset < cold.End;
            bool Inside(int offset) => offset >= start && offset < end || InCold(offset);
            // The calls in evaluation order, which is the code's order in the body; the cold part's code goes where the
            // branch into it is (entry: that branch's offset in the body, -1 on the body's own code).
            int EntryOf(int target, int from, int entry) => !InCold(target) ? -1 : InCold(from) ? entry : from;
            (long, long) Order(int offset, int entry) => entry < 0 ? (offset, 0) : (entry, offset);
            var depthAt = new Dictionary<int, int>();
            var work = new Stack<(int Offset, int Depth, int Entry)>();
            work.Push((start, 8, -1));
            var calls = new SortedDictionary<(long, long), CallSite>();
            int max = 8, locals = 0;
            // One decoder for the whole function, moved to each offset (creating one per instruction dominated the analysis).
            var reader = new ByteArrayCodeReader(image.Text);
            var decoder = IcedDecoder.Create(64, reader);

            // RDI, RSI, RDX's strings along one path; a branch target keeps the last seen (a format is loaded just before)
            var strings = new string?[StringRegisters.Length];
            while (work.Count > 0)
            {
                var (offset, depth, entry) = work.Pop();
                while (Inside(offset) && !depthAt.ContainsKey(offset))
                {
                    depthAt[offset] = depth;
                    reader.Position = offset;
                    decoder.IP = (ulong)offset;
                    decoder.Decode(out var insn);
                    if (insn.IsInvalid) break;
                    int next = (int)insn.NextIP;

                    switch (insn.Mnemonic)
                    {
                        case Mnemonic.Push:
                            depth += 8;
                            break;
                        case Mnemonic.Pop:
                            depth -= 8;
                            break;
                        case Mnemonic.Sub when insn.Op0Register == Register.RSP && insn.Op1Kind != OpKind.Register:
                            depth += (int)insn.GetImmediate(1);
                            locals += (int)insn.GetImmediate(1);
                            break;
                        case Mnemonic.Add when insn.Op0Register == Register.RSP && insn.Op1Kind != OpKind.Register:
                            depth -= (int)insn.GetImmediate(1);
                            break;
                        case Mnemonic.Call:
                            calls[Order(offset, entry)] = CallTarget(insn, offset, depth, index, strings);
                            System.Array.Clear(strings, 0, strings.Length); // the call clobbers the argument registers
                            break;
                    }
                    if (insn.Op0Kind == OpKind.Register)
                    {
                        int argument = System.Array.IndexOf(StringRegisters, insn.Op0Register.GetFullRegister());
                        if (argument >= 0) strings[argument] = StringLoaded(offset, next, index);
                    }
                    if (depth > max) max = depth;

                    if (insn.Mnemonic == Mnemonic.Ret || insn.Mnemonic == Mnemonic.Ud2) break;
                    if (insn.FlowControl == FlowControl.UnconditionalBranch)
                    {
                        if (insn.Op0Kind != OpKind.NearBranch64) break;
                        int target = (int)insn.NearBranch64;
                        if (index.Relocations.ContainsKey(offset + 1) || !Inside(target))
                        {
                            // a sibling call: the frame is gone, the callee returns to this function's caller in its place
                            calls[Order(offset, entry)] = CallTarget(insn, offset, depth - 8, index, strings, sibling: true);
                            break;
                        }
                        entry = EntryOf(target, offset, entry);
                        offset = target;
                        continue;
                    }
                    if (insn.FlowControl == FlowControl.ConditionalBranch)
                        work.Push(((int)insn.NearBranch64, depth, EntryOf((int)insn.NearBranch64, offset, entry)));
                    if (InCold(next) != InCold(offset)) break; // the two parts lie apart: no code falls from one into the other
                    offset = next;
                }
            }
            return new FunctionFrame(function.Name, max, locals, new List<CallSite>(calls.Values));
        }

        /// <summary>The string whose address the instruction at [offset, next) loads, through a relocation inside it.</summary>
        private static string? StringLoaded(int offset, int next, ImageIndex index)
        {
            for (int place = offset + 1; place < next; place++)
                if (index.StringAt.TryGetValue(place, out string? text)) return text;
            return null;
        }

        /// <summary>The argument registers whose string constants a call site keeps (formats: printk's in RDI, sprintf's in RSI, snprintf's in RDX).</summary>
        private static readonly Register[] StringRegisters = { Register.RDI, Register.RSI, Register.RDX };

        private static CallSite CallTarget(in Instruction insn, int offset, int depth, ImageIndex index, string?[] strings, bool sibling = false)
        {
            if (insn.Op0Kind != OpKind.NearBranch64) return new CallSite(offset, depth, null, false, isSibling: sibling);
            if (index.Relocations.TryGetValue(offset + 1, out string? symbol))
                return new CallSite(offset, depth, symbol, !index.FunctionNames.Contains(symbol),
                    System.Array.TrueForAll(strings, x => x == null) ? null : (string?[])strings.Clone(), sibling);
            return index.FunctionsByOffset.TryGetValue((int)insn.NearBranch64, out string? callee)
                ? new CallSite(offset, depth, callee, false, isSibling: sibling)
                : new CallSite(offset, depth, null, false, isSibling: sibling);
        }
    }
}
