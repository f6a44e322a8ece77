using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using KDsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace KDsl.GeneratorSpeed
{
    /// <summary>
    /// Runs <see cref="KDslGenerator"/> once, in memory, over N step5 variants (examples/step5.kdsl with BUF = 64, 72, ...,
    /// every scenario included) and prints the elapsed time: the first run is cold (this process has done nothing before),
    /// the second a fresh driver in the now warm process. Usage: KDsl.GeneratorSpeed [N=200] [path to step5.kdsl].
    /// </summary>
    internal static class Program
    {
        private static int Main(string[] args)
        {
            var total = Stopwatch.StartNew();
            int n = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 200;
            string step5 = File.ReadAllText(args.Length > 1 ? args[1] : FindStep5());
            var texts = Enumerable.Range(0, n).Select(i => (AdditionalText)new Text(
                $"/speed/step5_{i:D3}.kdsl", step5.Replace("const BUF = 4096;", $"const BUF = {64 + 8 * i};", StringComparison.Ordinal))).ToArray();

            var compilation = CSharpCompilation.Create("GeneratorSpeed", Array.Empty<SyntaxTree>(),
                new[] { MetadataReference.CreateFromFile(typeof(object).Assembly.Location) },
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

            if (Environment.GetEnvironmentVariable("KDSL_SPEED_COMPILE_ONLY") == "1")
            {
                // For profiling: the compiler alone, without Roslyn (KDSL_SPEED_COMPILE_ONLY=1).
                for (int round = 0; round < 2; round++)
                {
                    var w = Stopwatch.StartNew();
                    foreach (var t in texts) Compiler.Compile(t.Path, t.GetText()!.ToString());
                    Console.WriteLine($"Compiler.Compile only, {(round == 0 ? "cold" : "warm")}: {w.Elapsed.TotalMilliseconds:F0} ms");
                }
                return 0;
            }

            for (int round = 0; round < 2; round++)
            {
                TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new KDslGenerator().AsSourceGenerator() }, texts);
                driver = driver.RunGenerators(compilation);
                watch.Stop();
                var result = driver.GetRunResult();
                int sources = result.GeneratedTrees.Length;
                int errors = result.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
                Console.WriteLine($"{(round == 0 ? "cold" : "warm")}: {n} files, {sources} sources, {result.Diagnostics.Length} diagnostics ({errors} errors) in {watch.Elapsed.TotalMilliseconds:F0} ms (CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds:F0} ms)");
                if (result.Results[0].Exception is { } ex) Console.WriteLine(ex);
            }
            Console.WriteLine($"process total (both runs, reading included): {total.Elapsed.TotalMilliseconds:F0} ms");
            return 0;
        }

        private static string FindStep5()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "examples", "step5.kdsl");
                if (File.Exists(candidate)) return candidate;
            }
            for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "examples", "step5.kdsl");
                if (File.Exists(candidate)) return candidate;
            }
            throw new FileNotFoundException("examples/step5.kdsl not found; pass its path as the second argument");
        }

        private sealed class Text : AdditionalText
        {
            private readonly SourceText _text;

            public Text(string path, string text)
            {
                Path = path;
                _text = SourceText.From(text, Encoding.UTF8);
            }

            public override string Path { get; }

            public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
        }
    }
}
