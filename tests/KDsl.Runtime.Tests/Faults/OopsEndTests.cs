using System.Linq;
using NUnit.Framework;
using static KDsl.Runtime.Tests.Faults.FaultRun;

namespace KDsl.Runtime.Tests.Faults
{
    /// <summary>
    /// oops_end (kernel-reference.md §3.8): without panic_on_oops the task is killed and the system goes on (taint D,
    /// a second oops is [#2]); with it, panic("Fatal exception") and nothing after. Taint columns per §3.7.
    /// </summary>
    [TestFixture]
    public class OopsEndTests
    {
        [TestCase("linux-6.1", "Oops: 0000 \\[#1\\] PREEMPT SMP NOPTI", "Oops: 0002 \\[#2\\] PREEMPT SMP NOPTI",
            "CPU: 0 PID: 99 Comm: kworker/0:1 Tainted: G      D    OE      6\\.1\\.0-56-amd64 #1  Debian 6\\.1\\.192-2")]
        [TestCase("linux-5.10", "Oops: 0000 \\[#1\\] SMP NOPTI", "Oops: 0002 \\[#2\\] SMP NOPTI",
            "CPU: 0 PID: 87 Comm: kworker/0:1 Tainted: G      D    OE     5\\.10\\.0-46-amd64 #1 Debian 5\\.10\\.262-1")]
        public void OopsKillsTheTask_LaterWorkStillRuns(string profile, string first, string second, string cpuLine)
        {
            var run = Example("oops-then-continue.kdsl", profile);
            AssertInOrder(run,
                "oops_then_continue: reading a wild kernel address",
                first,
                "Modules linked in: oops_then_continue\\(OE\\+\\)",
                "=CR2: ffffc90000f00000",
                "---\\[ end trace [0-9a-f]{16} \\]---",
                "oops_then_continue: the kernel keeps running",
                "=BUG: kernel NULL pointer dereference, address: 0000000000000010",
                second,
                "=" + cpuLine,
                "=Hardware name: .*",
                "=RIP: 0010:oops_then_continue_later\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[oops_then_continue\\]",
                // The module never finished loading: init died, so it stays COMING.
                "Modules linked in: oops_then_continue\\(OE\\+\\)",
                "=CR2: 0000000000000010");
            Assert.That(Messages(run), Has.None.Contains("oops_then_continue: read "));
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Oops));
            Assert.That(run.Oops!.Function, Is.EqualTo("oops_then_continue_init"));
        }

        [Test]
        public void KernelThreadTrace_EndsAtRetFromFork()
        {
            var run = Example("oops-then-continue.kdsl", "linux-6.1");
            var lines = Messages(run);
            int second = lines.FindIndex(l => l.Contains("[#2]"));
            var trace = lines.Skip(second).SkipWhile(l => l != "Call Trace:").TakeWhile(l => l != " </TASK>").ToList();
            Assert.That(trace, Has.Some.Match("^ process_one_work\\+"));
            Assert.That(trace.Last(), Does.Match("^ ret_from_fork\\+"));
            Assert.That(trace, Has.None.Match("^RIP: 0033"), "a kernel thread has no user registers to show");
        }

        // panic from process context prints its end marker on 5.10 too (the real 5.10 stack_protector log); it is lost only
        // in NMI context (#DF: the step5 logs)
        [TestCase("linux-6.1", true)]
        [TestCase("linux-5.10", true)]
        [TestCase("linux-4.11", true)]
        public void PanicOnOops_EndsInFatalException(string profile, bool endMarker)
        {
            var run = Example("panic-on-oops.kdsl", profile);
            var lines = Messages(run);
            AssertInOrder(run,
                "panic_on_oops: writing through NULL",
                "---\\[ end trace [0-9a-f]{16} \\]---",
                "Kernel panic - not syncing: Fatal exception",
                "=Kernel Offset: disabled");
            Assert.That(lines.Last(), Is.EqualTo(endMarker ? "---[ end Kernel panic - not syncing: Fatal exception ]---" : "Kernel Offset: disabled"));
            Assert.That(lines, Has.None.Contains("not reached"));
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Panic));
            Assert.That(run.Oops!.Panicked, Is.True);
        }

        [Test]
        public void LaterBlock_RunsAfterASuccessfulInit_ModuleIsLive()
        {
            var run = Inline("printk(\"fault: init done\\n\");", extra: "later { printk(\"fault: later\\n\"); *(long *)8 = 0; }");
            AssertInOrder(run,
                "fault: init done",
                "=fault: later",
                "=BUG: kernel NULL pointer dereference, address: 0000000000000008",
                "Oops: 0002 \\[#1\\] PREEMPT SMP NOPTI",
                "Modules linked in: fault\\(OE\\)");
            Assert.That(run.InitReturn, Is.EqualTo(0));
        }
    }
}
