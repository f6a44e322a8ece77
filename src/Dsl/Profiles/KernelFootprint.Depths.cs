using System;
using System.Collections.Generic;
using Iced.Intel;

namespace KDsl.Profiles
{
    /// <summary>
    /// How deep one function's call went on a recorded path: the stack a kernel function a module calls directly
    /// (vsnprintf under snprintf) uses, measured where the real kernel ran it on the way (under printk).
    /// </summary>
    public sealed partial class KernelFootprint
    {
        private Dictionary<ulong, int>? _cfaByAddress;
        private IReadOnlyList<int>? _vsnprintfDepths;
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _vsnprintfDepthFor =
            new System.Collections.Concurrent.ConcurrentDictionary<string, int>(StringComparer.Ordinal);

        /// <summary>The function printk formats with; snprintf and sprintf call it too.</summary>
        public const string Vsnprintf = "vsnprintf";

        /// <summary>
        /// How deep the recorded printks' vsnprintf calls went below their caller (vprintk_store, 6.1: 208 bytes for
        /// text and integers, 1192 with %pS), each depth once, in ascending order: the frames a call of vsnprintf by
        /// snprintf can take (CodeGen/KernelPrintfFunctions lays one out for each).
        /// </summary>
        public IReadOnlyList<int> VsnprintfDepths
        {
            get
            {
                if (_vsnprintfDepths != null) return _vsnprintfDepths;
                var depths = new SortedSet<int>();
                foreach (var path in Printks) depths.Add(VsnprintfDepth(path.Format));
                var list = new List<int>(depths);
                lock (Cache) _vsnprintfDepths ??= list;
                return _vsnprintfDepths;
            }
        }

        /// <summary>The CFA at the end of vsnprintf's recorded prologue (<see cref="Prologue"/>): 8, its return address, without one.</summary>
        public int VsnprintfPrologueCfa
        {
            get
            {
                if (_vsnprintfPrologueCfa is int cfa) return cfa;
                var prologue = Prologue(Vsnprintf);
                cfa = prologue.Count > 0 ? prologue[prologue.Count - 1].CfaAfter : 8;
                lock (Cache) _vsnprintfPrologueCfa ??= cfa;
                return cfa;
            }
        }

        private int? _vsnprintfPrologueCfa;

        /// <summary>
        /// The bytes a snprintf's vsnprintf that goes <paramref name="depth"/> deep (<see cref="VsnprintfDepths"/>) takes below
        /// its recorded prologue: where KDsl's vsnprintf formats, in pieces (at least 16, so one always fits).
        /// </summary>
        public int VsnprintfBelowPrologue(int depth) => Math.Max(16, depth - VsnprintfPrologueCfa);

        /// <summary>
        /// <paramref name="function"/>'s recorded prologue: its instructions from the entry while each builds the frame (a
        /// push of a register, a sub from RSP), with the CFA after each (vsnprintf's six pushes and sub $0x20,%rsp on 5.10
        /// and 6.1: 88 bytes below its caller's RSP before its first store). Empty when the text does not record it.
        /// </summary>
        public IReadOnlyList<(byte[] Bytes, int CfaAfter)> Prologue(string function)
        {
            var prologue = new List<(byte[], int)>();
            if (!Records(function)) return prologue;
            ulong at = AddressOf(function);
            while (InstructionBytes(at) is byte[] bytes && BuildsFrame(bytes))
            {
                at += (ulong)bytes.Length;
                int? cfa = CfaAt(at);
                if (cfa is null) break;
                prologue.Add((bytes, cfa.Value));
            }
            return prologue;
        }

        /// <summary>push r64 (50+r, with REX.B 41), or sub rsp, imm8/imm32 (48 83 ec ib, 48 81 ec id).</summary>
        private static bool BuildsFrame(byte[] b) =>
            b.Length == 1 && b[0] >= 0x50 && b[0] <= 0x57 ||
            b.Length == 2 && b[0] == 0x41 && b[1] >= 0x50 && b[1] <= 0x57 ||
            b.Length >= 4 && b[0] == 0x48 && (b[1] == 0x83 || b[1] == 0x81) && b[2] == 0xec;

        /// <summary>The recorded CFA at the instruction at <paramref name="address"/>, or null when none ran there.</summary>
        private int? CfaAt(ulong address)
        {
            foreach (var insn in Instructions)
                if (insn.Address == address) return insn.Cfa;
            return null;
        }

        /// <summary>
        /// How deep vsnprintf goes for <paramref name="format"/>: its depth in the recorded printk of the closest format
        /// (<see cref="PrintkFor"/>: the conversions decide the helpers vsnprintf calls), the deepest without a recording.
        /// </summary>
        public int VsnprintfDepth(string format) => _vsnprintfDepthFor.GetOrAdd(format, f =>
        {
            var path = PrintkFor(f);
            if (path == null) return 0;
            lock (Cache) return DeepestCallOf(path, AddressOf(PrintkEntry), Vsnprintf);
        });

        /// <summary>The printk symbol the recorded paths start at (_printk on 6.1, printk before).</summary>
        private string PrintkEntry => Records("_printk") ? "_printk" : "printk";

        /// <summary>
        /// The deepest a call of <paramref name="function"/> on the recorded <paramref name="path"/> (run from
        /// <paramref name="entry"/>) went below its caller's RSP, its return address included; 0 when the path does not call
        /// it. Each instruction's recorded CFA is its function's frame at that point; a call starts a frame where the
        /// caller's RSP is, a jump into another function (a tail call, a retpoline's jmp) takes the jumping frame's place.
        /// </summary>
        public int DeepestCallOf(RecordedPath path, ulong entry, string function)
        {
            _cfaByAddress ??= CfaByAddress();
            ulong target = AddressOf(function);
            var bases = new List<int> { 0 };   // each active frame's CFA, in bytes below the path's caller's RSP
            int inside = -1, deepest = 0;       // the frame of the function's call (its index in bases), when in one
            foreach (var step in Steps(path, entry))
            {
                ulong pc = step.Key, next = step.Value;
                int cfa = _cfaByAddress[pc], top = bases[bases.Count - 1];
                if (inside >= 0) deepest = Math.Max(deepest, top + cfa - bases[inside]);
                var decoder = Decoder.Create(64, new ByteArrayCodeReader(_instructionBytes[pc]), pc);
                decoder.Decode(out var insn);
                switch (insn.FlowControl)
                {
                    case FlowControl.Call:
                    case FlowControl.IndirectCall:
                        bases.Add(top + cfa);
                        if (next == target && inside < 0) inside = bases.Count - 1;
                        break;
                    case FlowControl.Return:
                        if (bases.Count - 1 == inside) inside = -1;
                        if (bases.Count > 1) bases.RemoveAt(bases.Count - 1);
                        break;
                    case FlowControl.UnconditionalBranch:
                    case FlowControl.IndirectBranch:
                        if (FunctionAt(pc) != FunctionAt(next))
                        {
                            bases[bases.Count - 1] = top + cfa - 8;
                            if (next == target && inside < 0) inside = bases.Count - 1;
                        }
                        break;
                }
            }
            return deepest;
        }

        private Dictionary<ulong, int> CfaByAddress()
        {
            var cfa = new Dictionary<ulong, int>(Instructions.Count);
            foreach (var insn in Instructions) cfa[insn.Address] = insn.Cfa;
            return cfa;
        }

        /// <summary>The start of the recorded function holding <paramref name="address"/>, or 0.</summary>
        private ulong FunctionAt(ulong address)
        {
            foreach (var s in Symbols)
                if (address >= s.Address && address - s.Address < (ulong)s.Size) return s.Address;
            return 0;
        }
    }
}
