using System;
using System.Collections.Generic;
using System.Text;
using KDsl.Analysis;
using KDsl.Generator.Helpers;
using KDsl.Generator.Model;
using KDsl.Image;
using Microsoft.CodeAnalysis.CSharp;

namespace KDsl.Generator
{
    public sealed partial class KDslGenerator
    {
        /// <summary>Maps a <see cref="ModuleImage"/> to the equatable model, and a file name to the names emitted.</summary>
        internal static class ModelBuilder
        {
            private const string FallbackClassName = "KDslModule";

            public static ModuleSpec BuildModule(string path, ModuleImage image, IReadOnlyList<Scenario>? scenarios = null)
            {
                string fileName = GetFileName(path);
                var scenarioSpecs = new List<ScenarioSpec>();
                if (scenarios is null || scenarios.Count == 0)
                {
                    scenarioSpecs.Add(new ScenarioSpec(Scenario.DefaultName, 0, null));
                }
                else
                {
                    foreach (Scenario scenario in scenarios)
                    {
                        if (scenario is null) continue;
                        string name = scenario.Name ?? string.Empty;
                        if (ReferenceEquals(scenario.Image, image))
                            scenarioSpecs.Add(new ScenarioSpec(name, scenario.Line, null));
                        else if (ReferenceEquals(scenario.Image.Text, image.Text) && ReferenceEquals(scenario.Image.Stack, image.Stack))
                            scenarioSpecs.Add(new ScenarioSpec(name, scenario.Line, null, BuildConfig(scenario.Image.Config), BuildExpectations(scenario.Image)));
                        else
                            scenarioSpecs.Add(new ScenarioSpec(name, scenario.Line, BuildImage(scenario.Image)));
                    }
                }
                return new ModuleSpec
                {
                    FilePath = path,
                    HintName = ToHintName(fileName),
                    ClassName = ToClassName(fileName),
                    Image = BuildImage(image),
                    Scenarios = scenarioSpecs.ToImmutableEquatableArray(),
                };
            }

            private static ExperimentConfigSpec BuildConfig(ExperimentConfig? config)
            {
                config ??= new ExperimentConfig();
                return new ExperimentConfigSpec(config.Profile ?? ExperimentConfig.DefaultProfile, config.ThreadSize, config.VmapStack, config.HashPointers,
                    config.PanicOnOops, config.StackCache, config.SchedStackEndCheck, config.ThreadInfoOnStack, config.DebugSg, config.MemorySize);
            }

            private static ImmutableEquatableArray<ExpectationSpec> BuildExpectations(ModuleImage image) =>
                Map(image.Expectations, static e => new ExpectationSpec(e.Kind, e.Text ?? string.Empty, e.Count, e.Function, e.Line, e.Depth, e.DepthFunction));

            public static ModuleImageSpec BuildImage(ModuleImage image)
            {
                return new ModuleImageSpec
                {
                    Name = image.Name ?? string.Empty,
                    Description = image.Description ?? string.Empty,
                    SourcePath = image.SourcePath ?? string.Empty,
                    Config = BuildConfig(image.Config),
                    Text = (image.Text ?? Array.Empty<byte>()).ToImmutableEquatableArray(),
                    RoData = (image.RoData ?? Array.Empty<byte>()).ToImmutableEquatableArray(),
                    Data = (image.Data ?? Array.Empty<byte>()).ToImmutableEquatableArray(),
                    BssSize = image.BssSize,
                    Symbols = Map(image.Symbols, static s => new ModuleSymbolSpec(s.Name ?? string.Empty, s.Section, s.Offset, s.Size, s.Line, s.TextSection)),
                    Relocations = Map(image.Relocations, static r => new RelocationSpec(r.Offset, r.Kind, r.Target ?? string.Empty, r.Addend, r.Section)),
                    Lines = Map(image.Lines, static l => new LineEntrySpec(l.Offset, l.Line)),
                    Unwind = Map(image.Unwind, static u => new UnwindEntrySpec(u.Offset, u.CfaOffset)),
                    InitSymbol = image.InitSymbol ?? string.Empty,
                    ExitSymbol = image.ExitSymbol,
                    Expectations = BuildExpectations(image),
                    Bugs = Map(image.Bugs, static b => new BugEntrySpec(b.Offset, b.File ?? string.Empty, b.Line, b.Warning)),
                    LaterSymbol = image.LaterSymbol,
                    Stack = image.Stack is null ? null : BuildStack(image.Stack),
                };
            }

            public static StackReportSpec BuildStack(StackReport report) => new StackReportSpec(
                Map(report.Functions, static f => new FunctionStackUsageSpec(f.Name ?? string.Empty, f.Line, f.Column, f.FrameSize, f.LocalSize)),
                Map(report.Entries, static e => new EntryStackUsageSpec(e.Entry ?? string.Empty, e.WorstCase, e.Path ?? string.Empty, e.Unbounded,
                    e.Overflow is null ? null : new StackOverflowPointSpec(e.Overflow.Function ?? string.Empty, e.Overflow.Depth, e.Overflow.Needed,
                        e.Overflow.ThreadSize, e.Overflow.KernelFunction))),
                report.ThreadSize);

            /// <summary>The file name without its .kdsl extension: "/x/step5-992.kdsl" → "step5-992".</summary>
            public static string GetFileName(string path)
            {
                string normalized = path.Replace('\\', '/');
                string name = normalized.Substring(normalized.LastIndexOf('/') + 1);
                return name.EndsWith(FileExtension, StringComparison.OrdinalIgnoreCase)
                    ? name.Substring(0, name.Length - FileExtension.Length)
                    : name;
            }

            /// <summary>"step5" → "step5.kdsl.g.cs"; characters a hint name may not hold become '_'.</summary>
            public static string ToHintName(string fileName)
            {
                var sb = new StringBuilder(fileName.Length + 10);
                foreach (char c in fileName)
                {
                    sb.Append(c < 128 && (char.IsLetterOrDigit(c) || c == '-' || c == '_' || c == '.') ? c : '_');
                }
                if (sb.Length == 0) sb.Append('_');
                return sb.Append(".kdsl.g.cs").ToString();
            }

            /// <summary>
            /// A valid C# identifier from a file name, deterministically: split at every character that is not a
            /// letter or digit, capitalise each part, join with '_' (step5 → Step5, step5-992 → Step5_992).
            /// </summary>
            public static string ToClassName(string fileName)
            {
                var parts = new List<string>();
                var current = new StringBuilder();
                foreach (char c in fileName)
                {
                    if (char.IsLetterOrDigit(c))
                    {
                        current.Append(current.Length == 0 ? char.ToUpperInvariant(c) : c);
                    }
                    else if (current.Length > 0)
                    {
                        parts.Add(current.ToString());
                        current.Clear();
                    }
                }
                if (current.Length > 0) parts.Add(current.ToString());

                string name = string.Join("_", parts);
                if (name.Length == 0) return FallbackClassName;
                if (char.IsDigit(name[0])) name = "_" + name;
                return SyntaxFacts.IsValidIdentifier(name) && SyntaxFacts.GetKeywordKind(name) == SyntaxKind.None
                    ? name
                    : FallbackClassName;
            }

            /// <summary>Paths of the modules whose hint name (case-insensitive) or class name an earlier module already has.</summary>
            public static ImmutableEquatableArray<string> FindShadowed(IEnumerable<ModuleName?> names)
            {
                var hintNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                var classNames = new HashSet<string>(StringComparer.Ordinal);
                var shadowed = new List<string>();
                foreach (ModuleName? name in names)
                {
                    if (name is null) continue;
                    bool newHint = hintNames.Add(name.HintName);
                    // a module takes its class name and its NUnit fixture's (a.kdsl: A and ATests, so aTests.kdsl cannot be ATests)
                    bool newClass = !classNames.Contains(name.ClassName) && !classNames.Contains(name.ClassName + "Tests");
                    if (!newHint || !newClass)
                    {
                        shadowed.Add(name.FilePath);
                        continue;
                    }
                    classNames.Add(name.ClassName);
                    classNames.Add(name.ClassName + "Tests");
                }
                return shadowed.ToImmutableEquatableArray();
            }

            private static ImmutableEquatableArray<TSpec> Map<TSource, TSpec>(IReadOnlyList<TSource>? source, Func<TSource, TSpec> map)
                where TSpec : IEquatable<TSpec>
            {
                if (source is null || source.Count == 0) return ImmutableEquatableArray<TSpec>.Empty;
                var specs = new List<TSpec>(source.Count);
                foreach (TSource item in source)
                {
                    if (item is not null) specs.Add(map(item));
                }
                return specs.ToImmutableEquatableArray();
            }
        }
    }
}
