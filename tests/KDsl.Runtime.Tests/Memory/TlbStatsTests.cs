using KDsl.Runtime.Cpu;
using KDsl.Runtime.Memory;
using KDsl.Runtime.Tests.Cpu;
using NUnit.Framework;
using static Iced.Intel.AssemblerRegisters;

namespace KDsl.Runtime.Tests.Memory
{
    /// <summary>
    /// The software TLB's large-page entries and its statistics by PML4 slot. Expected counts follow from how a TLB
    /// works: one walk per page (a 2 MiB or 1 GiB page is one page), hits for every later access to it, per access kind.
    /// Slots are (va &gt;&gt; 39) &amp; 511: the direct map 0xffff888000000000 is slot 273, vmalloc 0xffffc90000000000
    /// slot 402, the kernel text 0xffffffff81000000 slot 511 (Documentation/x86/x86_64/mm.rst), user addresses slot 0.
    /// </summary>
    [TestFixture]
    public class TlbStatsTests
    {
        private const ulong DirectMap = 0xffff_8880_0000_0000UL;
        private const int DirectMapSlot = 273;
        private const ulong VmallocVa = 0xffff_c900_0000_0000UL;
        private const int VmallocSlot = 402;
        private const int KernelTextSlot = 511;
        private const ulong W = (ulong)(PteFlags.Present | PteFlags.Writable);

        private static (PhysicalMemory Mem, PageTables Pt, ulong Root, Mmu Mmu) NewMachine()
        {
            var mem = new PhysicalMemory(16UL << 20);
            var pt = new PageTables(mem);
            ulong root = pt.CreateRoot();
            var mmu = new Mmu(mem) { Cr3 = root };
            return (mem, pt, root, mmu);
        }

        [Test]
        public void TwoMegPage_OneMiss_ThenHitsOverAll512Pages()
        {
            var (mem, pt, root, mmu) = NewMachine();
            using var owner = mem;
            Assert.That(mem.TryAllocPages(9, out ulong pa2m), Is.True);
            pt.Map2M(root, DirectMap + pa2m, pa2m, PteFlags.Present | PteFlags.Writable);

            for (int i = 0; i < 512; i++)
            {
                ulong va = DirectMap + pa2m + (ulong)i * 0x1000 + 8;
                Assert.That(mmu.Translate(va, Access.Read, 0, out ulong pa, out _), Is.EqualTo(TranslateStatus.Ok));
                Assert.That(pa, Is.EqualTo(pa2m + (ulong)i * 0x1000 + 8));
            }
            Assert.That((mmu.Stats.Misses(DirectMapSlot), mmu.Stats.Hits(DirectMapSlot)), Is.EqualTo((1L, 511L)));

            // Second pass: every 4 KiB entry is filled now.
            for (int i = 0; i < 512; i++)
                mmu.Translate(DirectMap + pa2m + (ulong)i * 0x1000, Access.Read, 0, out _, out _);
            Assert.That((mmu.Stats.Misses(DirectMapSlot), mmu.Stats.Hits(DirectMapSlot)), Is.EqualTo((1L, 1023L)));

            // Writes are their own access kind: one more walk (it sets the 2 MiB leaf's Dirty bit), then hits.
            for (int i = 0; i < 512; i++)
                Assert.That(mmu.Translate(DirectMap + pa2m + (ulong)i * 0x1000, Access.Write, 0, out _, out _), Is.EqualTo(TranslateStatus.Ok));
            Assert.That((mmu.Stats.Misses(DirectMapSlot), mmu.Stats.Hits(DirectMapSlot)), Is.EqualTo((2L, 1534L)));
            Assert.That(pt.Walk(root, DirectMap + pa2m).Pmd & (ulong)PteFlags.Dirty, Is.Not.EqualTo(0UL));
        }

        [Test]
        public void FourKPages_OneMissPerPage()
        {
            var (mem, pt, root, mmu) = NewMachine();
            using var owner = mem;
            for (int i = 0; i < 8; i++)
                pt.Map4K(root, VmallocVa + (ulong)i * 0x1000, mem.AllocPage(), PteFlags.Present | PteFlags.Writable);
            for (int pass = 0; pass < 3; pass++)
                for (int i = 0; i < 8; i++)
                    mmu.Translate(VmallocVa + (ulong)i * 0x1000 + 0x800, Access.Read, 0, out _, out _);
            Assert.That((mmu.Stats.Misses(VmallocSlot), mmu.Stats.Hits(VmallocSlot)), Is.EqualTo((8L, 16L)));
            Assert.That((mmu.TlbMisses, mmu.TlbHits), Is.EqualTo((8L, 16L)), "the totals are the slots' sums");
        }

        [Test]
        public void OneGigPage_CoversItsWholeRange_AndPastRamIsAFaultNotAHit()
        {
            var (mem, _, root, mmu) = NewMachine();
            using var d = mem;
            // PML4[273] -> a PDPT whose first entry is a 1 GiB leaf at physical 0 (the RAM is only its first 16 MiB).
            ulong pdpt = mem.AllocPage();
            mem.WriteU64(root + DirectMapSlot * 8, pdpt | W);
            mem.WriteU64(pdpt, 0UL | W | (ulong)PteFlags.Huge);
            mmu.FlushAll();

            Assert.That(mmu.Translate(DirectMap + 0x1000, Access.Read, 0, out ulong pa, out _), Is.EqualTo(TranslateStatus.Ok));
            Assert.That(pa, Is.EqualTo(0x1000UL));
            Assert.That(mmu.Translate(DirectMap + (9UL << 20), Access.Read, 0, out pa, out _), Is.EqualTo(TranslateStatus.Ok));
            Assert.That(pa, Is.EqualTo(9UL << 20), "another 2 MiB of the same 1 GiB page: no walk");
            Assert.That((mmu.Stats.Misses(DirectMapSlot), mmu.Stats.Hits(DirectMapSlot)), Is.EqualTo((1L, 1L)));

            Assert.That(mmu.Translate(DirectMap + (512UL << 20), Access.Read, 0, out _, out uint err), Is.EqualTo(TranslateStatus.PageFault));
            Assert.That(err & PfError.Rsvd, Is.Not.EqualTo(0u), "beyond RAM, as the walk reports it");
            Assert.That((mmu.Stats.Misses(DirectMapSlot), mmu.Stats.Hits(DirectMapSlot)), Is.EqualTo((2L, 1L)), "the fault walked");
        }

        [Test]
        public void CountsBySlot_DataAndFetchApart()
        {
            var (mem, pt, root, mmu) = NewMachine();
            using var owner = mem;
            pt.Map4K(root, 0x40_0000UL, mem.AllocPage(), PteFlags.Present | PteFlags.User | PteFlags.Writable);
            pt.Map4K(root, VmallocVa, mem.AllocPage(), PteFlags.Present | PteFlags.Writable);
            pt.Map4K(root, 0xffff_ffff_8100_0000UL, mem.AllocPage(), PteFlags.Present);

            mmu.Translate(0x40_0010UL, Access.Read, 3, out _, out _);
            mmu.Translate(0x40_0020UL, Access.Write, 3, out _, out _);
            mmu.Translate(0x40_0030UL, Access.Write, 3, out _, out _);
            mmu.Translate(VmallocVa, Access.Read, 0, out _, out _);
            mmu.Translate(0xffff_ffff_8100_0000UL, Access.Execute, 0, out _, out _);
            mmu.Translate(0xffff_ffff_8100_0040UL, Access.Execute, 0, out _, out _);

            TlbStats s = mmu.Stats;
            Assert.That((s.Misses(0), s.Hits(0)), Is.EqualTo((2L, 1L)), "user: a read walk, a write walk, a write hit");
            Assert.That((s.Misses(VmallocSlot), s.Hits(VmallocSlot)), Is.EqualTo((1L, 0L)));
            Assert.That((s.Misses(KernelTextSlot), s.Hits(KernelTextSlot)), Is.EqualTo((0L, 0L)), "fetches are not data");
            Assert.That((s.FetchMissesIn(KernelTextSlot), s.FetchHitsIn(KernelTextSlot)), Is.EqualTo((1L, 1L)));
            Assert.That((s.TotalMisses, s.TotalHits, s.TotalFetchMisses, s.TotalFetchHits), Is.EqualTo((3L, 1L, 1L, 1L)));
        }

        [Test]
        public void Invlpg_DropsTheLargeEntryCoveringTheAddress_FlushDropsAll()
        {
            var (mem, pt, root, mmu) = NewMachine();
            using var owner = mem;
            Assert.That(mem.TryAllocPages(9, out ulong a), Is.True);
            Assert.That(mem.TryAllocPages(9, out ulong b), Is.True);
            pt.Map2M(root, DirectMap + a, a, PteFlags.Present | PteFlags.Writable);
            pt.Map2M(root, DirectMap + b, b, PteFlags.Present | PteFlags.Writable);
            mmu.Translate(DirectMap + a, Access.Read, 0, out _, out _);
            mmu.Translate(DirectMap + b, Access.Read, 0, out _, out _);
            Assert.That(mmu.Stats.Misses(DirectMapSlot), Is.EqualTo(2L));

            mmu.Invlpg(DirectMap + a + 0x5000); // inside a, not a page translated before
            mmu.Translate(DirectMap + a + 0x1000, Access.Read, 0, out _, out _);
            Assert.That(mmu.Stats.Misses(DirectMapSlot), Is.EqualTo(3L), "a's large entry went with the invlpg");
            mmu.Translate(DirectMap + b + 0x1000, Access.Read, 0, out _, out _);
            Assert.That(mmu.Stats.Misses(DirectMapSlot), Is.EqualTo(3L), "b's did not");

            // A stale large entry outlives an unmap until invlpg, as on hardware.
            pt.Unmap(root, DirectMap + b);
            Assert.That(mmu.Translate(DirectMap + b + 0x3000, Access.Read, 0, out _, out _), Is.EqualTo(TranslateStatus.Ok));
            mmu.Invlpg(DirectMap + b + 0x1F_F000);
            Assert.That(mmu.Translate(DirectMap + b + 0x3000, Access.Read, 0, out _, out _), Is.EqualTo(TranslateStatus.PageFault));

            long misses = mmu.Stats.Misses(DirectMapSlot);
            mmu.Cr3 = root; // a CR3 write flushes the large entries too
            mmu.Translate(DirectMap + a + 0x2000, Access.Read, 0, out _, out _);
            Assert.That(mmu.Stats.Misses(DirectMapSlot), Is.EqualTo(misses + 1));
            long hits = mmu.Stats.Hits(DirectMapSlot);
            mmu.FlushAll();
            Assert.That(mmu.Stats.Hits(DirectMapSlot), Is.EqualTo(hits), "flushing keeps the counts");
        }

        [Test]
        public void FaultPaths_CountAsWalks_NeverAsHits_AndLargeEntriesKeepPermissionsPerKind()
        {
            var (mem, pt, root, mmu) = NewMachine();
            using var owner = mem;
            Assert.That(mem.TryAllocPages(9, out ulong pa), Is.True);
            pt.Map2M(root, DirectMap + pa, pa, PteFlags.Present | PteFlags.NoExecute); // read-only, supervisor, NX

            Assert.That(mmu.Translate(DirectMap + pa, Access.Read, 0, out _, out _), Is.EqualTo(TranslateStatus.Ok));
            for (int i = 1; i <= 3; i++)
            {
                ulong va = DirectMap + pa + (ulong)i * 0x1000;
                Assert.That(mmu.Translate(va, Access.Write, 0, out _, out uint werr), Is.EqualTo(TranslateStatus.PageFault));
                Assert.That(werr, Is.EqualTo(PfError.Prot | PfError.Write));
                Assert.That(mmu.Translate(va, Access.Execute, 0, out _, out _), Is.EqualTo(TranslateStatus.PageFault));
                Assert.That(mmu.Translate(va, Access.Read, 3, out _, out uint uerr), Is.EqualTo(TranslateStatus.PageFault));
                Assert.That(uerr, Is.EqualTo(PfError.Prot | PfError.User));
            }
            TlbStats s = mmu.Stats;
            Assert.That((s.Misses(DirectMapSlot), s.Hits(DirectMapSlot)), Is.EqualTo((7L, 0L)), "one read walk, six faulting walks");
            Assert.That((s.FetchMissesIn(DirectMapSlot), s.FetchHitsIn(DirectMapSlot)), Is.EqualTo((3L, 0L)));
            Assert.That(mmu.Translate(0x0000_8000_0000_0000UL, Access.Read, 0, out _, out _), Is.EqualTo(TranslateStatus.NonCanonical));
            Assert.That(mmu.TlbMisses, Is.EqualTo(10L), "a non-canonical address is no translation");
        }

        [Test]
        public void CpuFastPaths_CountEveryAccessOnce()
        {
            using var g = new GuestFixture();
            g.Run(a =>
            {
                var top = a.CreateLabel();
                a.mov(rbx, unchecked((long)GuestFixture.DataVa));
                a.mov(ecx, 100);
                a.Label(ref top);
                a.add(__qword_ptr[rbx], 1);
                a.dec(ecx);
                a.jnz(top);
                a.hlt();
            });
            TlbStats s = g.Cpu.Mmu.Stats;
            Assert.That((s.Misses(DirectMapSlot), s.Hits(DirectMapSlot)), Is.EqualTo((2L, 198L)), "100 reads and 100 writes to one 4 KiB page");
            Assert.That(s.FetchMissesIn(KernelTextSlot), Is.EqualTo(1L), "the loop stays in its decoded page");
        }

        [Test]
        public void WriteThroughALargeEntry_StillInvalidatesDecodedCode()
        {
            using var g = new GuestFixture();
            const ulong big = 0xffff_ffff_8200_0000UL; // a writable, executable 2 MiB page
            Assert.That(g.Mem.TryAllocPages(9, out ulong pa), Is.True);
            g.Pt.Map2M(g.Root, big, pa, PteFlags.Present | PteFlags.Writable);
            g.Cpu.FlushDecodeCache();
            g.Cpu.Mmu.FlushAll();
            // The callee on the 2 MiB page's second 4 KiB page: mov eax, 1; ret.
            g.Mem.Write(pa + 0x1000, new byte[] { 0xB8, 0x01, 0x00, 0x00, 0x00, 0xC3 });
            StopReason r = g.Run(a =>
            {
                a.mov(rbx, unchecked((long)big));
                a.mov(__byte_ptr[rbx + 0x3000], 0);   // a write walk: the large write entry
                a.mov(rdx, unchecked((long)big + 0x1000));
                a.call(rdx);                          // decodes the callee
                a.mov(esi, eax);
                a.mov(__byte_ptr[rbx + 0x1001], 2);   // a large-entry hit on a decoded frame: mov eax, 2
                a.call(rdx);
                a.hlt();
            });
            Assert.That(r, Is.EqualTo(StopReason.Halt));
            Assert.That((g.Cpu[Reg.Rsi], g.Cpu[Reg.Rax]), Is.EqualTo((1UL, 2UL)));
            Assert.That(g.Cpu.CodeInvalidations, Is.GreaterThanOrEqualTo(1L));
            TlbStats s = g.Cpu.Mmu.Stats;
            Assert.That((s.Misses(KernelTextSlot), s.Hits(KernelTextSlot)), Is.EqualTo((1L, 1L)), "one walk for the 2 MiB page's writes");
        }
    }
}
