using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using KDsl.Image;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NUnit.Framework;

namespace KDsl.Generator.Tests
{
    /// <summary>Runs <see cref="KDslGenerator"/> in memory with CSharpGeneratorDriver (no Microsoft.CodeAnalysis.Testing here).</summary>
    internal static class GeneratorHarness
    {
        public const string TestDirectory = "/experiments";

        public static readonly CSharpParseOptions ParseOptions = new CSharpParseOptions(LanguageVersion.Latest);

        private static readonly Lazy<ImmutableArray<MetadataReference>> s_frameworkReferences = new Lazy<ImmutableArray<MetadataReference>>(() =>
        {
            // The trusted platform assemblies from the shared framework folder: the BCL, without the test's own dependencies.
            string frameworkDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
            string tpa = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
            return tpa.Split(Path.PathSeparator)
                .Where(p => string.Equals(Path.GetDirectoryName(p), frameworkDir, StringComparison.Ordinal))
                .OrderBy(p => p, StringComparer.Ordinal)
                .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
                .ToImmutableArray();
        });

        /// <summary>A file of TestData/, embedded in the test assembly.</summary>
        public static string ReadTestData(string fileName)
        {
            using Stream? stream = typeof(GeneratorHarness).Assembly.GetManifestResourceStream("TestData." + fileName);
            Assert.That(stream, Is.Not.Null, $"TestData/{fileName} is not embedded");
            using var reader = new StreamReader(stream!);
            return reader.ReadToEnd();
        }

        public static string PathOf(string fileName) => TestDirectory + "/" + fileName;

        /// <summary>A compilation referencing the BCL and KDsl.Dsl, plus KDsl.Runtime when <paramref name="withRuntime"/>.</summary>
        public static CSharpCompilation CreateCompilation(bool withRuntime = true, string source = "", string assemblyName = "KDsl.Generated.Test",
            bool withNUnit = false)
        {
            var references = new List<MetadataReference>(s_frameworkReferences.Value)
            {
                MetadataReference.CreateFromFile(typeof(ModuleImage).Assembly.Location),
            };
            if (withRuntime)
            {
                references.Add(MetadataReference.CreateFromFile(typeof(KDsl.Runtime.Machine).Assembly.Location));
            }
            if (withNUnit)
            {
                references.Add(MetadataReference.CreateFromFile(typeof(TestFixtureAttribute).Assembly.Location));
            }

            return CSharpCompilation.Create(
                assemblyName,
                string.IsNullOrEmpty(source) ? Array.Empty<SyntaxTree>() : new[] { CSharpSyntaxTree.ParseText(source, ParseOptions) },
                references,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        }

        /// <param name="compile">A fake compiler instead of Compiler.Compile, or null for the real one.</param>
        public static GeneratorDriver CreateDriver(IEnumerable<AdditionalText> texts, IReadOnlyDictionary<string, string>? globalOptions = null,
            Func<string, string, CompileResult?>? compile = null) =>
            CSharpGeneratorDriver.Create(
                new[] { new KDslGenerator(compile).AsSourceGenerator() },
                texts,
                ParseOptions,
                new TestOptionsProvider(globalOptions ?? new Dictionary<string, string>()),
                new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

        public static GeneratorRun Run(Compilation compilation, params AdditionalText[] texts) =>
            Run(CreateDriver(texts), compilation);

        public static GeneratorRun Run(GeneratorDriver driver, Compilation compilation)
        {
            driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
            return new GeneratorRun(driver, output, diagnostics, driver.GetRunResult().Results.Single());
        }

        /// <summary>Emits the compilation; fails the test with every error when it does not build.</summary>
        public static byte[] EmitOrFail(Compilation compilation)
        {
            using var stream = new MemoryStream();
            var result = compilation.Emit(stream);
            Assert.That(result.Success, Is.True, () => "The output compilation does not build:\n" +
                string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
            return stream.ToArray();
        }

        /// <summary>Loads an emitted assembly (its own load context) and returns the generated class.</summary>
        public static Type LoadGeneratedType(byte[] assembly, string fullName)
        {
            Assembly loaded = Assembly.Load(assembly);
            Type? type = loaded.GetType(fullName);
            Assert.That(type, Is.Not.Null, $"type {fullName} not found; types: {string.Join(", ", loaded.GetTypes().Select(t => t.FullName))}");
            return type!;
        }
    }

    internal sealed record GeneratorRun(GeneratorDriver Driver, Compilation Output, ImmutableArray<Diagnostic> Diagnostics, GeneratorRunResult Result)
    {
        public IEnumerable<IncrementalStepRunReason> Reasons(string trackingName) =>
            Result.TrackedSteps.TryGetValue(trackingName, out var steps)
                ? steps.SelectMany(s => s.Outputs).Select(o => o.Reason)
                : Enumerable.Empty<IncrementalStepRunReason>();

        public IEnumerable<object> OutputValues(string trackingName) =>
            Result.TrackedSteps.TryGetValue(trackingName, out var steps)
                ? steps.SelectMany(s => s.Outputs).Select(o => o.Value)
                : Enumerable.Empty<object>();
    }
}
