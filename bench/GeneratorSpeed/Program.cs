using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime;
using System.Text;
using System.Threading;
using KDsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace KDsl.GeneratorSpeed
{
    /// <summary>
    /// Runs <see cref="KDslGenerator"/> in memory over N step5 variants (examples/step5.kdsl with BUF = 64, 72, ...;
    /// five scenarios each) and prints, per run, wall and CPU time, the JIT's share and the GC's.
    /// <list type="bullet">
    /// <item>"cold": the first run in this fresh process, as a command-line build without the compiler server runs the
    /// generator (csc loads the analyzer, JITs it, runs it once over every file). Roslyn itself is also cold here, which
    /// in csc it is not (the SDK's Roslyn is ReadyToRun); <c>run-csc.sh</c> measures the real csc.</item>
    /// <item>"warm": a new driver in the same process, as the compiler server (VBCSCompiler) runs it for the next build:
    /// the generator's code is jitted, but its incremental cache is empty for the new compilation, so every file is
    /// compiled again.</item>
    /// </list>
    /// Usage: KDsl.GeneratorSpeed [N=200] [path to step5.kdsl, or a folder of .kdsl files to cycle through] [rounds=2].
    /// </summary>
    internal static class Program
    {
        private static int Main(string[] args)
        {
            var total = Stopwatch.StartNew();
            int n = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
            string source = args.Length > 1 ? args[1] : FindStep5();
            int rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2;
            var texts = Directory.Exists(source) ? Corpus(source, n) : Step5Variants(File.ReadAllText(source), n);

            var compilation = CSharpCompilation.Create("GeneratorSpeed", Array.Empty<SyntaxTree>(),
                new[] { MetadataReference.CreateFromFile(typeof(object).Assembly.Location) },
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
            Console.WriteLine($"{n} files, {Environment.ProcessorCount} cores, server GC {GCSettings.IsServerGC}");

            for (int round = 0; round < rounds; round++)
            {
                var before = Snapshot.Take();
                var watch = Stopwatch.StartNew();
                GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new KDslGenerator().AsSourceGenerator() }, texts);
                driver = driver.RunGenerators(compilation);
                watch.Stop();
                var after = Snapshot.Take();
                var result = driver.GetRunResult();
                int errors = result.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
                long generated = result.GeneratedTrees.Sum(t => (long)t.Length);
                Console.WriteLine(
                    $"{(round == 0 ? "cold" : "warm")}: {watch.Elapsed.TotalMilliseconds,6:F0} ms wall, CPU {(after.Cpu - before.Cpu).TotalMilliseconds,6:F0} ms; " +
                    $"JIT {(after.Jit - before.Jit).TotalMilliseconds,5:F0} ms for {after.JitMethods - before.JitMethods,5} methods; " +
                    $"GC {after.Gcs - before.Gcs,3} collections, {(after.Allocated - before.Allocated) / 1e6,5:F0} MB allocated; " +
                    $"{result.GeneratedTrees.Length} sources ({generated / 1024} KiB), {result.Diagnostics.Length} diagnostics ({errors} errors)");
                if (result.Results[0].Exception is { } ex) Console.WriteLine(ex);
            }
            Console.WriteLine($"process total (reading included): {total.Elapsed.TotalMilliseconds:F0} ms");
            return 0;
        }

        /// <summary>step5 with BUF = 64, 72, ...: five scenarios, so five module images, per file.</summary>
        private static AdditionalText[] Step5Variants(string step5, int n) =>
            Enumerable.Range(0, n).Select(i => (AdditionalText)new Text(
                $"/speed/step5_{i:D3}.kdsl", step5.Replace("const BUF = 4096;", $"const BUF = {64 + 8 * i};", StringComparison.Ordinal))).ToArray();

        /// <summary>A folder's .kdsl files (the repository's examples), cycled to n files, each under its own path.</summary>
        private static AdditionalText[] Corpus(string folder, int n)
        {
            var files = Directory.GetFiles(folder, "*.kdsl").OrderBy(f => f, StringComparer.Ordinal).ToArray();
            return Enumerable.Range(0, n).Select(i => (AdditionalText)new Text(
                $"/speed/{i:D3}_{Path.GetFileName(files[i % files.Length])}", File.ReadAllText(files[i % files.Length]))).ToArray();
        }

        private readonly struct Snapshot
        {
            public TimeSpan Cpu { get; init; }
            public TimeSpan Jit { get; init; }
            public long JitMethods { get; init; }
            public int Gcs { get; init; }
            public long Allocated { get; init; }

            public static Snapshot Take() => new Snapshot
            {
                Cpu = Process.GetCurrentProcess().TotalProcessorTime,
                Jit = System.Runtime.JitInfo.GetCompilationTime(),
                JitMethods = System.Runtime.JitInfo.GetCompiledMethodCount(),
                Gcs = GC.CollectionCount(0),
                Allocated = GC.GetTotalAllocatedBytes(),
            };
        }

        private static string FindStep5()
        {
            foreach (string start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            {
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                {
                    string candidate = Path.Combine(dir.FullName, "examples", "step5.kdsl");
                    if (File.Exists(candidate)) return candidate;
                }
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
