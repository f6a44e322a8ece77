using System.Collections.Generic;

namespace KDsl.Analysis
{
    /// <summary>One function's frame, as GCC's -fstack-usage reports it (one .su line).</summary>
    public sealed class FunctionStackUsage
    {
        /// <summary>The frame of <paramref name="name"/>, declared at <paramref name="line"/>:<paramref name="column"/>.</summary>
        public FunctionStackUsage(string name, int line, int column, int frameSize, int localSize)
        {
            Name = name;
            Line = line;
            Column = column;
            FrameSize = frameSize;
            LocalSize = localSize;
        }

        /// <summary>The function's symbol.</summary>
        public string Name { get; }
        /// <summary>1-based .kdsl line of its declaration.</summary>
        public int Line { get; }
        /// <summary>1-based column of its name.</summary>
        public int Column { get; }
        /// <summary>Return address + pushes + sub rsp: the bytes one activation holds.</summary>
        public int FrameSize { get; }
        /// <summary>The sub rsp alone: what -Wframe-larger-than compares with FRAME_WARN.</summary>
        public int LocalSize { get; }

        /// <summary>"step5.kdsl:15:6:rstack\t4120\tstatic".</summary>
        public string ToSuLine(string file) => $"{file}:{Line}:{Column}:{Name}\t{FrameSize}\tstatic";
    }

    /// <summary>Where the worst case first runs past THREAD_SIZE: in which activation of which function.</summary>
    public sealed class StackOverflowPoint
    {
        /// <summary>The overflow in activation <paramref name="depth"/> of <paramref name="function"/>, which needs <paramref name="needed"/> of <paramref name="threadSize"/> bytes.</summary>
        public StackOverflowPoint(string function, int depth, int needed, int threadSize, string? kernelFunction)
        {
            Function = function;
            Depth = depth;
            Needed = needed;
            ThreadSize = threadSize;
            KernelFunction = kernelFunction;
        }

        /// <summary>The module function whose frame, or whose call into the kernel, runs past the stack.</summary>
        public string Function { get; }
        /// <summary>Which activation of it (1 = the first): the recursion depth at which the guard page is hit.</summary>
        public int Depth { get; }
        /// <summary>Bytes of stack the path needs at that point.</summary>
        public int Needed { get; }
        /// <summary>THREAD_SIZE, the bytes there are.</summary>
        public int ThreadSize { get; }
        /// <summary>The kernel function (printk) inside which it happens, or null when the module's own frame does.</summary>
        public string? KernelFunction { get; }

        /// <summary>"rstack at depth 4: needs 17032 of 16384 bytes".</summary>
        public override string ToString() =>
            $"{Function} at depth {Depth}: needs {Needed} of {ThreadSize} bytes" + (KernelFunction is null ? "" : $" (in {KernelFunction})");
    }

    /// <summary>An entry point's worst case: bytes of the task stack in use at the deepest point, and the path there.</summary>
    public sealed class EntryStackUsage
    {
        /// <summary>The worst case of entry point <paramref name="entry"/>.</summary>
        public EntryStackUsage(string entry, long worstCase, string path, bool unbounded, StackOverflowPoint? overflow)
        {
            Entry = entry;
            WorstCase = worstCase;
            Path = path;
            Unbounded = unbounded;
            Overflow = overflow;
        }

        /// <summary>The entry point's symbol (step5_init, step5_exit, a thread function).</summary>
        public string Entry { get; }
        /// <summary>Bytes from the stack top, the kernel's syscall path included; long.MaxValue when unbounded.</summary>
        public long WorstCase { get; }
        /// <summary>"step5_init → rstack ×101 → _printk".</summary>
        public string Path { get; }
        /// <summary>Whether a recursion has no bound the analysis could find (KDSL1003): WorstCase is then long.MaxValue.</summary>
        public bool Unbounded { get; }
        /// <summary>Where the worst case runs past THREAD_SIZE, or null when it fits.</summary>
        public StackOverflowPoint? Overflow { get; }

        /// <summary>"init: worst case 17032 of the stack (step5_init → rstack ×101 → _printk), overflows: rstack at depth 4: …".</summary>
        public override string ToString() =>
            $"{Entry}: worst case {(Unbounded ? "unbounded" : WorstCase + " bytes")} ({Path})" + (Overflow is null ? "" : $", overflows: {Overflow}");
    }

    /// <summary>The static stack analysis of one module: per function and per entry point.</summary>
    public sealed class StackReport
    {
        /// <summary>A report of <paramref name="functions"/> and <paramref name="entries"/> for a <paramref name="threadSize"/>-byte stack.</summary>
        public StackReport(IReadOnlyList<FunctionStackUsage> functions, IReadOnlyList<EntryStackUsage> entries, int threadSize)
        {
            Functions = functions;
            Entries = entries;
            ThreadSize = threadSize;
        }

        /// <summary>Each function's frame.</summary>
        public IReadOnlyList<FunctionStackUsage> Functions { get; }
        /// <summary>Each entry point's worst case.</summary>
        public IReadOnlyList<EntryStackUsage> Entries { get; }
        /// <summary>THREAD_SIZE the worst cases are compared with.</summary>
        public int ThreadSize { get; }

        /// <summary>One line per function (its frame) and per entry point (its worst case), as `kdsl check` reports them.</summary>
        public override string ToString()
        {
            var lines = new List<string>();
            foreach (var f in Functions) lines.Add($"{f.Name}: frame {f.FrameSize} bytes");
            foreach (var e in Entries) lines.Add(e.ToString());
            lines.Add($"THREAD_SIZE {ThreadSize}");
            return string.Join("\n", lines);
        }
    }
}
