using System;
using System.Collections.Generic;

namespace KDsl.Profiles
{
    /// <summary>A real kernel function as kallsyms sizes it (to the next symbol).</summary>
    public readonly struct FootprintSymbol
    {
        public FootprintSymbol(ulong address, int size, string name)
        {
            Address = address;
            Size = size;
            Name = name;
        }

        public ulong Address { get; }
        public int Size { get; }
        public string Name { get; }
    }

    /// <summary>One instruction the real kernel executed on a recorded path: its bytes, and the CFA offset at it.</summary>
    public readonly struct FootprintInstruction
    {
        public FootprintInstruction(ulong address, int cfa, byte[] bytes, int rbpSaved = 0)
        {
            Address = address;
            Cfa = cfa;
            Bytes = bytes;
            RbpSaved = rbpSaved;
        }

        public ulong Address { get; }
        /// <summary>RSP + Cfa is the caller's RSP (the slot above the return address), as ORC describes the address.</summary>
        public int Cfa { get; }
        /// <summary>How far below the CFA the function saved its caller's RBP (0: not saved), as ORC's bp rows say.</summary>
        public int RbpSaved { get; }
        public byte[] Bytes { get; }
    }

    /// <summary>
    /// A recorded run of the real kernel: a printk call (its format), an allocator call, panic's path from
    /// __stack_chk_fail to show_stack or an oops path (no format): how deep it went, and where control went at every
    /// non-sequential step.
    /// </summary>
    public sealed class RecordedPath
    {
        public RecordedPath(string format, int deepest, int steps, IReadOnlyList<KeyValuePair<ulong, ulong>> jumps,
            IReadOnlyList<KeyValuePair<int, string>>? residue = null, IReadOnlyList<RecordedWrite>? writes = null,
            IReadOnlyList<string>? formats = null)
        {
            Formats = formats ?? Array.Empty<string>();
            Writes = writes ?? Array.Empty<RecordedWrite>();
            Format = format;
            Deepest = deepest;
            Steps = steps;
            Jumps = jumps;
            Residue = residue ?? Array.Empty<KeyValuePair<int, string>>();
        }

        /// <summary>The format the module passed, KERN_ level prefix included.</summary>
        public string Format { get; }
        /// <summary>Bytes below the caller's RSP the call touched at its deepest (the return address included).</summary>
        public int Deepest { get; }
        /// <summary>Instructions the real call ran, from printk's first to its return.</summary>
        public int Steps { get; }
        /// <summary>Every step whose successor was not the next instruction: (from, to), in execution order.</summary>
        public IReadOnlyList<KeyValuePair<ulong, ulong>> Jumps { get; }
        /// <summary>
        /// The words the call changed below its caller's RSP, as they were when it returned: (bytes below the caller's
        /// RSP, value). Values: "t…" kernel text, "m" the module's own (the caller's), "c-…"/"c+…" a stack address relative
        /// to the caller's RSP, else the hex value. Return addresses and data alike: what an oops's scan finds later.
        /// </summary>
        public IReadOnlyList<KeyValuePair<int, string>> Residue { get; }
        /// <summary>The same words as the call went, in order: what a scan finds when the call dies half way.</summary>
        public IReadOnlyList<RecordedWrite> Writes { get; }
        /// <summary>A kernel path's printk calls (the oops path's report lines), their formats in call order.</summary>
        public IReadOnlyList<string> Formats { get; }
    }
}
