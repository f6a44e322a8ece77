using KDsl.Generator.Helpers;
using KDsl.Image;

namespace KDsl.Generator.Model
{
    /// <summary>
    /// The equatable mirror of <see cref="ModuleImage"/>, field for field in constructor order; the emitter turns it
    /// back into a constructor call made of literals.
    /// </summary>
    internal sealed record ModuleImageSpec
    {
        public required string Name { get; init; }
        public required string Description { get; init; }
        public required string SourcePath { get; init; }
        public required ExperimentConfigSpec Config { get; init; }
        public required ImmutableEquatableArray<byte> Text { get; init; }
        public required ImmutableEquatableArray<byte> RoData { get; init; }
        /// <summary>.data (<see cref="ModuleImage.Data"/>); empty when the module has no initialized variables.</summary>
        public ImmutableEquatableArray<byte> Data { get; init; } = ImmutableEquatableArray<byte>.Empty;
        public int BssSize { get; init; }
        public required ImmutableEquatableArray<ModuleSymbolSpec> Symbols { get; init; }
        public required ImmutableEquatableArray<RelocationSpec> Relocations { get; init; }
        public required ImmutableEquatableArray<LineEntrySpec> Lines { get; init; }
        public required ImmutableEquatableArray<UnwindEntrySpec> Unwind { get; init; }
        public required string InitSymbol { get; init; }
        public required string? ExitSymbol { get; init; }
        public required ImmutableEquatableArray<ExpectationSpec> Expectations { get; init; }
        public ImmutableEquatableArray<BugEntrySpec> Bugs { get; init; } = ImmutableEquatableArray<BugEntrySpec>.Empty;
        public string? LaterSymbol { get; init; }
        /// <summary>The static stack analysis (<see cref="ModuleImage.Stack"/>), or null when the image has none.</summary>
        public StackReportSpec? Stack { get; init; }
    }

    /// <summary>The equatable mirror of <see cref="KDsl.Analysis.StackReport"/>.</summary>
    internal sealed record StackReportSpec(
        ImmutableEquatableArray<FunctionStackUsageSpec> Functions, ImmutableEquatableArray<EntryStackUsageSpec> Entries, int ThreadSize);

    internal sealed record FunctionStackUsageSpec(string Name, int Line, int Column, int FrameSize, int LocalSize);

    internal sealed record EntryStackUsageSpec(string Entry, long WorstCase, string Path, bool Unbounded, StackOverflowPointSpec? Overflow);

    internal sealed record StackOverflowPointSpec(string Function, int Depth, int Needed, int ThreadSize, string? KernelFunction);

    internal sealed record ExperimentConfigSpec(string Profile, int ThreadSize, bool VmapStack, bool HashPointers, bool PanicOnOops = false,
        bool StackCache = true, bool SchedStackEndCheck = false, bool ThreadInfoOnStack = false, bool DebugSg = false, ulong MemorySize = 0);

    internal sealed record BugEntrySpec(int Offset, string File, int Line, bool Warning);

    internal sealed record ModuleSymbolSpec(string Name, Section Section, int Offset, int Size, int Line, TextSection? TextSection);

    internal sealed record RelocationSpec(int Offset, RelocationKind Kind, string Target, long Addend, Section Section = Section.Text);

    internal readonly record struct LineEntrySpec(int Offset, int Line);

    internal readonly record struct UnwindEntrySpec(int Offset, int CfaOffset);

    internal sealed record ExpectationSpec(ExpectationKind Kind, string Text, int Count, string? Function, int Line, int Depth, string? DepthFunction);

    /// <summary>One scenario of the file: its name, the line it is declared on, and its image (null: the module's own Image, for "default").</summary>
    /// <summary>
    /// A scenario: the default's image (Image and Config null), an image of its own, or (Config set) the default's code
    /// with other settings and expectations (<c>ModuleImage.ForScenario</c>), when the scenario changes only what the
    /// runtime reads.
    /// </summary>
    internal sealed record ScenarioSpec(string Name, int Line, ModuleImageSpec? Image, ExperimentConfigSpec? Config = null,
        ImmutableEquatableArray<ExpectationSpec>? Expectations = null);
}
