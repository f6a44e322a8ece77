using KDsl.Generator.Helpers;

namespace KDsl.Generator.Model
{
    /// <summary>What one .kdsl file generates: the names to emit under and the image to emit.</summary>
    internal sealed record ModuleSpec
    {
        /// <summary>The AdditionalText path, as given to the compiler.</summary>
        public required string FilePath { get; init; }
        /// <summary>"step5.kdsl.g.cs".</summary>
        public required string HintName { get; init; }
        /// <summary>A valid C# identifier made from the file name: step5 -> Step5, step5-992 -> Step5_992.</summary>
        public required string ClassName { get; init; }
        public required ModuleImageSpec Image { get; init; }
        /// <summary>"default" (Image null) first, then each named scenario with its own image.</summary>
        public required ImmutableEquatableArray<ScenarioSpec> Scenarios { get; init; }
    }

    /// <summary>The result of the parse step for one file: the module (null when there was an error) and every diagnostic.</summary>
    internal sealed record KDslFileResult
    {
        public required ModuleSpec? Module { get; init; }
        public required ImmutableEquatableArray<DiagnosticInfo> Diagnostics { get; init; }
    }

    /// <summary>The input of the source output: the module plus the compilation-wide facts it is emitted with.</summary>
    internal sealed record EmitSpec
    {
        public required ModuleSpec Module { get; init; }
        public required string Namespace { get; init; }
        /// <summary>The file's path relative to the project directory (<see cref="Helpers.SourcePaths"/>): what the generated code records.</summary>
        public required string SourcePath { get; init; }
        /// <summary>True when the compilation references KDsl.Runtime, so <c>Run</c> can call <c>Machine.Run</c>.</summary>
        public required bool EmitRun { get; init; }
        /// <summary>True when the compilation references NUnit (and KDsl.Runtime): emit a [TestFixture] with a test per scenario.</summary>
        public bool EmitTests { get; init; }
        /// <summary>True when an earlier file already uses this hint or class name: report KDSL9998, emit nothing.</summary>
        public required bool IsShadowed { get; init; }
    }

    /// <summary>The names one module is emitted under, to find clashes between files.</summary>
    internal sealed record ModuleName(string FilePath, string HintName, string ClassName);
}
