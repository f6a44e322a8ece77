using KDsl.Runtime.Memory;

namespace KDsl.Runtime.Kernel.Mm
{
    /// <summary>
    /// The mm counters the OOM killer prints, counted from the process's VMAs and page tables as the kernel keeps
    /// them: total_vm (pages spanned by VMAs), MM_ANONPAGES (anonymous pages and private copies of file pages),
    /// MM_FILEPAGES (page-cache pages mapped, and the program's own read-only image, which Linux maps from the ELF
    /// file), MM_SHMEMPAGES (none: KDsl's files are page-cache only), and the page-table pages of the user half
    /// (mm_pgtables_bytes counts PUD, PMD and PTE tables, not the PGD; 4.11 printed nr_ptes and nr_pmds).
    /// </summary>
    public sealed class MmUsage
    {
        public long TotalVm { get; private set; }
        public long AnonPages { get; private set; }
        public long FilePages { get; private set; }
        /// <summary>The part of <see cref="FilePages"/> that is the program's image (not in KDsl's page cache).</summary>
        public long ImagePages { get; private set; }
        public long ShmemPages => 0;
        public long PudTables { get; private set; }
        public long PmdTables { get; private set; }
        public long PteTables { get; private set; }
        public long PageTableBytes => (PudTables + PmdTables + PteTables) * PhysicalMemory.PageSize;

        public static MmUsage Of(MmStruct mm, PageTables tables, PhysicalMemory memory)
        {
            var usage = new MmUsage();
            foreach (var vma in mm.Vmas)
            {
                usage.TotalVm += (long)((vma.End - vma.Start) >> PhysicalMemory.PageShift);
                bool image = vma.File is null && vma.Name is not null && !vma.Name.StartsWith("[", System.StringComparison.Ordinal)
                    && (vma.Flags & VmFlags.Write) == 0;
                foreach (ulong va in tables.PresentPages(mm.Root, vma.Start, vma.End))
                {
                    var walk = tables.Walk(mm.Root, va);
                    if (!walk.Present) continue;
                    ulong frame = walk.PhysicalAddress & ~PhysicalMemory.PageMask;
                    if (image) usage.ImagePages++;
                    if (image || IsPageCachePage(vma, va, frame)) usage.FilePages++;
                    else usage.AnonPages++;
                }
            }
            usage.CountTables(mm.Root, memory);
            return usage;
        }

        private static bool IsPageCachePage(VmAreaStruct vma, ulong va, ulong frame)
        {
            if (vma.File is null) return false;
            long index = vma.Pgoff + (long)((va - vma.Start) >> PhysicalMemory.PageShift);
            return vma.File.PageCache.TryGetValue(index, out ulong cached) && cached == frame;
        }

        /// <summary>Walks PML4 entries 0–255 (the user half; 256–511 are the kernel's, shared by every process).</summary>
        private void CountTables(ulong root, PhysicalMemory memory)
        {
            const ulong present = 1, huge = 0x80;
            for (int i = 0; i < 256; i++)
            {
                ulong pml4e = memory.ReadU64(root + (ulong)(8 * i));
                if ((pml4e & present) == 0) continue;
                PudTables++;
                ulong pud = pml4e & PageTables.AddressMask;
                for (int j = 0; j < 512; j++)
                {
                    ulong pude = memory.ReadU64(pud + (ulong)(8 * j));
                    if ((pude & present) == 0 || (pude & huge) != 0) continue;
                    PmdTables++;
                    ulong pmd = pude & PageTables.AddressMask;
                    for (int k = 0; k < 512; k++)
                    {
                        ulong pmde = memory.ReadU64(pmd + (ulong)(8 * k));
                        if ((pmde & present) != 0 && (pmde & huge) == 0) PteTables++;
                    }
                }
            }
        }
    }
}
