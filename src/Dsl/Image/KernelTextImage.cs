using System.Collections.Generic;

namespace KDsl.Image
{
    /// <summary>A vmcall site in the kernel text: when the CPU stops after it, the C# kernel runs this service.</summary>
    public readonly struct ServiceSite
    {
        public ServiceSite(int offset, string function, bool atEntry)
        {
            Offset = offset;
            Function = function;
            AtEntry = atEntry;
        }

        /// <summary>Offset of the instruction after the vmcall (where RIP points when the CPU stops).</summary>
        public int Offset { get; }
        /// <summary>The modelled kernel function the site belongs to (_printk, vprintk_store, entry_SYSCALL_64…).</summary>
        public string Function { get; }
        /// <summary>True for the vmcall before the prologue (arguments still in the ABI's places).</summary>
        public bool AtEntry { get; }
    }

    /// <summary>
    /// A hlt the footprint text put where the real kernel branched on data (jcc, indirect jmp or call): the C# kernel
    /// sends control where the recorded run went; a call also pushes the address after the real instruction, a
    /// retpoline's ret pops the word it returns through.
    /// </summary>
    public readonly struct HostBranch
    {
        public HostBranch(int offset, int length, int stackWords, bool returnsToCaller = false)
        {
            Offset = offset;
            Length = length;
            StackWords = stackWords;
            ReturnsToCaller = returnsToCaller;
        }

        /// <summary>Offset of the real instruction (and of the hlt that stands for it).</summary>
        public int Offset { get; }
        /// <summary>The real instruction's length: a call returns past it.</summary>
        public int Length { get; }
        /// <summary>+1: a call (pushes the return address); -1: a retpoline's ret (pops the target it stored); 0: a jump.</summary>
        public int StackWords { get; }
        public bool IsCall => StackWords > 0;
        /// <summary>
        /// printk's own ret, back into the module: an ordinary ret through the word on the stack, after which the C# kernel
        /// leaves below the caller what the recorded call left there (<see cref="KDsl.Profiles.RecordedPath.Residue"/>).
        /// </summary>
        public bool ReturnsToCaller { get; }
    }

    /// <summary>An __ex_table entry: a fault at the instruction that the fault handler cannot resolve resumes at the fixup.</summary>
    public readonly struct ExceptionTableEntry
    {
        public ExceptionTableEntry(int instruction, int fixup)
        {
            Instruction = instruction;
            Fixup = fixup;
        }

        /// <summary>Offsets in the text.</summary>
        public int Instruction { get; }
        public int Fixup { get; }
    }

    /// <summary>The modelled kernel's text for one profile: machine code, symbols, unwind rows, vmcall sites and BUG sites.</summary>
    public sealed class KernelTextImage
    {
        public KernelTextImage(byte[] text, IReadOnlyList<ModuleSymbol> symbols, IReadOnlyList<UnwindEntry> unwind, IReadOnlyList<ServiceSite> services,
            IReadOnlyList<BugEntry>? bugs = null, IReadOnlyList<HostBranch>? branches = null, IReadOnlyList<int>? pages = null,
            IReadOnlyList<ExceptionTableEntry>? exceptionTable = null)
        {
            ExceptionTable = exceptionTable ?? new ExceptionTableEntry[0];
            Bugs = bugs ?? new BugEntry[0];
            Branches = branches ?? new HostBranch[0];
            Pages = pages;
            Text = text;
            Symbols = symbols;
            Unwind = unwind;
            Services = services;
        }

        public byte[] Text { get; }
        public IReadOnlyList<ModuleSymbol> Symbols { get; }
        public IReadOnlyList<UnwindEntry> Unwind { get; }
        public IReadOnlyList<ServiceSite> Services { get; }
        /// <summary>The footprint text's host branches (none for a profile without a recorded footprint).</summary>
        public IReadOnlyList<HostBranch> Branches { get; }
        /// <summary>The 4 KiB pages of <see cref="Text"/> that hold code (the rest of the real kernel's text is not modelled); null: all.</summary>
        public IReadOnlyList<int>? Pages { get; }
        /// <summary>The kernel's own __bug_table: BUG_ON()s of modelled functions (sg_set_buf's CONFIG_DEBUG_SG check).</summary>
        public IReadOnlyList<BugEntry> Bugs { get; }
        /// <summary>The kernel's __ex_table: the user-copy routine's rep movsb and its fixup.</summary>
        public IReadOnlyList<ExceptionTableEntry> ExceptionTable { get; }
    }
}
