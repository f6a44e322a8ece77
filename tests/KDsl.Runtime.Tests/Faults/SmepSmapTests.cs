using NUnit.Framework;

namespace KDsl.Runtime.Tests.Faults
{
    /// <summary>
    /// SMEP and SMAP as CR4 has them (issue 21). The 5.10 and 6.1 profiles' CR4 (0x750ef0, 0x751ef0, as their real-kernel
    /// logs print it) has bits 20 (SMEP) and 21 (SMAP); 4.11's (0x406e0) has neither. A module maps a user page (U/S at
    /// every level) at 0x1000 holding a ret, then reads it or calls it from ring 0. Intel SDM Vol. 3A 4.6.1: the read is
    /// a protection fault (error code 0x1) under SMAP with RFLAGS.AC clear, the fetch one (0x11) under SMEP.
    /// arch/x86/mm/fault.c (5.10, 6.1): do_user_addr_fault sends both straight to page_fault_oops; show_fault_oops
    /// prints "unable to execute userspace code (SMEP?) (uid: %d)" for the fetch first.
    /// </summary>
    [TestFixture]
    public class SmepSmapTests
    {
        /// <summary>Maps a user page at 0x1000 in the kernel's page tables (U/S at every level), a ret at its start.</summary>
        internal static string MapUserPage(string directMap) =>
            $"long *pml4 = (long *)({directMap} + 0x1000);\n" +
            "long pud = __get_free_pages(0);\nlong pmd = __get_free_pages(0);\nlong pt = __get_free_pages(0);\nlong page = __get_free_pages(0);\n" +
            $"pml4[0] = (pud - {directMap}) | 0x67;\n" +
            $"((long *)pud)[0] = (pmd - {directMap}) | 0x67;\n" +
            $"((long *)pmd)[0] = (pt - {directMap}) | 0x67;\n" +
            $"((long *)pt)[1] = (page - {directMap}) | 0x67;\n" +
            "*(char *)page = 0xc3;\n";

        private const string DirectMap = "0xffff888000000000";
        internal const string DirectMap411 = "0xffff880000000000";

        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        public void KernelReadOfAUserPage_IsAnSmapPageFaultOops(string profile)
        {
            var run = FaultRun.Inline(MapUserPage(DirectMap) + "long v = *(char *)0x1000;\nprintk(\"read %lx\\n\", v & 255);", profile);
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Oops));
            FaultRun.AssertInOrder(run,
                "BUG: unable to handle page fault for address: 0000000000001000",
                "=#PF: supervisor read access in kernel mode",
                "=#PF: error_code\\(0x0001\\) - permissions violation",
                "=PGD [0-9a-f]+067 P4D [0-9a-f]+067 PUD [0-9a-f]+067 PMD [0-9a-f]+067 PTE [0-9a-f]+067",
                "=Oops: 0001 \\[#1\\].*");
            Assert.That(FaultRun.Messages(run), Has.None.StartsWith("read "));
        }

        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        public void KernelCallIntoAUserPage_IsAnSmepPageFaultOops(string profile)
        {
            var run = FaultRun.Inline(MapUserPage(DirectMap) + "call_ptr(0x1000);\nprintk(\"returned\\n\");", profile);
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Oops));
            FaultRun.AssertInOrder(run,
                "unable to execute userspace code \\(SMEP\\?\\) \\(uid: 0\\)",
                "=BUG: unable to handle page fault for address: 0000000000001000",
                "=#PF: supervisor instruction fetch in kernel mode",
                "=#PF: error_code\\(0x0011\\) - permissions violation",
                "Oops: 0011 \\[#1\\].*",
                "RIP: 0010:0x1000");
            Assert.That(FaultRun.Messages(run), Has.None.EqualTo("returned"));
        }

        [Test]
        public void WithoutSmepAndSmapInCr4_TheKernelReadsAndRunsTheUserPage()
        {
            var run = FaultRun.Inline(MapUserPage(DirectMap411) +
                "long v = *(char *)0x1000;\nprintk(\"read %lx\\n\", v & 255);\ncall_ptr(0x1000);\nprintk(\"returned\\n\");", "linux-4.11");
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Completed));
            FaultRun.AssertInOrder(run, "read c3", "=returned");
        }
    }
}
