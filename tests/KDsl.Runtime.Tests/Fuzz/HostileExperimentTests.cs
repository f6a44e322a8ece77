using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using KDsl.Image;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Fuzz
{
    /// <summary>
    /// Issue 21's reproducers as a user writes them: tests/hostile/*.kdsl (copied beside the test binaries), each ending
    /// as its own expect block says, from the Linux sources. tools/measure-hostile.sh runs the same files through
    /// `kdsl run` for their wall time and peak RSS. Here they run with a smaller instruction budget than the CLI's, so
    /// the runs that end at the budget (a loop of system calls, a handler returning to its fault) cost CI a second
    /// each; their expectations (SIGKILL, status 137; the watchdog's report) hold at any budget.
    /// </summary>
    [TestFixture]
    public class HostileExperimentTests
    {
        private const long Budget = 50_000_000;

        private static string HostileDirectory => Path.Combine(AppContext.BaseDirectory, "hostile");

        public static string[] Files() =>
            Directory.GetFiles(HostileDirectory, "*.kdsl")
                .Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToArray()!;

        [Test]
        public void TheReproducersAreThere() => Assert.That(Files(), Has.Length.GreaterThanOrEqualTo(20));

        [TestCaseSource(nameof(Files))]
        public void EndsAsItsExpectBlockSays(string file)
        {
            string text = File.ReadAllText(Path.Combine(HostileDirectory, file));
            var compiled = Compiler.Compile(file, text);
            Assert.That(compiled.Image, Is.Not.Null, () => string.Join("\n", compiled.Diagnostics));
            // `// kdsl run --scenario all` in the file: every scenario, as tools/measure-hostile.sh runs it
            bool all = text.Contains("\n// kdsl run --scenario all", StringComparison.Ordinal);
            // `// kdsl run exits 3`: the run stops at an instruction KDsl does not implement
            bool unimplemented = Regex.IsMatch(text, @"^// kdsl run exits 3\b", RegexOptions.Multiline);
            foreach (Scenario scenario in compiled.Scenarios.Where(s => all || s.IsDefault))
            {
                var run = Machine.Run(scenario.Image, null, Machine.MemorySizeOf(scenario.Image.Config), Budget);
                if (unimplemented)
                {
                    Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Unimplemented), run.Dmesg);
                    Assert.That(run.InternalError, Does.StartWith("KDsl does not implement "));
                    continue;
                }
                Assert.That(run.InternalError, Is.Null, $"{scenario}: Machine.Run's internal-error boundary was reached");
                var failures = ExpectationCheck.Check(scenario.Image.Expectations, run);
                Assert.That(failures, Is.Empty, () => $"{scenario}: " + string.Join("\n", failures.Select(f => f.Format(file))) + "\n" + run.Dmesg);
            }
        }
    }
}
