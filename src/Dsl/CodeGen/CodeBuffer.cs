using System;
using System.Collections.Generic;
using Iced.Intel;

namespace KDsl.CodeGen
{
    /// <summary>A branch target. Several may land on one instruction (the end of an if inside a loop is the loop's step).</summary>
    internal sealed class CodeLabel
    {
        public CodeLabel(Label iced) => Iced = iced;
        public Label Iced;
    }

    /// <summary>A field in the function's bytes to patch once addresses are known.</summary>
    internal readonly struct Fixup
    {
        public Fixup(int instructionIndex, int fieldOffset, Image.RelocationKind kind, string target, long addend)
        {
            InstructionIndex = instructionIndex;
            FieldOffset = fieldOffset;
            Kind = kind;
            Target = target;
            Addend = addend;
        }

        public int InstructionIndex { get; }
        public int FieldOffset { get; }
        public Image.RelocationKind Kind { get; }
        public string Target { get; }
        public long Addend { get; }
    }

    /// <summary>
    /// One function's instructions on top of Iced's Assembler, plus what the image needs besides bytes: the line
    /// table, ORC-style unwind rows and fixups, all recorded by instruction index and turned into byte offsets
    /// once Iced's BlockEncoder has chosen branch sizes.
    /// </summary>
    internal sealed class CodeBuffer
    {
        private readonly Dictionary<ulong, ulong> _labelAlias = new Dictionary<ulong, ulong>();
        private readonly List<(int Index, int Line)> _lines = new List<(int, int)>();
        private readonly List<(int Index, int Cfa)> _cfa = new List<(int, int)>();
        private readonly List<Fixup> _fixups = new List<Fixup>();
        private readonly List<(int Index, string Tag)> _marks = new List<(int, string)>();
        private readonly List<(int Index, int Line, bool Warning, bool NoCutHere)> _bugs = new List<(int, int, bool, bool)>();
        private CodeLabel? _pending;
        private int _pendingIndex = -1;
        /// <summary>The instruction indexes where the code changes part (body, cold part, body, ...).</summary>
        private readonly List<int> _partSwitches = new List<int>();

        /// <summary>Where the cold part is encoded before the linker places it: far enough that every branch across is rel32.</summary>
        private const ulong ColdBase = 0x1000_0000;

        public Assembler Asm { get; } = new Assembler(64);

        private int Count => Asm.Instructions.Count;

        public CodeLabel NewLabel() => new CodeLabel(Asm.CreateLabel());

        /// <summary>Binds a label to the next instruction; a second label on the same instruction becomes an alias.</summary>
        public void Place(CodeLabel label)
        {
            if (_pending is not null && _pendingIndex == Count)
            {
                _labelAlias[label.Iced.Id] = _pending.Iced.Id;
                return;
            }
            Asm.Label(ref label.Iced);
            _pending = label;
            _pendingIndex = Count;
        }

        /// <summary>Code from the next instruction on belongs to this .kdsl line.</summary>
        public void MarkLine(int line)
        {
            if (_lines.Count > 0 && _lines[_lines.Count - 1].Index == Count)
                _lines[_lines.Count - 1] = (Count, line);
            else if (_lines.Count == 0 || _lines[_lines.Count - 1].Line != line)
                _lines.Add((Count, line));
        }

        /// <summary>From the next instruction on, the caller's frame starts at RSP + cfa.</summary>
        public void SetCfa(int cfa)
        {
            if (_cfa.Count > 0 && _cfa[_cfa.Count - 1].Index == Count) _cfa[_cfa.Count - 1] = (Count, cfa);
            else _cfa.Add((Count, cfa));
        }

        public void Bytes(params byte[] bytes) => Asm.db(bytes);

        /// <summary>Whether the instructions emitted now go to the function's cold part (NAME.cold in .text.unlikely).</summary>
        public bool Cold { get; private set; }

        /// <summary>
        /// From the next instruction on, code goes to the cold part or back to the body. The two are laid out apart, so the
        /// caller keeps control flow whole: it ends the part it leaves with a jmp across, unless no path falls through.
        /// </summary>
        public void SetCold(bool cold)
        {
            if (cold == Cold) return;
            _partSwitches.Add(Count);
            Cold = cold;
        }

        /// <summary>Names the offset of the next instruction (the kernel text records its vmcall sites this way).</summary>
        public void Mark(string tag) => _marks.Add((Count, tag));

        /// <summary>ud2 with a __bug_table entry (BUG, or WARN when <paramref name="warning"/>) for the given .kdsl line.</summary>
        public void Ud2Bug(int line, bool warning, bool noCutHere = false)
        {
            _bugs.Add((Count, line, warning, noCutHere));
            Asm.ud2();
        }

        /// <summary>call rel32 to a symbol resolved later (a kernel function by insmod, a module function by the linker).</summary>
        public void CallSymbol(string symbol)
        {
            _fixups.Add(new Fixup(Count, 1, Image.RelocationKind.Rel32, symbol, -4));
            Bytes(0xE8, 0, 0, 0, 0);
        }

        /// <summary>jmp rel32 to a symbol (a sibling call), relocated as a call is.</summary>
        public void JumpSymbol(string symbol)
        {
            _fixups.Add(new Fixup(Count, 1, Image.RelocationKind.Rel32, symbol, -4));
            Bytes(0xE9, 0, 0, 0, 0);
        }

        /// <summary>mov reg, imm32 (sign-extended) of a module address: R_X86_64_32S, as GCC's -mcmodel=kernel emits.</summary>
        public void MovSymbolAddress(Gpr reg, string symbol)
        {
            int r = (int)reg;
            _fixups.Add(new Fixup(Count, 3, Image.RelocationKind.Abs32S, symbol, 0));
            Bytes((byte)(0x48 | (r >> 3)), 0xC7, (byte)(0xC0 | (r & 7)), 0, 0, 0, 0);
        }

        /// <summary>
        /// Encodes at offset 0 and maps everything recorded by instruction index to byte offsets. With a cold part, the
        /// body and the cold part are encoded as two blocks and the returned code's <see cref="FunctionCode.Cold"/> holds
        /// the second, NAME.cold; each branch from one to the other is a rel32 relocation against the other's symbol,
        /// which the module's linker resolves once both are placed.
        /// </summary>
        public FunctionCode Encode(string name, int line)
        {
            var instructions = new List<Instruction>(Asm.Instructions);
            for (int i = 0; i < instructions.Count; i++)
            {
                var insn = instructions[i];
                if (insn.Op0Kind == OpKind.NearBranch64 && _labelAlias.TryGetValue(insn.NearBranch64, out ulong target))
                {
                    insn.NearBranch64 = target;
                    instructions[i] = insn;
                }
            }
            if (_partSwitches.Count > 0) return EncodeParts(name, line, instructions);

            var writer = new ByteWriter();
            if (!BlockEncoder.TryEncode(64, new InstructionBlock(writer, instructions, 0), out string? error, out BlockEncoderResult result,
                    BlockEncoderOptions.ReturnNewInstructionOffsets))
                throw new InvalidOperationException($"encoding {name} failed: {error}");

            uint[] offsets = result.NewInstructionOffsets;
            byte[] bytes = writer.ToArray();
            int OffsetOf(int index) => index < offsets.Length ? (int)offsets[index] : bytes.Length;

            var lines = new List<Image.LineEntry>();
            foreach (var (index, l) in _lines) lines.Add(new Image.LineEntry(OffsetOf(index), l));
            var unwind = new List<Image.UnwindEntry>();
            foreach (var (index, cfa) in _cfa) unwind.Add(new Image.UnwindEntry(OffsetOf(index), cfa));
            var fixups = new List<Image.Relocation>();
            foreach (var f in _fixups) fixups.Add(new Image.Relocation(OffsetOf(f.InstructionIndex) + f.FieldOffset, f.Kind, f.Target, f.Addend));
            var marks = new List<(int, string)>();
            foreach (var (index, tag) in _marks) marks.Add((OffsetOf(index), tag));
            var bugs = new List<(int, int, bool, bool)>();
            foreach (var (index, l, warning, noCutHere) in _bugs) bugs.Add((OffsetOf(index), l, warning, noCutHere));
            return new FunctionCode(name, line, bytes, lines, unwind, fixups, marks) { Bugs = bugs };
        }

        /// <summary>The body and the cold part as two blocks; see <see cref="Encode"/>.</summary>
        private FunctionCode EncodeParts(string name, int line, List<Instruction> instructions)
        {
            int n = instructions.Count;
            var cold = new bool[n];
            bool inCold = false;
            for (int i = 0, k = 0; i < n; i++)
            {
                while (k < _partSwitches.Count && _partSwitches[k] == i) { inCold = !inCold; k++; }
                cold[i] = inCold;
            }
            var parts = new[] { new List<Instruction>(), new List<Instruction>() };
            var indexInPart = new int[n];
            var labelled = new Dictionary<ulong, int>();
            for (int i = 0; i < n; i++)
            {
                var part = parts[cold[i] ? 1 : 0];
                indexInPart[i] = part.Count;
                part.Add(instructions[i]);
                if (instructions[i].IP != 0) labelled[instructions[i].IP] = i;
            }
            var writers = new[] { new ByteWriter(), new ByteWriter() };
            var blocks = new[] { new InstructionBlock(writers[0], parts[0], 0), new InstructionBlock(writers[1], parts[1], ColdBase) };
            if (!BlockEncoder.TryEncode(64, blocks, out string? error, out BlockEncoderResult[]? encoded, BlockEncoderOptions.ReturnNewInstructionOffsets))
                throw new InvalidOperationException($"encoding {name} failed: {error}");
            var results = encoded!;
            var bytes = new[] { writers[0].ToArray(), writers[1].ToArray() };
            string[] names = { name, name + Image.ModuleSymbol.ColdSuffix };
            int PartOf(int index) => index < n ? (cold[index] ? 1 : 0) : 0;
            int OffsetOf(int index)
            {
                if (index >= n) return bytes[0].Length;
                uint[] offsets = results[PartOf(index)].NewInstructionOffsets;
                int j = indexInPart[index];
                return j < offsets.Length ? (int)offsets[j] : bytes[PartOf(index)].Length;
            }
            int EndOf(int index)
            {
                for (int j = index + 1; j < n; j++) // the next instruction of the same part, or the part's end
                    if (PartOf(j) == PartOf(index)) return OffsetOf(j);
                return bytes[PartOf(index)].Length;
            }

            var lines = new[] { new List<Image.LineEntry>(), new List<Image.LineEntry>() };
            var unwind = new[] { new List<Image.UnwindEntry>(), new List<Image.UnwindEntry>() };
            var fixups = new[] { new List<Image.Relocation>(), new List<Image.Relocation>() };
            var marks = new[] { new List<(int, string)>(), new List<(int, string)>() };
            var bugs = new[] { new List<(int, int, bool, bool)>(), new List<(int, int, bool, bool)>() };
            // the line and the CFA hold from their instruction on in emission order: each part gets a row wherever the
            // value in force differs from its previous instruction's
            var lastLine = new int?[2];
            var lastCfa = new int?[2];
            int li = 0, ci = 0, currentLine = 0, currentCfa = 8;
            for (int i = 0; i < n; i++)
            {
                while (li < _lines.Count && _lines[li].Index <= i) currentLine = _lines[li++].Line;
                while (ci < _cfa.Count && _cfa[ci].Index <= i) currentCfa = _cfa[ci++].Cfa;
                int p = PartOf(i);
                if (li > 0 && lastLine[p] != currentLine) { lines[p].Add(new Image.LineEntry(OffsetOf(i), currentLine)); lastLine[p] = currentLine; }
                if (lastCfa[p] != currentCfa) { unwind[p].Add(new Image.UnwindEntry(OffsetOf(i), currentCfa)); lastCfa[p] = currentCfa; }

                // a branch to the other part: its rel32 (the instruction's last four bytes) against the other's symbol
                var insn = instructions[i];
                if (insn.Op0Kind == OpKind.NearBranch64 && labelled.TryGetValue(insn.NearBranch64, out int target) && PartOf(target) != p)
                    fixups[p].Add(new Image.Relocation(EndOf(i) - 4, Image.RelocationKind.Rel32, names[PartOf(target)], OffsetOf(target) - 4));
            }
            foreach (var f in _fixups)
                fixups[PartOf(f.InstructionIndex)].Add(new Image.Relocation(OffsetOf(f.InstructionIndex) + f.FieldOffset, f.Kind, f.Target, f.Addend));
            foreach (var (index, tag) in _marks) marks[PartOf(index)].Add((OffsetOf(index), tag));
            foreach (var (index, l, warning, noCutHere) in _bugs) bugs[PartOf(index)].Add((OffsetOf(index), l, warning, noCutHere));
            return new FunctionCode(name, line, bytes[0], lines[0], unwind[0], fixups[0], marks[0])
            {
                Bugs = bugs[0],
                Cold = new FunctionCode(names[1], line, bytes[1], lines[1], unwind[1], fixups[1], marks[1]) { Bugs = bugs[1] },
            };
        }

        private sealed class ByteWriter : CodeWriter
        {
            private readonly List<byte> _bytes = new List<byte>();
            public override void WriteByte(byte value) => _bytes.Add(value);
            public byte[] ToArray() => _bytes.ToArray();
        }
    }

    /// <summary>One function's encoded bytes with offsets relative to its first byte.</summary>
    internal sealed class FunctionCode
    {
        public FunctionCode(string name, int line, byte[] bytes, List<Image.LineEntry> lines, List<Image.UnwindEntry> unwind,
            List<Image.Relocation> fixups, List<(int Offset, string Tag)> marks)
        {
            Marks = marks;
            Name = name;
            Line = line;
            Bytes = bytes;
            Lines = lines;
            Unwind = unwind;
            Fixups = fixups;
        }

        public string Name { get; }
        public int Line { get; }
        public byte[] Bytes { get; }
        public List<Image.LineEntry> Lines { get; }
        public List<Image.UnwindEntry> Unwind { get; }
        public List<Image.Relocation> Fixups { get; }
        public List<(int Offset, string Tag)> Marks { get; }
        /// <summary>The function's ud2 sites of BUG/WARN: offset, .kdsl line, BUGFLAG_WARNING.</summary>
        public List<(int Offset, int Line, bool Warning, bool NoCutHere)> Bugs { get; set; } = new List<(int, int, bool, bool)>();
        /// <summary>The function's cold part (NAME.cold: the blocks that never run, <see cref="ColdPart"/>), or null.</summary>
        public FunctionCode? Cold { get; set; }
    }
}
