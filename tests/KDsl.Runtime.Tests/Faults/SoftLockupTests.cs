using System.Linq;
using NUnit.Framework;
using static KDsl.Runtime.Tests.Faults.FaultRun;

namespace KDsl.Runtime.Tests.Faults
{
    /// <summary>
    /// kernel/watchdog.c watchdog_timer_fn's report for a CPU that never schedules (the run's instruction budget):
    /// the BUG line, print_modules(), then show_regs() of the interrupted context, as an oops prints them, with taint
    /// L added only after. The seconds follow from the watchdog's arithmetic on virtual time: touch_ts is the run's
    /// start (about 1.0 s, which get_timestamp's running_clock() &gt;&gt; 30 makes 0), the hrtimer fires every 4 s
    /// (2 * watchdog_thresh / 5), and is_softlockup reports at the first tick after touch_ts + 20: 24 s, which is 22
    /// in those units (24e9 &gt;&gt; 30 = 22).
    /// </summary>
    [TestFixture]
    public class SoftLockupTests
    {
        private const string Spin = "void spin(void) { for (;;) ; }\n";

        [Test]
        public void SoftLockup_PrintsModulesRegistersAndTrace_Linux61()
        {
            var run = Inline("spin();", "linux-6.1", Spin);
            AssertInOrder(run,
                "watchdog: BUG: soft lockup - CPU#0 stuck for 22s! \\[insmod:\\d+\\]",
                "=Modules linked in: fault\\(OE\\+\\)",
                "=CPU: 0 PID: \\d+ Comm: insmod Tainted: G           OE      6\\.1\\.0-56-amd64 #1  Debian 6\\.1\\.192-2",
                "=Hardware name: .*",
                "=RIP: 0010:spin\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[fault\\]",
                "RSP: 0018:[0-9a-f]{16} EFLAGS: [0-9a-f]{8}",
                "Call Trace:",
                "= <TASK>",
                "= fault_init\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[fault\\]",
                " </TASK>");
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.SoftLockup));
            Assert.That(run.Oops, Is.Null); // not an oops: no die(), no taint D
        }

        [Test]
        public void SoftLockup_Linux411_UsesTheNmiWatchdogPrefixAndTheOldShowRegs()
        {
            var run = Inline("spin();", "linux-4.11", Spin);
            AssertInOrder(run,
                "NMI watchdog: BUG: soft lockup - CPU#1 stuck for 22s! \\[insmod:\\d+\\]",
                "=Modules linked in: fault\\(OE\\+\\)",
                "=CPU: 1 PID: \\d+ Comm: insmod Tainted: G           OE   4\\.11\\.12-200\\.fc25\\.x86_64 #1",
                "=Hardware name: .*",
                "=task: [0-9a-f]{16} task\\.stack: [0-9a-f]{16}",
                "=RIP: 0010:spin\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[fault\\]",
                "Call Trace:",
                "= fault_init\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[fault\\]",
                "Code: .*<eb> fe.*"); // jmp $: the loop the CPU is stuck in
        }

        /// <summary>
        /// `oops soft_lockup in FUNCTION` (docs/language.md's expect block): the watchdog's show_regs() prints the
        /// interrupted registers, RIP in the function that loops, so `in` reads that RIP as it reads an oops' (the report
        /// is still no oops: RunResult.Oops stays null). The reliable chain is the one the report's Call Trace prints.
        /// </summary>
        [Test]
        public void SoftLockup_IsCheckedInTheFunctionThatLoops()
        {
            const string source = "module fault \"inline\";\nvoid spin(void) { for (;;) ; }\nlong outer(void) { spin(); return 1; }\n" +
                "init { return outer(); }\nexpect { oops soft_lockup in spin; }\nscenario elsewhere { expect { oops soft_lockup in outer; } }\n";
            var compiled = Compiler.Compile("fault.kdsl", source);
            Assert.That(compiled.Image, Is.Not.Null, string.Join("\n", compiled.Diagnostics));
            var run = Machine.Run(compiled.Scenarios[0].Image);
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.SoftLockup));
            Assert.That(run.Oops, Is.Null);
            Assert.That(run.SoftLockup!.Function, Is.EqualTo("spin"));
            Assert.That(run.CallChain.Take(2), Is.EqualTo(new[] { "spin", "outer" })); // outer calls spin, then returns 1
            Assert.That(ExpectationCheck.Check(compiled.Scenarios[0].Image.Expectations, run), Is.Empty);

            var elsewhere = compiled.Scenarios.Single(s => s.Name == "elsewhere").Image;
            var failures = ExpectationCheck.Check(elsewhere.Expectations, Machine.Run(elsewhere));
            Assert.That(failures, Has.Count.EqualTo(1));
            Assert.That(failures[0].Expected, Is.EqualTo("the oops in outer"));
            Assert.That(failures[0].Actual, Does.Match("^RIP was spin\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[fault\\]$"));
        }

        [Test]
        public void SoftLockup_TaintsL_AfterTheReport()
        {
            // A second report would show L; the first shows only what was set before (O, E).
            var run = Inline("spin();", "linux-6.1", Spin);
            Assert.That(Messages(run), Has.None.Match("Tainted: .*L"));
        }

        [Test]
        public void TheReport_IsStampedWhenTheWatchdogFires()
        {
            // The hrtimer that finds the CPU stuck fires at 24 s of virtual time (see above): the BUG line and what follows
            // carry that time, not the instant the instruction budget ran out.
            var run = Inline("spin();", "linux-6.1", Spin);
            string line = System.Linq.Enumerable.Single(run.Log, l => l.Contains("soft lockup"));
            double seconds = double.Parse(line.Substring(1, line.IndexOf(']') - 1).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.That(seconds, Is.EqualTo(24.0).Within(0.001), line);
        }
    }
}
