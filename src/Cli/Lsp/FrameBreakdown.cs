using System.Collections.Generic;
using Iced.Intel;
using KDsl.Analysis;
using KDsl.Binding;
using KDsl.Image;
using KDsl.Symbols;

namespace KDsl.Cli.Lsp
{
    /// <summary>
    /// A frame's size taken apart, read off the function's machine code as its frame size is: the return address, the
    /// registers the prologue pushes (rbp under a frame-pointer profile, then the callee-saved ones), the prologue's
    /// `sub rsp` (of which 8 bytes are the stack-protector canary when the code reads it from gs:0x28, and the rest the
    /// arrays and the slotted scalars), and whatever the body pushes on top (arguments of a call past the sixth).
    /// </summary>
    internal sealed class FrameBreakdown
    {
        private FrameBreakdown(int frameSize, List<string> savedRegisters, int localSize, bool canary, int arrays, int pushedArguments)
        {
            FrameSize = frameSize;
            SavedRegisters = savedRegisters;
            LocalSize = localSize;
            Canary = canary;
            Arrays = arrays;
            PushedArguments = pushedArguments;
        }

        public int FrameSize { get; }
        public IReadOnlyList<string> SavedRegisters { get; }
        public int LocalSize { get; }
        public bool Canary { get; }
        /// <summary>Bytes of the local arrays, each in its 8-byte-aligned slot.</summary>
        public int Arrays { get; }
        /// <summary>Scalars in stack slots and spill temporaries: the sub rsp less the canary and the arrays.</summary>
        public int Scalars => LocalSize - (Canary ? 8 : 0) - Arrays;
        public int PushedArguments { get; }

        public static FrameBreakdown Read(ModuleImage image, ModuleSymbol symbol, FunctionFrame frame, BoundFunction? function)
        {
            var decoder = Decoder.Create(64, new ByteArrayCodeReader(image.Text, symbol.Offset, symbol.Size));
            decoder.IP = (ulong)symbol.Offset;
            var saved = new List<string>();
            bool prologue = true, canary = false;
            while (decoder.IP < (ulong)(symbol.Offset + symbol.Size))
            {
                decoder.Decode(out var insn);
                if (insn.IsInvalid) break;
                if (insn.Mnemonic == Mnemonic.Nop) continue; // the ftrace pad before the prologue
                if (prologue && insn.Mnemonic == Mnemonic.Push && insn.Op0Kind == OpKind.Register)
                    saved.Add(insn.Op0Register.ToString().ToLowerInvariant());
                else if (insn.Mnemonic != Mnemonic.Mov || insn.Op0Register != Register.RBP)
                    prologue = false; // the prologue is the pushes (and mov rbp, rsp) before anything else
                if (insn.MemorySegment == Register.GS) canary = true; // the stack protector's load of the canary, gs:0x28
            }
            int arrays = 0;
            if (function != null)
                foreach (var local in function.Locals)
                    if (local.Type.Kind == TypeKind.Array) arrays += (int)((local.Type.Size + 7) & ~7L);
            int pushed = frame.FrameSize - 8 - 8 * saved.Count - frame.LocalSize;
            if (arrays > frame.LocalSize - (canary ? 8 : 0)) arrays = frame.LocalSize - (canary ? 8 : 0); // an aliased or unused array has no slot
            return new FrameBreakdown(frame.FrameSize, saved, frame.LocalSize, canary, arrays, pushed < 0 ? 0 : pushed);
        }

        /// <summary>"return address 8 + saved registers 8 (rbx) + locals 4096 + canary 8".</summary>
        public override string ToString()
        {
            var parts = new List<string> { "return address 8" };
            if (SavedRegisters.Count > 0) parts.Add($"saved registers {8 * SavedRegisters.Count} ({string.Join(", ", SavedRegisters)})");
            if (Arrays > 0) parts.Add($"arrays {Arrays}");
            if (Scalars > 0) parts.Add($"scalar slots and spills {Scalars}");
            if (Canary) parts.Add("canary 8");
            if (PushedArguments > 0) parts.Add($"pushed arguments {PushedArguments}");
            return string.Join(" + ", parts);
        }
    }
}
