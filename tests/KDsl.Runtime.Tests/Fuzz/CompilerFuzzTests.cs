using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;
using System.Threading;
using KDsl.Diagnostics;
using KDsl.Tests.Shared;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Fuzz
{
    /// <summary>
    /// Seeded, time-bounded fuzzing of <see cref="Compiler.Compile"/> and of the machine running what it produces:
    /// no exception escapes, every diagnostic lies within the text, no internal compiler error, and every image that
    /// comes out runs to an outcome (within a small instruction budget: the soft-lockup report) without throwing and
    /// without reaching Machine.Run's internal-error boundary.
    /// The compiler runs on a thread with a 1 MiB stack, so deep nesting that overflowed it would end the test host.
    /// The [Explicit] <see cref="LongRun"/> runs KDSL_FUZZ_INPUTS inputs (default 100000; at most KDSL_FUZZ_MINUTES, default 120):
    /// <c>dotnet test tests/KDsl.Runtime.Tests --filter "FullyQualifiedName~CompilerFuzzTests.LongRun"</c>.
    /// </summary>
    [TestFixture]
    [NonParallelizable]
    public class CompilerFuzzTests
    {
        /// <summary>Guest instructions per fuzz run: enough for the examples' recursion, small enough that loops end fast.</summary>
        public const long FuzzBudget = 3_000_000;
        public const int CiInputs = 1000;
        private const string Path = "fuzz.kdsl";

        internal sealed class Stats
        {
            public int Inputs, Compiled, Ran, Problems;
            public readonly Dictionary<string, int> Outcomes = new Dictionary<string, int>();
            public readonly List<string> Reports = new List<string>();

            public override string ToString()
            {
                var sb = new StringBuilder($"{Inputs} inputs, {Compiled} compiled to an image, {Ran} runs, {Problems} problems; outcomes:");
                foreach (var kv in Outcomes) sb.Append($" {kv.Key}={kv.Value}");
                return sb.ToString();
            }
        }

        /// <summary>Compiles on a 1 MiB-stack thread (the host's stack a Roslyn generator may get) and returns the result or the exception.</summary>
        internal static CompileResult? CompileOnSmallStack(string text, out Exception? error)
        {
            CompileResult? result = null;
            Exception? caught = null;
            var t = new Thread(() =>
            {
                try { result = Compiler.Compile(Path, text); }
                catch (Exception ex) { caught = ex; }
            }, 1 << 20);
            t.Start();
            t.Join();
            error = caught;
            return result;
        }

        /// <summary>Null when the input is handled; otherwise what went wrong.</summary>
        internal static string? CheckOne(string text, Stats stats, bool run)
        {
            var result = CompileOnSmallStack(text, out var error);
            if (error != null) return $"Compile threw {error.GetType().Name}: {error.Message}";
            if (result is null) return "Compile returned null";
            foreach (Diagnostic d in result.Diagnostics)
            {
                if (d.Id == "KDSL9999") return $"internal compiler error: {d}";
                var span = d.Location.Span;
                if (span.Start < 0 || span.Length < 0 || span.End > text.Length)
                    return $"diagnostic outside the text ({text.Length} chars): {span} {d}";
                if (d.Location.Path != Path || d.Location.Line < 1 || d.Location.Start.Character < 0)
                    return $"badly located diagnostic: {d}";
            }
            bool hasError = false;
            foreach (var d in result.Diagnostics) hasError |= d.IsError;
            if (hasError != (result.Image is null)) return $"image {(result.Image is null ? "missing" : "present")} with errors={hasError}";
            if (result.Image is null || !run) return null;
            stats.Compiled++;
            int scenarios = 0;
            foreach (var scenario in result.Scenarios)
            {
                if (scenarios++ == 2) break;
                RunResult r;
                try
                {
                    r = Machine.Run(scenario.Image, null, KDsl.Runtime.Kernel.Layout.PhysicalMemorySize, FuzzBudget);
                }
                catch (Exception ex)
                {
                    return $"Machine.Run threw {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}";
                }
                stats.Ran++;
                stats.Outcomes.TryGetValue(r.Outcome.ToString(), out int n);
                stats.Outcomes[r.Outcome.ToString()] = n + 1;
                if (r.Outcome == RunOutcome.InternalError)
                    return $"Machine.Run's internal-error boundary was reached: {r.InternalError}";
                if (r.Outcome == RunOutcome.SoftLockup && !System.Text.RegularExpressions.Regex.IsMatch(r.Dmesg, @"\] (NMI )?watchdog: BUG: soft lockup - CPU#\d+ stuck for \d+s! \[[^\]:]+:\d+\]")) // insmod, or the kernel thread that spins
                    return "soft lockup without the watchdog's report:\n" + r.Dmesg;
                if (r.Instructions > FuzzBudget * 4)
                    return $"ran {r.Instructions} instructions, past the budget";
                if ((r.Outcome == RunOutcome.Oops || r.Outcome == RunOutcome.Panic) && r.Log.Count == 0)
                    return $"{r.Outcome} with an empty log";
            }
            return null;
        }

        internal static Stats Run(int seed, int inputs, TimeSpan timeLimit, int maxReports)
        {
            var stats = new Stats();
            var fuzzer = new KdslFuzzer(seed, KdslFuzzer.LoadExamples(TestContext.CurrentContext.TestDirectory));
            var sw = Stopwatch.StartNew();
            string? trace = Environment.GetEnvironmentVariable("KDSL_FUZZ_TRACE");
            for (int i = 0; i < inputs && sw.Elapsed < timeLimit; i++)
            {
                var (kind, text) = fuzzer.Next();
                stats.Inputs++;
                // A crash of the host (a stack overflow) cannot be caught: KDSL_FUZZ_TRACE=file keeps the input being tried.
                if (trace != null) System.IO.File.WriteAllText(trace, $"// seed {seed}, input {i}, {kind}\n{text}", new UTF8Encoding(false, false));
                string? problem = CheckOne(text, stats, run: true);
                if (problem is null) continue;
                stats.Problems++;
                if (stats.Reports.Count < maxReports)
                {
                    string shown = text.Length > 1500 ? text.Substring(0, 1500) + $"... ({text.Length} chars)" : text;
                    stats.Reports.Add($"PROBLEM (seed {seed}, input {i}, {kind}): {problem}\n--- input ---\n{shown}\n-------------");
                }
            }
            return stats;
        }

        [Test]
        public void ExamplesLoad()
        {
            var examples = KdslFuzzer.LoadExamples(TestContext.CurrentContext.TestDirectory);
            Assert.That(examples, Has.Count.GreaterThanOrEqualTo(5));
        }

        [Test]
        public void RandomInputs_NeverThrowAndRunToAnOutcome()
        {
            var stats = Run(seed: 9, CiInputs, TimeSpan.FromSeconds(30), maxReports: 10);
            TestContext.Out.WriteLine(stats);
            foreach (var r in stats.Reports) TestContext.Out.WriteLine(r);
            Assert.That(stats.Problems, Is.Zero, () => stats + "\n" + string.Join("\n", stats.Reports));
            Assert.That(stats.Ran, Is.GreaterThan(0), "no input compiled: the fuzzer is not reaching the runtime");
        }

        [Test]
        [Explicit("long run: KDSL_FUZZ_INPUTS inputs (default 100000)")]
        public void LongRun()
        {
            int inputs = LongRunSettings.Int("KDSL_FUZZ_INPUTS", 100_000);
            int seed = LongRunSettings.Int("KDSL_FUZZ_SEED", 20240);
            var sw = Stopwatch.StartNew();
            var stats = Run(seed, inputs, LongRunSettings.TimeCap(), maxReports: 30);
            TestContext.Out.WriteLine($"compiler fuzz long run: seed {seed}, {stats}, {sw.Elapsed.TotalSeconds:F0}s");
            foreach (var r in stats.Reports) TestContext.Out.WriteLine(r);
            Assert.That(stats.Problems, Is.Zero);
        }
    }
}
