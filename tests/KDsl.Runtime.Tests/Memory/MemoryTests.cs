using KDsl.Runtime.Cpu;
using KDsl.Runtime.Memory;
using KDsl.Runtime.Tests.Cpu;
using NUnit.Framework;
using static Iced.Intel.AssemblerRegisters;

namespace KDsl.Runtime.Tests.Memory
{
    [TestFixture]
    public class PhysicalMemoryTests
    {
        [Test]
        public void GuestRam_IsSparse_HostMemoryOnlyForTouchedFrames()
        {
            var process = System.Diagnostics.Process.GetCurrentProcess();
            process.Refresh();
            long before = process.WorkingSet64;
            using var mem = new PhysicalMemory(4UL << 30); // 4 GiB of guest RAM
            ulong last = mem.Size - PhysicalMemory.PageSize;
            mem.WriteU64(last, 0x1122334455667788UL);
            Assert.That(mem.ReadU64(last), Is.EqualTo(0x1122334455667788UL));
            Assert.That(mem.ReadU64(mem.Size / 2), Is.EqualTo(0UL), "untouched frames read as zero");
            Assert.That(mem.TryAllocPage(out ulong pa), Is.True);
            Assert.That(mem.ReadU64(pa), Is.EqualTo(0UL));
            process.Refresh();
            Assert.That(process.WorkingSet64 - before, Is.LessThan(256L << 20), "4 GiB reserved, a few frames touched");
        }

        [Test]
        public void AllocPage_ReturnsZeroedAlignedFrames_AndExhaustsWithoutThrowing()
        {
            using var mem = new PhysicalMemory(64 * 1024);
            int pages = 0;
            while (mem.TryAllocPage(out ulong pa))
            {
                Assert.That(pa & 0xFFF, Is.EqualTo(0UL));
                Assert.That(pa, Is.Not.EqualTo(0UL), "frame 0 is reserved");
                mem.WriteU64(pa, 0xDEAD);
                pages++;
            }
            Assert.That(pages, Is.EqualTo(15));
            Assert.That(mem.AllocPage(), Is.EqualTo(PhysicalMemory.NoPage));
            mem.FreePage(0x3000);
            Assert.That(mem.TryAllocPage(out ulong again), Is.True);
            Assert.That(again, Is.EqualTo(0x3000UL));
            Assert.That(mem.ReadU64(again), Is.EqualTo(0UL), "reallocated frames are zeroed");
        }

        [Test]
        public void TryAllocPages_IsNaturallyAligned()
        {
            using var mem = new PhysicalMemory(8UL << 20);
            mem.AllocPage();
            Assert.That(mem.TryAllocPages(9, out ulong pa), Is.True);
            Assert.That(pa % (2UL << 20), Is.EqualTo(0UL));
            Assert.That(mem.TryAllocPages(9, out ulong pb), Is.True);
            Assert.That(pb, Is.Not.EqualTo(pa));
            Assert.That(mem.TryAllocPages(9, out _), Is.True);
            Assert.That(mem.TryAllocPages(9, out _), Is.False, "only 8 MiB, first 2 MiB block holds frame 0");
        }

        [Test]
        public void ReadWrite_AllSizes_LittleEndian()
        {
            using var mem = new PhysicalMemory(64 * 1024);
            mem.WriteU64(0x1000, 0x0807_0605_0403_0201UL);
            Assert.That(mem.ReadU8(0x1000), Is.EqualTo(0x01));
            Assert.That(mem.ReadU16(0x1001), Is.EqualTo(0x0302));
            Assert.That(mem.ReadU32(0x1004), Is.EqualTo(0x0807_0605u));
            Assert.That(() => mem.ReadU64(64 * 1024 - 4), Throws.TypeOf<System.ArgumentOutOfRangeException>());
        }
    }

    [TestFixture]
    public class PageTableAndMmuTests
    {
        private const ulong A = (ulong)PteFlags.Accessed;
        private const ulong D = (ulong)PteFlags.Dirty;

        [Test]
        public void Map4K_WritesRealEntries_WithTableBits()
        {
            using var mem = new PhysicalMemory(4UL << 20);
            var pt = new PageTables(mem);
            ulong root = pt.CreateRoot();
            ulong frame = mem.AllocPage();
            const ulong va = 0xffff_c900_0012_3000UL;
            Assert.That(pt.Map4K(root, va, frame, PteFlags.Present | PteFlags.Writable | PteFlags.NoExecute), Is.True);
            PageWalk w = pt.Walk(root, va + 0x45);
            Assert.That(w.Present, Is.True);
            Assert.That(w.Level, Is.EqualTo(1));
            Assert.That(w.PhysicalAddress, Is.EqualTo(frame + 0x45));
            Assert.That(w.P4d, Is.EqualTo(w.Pgd), "P4D folded into the PGD");
            Assert.That(w.Pgd & 0xFFF, Is.EqualTo((ulong)PteFlags.KernelPageTable));
            Assert.That(w.Pud & 0xFFF, Is.EqualTo((ulong)PteFlags.KernelPageTable));
            Assert.That(w.Pmd & 0xFFF, Is.EqualTo((ulong)PteFlags.KernelPageTable));
            Assert.That(w.Pte, Is.EqualTo(frame | 0x3 | (1UL << 63)));
            // The PML4 index of va is bits 47..39.
            ulong pml4e = mem.ReadU64(root + ((va >> 39) & 511) * 8);
            Assert.That(pml4e, Is.EqualTo(w.Pgd));

            Assert.That(pt.Map4K(root, 0x40_0000, mem.AllocPage(), PteFlags.Present | PteFlags.User), Is.True);
            Assert.That(pt.Walk(root, 0x40_0000).Pgd & 0xFFF, Is.EqualTo((ulong)PteFlags.PageTable));

            Assert.That(pt.Unmap(root, va), Is.True);
            Assert.That(pt.Walk(root, va).Present, Is.False);
        }

        [Test]
        public void Map2M_UsesPseEntry()
        {
            using var mem = new PhysicalMemory(8UL << 20);
            var pt = new PageTables(mem);
            ulong root = pt.CreateRoot();
            Assert.That(mem.TryAllocPages(9, out ulong big), Is.True);
            const ulong va = 0xffff_8880_0020_0000UL;
            Assert.That(pt.Map2M(root, va, big, PteFlags.Present | PteFlags.Writable), Is.True);
            PageWalk w = pt.Walk(root, va + 0x12345);
            Assert.That(w.Level, Is.EqualTo(2));
            Assert.That(w.Pmd & (ulong)PteFlags.Huge, Is.Not.Zero);
            Assert.That(w.PhysicalAddress, Is.EqualTo(big + 0x12345));

            var mmu = new Mmu(mem) { Cr3 = root };
            Assert.That(mmu.Translate(va + 0x1FFFF8, Access.Write, 0, out ulong pa, out _), Is.EqualTo(TranslateStatus.Ok));
            Assert.That(pa, Is.EqualTo(big + 0x1FFFF8));
            Assert.That(pt.Walk(root, va).Pmd & (A | D), Is.EqualTo(A | D));
        }

        [Test]
        public void Translate_SetsAccessedAndDirty_InTheRealEntries()
        {
            using var mem = new PhysicalMemory(4UL << 20);
            var pt = new PageTables(mem);
            ulong root = pt.CreateRoot();
            const ulong va = 0x7000_0000_0000UL;
            pt.Map4K(root, va, mem.AllocPage(), PteFlags.Present | PteFlags.Writable | PteFlags.User);
            var mmu = new Mmu(mem) { Cr3 = root };
            Assert.That(pt.Walk(root, va).Pte & (A | D), Is.EqualTo(0UL));

            Assert.That(mmu.Translate(va, Access.Read, 3, out _, out _), Is.EqualTo(TranslateStatus.Ok));
            Assert.That(pt.Walk(root, va).Pte & (A | D), Is.EqualTo(A), "a read sets Accessed only");

            Assert.That(mmu.Translate(va, Access.Write, 3, out _, out _), Is.EqualTo(TranslateStatus.Ok));
            Assert.That(pt.Walk(root, va).Pte & (A | D), Is.EqualTo(A | D), "a write sets Dirty");
        }

        [Test]
        public void Translate_PermissionErrors()
        {
            using var mem = new PhysicalMemory(4UL << 20);
            var pt = new PageTables(mem);
            ulong root = pt.CreateRoot();
            const ulong kva = 0xffff_8880_0000_0000UL;
            const ulong uva = 0x1000_0000UL;
            pt.Map4K(root, kva, mem.AllocPage(), PteFlags.Present | PteFlags.NoExecute);
            pt.Map4K(root, uva, mem.AllocPage(), PteFlags.Present | PteFlags.User);
            var mmu = new Mmu(mem) { Cr3 = root };
            Assert.That(mmu.Translate(kva, Access.Write, 0, out _, out uint e1), Is.EqualTo(TranslateStatus.PageFault));
            Assert.That(e1, Is.EqualTo(PfError.Prot | PfError.Write));
            Assert.That(mmu.Translate(kva, Access.Execute, 0, out _, out uint e2), Is.EqualTo(TranslateStatus.PageFault));
            Assert.That(e2, Is.EqualTo(PfError.Prot | PfError.Instr));
            Assert.That(mmu.Translate(kva, Access.Read, 3, out _, out uint e3), Is.EqualTo(TranslateStatus.PageFault));
            Assert.That(e3, Is.EqualTo(PfError.Prot | PfError.User));
            Assert.That(mmu.Translate(kva + 0x1000, Access.Write, 3, out _, out uint e4), Is.EqualTo(TranslateStatus.PageFault));
            Assert.That(e4, Is.EqualTo(PfError.Write | PfError.User), "not present");
            Assert.That(mmu.Translate(uva, Access.Execute, 3, out _, out _), Is.EqualTo(TranslateStatus.Ok));
            Assert.That(mmu.Translate(0x0000_8000_0000_0000UL, Access.Read, 0, out _, out _), Is.EqualTo(TranslateStatus.NonCanonical));
            mmu.WriteProtect = false;
            mmu.FlushAll();
            Assert.That(mmu.Translate(kva, Access.Write, 0, out _, out _), Is.EqualTo(TranslateStatus.Ok), "CR0.WP clear");
        }

        [Test]
        public void Tlb_HitMissCounting_FlushOnCr3Write_AndInvlpg()
        {
            using var mem = new PhysicalMemory(4UL << 20);
            var pt = new PageTables(mem);
            ulong root = pt.CreateRoot();
            const ulong va = 0xffff_8880_0000_0000UL;
            ulong frame = mem.AllocPage();
            pt.Map4K(root, va, frame, PteFlags.Present | PteFlags.Writable);
            var mmu = new Mmu(mem) { Cr3 = root };

            mmu.Translate(va, Access.Read, 0, out _, out _);
            Assert.That((mmu.TlbMisses, mmu.TlbHits), Is.EqualTo((1L, 0L)));
            mmu.Translate(va + 8, Access.Read, 0, out ulong pa, out _);
            Assert.That((mmu.TlbMisses, mmu.TlbHits), Is.EqualTo((1L, 1L)));
            Assert.That(pa, Is.EqualTo(frame + 8));

            mmu.Cr3 = root; // a CR3 write flushes
            mmu.Translate(va, Access.Read, 0, out _, out _);
            Assert.That(mmu.TlbMisses, Is.EqualTo(2L));

            // A stale TLB entry survives an unmap until invlpg.
            pt.Unmap(root, va);
            Assert.That(mmu.Translate(va, Access.Read, 0, out _, out _), Is.EqualTo(TranslateStatus.Ok), "stale entry");
            mmu.Invlpg(va);
            Assert.That(mmu.Translate(va, Access.Read, 0, out _, out uint err), Is.EqualTo(TranslateStatus.PageFault));
            Assert.That(err, Is.EqualTo(0u));
        }

        [Test]
        public void KernelHelpers_NeverFault()
        {
            using var g = new GuestFixture();
            Mmu mmu = g.Cpu.Mmu;
            Assert.That(mmu.TryWriteU64(GuestFixture.DataVa + 0xFFC, 0x1122_3344_5566_7788UL), Is.True, "crosses a page");
            Assert.That(mmu.TryReadU64(GuestFixture.DataVa + 0xFFC, out ulong v), Is.True);
            Assert.That(v, Is.EqualTo(0x1122_3344_5566_7788UL));
            Assert.That(mmu.TryReadU64(0xffff_8880_0900_0000UL, out _), Is.False);
            Assert.That(mmu.TryReadU64(0x0000_8000_0000_0000UL, out _), Is.False);
            Assert.That(mmu.TryWrite(GuestFixture.DataVa + GuestFixture.DataPages * 0x1000 - 2, new byte[4]), Is.False);
            Assert.That(g.Mem.ReadU16(g.DataPa + GuestFixture.DataPages * 0x1000 - 2), Is.EqualTo(0), "failed write has no effect");
            g.Mem.Write(g.DataPa + 0x40, System.Text.Encoding.ASCII.GetBytes("step5\0"));
            Assert.That(mmu.TryReadCString(GuestFixture.DataVa + 0x40, 64, out string s), Is.True);
            Assert.That(s, Is.EqualTo("step5"));
        }

        [Test]
        public void Cpu_TlbHitsDominate_AndCr3WriteFlushes()
        {
            using var g = new GuestFixture();
            StopReason r = g.Run(a =>
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
            Assert.That(r, Is.EqualTo(StopReason.Halt));
            Mmu mmu = g.Cpu.Mmu;
            Assert.That(g.Mem.ReadU64(g.DataPa), Is.EqualTo(100UL));
            Assert.That(mmu.TlbHits, Is.GreaterThanOrEqualTo(198L), "100 reads + 100 writes, 2 misses");
            long misses = mmu.TlbMisses;
            Assert.That(misses, Is.LessThanOrEqualTo(4L));

            g.Cpu.Cr3 = g.Cpu.Cr3;
            g.Cpu.Rip = GuestFixture.CodeVa;
            Assert.That(g.Cpu.Run(1000), Is.EqualTo(StopReason.Halt));
            Assert.That(mmu.TlbMisses, Is.GreaterThan(misses), "CR3 write forced new walks");
            PageWalk w = g.Pt.Walk(g.Root, GuestFixture.DataVa);
            Assert.That(w.Pte & (A | D), Is.EqualTo(A | D));
            Assert.That(w.Pmd & A, Is.EqualTo(A));
        }
    }
}
