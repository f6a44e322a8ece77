using System;
using System.Text;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Fuzz
{
    /// <summary>What the compiler fuzz tests found, each pinned; and the limits every run has.</summary>
    [TestFixture]
    public class FuzzRegressionTests
    {
        /// <summary>
        /// Fuzz seed 9, input 63 ("huge"): a chain of ~1600 functions each calling the next overflowed the host's 1 MiB
        /// stack in StackAnalyzer.Cost (one host frame pair per level), killing the process. The walk now stops when the
        /// host stack runs low, as it does at its activation cap.
        /// </summary>
        [Test]
        public void LongCallChain_DoesNotOverflowTheHostStack()
        {
            var sb = new StringBuilder("module chain \"x\";\n");
            const int n = 3000;
            for (int i = 0; i < n; i++)
                sb.Append($"long f{i}(long x) {{ return {(i + 1 < n ? $"f{i + 1}(x + 1)" : "x")}; }}\n");
            sb.Append("init { f0(1); }\n");
            var result = CompilerFuzzTests.CompileOnSmallStack(sb.ToString(), out var error)!;
            Assert.That(error, Is.Null);
            foreach (var d in result.Diagnostics) Assert.That(d.IsError, Is.False, d.ToString());
            Assert.That(result.Image, Is.Not.Null);
        }

        private static RunResult RunLoop(string profile)
        {
            var result = Compiler.Compile("loop.kdsl", $"module loop \"x\";\nconfig {{ profile = {profile}; }}\ninit {{ for (;;) ; }}\n");
            Assert.That(result.Image, Is.Not.Null, () => string.Join("\n", result.Diagnostics));
            return Machine.Run(result.Image!, null, KDsl.Runtime.Kernel.Layout.PhysicalMemorySize, 100_000);
        }

        /// <summary>kernel/watchdog.c: pr_emerg("BUG: soft lockup - CPU#%d stuck for %us! [%s:%d]\n") with pr_fmt "watchdog: ".</summary>
        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        public void EndlessLoop_EndsInTheWatchdogsSoftLockupReport(string profile)
        {
            var r = RunLoop(profile);
            Assert.That(r.Outcome, Is.EqualTo(RunOutcome.SoftLockup));
            Assert.That(r.Dmesg, Does.Match(@"\] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! \[insmod:\d+\]\n"));
            Assert.That(r.Instructions, Is.LessThanOrEqualTo(100_000));
        }

        /// <summary>
        /// Fuzz seed 90210, input 918: a loop of printks whose budget ran out inside vprintk_store, with its record
        /// reserved and not committed, ended as SoftLockup with the watchdog's report queued behind that record, never
        /// printed. printk holds that window with interrupts off, so the hrtimer fires after the commit: the record's
        /// line, then the report. A hundred budgets across one printk land in the window (before the fix, budget 101612
        /// failed on 6.1 and 102860 on 5.10).
        /// </summary>
        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        public void BudgetEndingInsidePrintk_StillPrintsTheWatchdogsReport(string profile)
        {
            var result = Compiler.Compile("loop.kdsl", $"module loop \"x\";\nconfig {{ profile = {profile}; }}\ninit {{ long i; for (i = 0; ; i++) printk(\"line %ld\\n\", i); }}\n");
            Assert.That(result.Image, Is.Not.Null, () => string.Join("\n", result.Diagnostics));
            var first = Machine.Run(result.Image!, null, KDsl.Runtime.Kernel.Layout.PhysicalMemorySize, 100_000);
            int printed = Regex.Matches(first.Dmesg, @"\] line \d+\n").Count;
            Assert.That(printed, Is.GreaterThan(2));
            long period = 100_000 / printed; // instructions per printk, about
            for (long budget = 100_000; budget < 100_000 + period; budget += period / 100)
            {
                var r = Machine.Run(result.Image!, null, KDsl.Runtime.Kernel.Layout.PhysicalMemorySize, budget);
                Assert.That(r.Outcome, Is.EqualTo(RunOutcome.SoftLockup), $"budget {budget}");
                Assert.That(r.Dmesg, Does.Match(@"\] watchdog: BUG: soft lockup - CPU#0 stuck for \d+s! \[insmod:\d+\]\n"), $"budget {budget}");
            }
        }

        /// <summary>Before the hardlockup detector moved to watchdog_hld.c (4.13), watchdog.c's pr_fmt was "NMI watchdog: ".</summary>
        [Test]
        public void EndlessLoop_Linux411_PrintsTheNmiWatchdogPrefix()
        {
            var r = RunLoop("linux-4.11");
            Assert.That(r.Outcome, Is.EqualTo(RunOutcome.SoftLockup));
            Assert.That(r.Dmesg, Does.Match(@"\] NMI watchdog: BUG: soft lockup - CPU#1 stuck for 22s! \[insmod:\d+\]\n"));
        }

        [Test]
        public void GuestMemory_IsCappedPerMachine()
        {
            var result = Compiler.Compile("m.kdsl", "module m \"x\";\ninit { }\n");
            Assert.That(() => Machine.Run(result.Image!, null, KDsl.Runtime.Kernel.Layout.MaxPhysicalMemorySize + (2UL << 20), 1000),
                Throws.TypeOf<ArgumentOutOfRangeException>());
            Assert.That(Machine.Run(result.Image!, null, 64UL << 20, 1_000_000).Outcome, Is.EqualTo(RunOutcome.Completed));
        }
    }
}
