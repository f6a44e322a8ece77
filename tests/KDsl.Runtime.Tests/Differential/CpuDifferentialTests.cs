using System;
using System.Diagnostics;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Differential
{
    /// <summary>
    /// The emulated CPU against the host's: random sequences of the instructions KDsl's code generator emits, run on
    /// both from the same state (see <see cref="DifferentialHarness"/>). CI runs a few thousand seeded cases; the
    /// [Explicit] <see cref="LongRun"/> runs KDSL_DIFF_CASES (default 100000) of them:
    /// <c>dotnet test tests/KDsl.Runtime.Tests --filter "FullyQualifiedName~CpuDifferentialTests.LongRun"</c>.
    /// </summary>
    [TestFixture]
    [NonParallelizable]
    public class CpuDifferentialTests
    {
        public const int CiCases = 3000;

        /// <summary>Cases that ended in #DE on both sides (the host's SIGFPE and the emulator's delivered #DE) since the count was reset.</summary>
        internal static int DivideErrorCases;

        private static DifferentialHarness CreateOrIgnore()
        {
            if (!NativeCode.IsSupported)
                Assert.Ignore("CPU differential tests need an x86-64 Linux host (they run the sequences natively).");
            var h = DifferentialHarness.TryCreate();
            if (h is null) Assert.Ignore("could not map an executable page below 2 GiB (mmap MAP_FIXED_NOREPLACE)");
            return h!;
        }

        /// <summary>Runs <paramref name="cases"/> seeded cases; returns the number of divergences (each printed).</summary>
        internal static int RunCases(int seed, int cases, int maxReports, out int ran)
        {
            using var h = CreateOrIgnore();
            int failures = 0;
            ran = 0;
            for (int i = 0; i < cases; i++)
            {
                int caseSeed = unchecked(seed * 1_000_003 + i);
                string? report = RunCase(h, caseSeed);
                ran++;
                if (report is null) continue;
                failures++;
                if (failures <= maxReports) TestContext.Out.WriteLine(report);
            }
            return failures;
        }

        internal static string? RunCase(DifferentialHarness h, int caseSeed)
        {
            var rng = new Random(caseSeed);
            var gen = new SequenceGenerator(rng, h.Layout);
            var body = gen.Generate(rng.Next(1, 24));
            var state = h.RandomState(rng);
            var native = h.RunNative(body, state, gen.EndsInDivideError);
            var emulated = h.RunEmulated(body, state);
            string? diff = h.Compare(native, emulated, gen.DefinedFlags);
            if (native.DivideError && emulated.DivideError) DivideErrorCases++;
            if (diff is null && gen.EndsInDivideError && !native.DivideError)
                diff = "the sequence's last divide was built to raise #DE, but the hardware did not\n";
            if (diff is null) return null;
            return $"DIVERGENCE (case seed {caseSeed}):\n{diff}{DifferentialHarness.DescribeState(state)}\nsequence:\n{h.Disassemble(body)}";
        }

        [Test]
        public void RandomSequences_MatchTheHostCpu()
        {
            DivideErrorCases = 0;
            int failures = RunCases(seed: 9, CiCases, maxReports: 5, out int ran);
            Assert.That(failures, Is.Zero, $"{failures} of {ran} sequences diverged from the host CPU (see the output)");
            // About one sequence in eight ends in a divide built to fault: the #DE path is really compared.
            Assert.That(DivideErrorCases, Is.GreaterThan(CiCases / 16));
        }

        [Test]
        [Explicit("long run: KDSL_DIFF_CASES sequences (default 100000)")]
        public void LongRun()
        {
            int cases = Fuzz.LongRunSettings.Int("KDSL_DIFF_CASES", 100_000);
            int seed = Fuzz.LongRunSettings.Int("KDSL_DIFF_SEED", 20240);
            var sw = Stopwatch.StartNew();
            DivideErrorCases = 0;
            int failures = RunCases(seed, cases, maxReports: 20, out int ran);
            TestContext.Out.WriteLine($"differential long run: seed {seed}, {ran} sequences ({DivideErrorCases} ending in #DE on both sides), {failures} divergences, {sw.Elapsed.TotalSeconds:F1}s");
            Assert.That(failures, Is.Zero);
        }
    }
}
