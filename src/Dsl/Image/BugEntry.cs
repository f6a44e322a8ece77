namespace KDsl.Image
{
    /// <summary>
    /// One entry of the module's __bug_table (include/asm-generic/bug.h struct bug_entry): the ud2 at
    /// <see cref="Offset"/> in .text is a BUG() or a WARN() of the .kdsl file and line given. report_bug finds the
    /// entry by the trapping RIP; a warning (BUGFLAG_WARNING) prints the WARNING block and execution continues after
    /// the ud2, a BUG prints "kernel BUG at FILE:LINE!" and the #UD oops follows.
    /// </summary>
    public sealed class BugEntry
    {
        /// <summary>The ud2 at <paramref name="offset"/>: a WARN() when <paramref name="warning"/>, else a BUG(), of <paramref name="file"/>:<paramref name="line"/>.</summary>
        public BugEntry(int offset, string file, int line, bool warning, bool noCutHere = false)
        {
            Offset = offset;
            File = file;
            Line = line;
            Warning = warning;
            NoCutHere = noCutHere;
        }

        /// <summary>Offset of the ud2 in .text (bug_addr_disp resolved).</summary>
        public int Offset { get; }
        /// <summary>__FILE__: the .kdsl path as the compiler was given it.</summary>
        public string File { get; }
        /// <summary>__LINE__: the 1-based .kdsl line of the BUG/WARN.</summary>
        public int Line { get; }
        /// <summary>BUGFLAG_WARNING: WARN_ON rather than BUG/BUG_ON.</summary>
        public bool Warning { get; }
        /// <summary>BUGFLAG_NO_CUT_HERE: WARN(cond, fmt, ...), whose __warn_printk printed the cut-here line and the message already.</summary>
        public bool NoCutHere { get; }

        /// <summary>The same entry moved by <paramref name="delta"/> bytes (a function placed in the module's .text).</summary>
        public BugEntry Shift(int delta) => new BugEntry(Offset + delta, File, Line, Warning, NoCutHere);
    }
}
