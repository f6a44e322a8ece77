using System;
using KDsl.Generator.Helpers;
using KDsl.Generator.Model;
using Microsoft.CodeAnalysis;

namespace KDsl.Generator
{
    /// <summary>
    /// Compiles every AdditionalFile ending in .kdsl with <see cref="KDsl.Compiler"/> and emits, per file,
    /// a static class holding the module image (<c>step5.kdsl</c> → <c>Step5.Image</c>, <c>Step5.Run()</c>).
    /// Source and diagnostics run in separate pipelines, so text that only moves does not regenerate source.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed partial class KDslGenerator : IIncrementalGenerator
    {
        public const string FileExtension = ".kdsl";
        public const string DefaultNamespace = "KDsl.Experiments";

        /// <summary>Names of the tracked pipeline steps, for incremental-caching tests.</summary>
        public static class TrackingNames
        {
            /// <summary>One .kdsl file compiled: module spec plus diagnostics.</summary>
            public const string FileResult = nameof(FileResult);
            /// <summary>The module spec alone (null for a file with errors); what source output depends on.</summary>
            public const string ModuleSpec = nameof(ModuleSpec);
            /// <summary>The diagnostics alone.</summary>
            public const string Diagnostics = nameof(Diagnostics);
            /// <summary>The namespace to emit into.</summary>
            public const string Namespace = nameof(Namespace);
            /// <summary>MSBuild's project directory, which generated paths are relative to.</summary>
            public const string ProjectDir = nameof(ProjectDir);
            /// <summary>Whether the compilation references KDsl.Runtime.</summary>
            public const string HasRuntime = nameof(HasRuntime);
            /// <summary>Whether the compilation references NUnit (NUnit.Framework.TestFixtureAttribute).</summary>
            public const string HasNUnit = nameof(HasNUnit);
            /// <summary>Paths of modules whose hint or class name an earlier file already uses.</summary>
            public const string Shadowed = nameof(Shadowed);
            /// <summary>The final input of source output.</summary>
            public const string EmitSpec = nameof(EmitSpec);
        }

        private readonly Func<string, string, CompileResult?> _compile;

        public KDslGenerator()
            : this(null)
        {
        }

        /// <summary>For tests: <paramref name="compile"/> replaces <see cref="Compiler.Compile"/> (null keeps it).</summary>
        internal KDslGenerator(Func<string, string, CompileResult?>? compile)
        {
            _compile = compile ?? Parser.DefaultCompile;
        }

        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            Func<string, string, CompileResult?> compile = _compile;
            IncrementalValuesProvider<KDslFileResult> files = context.AdditionalTextsProvider
                .Where(static text => IsKDslFile(text.Path))
                .Select((text, cancellationToken) => Parser.Parse(text, compile, cancellationToken))
                .WithTrackingName(TrackingNames.FileResult);

            IncrementalValueProvider<string> rootNamespace = context.AnalyzerConfigOptionsProvider
                .Select(static (options, _) => Parser.GetNamespace(options.GlobalOptions))
                .WithTrackingName(TrackingNames.Namespace);

            // MSBuild's ProjectDir (compiler-visible by default): generated code records paths relative to it.
            IncrementalValueProvider<string?> projectDir = context.AnalyzerConfigOptionsProvider
                .Select(static (options, _) => options.GlobalOptions.TryGetValue("build_property.ProjectDir", out string? dir) ? dir : null)
                .WithTrackingName(TrackingNames.ProjectDir);

            // Reduced to a bool at once, so the model never holds the Compilation.
            IncrementalValueProvider<bool> hasRuntime = context.CompilationProvider
                .Select(static (compilation, _) => compilation.GetTypeByMetadataName("KDsl.Runtime.Machine") is not null)
                .WithTrackingName(TrackingNames.HasRuntime);

            IncrementalValueProvider<bool> hasNUnit = context.CompilationProvider
                .Select(static (compilation, _) => compilation.GetTypeByMetadataName("NUnit.Framework.TestFixtureAttribute") is not null)
                .WithTrackingName(TrackingNames.HasNUnit);

            IncrementalValuesProvider<ModuleSpec?> modules = files
                .Select(static (result, _) => result.Module)
                .WithTrackingName(TrackingNames.ModuleSpec);

            // Two files with one hint name (same file name, other folder) or one class name (a-b, a_b) cannot both be
            // emitted: the first wins, the others get KDSL9998. Changes only when such names are added or removed.
            IncrementalValueProvider<ImmutableEquatableArray<string>> shadowed = modules
                .Select(static (module, _) => module is null ? null : new ModuleName(module.FilePath, module.HintName, module.ClassName))
                .Collect()
                .Select(static (names, _) => ModelBuilder.FindShadowed(names))
                .WithTrackingName(TrackingNames.Shadowed);

            // Pipeline 1: source generation only.
            IncrementalValuesProvider<EmitSpec> emitSpecs = modules
                .Where(static module => module is not null)
                .Combine(rootNamespace.Combine(projectDir))
                .Combine(hasRuntime.Combine(hasNUnit))
                .Combine(shadowed)
                .Select(static (input, _) => new EmitSpec
                {
                    Module = input.Left.Left.Left!,
                    Namespace = input.Left.Left.Right.Left,
                    SourcePath = SourcePaths.Relative(input.Left.Left.Left!.FilePath, input.Left.Left.Right.Right),
                    EmitRun = input.Left.Right.Left,
                    EmitTests = input.Left.Right.Left && input.Left.Right.Right,
                    IsShadowed = Contains(input.Right, input.Left.Left.Left!.FilePath),
                })
                .WithTrackingName(TrackingNames.EmitSpec);

            context.RegisterSourceOutput(emitSpecs, static (spc, spec) => Emitter.Emit(spc, spec));

            // Pipeline 2: diagnostics only.
            IncrementalValuesProvider<ImmutableEquatableArray<DiagnosticInfo>> diagnostics = files
                .Select(static (result, _) => result.Diagnostics)
                .WithTrackingName(TrackingNames.Diagnostics);

            IncrementalValueProvider<string?> helpLinkBase = context.AnalyzerConfigOptionsProvider
                .Select(static (options, _) => DiagnosticDescriptors.HelpLinkBaseOf(options.GlobalOptions));

            context.RegisterSourceOutput(diagnostics.Combine(helpLinkBase), static (spc, input) =>
            {
                foreach (DiagnosticInfo info in input.Left)
                {
                    spc.ReportDiagnostic(info.CreateDiagnostic(input.Right));
                }
            });
        }

        private static bool Contains(ImmutableEquatableArray<string> paths, string path)
        {
            foreach (string p in paths)
            {
                if (string.Equals(p, path, StringComparison.Ordinal)) return true;
            }
            return false;
        }

        internal static bool IsKDslFile(string path) => path.EndsWith(FileExtension, StringComparison.OrdinalIgnoreCase);
    }
}
