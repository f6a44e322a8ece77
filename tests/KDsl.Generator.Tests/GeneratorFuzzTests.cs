using System;
using System.Collections.Generic;
using System.Linq;
using KDsl.Tests.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using NUnit.Framework;

namespace KDsl.Generator.Tests
{
    /// <summary>
    /// Seeded fuzz inputs (tests/Shared/KdslFuzzer.cs) through the Roslyn generator in memory: the generator never fails
    /// (a generator exception breaks the user's whole build), every KDSL diagnostic is located in the .kdsl file within
    /// its text, and what it generates parses. The runtime side of the same fuzzer is KDsl.Runtime.Tests' CompilerFuzzTests.
    /// </summary>
    [TestFixture]
    public sealed class GeneratorFuzzTests
    {
        private const int Inputs = 150;

        [Test]
        public void RandomInputs_NeverFailTheGenerator()
        {
            var fuzzer = new KdslFuzzer(9, KdslFuzzer.LoadExamples(TestContext.CurrentContext.TestDirectory));
            var problems = new List<string>();
            var compilation = GeneratorHarness.CreateCompilation(assemblyName: "Fuzz");
            int generated = 0;
            for (int i = 0; i < Inputs; i++)
            {
                var (kind, text) = fuzzer.Next();
                string path = GeneratorHarness.PathOf($"fuzz{i}.kdsl");
                GeneratorRun run;
                try
                {
                    run = GeneratorHarness.Run(compilation, new InMemoryAdditionalText(path, text));
                }
                catch (Exception ex)
                {
                    problems.Add($"input {i} ({kind}): the driver threw {ex.GetType().Name}: {ex.Message}");
                    continue;
                }
                string? problem = Check(run, path, text);
                if (problem != null) problems.Add($"input {i} ({kind}): {problem}\n{(text.Length > 600 ? text.Substring(0, 600) + "..." : text)}");
                generated += run.Result.GeneratedSources.Length;
            }
            TestContext.Out.WriteLine($"{Inputs} inputs, {generated} generated sources, {problems.Count} problems");
            Assert.That(problems, Is.Empty, () => string.Join("\n\n", problems.Take(10)));
            Assert.That(generated, Is.GreaterThan(0), "no input compiled: the fuzzer is not reaching the emitter");
        }

        private static string? Check(GeneratorRun run, string path, string text)
        {
            if (run.Result.Exception != null) return $"the generator threw {run.Result.Exception}";
            foreach (var d in run.Diagnostics)
            {
                if (d.Id == "CS8784" || d.Id == "CS8785") return $"generator failure diagnostic: {d}";
                if (d.Id == "KDSL9999") return $"internal compiler error: {d}";
                if (!d.Id.StartsWith("KDSL", StringComparison.Ordinal)) continue;
                if (d.Location.Kind != LocationKind.ExternalFile) return $"{d.Id} not located in the .kdsl file: {d}";
                var span = d.Location.GetLineSpan();
                if (span.Path != path) return $"{d.Id} located in {span.Path}, not {path}";
                TextSpan s = d.Location.SourceSpan;
                if (s.Start < 0 || s.End > text.Length) return $"{d.Id} span {s} outside the text ({text.Length} chars)";
            }
            foreach (var source in run.Result.GeneratedSources)
            {
                var errors = source.SyntaxTree.GetDiagnostics().Where(x => x.Severity == DiagnosticSeverity.Error).ToList();
                if (errors.Count > 0) return $"generated {source.HintName} does not parse: {errors[0]}";
            }
            return null;
        }
    }
}
