using System.Collections.Generic;

namespace KDsl.Runtime.Kernel.Mm
{
    /// <summary>
    /// struct mm_struct: a process's page-table root (user half its own, kernel half copied from the kernel's PGD) and
    /// its VMAs, sorted by address. get_unmapped_area is top-down from <see cref="MmapBase"/>, as x86-64's default.
    /// </summary>
    public sealed class MmStruct
    {
        /// <summary>TASK_SIZE_MAX: the end of the user half (4-level paging).</summary>
        public const ulong TaskSize = 0x0000_7fff_ffff_f000;

        public MmStruct(ulong root, ulong mmapBase)
        {
            Root = root;
            MmapBase = mmapBase;
        }

        public ulong Root { get; }
        public ulong MmapBase { get; }
        public List<VmAreaStruct> Vmas { get; } = new List<VmAreaStruct>();
        public long MinorFaults { get; set; }
        public long MajorFaults { get; set; }

        /// <summary>The VMA containing address, or null (KDsl's find_vma answers only a hit; stacks do not grow).</summary>
        public VmAreaStruct? FindVma(ulong address)
        {
            foreach (var v in Vmas)
                if (v.Contains(address)) return v;
            return null;
        }

        public void Insert(VmAreaStruct vma)
        {
            int i = 0;
            while (i < Vmas.Count && Vmas[i].Start < vma.Start) i++;
            Vmas.Insert(i, vma);
        }

        /// <summary>True when no VMA overlaps [start, end).</summary>
        public bool IsFree(ulong start, ulong end)
        {
            foreach (var v in Vmas)
                if (v.Start < end && start < v.End) return false;
            return true;
        }

        /// <summary>get_unmapped_area, top-down: the highest free range of length below <see cref="MmapBase"/>; 0 when none.</summary>
        public ulong GetUnmappedArea(ulong length)
        {
            ulong end = MmapBase;
            while (end >= length && end - length >= 0x10000) // mmap_min_addr
            {
                ulong start = end - length;
                VmAreaStruct? clash = null;
                foreach (var v in Vmas)
                    if (v.Start < end && start < v.End && (clash is null || v.Start < clash.Start)) clash = v;
                if (clash is null) return start;
                end = clash.Start;
            }
            return 0;
        }

        /// <summary>Splits VMAs so that start and end are VMA boundaries, and returns those inside [start, end).</summary>
        public List<VmAreaStruct> SplitRange(ulong start, ulong end)
        {
            foreach (ulong cut in new[] { start, end })
            {
                var v = FindVma(cut);
                if (v is null || v.Start == cut) continue;
                var upper = v.Clone();
                upper.Start = cut;
                if (upper.File != null) upper.Pgoff = v.Pgoff + (long)((cut - v.Start) >> 12);
                v.End = cut;
                Insert(upper);
            }
            var inside = new List<VmAreaStruct>();
            foreach (var v in Vmas)
                if (v.Start >= start && v.End <= end) inside.Add(v);
            return inside;
        }
    }
}
