using System.Linq;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Faults
{
    /// <summary>
    /// free_pages() of pages the allocator did not hand out (issue 21): __free_pages and free_pages_prepare as
    /// mm/page_alloc.c has them at 5.10.262 and 6.1.192 (Debian's builds: no CONFIG_DEBUG_VM), bad_page() and
    /// mm/debug.c's dump_page for the report. The expected lines come from those sources: the format strings, the
    /// reason page_bad_reason picks (its last failing check), PG_reserved (bit 12) for the boot allocator's pages, and
    /// the flags word's layout (include/linux/page-flags-layout.h with the configs' NODES_SHIFT 10, 5 zones, NR_CPUS 8192).
    /// </summary>
    [TestFixture]
    public class BadPageStateTests
    {
        /// <summary>An order-1 block whose tail page guest code freed on its own first: that put took the tail's refcount from 0 to -1.</summary>
        private const string TailFreedFirst =
            "long b = __get_free_pages(1);\n" +
            "free_pages(b + 4096, 0);\n" +
            "free_pages(b, 1);\n" +
            "printk(\"freed %ld\\n\", b != 0);";

        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        public void FreeOfABlockWhoseTailWasFreedAlone_IsABadPageWithRefcountMinusOne(string profile)
        {
            var run = FaultRun.Inline(TailFreedFirst, profile);
            Assert.That(run.InternalError, Is.Null);
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Completed));
            // The free of the tail alone reports nothing (refcount 0 -> -1, order 0: nothing more to free); the block's
            // free checks its tail page (order 1 > 0): "nonzero _refcount". The pages come from the top of 64 MiB: ZONE_DMA32.
            string fields = profile == "linux-6.1" ? "node=0\\|zone=1\\|lastcpupid=0x1fffff" : "";
            FaultRun.AssertInOrder(run,
                "BUG: Bad page state in process insmod  pfn:0[0-9a-f]{4}",
                "=page:[0-9a-f]{16} refcount:-1 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x[0-9a-f]{4}",
                "=flags: 0xfffffc0000000\\(" + fields + "\\)",
                "=raw: 000fffffc0000000 ffffea0000[0-9a-f]{6} ffffea0000[0-9a-f]{6} 0000000000000000",
                "=raw: 0000000000000000 0000000000000000 ffffffffffffffff 0000000000000000",
                "=page dumped because: nonzero _refcount",
                "=Modules linked in: fault\\(OE\\+\\)",
                "=CPU: 0 PID: \\d+ Comm: insmod Tainted: G           OE .*",
                "Call Trace:",
                "freed 1");
            var lines = FaultRun.Messages(run);
            int report = lines.FindIndex(l => l.StartsWith("BUG: Bad page state"));
            Assert.That(lines[report + 1], Does.EndWith("pfn:0x" + lines[report].Substring(lines[report].Length - 4).TrimStart('0')));
            Assert.That(lines.Count(l => l.StartsWith("BUG: Bad page state")), Is.EqualTo(1));
        }

        /// <summary>
        /// bad_page's lines for a boot-time page (pfn 0 or 1: ZONE_DMA, PG_reserved, lru as INIT_LIST_HEAD left it, at
        /// vmemmap + pfn * 64 + 8) whose refcount is <paramref name="refcount"/> and _mapcount -1.
        /// </summary>
        private static string[] ReservedPageReport(int pfn, int refcount, string profile)
        {
            string fields = profile == "linux-6.1" ? "\\|node=0\\|zone=0\\|lastcpupid=0x1fffff" : "";
            string lru = (0xffffea0000000008UL + (ulong)pfn * 64).ToString("x16");
            return new[]
            {
                $"BUG: Bad page state in process insmod  pfn:0000{pfn}",
                $"=page:[0-9a-f]{{16}} refcount:{refcount} mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x{pfn}",
                "=flags: 0x7ffffc0001000\\(reserved" + fields + "\\)",
                $"=raw: 0007ffffc0001000 {lru} {lru} 0000000000000000",
                $"=raw: 0000000000000000 0000000000000000 0000000{refcount}ffffffff 0000000000000000",
                "=page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag\\(s\\) set",
            };
        }

        [Test]
        public void OrderOneFreeOfTheFirstPhysicalPage_ReportsTheReservedPageTableAfterIt_On61()
        {
            // pfn 0 and pfn 1 (the PML4) are the boot allocator's: PageReserved, refcount 1. 6.1 frees order 1 through the
            // per-CPU lists, whose free_pcp_prepare checks only the tail page; the head is not checked.
            var run = FaultRun.Inline("free_pages(0xffff888000000000, 1);\nprintk(\"after\\n\");", "linux-6.1");
            Assert.That(run.InternalError, Is.Null);
            FaultRun.AssertInOrder(run, ReservedPageReport(1, 1, "linux-6.1").Append("after").ToArray());
            Assert.That(FaultRun.Messages(run).Count(l => l.StartsWith("BUG: Bad page state")), Is.EqualTo(1));
        }

        [Test]
        public void OrderOneFreeOfTheFirstPhysicalPage_ChecksTheHeadToo_On510()
        {
            // 5.10 frees order 1 through __free_pages_ok (check_free): the tail first, then the head, whose refcount the
            // put already took to 0 but whose PG_reserved is still set. The first report tainted B (bad_page's
            // add_taint comes after its dump_stack), so the second one's CPU: line shows it.
            var run = FaultRun.Inline("free_pages(0xffff888000000000, 1);\nprintk(\"after\\n\");", "linux-5.10");
            Assert.That(run.InternalError, Is.Null);
            FaultRun.AssertInOrder(run, ReservedPageReport(1, 1, "linux-5.10")
                .Concat(ReservedPageReport(0, 0, "linux-5.10"))
                .Append("=Modules linked in: fault\\(OE\\+\\)")
                .Append("=CPU: 0 PID: \\d+ Comm: insmod Tainted: G    B      OE .*")
                .Append("after").ToArray());
        }

        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        public void OrderZeroFreeOfAReservedPage_IsSilent(string profile)
        {
            // Order 0 goes to the per-CPU lists on both kernels: free_pcp_prepare checks nothing without CONFIG_DEBUG_VM,
            // and PG_reserved is cleared with the other PAGE_FLAGS_CHECK_AT_PREP flags. The real kernel would hand pfn 0 out.
            var run = FaultRun.Inline("free_pages(0xffff888000000000, 0);\nfree_pages(0xffff888000000000, 0);\nprintk(\"after\\n\");", profile);
            Assert.That(run.InternalError, Is.Null);
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Completed));
            Assert.That(run.Dmesg, Does.Not.Contain("Bad page"));
            FaultRun.AssertInOrder(run, "after");
        }

        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        [TestCase("linux-4.11")]
        public void FreesPastTheEndOfRam_AreNoHostException(string profile)
        {
            // Issue 21's reproducers: free_pages of a block past RAM, straddling its end, and of pfn 0, were host
            // exceptions (ArgumentOutOfRangeException, "double free of frame"). Their struct pages are outside KDsl's
            // mem_map (the real kernel's would be the reserved holes of the last memory section): ignored.
            var run = FaultRun.Inline(
                "free_pages(0xffff888000000000 + 67108864, 0);\nfree_pages(0xffff888000000000 + 67108864 - 4096, 1);\n" +
                "free_pages(0xffff888000000000, 0);\nfree_pages(-4096, 3);\nprintk(\"after\\n\");", profile);
            Assert.That(run.InternalError, Is.Null);
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Completed));
            FaultRun.AssertInOrder(run, "after");
        }

        [Test]
        public void ABurstOfBadPages_StopsAtSixtyAMinute()
        {
            // bad_page's ratelimit: 60 reports, then nr_unshown counts the rest until a minute after the first.
            var run = FaultRun.Inline(
                "int i;\nfor (i = 0; i < 70; i++) {\n    long b = __get_free_pages(1);\n    free_pages(b + 4096, 0);\n    free_pages(b, 1);\n}\nprintk(\"done\\n\");");
            Assert.That(run.InternalError, Is.Null);
            Assert.That(FaultRun.Messages(run).Count(l => l.StartsWith("BUG: Bad page state in process")), Is.EqualTo(60));
            FaultRun.AssertInOrder(run, "done");
        }
    }
}
