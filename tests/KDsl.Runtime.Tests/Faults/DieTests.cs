using System.Linq;
using NUnit.Framework;
using static KDsl.Runtime.Tests.Faults.FaultRun;

namespace KDsl.Runtime.Tests.Faults
{
    /// <summary>
    /// BUG/WARN (lib/bug.c report_bug, kernel/panic.c __warn: kernel-reference.md §3.7 and docs/language.md "Faults"),
    /// the divide error (traps.c do_error_trap "divide error", §3.2) and the stack protector's panic (§3.8).
    /// </summary>
    [TestFixture]
    public class DieTests
    {
        [Test]
        public void WarnOn_ReportsAndContinues_BugOn_Oopses_Linux61()
        {
            var run = Example("bug-on.kdsl", "linux-6.1");
            AssertInOrder(run,
                "------------\\[ cut here \\]------------",
                "=WARNING: CPU: 0 PID: 98 at bug-on\\.kdsl:10 check\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[bug_on\\]",
                "=Modules linked in: bug_on\\(OE\\+\\)",
                // show_regs: taint W is added only after the report.
                "=CPU: 0 PID: 98 Comm: insmod Tainted: G           OE      6\\.1\\.0-56-amd64 #1  Debian 6\\.1\\.192-2",
                "=Hardware name: .*",
                "=RIP: 0010:check\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[bug_on\\]",
                "Call Trace:",
                " </TASK>",
                "=---\\[ end trace 0000000000000000 \\]---",
                // WARN_ON's value is the condition: true, so the module's message follows.
                "=bug_on: value 42 is too large, clamping",
                "=bug_on: still running after the warning",
                "=------------\\[ cut here \\]------------",
                "=kernel BUG at bug-on\\.kdsl:12!",
                "=invalid opcode: 0000 \\[#1\\] PREEMPT SMP NOPTI",
                "=CPU: 0 PID: 98 Comm: insmod Tainted: G        W  OE      6\\.1\\.0-56-amd64 #1  Debian 6\\.1\\.192-2",
                "=Hardware name: .*",
                "=RIP: 0010:check\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[bug_on\\]",
                // The byte at RIP is the ud2 BUG() is made of.
                "=Code: .* <0f> 0b .*",
                "Modules linked in: bug_on\\(OE\\+\\)",
                "=---\\[ end trace 0000000000000000 \\]---");
            Assert.That(Messages(run), Has.None.Contains("not reached"));
            Assert.That(run.Oops!.Kind, Is.EqualTo("bug"));
            Assert.That(run.Oops.Function, Is.EqualTo("check"));
        }

        [Test]
        public void WarnOn_Linux411_GoesThroughWarnSlowpathNull()
        {
            var run = Example("bug-on.kdsl", "linux-4.11");
            AssertInOrder(run,
                "------------\\[ cut here \\]------------",
                "=WARNING: CPU: 1 PID: 7220 at bug-on\\.kdsl:10 check\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[bug_on\\]",
                "=Modules linked in: bug_on\\(OE\\+\\)",
                "=CPU: 1 PID: 7220 Comm: insmod Tainted: G           OE   4\\.11\\.12-200\\.fc25\\.x86_64 #1",
                "=Hardware name: .*",
                "=Call Trace:",
                "= dump_stack\\+0x[0-9a-f]+/0x[0-9a-f]+",
                "= __warn\\+0x[0-9a-f]+/0x[0-9a-f]+",
                "= warn_slowpath_null\\+0x[0-9a-f]+/0x[0-9a-f]+",
                "= check\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[bug_on\\]",
                "---\\[ end trace [0-9a-f]{16} \\]---",
                "=bug_on: value 42 is too large, clamping",
                "kernel BUG at bug-on\\.kdsl:12!",
                "=invalid opcode: 0000 \\[#1\\] SMP",
                "=Modules linked in: bug_on\\(OE\\+\\)",
                "=CPU: 1 PID: 7220 Comm: insmod Tainted: G        W  OE   4\\.11\\.12-200\\.fc25\\.x86_64 #1");
        }

        [TestCase("linux-6.1", "divide error: 0000 \\[#1\\] PREEMPT SMP NOPTI")]
        [TestCase("linux-5.10", "divide error: 0000 \\[#1\\] SMP NOPTI")]
        [TestCase("linux-4.11", "divide error: 0000 \\[#1\\] SMP")]
        public void DivideByZero(string profile, string header)
        {
            var run = Example("divide-error.kdsl", profile);
            AssertInOrder(run,
                "divide_error: 7 / 2 = 3",
                "=" + header,
                "RIP: 0010:ratio\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[divide_error\\]");
            Assert.That(run.Oops!.Kind, Is.EqualTo("divide_error"));
            Assert.That(run.Oops.Function, Is.EqualTo("ratio"));
            Assert.That(Messages(run), Has.None.Contains("7 / 0"));
        }

        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        [TestCase("linux-4.11")]
        public void CanaryOverwritten_PanicsOnReturn(string profile)
        {
            var run = Example("stack-protector.kdsl", profile);
            const string message = "stack-protector: Kernel stack is corrupted in: overrun\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[stack_protector\\]";
            var at = AssertInOrder(run,
                "stack_protector: wrote 16 bytes into a 16-byte buffer",
                // %pB of the return address after the call to __stack_chk_fail, the function's last instruction (kallsyms
                // sizes a module's symbol up to the next one, so the alignment padding after it counts in the size).
                "Kernel panic - not syncing: " + message,
                "=CPU: .*",
                "=Hardware name: .*",
                "=Call Trace:",
                " overrun\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[stack_protector\\]",
                "Kernel Offset: disabled");
            var lines = Messages(run);
            // 5.10 and 6.1 tail-call printk after the canary check (the real logs print only the first line); 4.11 builds
            // with frame pointers and -fno-optimize-sibling-calls, so its printk runs before the epilogue's check.
            Assert.That(lines.Count(l => l.Contains("wrote 24 bytes")), Is.EqualTo(profile == "linux-4.11" ? 1 : 0));
            // panic from process context prints its end marker on every profile (5.10 loses it only in NMI context)
            Assert.That(lines.Last(), Does.Match("^---\\[ end Kernel panic - not syncing: " + message + " \\]---$"));
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Panic));
            Assert.That(run.Oops!.Kind, Is.EqualTo("stack_protector"));
            Assert.That(run.Oops.Function, Is.EqualTo("overrun"));
        }

        [Test]
        public void PanicFromModule_FormatsItsArguments()
        {
            var run = Inline("panic(\"fault: giving up after %d tries\\n\", 3);");
            var lines = Messages(run);
            AssertInOrder(run,
                "Kernel panic - not syncing: fault: giving up after 3 tries",
                "=CPU: 0 PID: 98 Comm: insmod Tainted: G           OE      6\\.1\\.0-56-amd64 #1  Debian 6\\.1\\.192-2",
                "=Hardware name: .*",
                "=Call Trace:",
                "= <TASK>",
                "= dump_stack_lvl\\+0x[0-9a-f]+/0x[0-9a-f]+",
                // reliable frames in order; stale "?" words may sit between them (the init's address that do_one_initcall
                // keeps in RBX and a pushing frame saved, printed raw as in the real step5 logs)
                " panic\\+0x[0-9a-f]+/0x[0-9a-f]+",
                " fault_init\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[fault\\]",
                "Kernel Offset: disabled",
                "=---\\[ end Kernel panic - not syncing: fault: giving up after 3 tries \\]---");
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Panic));
        }
    }
}
