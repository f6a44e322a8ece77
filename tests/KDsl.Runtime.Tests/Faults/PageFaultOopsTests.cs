using System.Linq;
using NUnit.Framework;
using static KDsl.Runtime.Tests.Faults.FaultRun;

namespace KDsl.Runtime.Tests.Faults
{
    /// <summary>
    /// page_fault_oops as each profile's kernel prints it. Expected lines come from kernel-reference.md §2.5
    /// (show_fault_oops, dump_pagetable), §3.1 (order, CR2 executive line), §3.2 (__die_header flags), §3.7 (modules,
    /// end marker), and for 4.11 from that era's fault.c (BUG/IP lines, per-level PGD records; see docs/language.md).
    /// </summary>
    [TestFixture]
    public class PageFaultOopsTests
    {
        [Test]
        public void NullWrite_Linux61()
        {
            var run = Example("null-deref.kdsl", "linux-6.1");
            AssertInOrder(run,
                "null_deref: writing through NULL",
                "BUG: kernel NULL pointer dereference, address: 0000000000000000",
                "=#PF: supervisor write access in kernel mode",
                "=#PF: error_code\\(0x0002\\) - not-present page",
                "=PGD 0 P4D 0 ",
                "=Oops: 0002 \\[#1\\] PREEMPT SMP NOPTI",
                "=CPU: 0 PID: 98 Comm: insmod Tainted: G           OE      6\\.1\\.0-56-amd64 #1  Debian 6\\.1\\.192-2",
                "=Hardware name: .*",
                "=RIP: 0010:poke\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[null_deref\\]",
                "=Code: .*",
                "=RSP: 0018:[0-9a-f]{16} EFLAGS: [0-9a-f]{8}",
                "Call Trace:",
                "= <TASK>",
                "= null_deref_init\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[null_deref\\]",
                " </TASK>",
                "=Modules linked in: null_deref\\(OE\\+\\)",
                "=CR2: 0000000000000000",
                "=---\\[ end trace 0000000000000000 \\]---",
                "=RIP: 0010:poke\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[null_deref\\]");
            Assert.That(Messages(run), Has.None.Contains("not reached"));
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Oops));
            Assert.That(run.Oops!.Kind, Is.EqualTo("page_fault"));
            Assert.That(run.Oops.Function, Is.EqualTo("poke"));
        }

        [Test]
        public void NullWrite_Linux510_RandomEndTraceId()
        {
            var run = Example("null-deref.kdsl", "linux-5.10");
            AssertInOrder(run,
                "BUG: kernel NULL pointer dereference, address: 0000000000000000",
                "=#PF: supervisor write access in kernel mode",
                "=#PF: error_code\\(0x0002\\) - not-present page",
                "=PGD 0 P4D 0 ",
                "=Oops: 0002 \\[#1\\] SMP NOPTI",
                "=CPU: 0 PID: 86 Comm: insmod Tainted: G           OE     5\\.10\\.0-46-amd64 #1 Debian 5\\.10\\.262-1",
                "Modules linked in: null_deref\\(OE\\+\\)",
                "=CR2: 0000000000000000",
                "=---\\[ end trace [0-9a-f]{16} \\]---");
        }

        [Test]
        public void NullWrite_Linux411_OldWording()
        {
            var run = Example("null-deref.kdsl", "linux-4.11");
            AssertInOrder(run,
                // 4.11: " at %p" of NULL is "(null)" right-aligned in 16 columns.
                "BUG: unable to handle kernel NULL pointer dereference at           \\(null\\)",
                "=IP: poke\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[null_deref\\]",
                "=PGD 0 ",
                "=",
                "=Oops: 0002 \\[#1\\] SMP",
                "=Modules linked in: null_deref\\(OE\\+\\)",
                "=CPU: 1 PID: 7220 Comm: insmod Tainted: G           OE   4\\.11\\.12-200\\.fc25\\.x86_64 #1",
                "=Hardware name: .*",
                "=task: [0-9a-f]{16} task\\.stack: [0-9a-f]{16}",
                "=RIP: 0010:poke\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[null_deref\\]",
                "Call Trace:",
                "Code: .*",
                "=RIP: poke\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[null_deref\\] RSP: [0-9a-f]{16}",
                "=CR2: 0000000000000000",
                "=---\\[ end trace [0-9a-f]{16} \\]---");
        }

        [Test]
        public void WildKernelRead_WalksThePageTables()
        {
            var run = Example("oops-then-continue.kdsl", "linux-6.1");
            AssertInOrder(run,
                "BUG: unable to handle page fault for address: ffffc90000f00000",
                "=#PF: supervisor read access in kernel mode",
                "=#PF: error_code\\(0x0000\\) - not-present page",
                // The walk reaches the vmalloc PMD and stops at the first non-present level, with pr_cont's trailing blank.
                "=PGD [0-9a-f]+ P4D [0-9a-f]+ PUD [0-9a-f]+ PMD 0 ",
                "=Oops: 0000 \\[#1\\] PREEMPT SMP NOPTI");
        }

        [Test]
        public void ExecuteFromData_IsAnNxViolation()
        {
            var run = Inline("char *code = \"\\xc3\";\n call_ptr(code);");
            AssertInOrder(run,
                "kernel tried to execute NX-protected page - exploit attempt\\? \\(uid: 0\\)",
                "=BUG: unable to handle page fault for address: ffffffffc0[0-9a-f]{6}",
                "=#PF: supervisor instruction fetch in kernel mode",
                "=#PF: error_code\\(0x0011\\) - permissions violation",
                "=PGD [0-9a-f]+ P4D [0-9a-f]+ PUD [0-9a-f]+ PMD [0-9a-f]+ PTE 8[0-9a-f]+",
                "=Oops: 0011 \\[#1\\] PREEMPT SMP NOPTI");
        }

        [Test]
        public void CallThroughNull_FetchesFromAddressZero()
        {
            var run = Inline("call_ptr(0);");
            AssertInOrder(run,
                "BUG: kernel NULL pointer dereference, address: 0000000000000000",
                "=#PF: supervisor instruction fetch in kernel mode",
                "=#PF: error_code\\(0x0010\\) - not-present page",
                "=PGD 0 P4D 0 ",
                "=Oops: 0010 \\[#1\\] PREEMPT SMP NOPTI",
                "RIP: 0010:0x0",
                // show_opcodes copies from RIP - 42: unreadable, the prologue address is printed (≈6.x wording).
                "=Code: Unable to access opcode bytes at 0xffffffffffffffd6\\.");
        }

        [Test]
        public void WriteToRodata_IsAPermissionsViolation()
        {
            var run = Inline("char *s = \"constant\";\n s[0] = 'C';");
            AssertInOrder(run,
                "BUG: unable to handle page fault for address: ffffffffc0[0-9a-f]{6}",
                "=#PF: supervisor write access in kernel mode",
                "=#PF: error_code\\(0x0003\\) - permissions violation",
                "=PGD [0-9a-f]+ P4D [0-9a-f]+ PUD [0-9a-f]+ PMD [0-9a-f]+ PTE 8[0-9a-f]+",
                "=Oops: 0003 \\[#1\\] PREEMPT SMP NOPTI");
        }

        [Test]
        public void UserAddressFromKernel_NotPresent()
        {
            var run = Inline("long *user = (long *)0x400000;\n printk(\"%ld\\n\", *user);");
            AssertInOrder(run,
                "BUG: unable to handle page fault for address: 0000000000400000",
                "=#PF: supervisor read access in kernel mode",
                "=#PF: error_code\\(0x0000\\) - not-present page",
                "=PGD 0 P4D 0 ",
                "=Oops: 0000 \\[#1\\] PREEMPT SMP NOPTI");
        }
    }
}
