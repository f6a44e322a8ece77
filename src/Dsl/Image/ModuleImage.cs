using System.Collections.Generic;

namespace KDsl.Image
{
    /// <summary>The module's sections.</summary>
    public enum Section
    {
        /// <summary>.text: the machine code.</summary>
        Text,
        /// <summary>.rodata: the string literals and const objects.</summary>
        RoData,
        /// <summary>.data: initialized variables.</summary>
        Data,
        /// <summary>.bss: variables that start as zeros.</summary>
        Bss,
    }

    /// <summary>A symbol of the module: a function in .text, a string or const object in .rodata, a variable in .data or .bss.</summary>
    public sealed class ModuleSymbol
    {
        /// <summary>A symbol <paramref name="size"/> bytes long at <paramref name="offset"/> in <paramref name="section"/>, declared at .kdsl <paramref name="line"/>.</summary>
        public ModuleSymbol(string name, Section section, int offset, int size, int line, TextSection? textSection = null)
        {
            TextSection = textSection;
            Name = name;
            Section = section;
            Offset = offset;
            Size = size;
            Line = line;
        }

        /// <summary>The suffix of a function's cold part, GCC's NAME.cold: the blocks it moved to .text.unlikely.</summary>
        public const string ColdSuffix = ".cold";

        /// <summary>The symbol name as kallsyms shows it ("rstack", "step5_init").</summary>
        public string Name { get; }
        /// <summary>The section the symbol is in.</summary>
        public Section Section { get; }
        /// <summary>Offset of the symbol in its section.</summary>
        public int Offset { get; }
        /// <summary>Size in bytes (a function's code, a string with its NUL).</summary>
        public int Size { get; }
        /// <summary>1-based .kdsl line of the declaration (0 for compiler-made symbols such as strings).</summary>
        public int Line { get; }
        /// <summary>
        /// A function's section in the module GCC would build (KDsl's text is one piece in that order); a function's cold
        /// part, NAME.cold, is a symbol of its own in .text.unlikely.
        /// </summary>
        public TextSection? TextSection { get; }
    }

    /// <summary>How insmod fills a relocated field (the x86-64 ELF relocation types KDsl emits).</summary>
    public enum RelocationKind
    {
        /// <summary>R_X86_64_PLT32/PC32: a 4-byte PC-relative field (call/jmp rel32), value = S + A - P.</summary>
        Rel32,
        /// <summary>R_X86_64_32S: a 4-byte sign-extended absolute field (mov reg, imm32 of a module address).</summary>
        Abs32S,
        /// <summary>R_X86_64_64: an 8-byte absolute field.</summary>
        Abs64,
    }

    /// <summary>A field in .text that insmod patches once the module's and the kernel's addresses are known.</summary>
    public sealed class Relocation
    {
        /// <summary>A field at <paramref name="offset"/> in <paramref name="section"/> that gets <paramref name="target"/> + <paramref name="addend"/>, as <paramref name="kind"/> says.</summary>
        public Relocation(int offset, RelocationKind kind, string target, long addend, Section section = Section.Text)
        {
            Section = section;
            Offset = offset;
            Kind = kind;
            Target = target;
            Addend = addend;
        }

        /// <summary>Offset of the field in <see cref="Section"/>.</summary>
        public int Offset { get; }
        /// <summary>The section the field is in: .text (code), or .data/.rodata (a pointer in an initialized object).</summary>
        public Section Section { get; }
        /// <summary>How the field is filled.</summary>
        public RelocationKind Kind { get; }
        /// <summary>A module symbol (function or string) or a kernel symbol (_printk).</summary>
        public string Target { get; }
        /// <summary>The constant added to the target's address (ELF's A; -4 for a call's rel32).</summary>
        public long Addend { get; }
    }

    /// <summary>Code from <see cref="Offset"/> on belongs to this 1-based .kdsl line (until the next entry).</summary>
    public readonly struct LineEntry
    {
        /// <summary>Code from <paramref name="offset"/> in .text on belongs to .kdsl <paramref name="line"/>.</summary>
        public LineEntry(int offset, int line)
        {
            Offset = offset;
            Line = line;
        }

        /// <summary>Offset in .text.</summary>
        public int Offset { get; }
        /// <summary>1-based .kdsl line.</summary>
        public int Line { get; }
    }

    /// <summary>
    /// An ORC-style unwind row: from <see cref="Offset"/> on (until the next row) the caller's frame starts at
    /// RSP + <see cref="CfaOffset"/>, i.e. the return address is at RSP + CfaOffset - 8. Rows are emitted at
    /// every instruction that moves RSP, so an unwinder needs neither a frame pointer nor guesses.
    /// </summary>
    public readonly struct UnwindEntry
    {
        /// <summary>From <paramref name="offset"/> in .text on, the caller's frame starts at RSP + <paramref name="cfaOffset"/>.</summary>
        public UnwindEntry(int offset, int cfaOffset, int rbpSaved = 0)
        {
            Offset = offset;
            CfaOffset = cfaOffset;
            RbpSaved = rbpSaved;
        }

        /// <summary>Offset in .text where the row starts.</summary>
        public int Offset { get; }
        /// <summary>The caller's RSP minus RSP here (8: only the return address).</summary>
        public int CfaOffset { get; }
        /// <summary>
        /// How far below the CFA the caller's RBP is saved (0: RBP still holds it), as ORC's bp rows say: a function that
        /// pushed RBP may use the register for anything, and an unwinder reaching a caller that realigned RSP (CFA = RBP +
        /// 16) needs the caller's RBP.
        /// </summary>
        public int RbpSaved { get; }
    }

    /// <summary>
    /// What the compiler hands the runtime: a relocatable kernel module like a .ko, reduced to what insmod needs.
    /// Plain data; nothing here knows about the DSL's syntax.
    /// </summary>
    public sealed class ModuleImage
    {
        /// <summary>A compiled module; the generated class and the compiler make these, a test rarely does.</summary>
        public ModuleImage(string name, string description, string sourcePath, ExperimentConfig config,
            byte[] text, byte[] roData, IReadOnlyList<ModuleSymbol> symbols, IReadOnlyList<Relocation> relocations,
            IReadOnlyList<LineEntry> lines, IReadOnlyList<UnwindEntry> unwind, string initSymbol, string? exitSymbol,
            IReadOnlyList<Expectation> expectations, IReadOnlyList<BugEntry>? bugs = null, string? laterSymbol = null,
            Analysis.StackReport? stack = null, IReadOnlyList<FrameVariable>? variables = null, byte[]? data = null, int bssSize = 0)
        {
            Data = data ?? new byte[0];
            BssSize = bssSize;
            Stack = stack;
            Variables = variables ?? new FrameVariable[0];
            Name = name;
            Description = description;
            SourcePath = sourcePath;
            Config = config;
            Text = text;
            RoData = roData;
            Symbols = symbols;
            Relocations = relocations;
            Lines = lines;
            Unwind = unwind;
            InitSymbol = initSymbol;
            ExitSymbol = exitSymbol;
            Expectations = expectations;
            Bugs = bugs ?? new BugEntry[0];
            LaterSymbol = laterSymbol;
        }

        /// <summary>The same module (code, symbols, stack analysis) run with other settings and expectations: a scenario that
        /// changes only what the runtime reads.</summary>
        public ModuleImage ForScenario(ExperimentConfig config, IReadOnlyList<Expectation> expectations) =>
            new ModuleImage(Name, Description, SourcePath, config, Text, RoData, Symbols, Relocations, Lines, Unwind, InitSymbol,
                ExitSymbol, expectations, Bugs, LaterSymbol, Stack, Variables, Data, BssSize);

        /// <summary>The module name of the `module` line ("step5"), as lsmod and the oops' "Modules linked in:" show it.</summary>
        public string Name { get; }
        /// <summary>The description of the `module` line.</summary>
        public string Description { get; }
        /// <summary>The .kdsl file it was compiled from (in generated code: relative to the project directory).</summary>
        public string SourcePath { get; }
        /// <summary>The settings the module runs with: kernel profile, THREAD_SIZE, vmap stacks...</summary>
        public ExperimentConfig Config { get; }
        /// <summary>The .text section: x86-64 machine code, relocations unfilled.</summary>
        public byte[] Text { get; }
        /// <summary>The .rodata section: the string literals.</summary>
        public byte[] RoData { get; }
        /// <summary>.data: the initialized variables (writable).</summary>
        public byte[] Data { get; }
        /// <summary>.bss's size: variables that start as zeros take no bytes in the image.</summary>
        public int BssSize { get; }
        /// <summary>Every function, string and variable, by section and offset.</summary>
        public IReadOnlyList<ModuleSymbol> Symbols { get; }
        /// <summary>The fields insmod fills in .text.</summary>
        public IReadOnlyList<Relocation> Relocations { get; }
        /// <summary>The line table: which .kdsl line each range of .text comes from.</summary>
        public IReadOnlyList<LineEntry> Lines { get; }
        /// <summary>The unwind rows (ORC-style CFA offsets) the oops' unwinder reads.</summary>
        public IReadOnlyList<UnwindEntry> Unwind { get; }
        /// <summary>The init function's symbol (NAME_init), or "" when the file has no init block.</summary>
        public string InitSymbol { get; }
        /// <summary>The exit function's symbol (NAME_exit), or null.</summary>
        public string? ExitSymbol { get; }
        /// <summary>The expect block: what the run must show, checked by KDsl.Runtime.ExpectationCheck.</summary>
        public IReadOnlyList<Expectation> Expectations { get; }
        /// <summary>The __bug_table: every BUG()/BUG_ON()/WARN_ON() ud2 with its .kdsl file and line.</summary>
        public IReadOnlyList<BugEntry> Bugs { get; }
        /// <summary>
        /// The `later { }` block's symbol (NAME_later), or null: work the kernel runs in a kernel thread of its own
        /// once insmod has returned or died, so an experiment can show that the system keeps running after an oops.
        /// </summary>
        public string? LaterSymbol { get; }
        /// <summary>Every function's variables that live in its stack frame (a compiled image has them; one the generator
        /// emits leaves them out, as a .ko without debug info does).</summary>
        public IReadOnlyList<FrameVariable> Variables { get; }

        /// <summary>The link-name prefix of a `process NAME { }` block's main function in <see cref="Symbols"/>.</summary>
        public const string ProcessSymbolPrefix = "__process_";

        /// <summary>The experiment's user processes in source order: NAME for each `process NAME { }` (their symbols carry <see cref="ProcessSymbolPrefix"/>).</summary>
        public IReadOnlyList<string> ProcessNames
        {
            get
            {
                var names = new List<string>();
                foreach (var s in Symbols)
                    if (s.Section == Section.Text && s.Name.StartsWith(ProcessSymbolPrefix, System.StringComparison.Ordinal))
                        names.Add(s.Name.Substring(ProcessSymbolPrefix.Length));
                return names;
            }
        }

        /// <summary>True when the file has an init block (false: the processes are the whole experiment).</summary>
        public bool HasInit => InitSymbol.Length > 0;

        /// <summary>The static stack analysis of this image (the generator emits it with the image's literals).</summary>
        public Analysis.StackReport? Stack { get; internal set; }
    }
}
