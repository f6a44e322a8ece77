using NUnit.Framework;

namespace KDsl.Runtime.Tests.Faults
{
    /// <summary>
    /// Kernel data a module corrupts through the direct map ends as the real kernel ends it (issue 21), never as KDsl's
    /// internal error. The page tables: a table reached through an entry that points past the end of RAM is read at its
    /// direct-map address, which nothing maps (arch/x86/mm/fault.c: a kernel-mode page fault and page_fault_oops;
    /// dump_pagetable's bad_address() prints "BAD" where it cannot read the next table). The page allocator: pages the
    /// kernel frees itself (vfree's vm->pages, a task's stack and task_struct) go back once, whatever guest code did to
    /// the PTEs or passed to free_pages before.
    /// </summary>
    [TestFixture]
    public class CorruptedKernelDataTests
    {
        /// <summary>
        /// Moves vmalloc's cursor past the running stack's 2 MiB (a 4 MiB area), then points the PMD entry of the next
        /// area (after the guard page) at physical 0x7ffff000, past the machine's RAM.
        /// </summary>
        private const string CorruptNextAreasPmd =
            "long *pml4 = (long *)0xffff888000001000;\n" +
            "char *a = vmalloc(4194304);\n" +
            "long next = (long)a + 4194304 + 4096;\n" +
            "long *pud = (long *)(0xffff888000000000 + (pml4[(next >> 39) & 511] & 0xffffffffff000));\n" +
            "long *pmd = (long *)(0xffff888000000000 + (pud[(next >> 30) & 511] & 0xffffffffff000));\n" +
            "pmd[(next >> 21) & 511] = 0x7ffff063;\n";

        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        public void VmallocThroughAPmdPastRam_OopsesReadingThePageTableThroughTheDirectMap(string profile)
        {
            var run = FaultRun.Inline(CorruptNextAreasPmd + "char *p = vmalloc(4096);\np[0] = 1;", profile);
            Assert.That(run.InternalError, Is.Null);
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Oops));
            // vmap_pte_range reads the old PTE first: __va(0x7ffff000) + 8 * pte_index, a read of a not-present page.
            FaultRun.AssertInOrder(run,
                "BUG: unable to handle page fault for address: ffff88807ffff[0-9a-f]{3}",
                "=#PF: supervisor read access in kernel mode",
                "=#PF: error_code\\(0x0000\\) - not-present page",
                "Oops: 0000 \\[#1\\].*",
                "=CPU: 0 PID: \\d+ Comm: insmod .*",
                "RIP: 0010:vmalloc\\+0x[0-9a-f]+/0x[0-9a-f]+",
                "CR2: ffff88807ffff[0-9a-f]{3}");
            Assert.That(run.InitReturn, Is.Null);
        }

        [Test]
        public void AccessUnderAPmdPastRam_DumpPagetableEndsWithBad()
        {
            var run = FaultRun.Inline(CorruptNextAreasPmd + "char *p = (char *)next;\np[0] = 1;", "linux-6.1");
            Assert.That(run.InternalError, Is.Null);
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Oops));
            // dump_pagetable: pr_info("PGD %lx "), pr_cont P4D, PUD, PMD; bad_address(pte) faults, so pr_info("BAD\n").
            FaultRun.AssertInOrder(run,
                "BUG: unable to handle page fault for address: ffffc9[0-9a-f]{10}",
                "=#PF: supervisor write access in kernel mode",
                "=#PF: error_code\\(0x[0-9a-f]{4}\\) - .*",
                "=PGD [0-9a-f]+ P4D [0-9a-f]+ PUD [0-9a-f]+ PMD 7ffff063 ",
                "=BAD",
                "=Oops: .*");
        }

        [Test]
        public void APml4EntryPastRam_ThenVmalloc_IsAnOopsNotAnInternalError()
        {
            // The first reproducer of issue 21: the whole vmalloc range's PML4 entry (index 402) past RAM.
            var run = FaultRun.Inline("long *pml4 = (long *)0xffff888000001000;\npml4[402] = 0x7ffff063;\nchar *p = vmalloc(4096);\np[0] = 1;");
            Assert.That(run.InternalError, Is.Null);
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Oops));
            FaultRun.AssertInOrder(run, "BUG: unable to handle page fault for address: ffff88807ffff[0-9a-f]{3}");
        }

        [Test]
        public void AThreadRewritesItsStackPte_VfreeFreesTheAreasOwnPages()
        {
            // The thread points the PTE of its stack's second page (unused by so short a thread) at a frame past RAM,
            // then returns: with no stack cache its exit vfrees the stack, whose pages are vm->pages, not the PTE's
            // frame. Run twice, so the second thread's stack reuses the freed pages.
            const string threadFn =
                "void worker(long n) {\n" +
                "    long here = ((long)&n & ~16383) + 4096;\n" +
                "    long *pml4 = (long *)0xffff888000001000;\n" +
                "    long *pud = (long *)(0xffff888000000000 + (pml4[(here >> 39) & 511] & 0xffffffffff000));\n" +
                "    long *pmd = (long *)(0xffff888000000000 + (pud[(here >> 30) & 511] & 0xffffffffff000));\n" +
                "    long *pte = (long *)(0xffff888000000000 + (pmd[(here >> 21) & 511] & 0xffffffffff000));\n" +
                "    pte[(here >> 12) & 511] = 0x7ffff063;\n" +
                "}\n";
            var run = FaultRun.Inline("long a = kthread_run(worker, 1);\nlong b = kthread_run(worker, 2);\nprintk(\"threads %ld %ld\\n\", !IS_ERR(a), !IS_ERR(b));",
                "linux-6.1; stack_cache = off", threadFn);
            Assert.That(run.InternalError, Is.Null);
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Completed));
            FaultRun.AssertInOrder(run, "threads 1 1");
        }

        [Test]
        public void ModuleFreesItsThreadsDirectMappedStack_TheThreadsExitDoesNotFreeItTwice()
        {
            // CONFIG_VMAP_STACK=n: the stack is an order-2 block of the direct map; free_pages of it from the thread
            // itself gives it back (refcount 1 -> 0), and free_thread_stack's own free at exit finds it free already.
            const string threadFn =
                "void worker(long n) {\n" +
                "    free_pages((long)&n & ~16383, 2);\n" +
                "}\n";
            var run = FaultRun.Inline("long a = kthread_run(worker, 1);\nprintk(\"thread %ld\\n\", !IS_ERR(a));", "linux-6.1; vmap_stack = off", threadFn);
            Assert.That(run.InternalError, Is.Null);
            FaultRun.AssertInOrder(run, "thread 1");
        }
    }
}
