using System.Linq;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Faults
{
    /// <summary>
    /// vfree() of an area that is not there (issue 21): __vunmap's WARN in mm/vmalloc.c, "Trying to vfree() nonexistent vm
    /// area (%p)" (KERN_ERR) at line 2758 of 6.1.192 and 2257 of 5.10.262, "Trying to vfree() bad address (%p)" at 2752 /
    /// 2251 for an address that is not page aligned. WARN prints CUT_HERE and the message (__warn_printk), then __warn's
    /// "WARNING: CPU: %d PID: %d at %s:%d %pS" for the ud2 in __vunmap; execution goes on and nothing is freed.
    /// </summary>
    [TestFixture]
    public class VfreeTests
    {
        [TestCase("linux-6.1", 2758)]
        [TestCase("linux-5.10", 2257)]
        public void VfreeTwice_WarnsNonexistentVmArea(string profile, int line)
        {
            var run = FaultRun.Inline("char *p = vmalloc(8192);\np[0] = 1;\nvfree(p);\nvfree(p);\nprintk(\"after\\n\");", profile);
            Assert.That(run.InternalError, Is.Null);
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Completed));
            Assert.That(run.InitReturn, Is.EqualTo(0));
            FaultRun.AssertInOrder(run,
                "------------\\[ cut here \\]------------",
                "=Trying to vfree\\(\\) nonexistent vm area \\([0-9a-f]{16}\\)",
                "=WARNING: CPU: 0 PID: \\d+ at mm/vmalloc\\.c:" + line + " __vunmap\\+0x[0-9a-f]+/0x[0-9a-f]+",
                "=Modules linked in: fault\\(OE\\+\\)",
                "RIP: 0010:__vunmap\\+0x[0-9a-f]+/0x[0-9a-f]+",
                "Call Trace:",
                "---\\[ end trace [0-9a-f]{16} \\]---",
                "after");
            Assert.That(FaultRun.Messages(run).Count(l => l.StartsWith("WARNING:")), Is.EqualTo(1));
        }

        [TestCase("linux-6.1", 2752)]
        [TestCase("linux-5.10", 2251)]
        public void VfreeOfAnUnalignedAddress_WarnsBadAddress(string profile, int line)
        {
            var run = FaultRun.Inline("char *p = vmalloc(4096);\nvfree(p + 8);\np[0] = 1;\nprintk(\"still mapped\\n\");", profile);
            Assert.That(run.InternalError, Is.Null);
            FaultRun.AssertInOrder(run,
                "------------\\[ cut here \\]------------",
                "=Trying to vfree\\(\\) bad address \\([0-9a-f]{16}\\)",
                "=WARNING: CPU: 0 PID: \\d+ at mm/vmalloc\\.c:" + line + " __vunmap\\+0x[0-9a-f]+/0x[0-9a-f]+",
                "still mapped");
        }

        [Test]
        public void VfreeOfAPageInsideTheArea_FreesTheWholeArea()
        {
            // find_vm_area finds the vmap_area holding the address, so the area goes whole: its first page faults after.
            var run = FaultRun.Inline("char *p = vmalloc(8192);\nvfree(p + 4096);\nprintk(\"freed\\n\");\np[0] = 1;");
            Assert.That(run.InternalError, Is.Null);
            Assert.That(run.Dmesg, Does.Not.Contain("WARNING"));
            FaultRun.AssertInOrder(run, "freed", "BUG: unable to handle page fault for address: ffffc9[0-9a-f]{10}");
        }

        [Test]
        public void ALoopOfWarns_MeetsTheBudget()
        {
            // WARN has no rate limit: every line of each report costs the run a printk record (KernelWork.PrintkRecord),
            // so the loop ends in the watchdog's report within the budget instead of formatting reports for minutes.
            const long budget = 10_000_000;
            var result = Compiler.Compile("loop.kdsl", "module loop \"x\";\ninit {\n    for (;;) vfree((void *)0xffffc90080000000);\n}\n");
            var run = Machine.Run(result.Image!, null, KDsl.Runtime.Kernel.Layout.PhysicalMemorySize, budget);
            Assert.That(run.InternalError, Is.Null);
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.SoftLockup));
            int warnings = FaultRun.Messages(run).Count(l => l.StartsWith("WARNING: CPU: 0"));
            int lines = FaultRun.Messages(run).Count;
            Assert.That(warnings, Is.GreaterThan(1));
            Assert.That((long)lines * KDsl.Runtime.Kernel.KernelWork.PrintkRecord, Is.LessThanOrEqualTo(budget + 100 * KDsl.Runtime.Kernel.KernelWork.PrintkRecord),
                "each line of a report is paid for");
        }

        [Test]
        public void VfreeOfTheRunningStack_EndsInADoubleFault()
        {
            // The stack is a vmalloc area like any other: once its PTEs are gone the next push faults, and the CPU
            // cannot push the #PF frame either: a page fault while delivering a page fault is #DF (SDM Vol. 3, Table 6-5).
            var run = FaultRun.Inline("long x = 1;\nvfree((void *)((long)&x & ~16383));\nprintk(\"after %ld\\n\", x);");
            Assert.That(run.InternalError, Is.Null);
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Panic));
            FaultRun.AssertInOrder(run, "traps: PANIC: double fault, error_code: 0x0", "Kernel panic - not syncing: Fatal exception in interrupt");
            Assert.That(run.Dmesg, Does.Not.Contain("after"));
        }

        [Test]
        public void VfreeOfAnAddressNoAreaEverHeld_Warns()
        {
            var run = FaultRun.Inline("vfree((void *)0xffffc90080000000);\nvfree((void *)0);\nprintk(\"after\\n\");");
            Assert.That(run.InternalError, Is.Null);
            FaultRun.AssertInOrder(run, "Trying to vfree\\(\\) nonexistent vm area \\(ffffc90080000000\\)", "after");
        }
    }
}
