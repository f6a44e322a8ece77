using System;
using System.Collections.Generic;

namespace KDsl.Runtime.Kernel.Mm
{
    /// <summary>
    /// struct mm_struct: a process's page-table root (user half its own, kernel half copied from the kernel's PGD) and
    /// its VMAs, sorted by address, the highest first (top-down mmaps append). get_unmapped_area is top-down from
    /// <see cref="MmapBase"/>, as x86-64's default.
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

        /// <summary>DEFAULT_MAX_MAP_COUNT (include/linux/mm.h: USHRT_MAX - MAPCOUNT_ELF_CORE_MARGIN), vm.max_map_count's default.</summary>
        public const int MaxMapCount = 65530;

        /// <summary>mmap_min_addr as Debian sets it (vm.mmap_min_addr = 65536): no mapping below it.</summary>
        private const ulong MmapMinAddr = 0x10000;

        // get_unmapped_area's search starts where the last one ended, as 2.6-3.x's free_area_cache and cached_hole_size
        // did, so n top-down mmaps cost n short searches instead of walking every VMA above each time. The answer is
        // the same as a search from the top: every hole above the cache is smaller than cachedHoleSize, and a removal
        // (which makes a hole) sends the next search back to the top.
        private ulong _freeAreaCache;
        private ulong _cachedHoleSize;

        /// <summary>The VMA containing address, or null (KDsl's find_vma answers only a hit; stacks do not grow).</summary>
        public VmAreaStruct? FindVma(ulong address)
        {
            int i = FirstStartingBelow(address + 1);
            return i >= 0 && address < Vmas[i].End ? Vmas[i] : null;
        }

        /// <summary>Adds the VMA in its place: after those above it, so a top-down mmap appends.</summary>
        public void Insert(VmAreaStruct vma)
        {
            int i = FirstStartingBelow(vma.Start);
            Vmas.Insert(i < 0 ? Vmas.Count : i, vma);
        }

        /// <summary>Takes the VMA out (its pages are the caller's); the hole it leaves is found by the next search.</summary>
        public void Remove(VmAreaStruct vma)
        {
            int i = FirstStartingBelow(vma.Start + 1);
            if (i >= 0 && Vmas[i] == vma) Vmas.RemoveAt(i);
            else Vmas.Remove(vma);
            _freeAreaCache = 0;
            _cachedHoleSize = 0;
        }

        /// <summary>True when no VMA overlaps [start, end).</summary>
        public bool IsFree(ulong start, ulong end)
        {
            int i = FirstStartingBelow(end); // VMAs do not overlap: only the highest one starting below end can reach start
            return i < 0 || Vmas[i].End <= start;
        }

        /// <summary>get_unmapped_area, top-down: the highest free range of length below <see cref="MmapBase"/>; 0 when none.</summary>
        public ulong GetUnmappedArea(ulong length)
        {
            if (_freeAreaCache == 0 || length <= _cachedHoleSize)
            {
                _freeAreaCache = MmapBase;
                _cachedHoleSize = 0;
            }
            ulong end = _freeAreaCache;
            int i = FirstStartingBelow(end);
            if (i < 0) i = Vmas.Count;
            for (; ; i++)
            {
                ulong floor = i < Vmas.Count ? Math.Max(Vmas[i].End, MmapMinAddr) : MmapMinAddr;
                if (end >= floor && end - floor >= length)
                {
                    _freeAreaCache = end - length;
                    return end - length;
                }
                if (end > floor) _cachedHoleSize = Math.Max(_cachedHoleSize, end - floor);
                if (i >= Vmas.Count) return 0;
                end = Math.Min(end, Vmas[i].Start);
            }
        }

        /// <summary>The index of the highest VMA that starts below <paramref name="address"/>, or -1.</summary>
        private int FirstStartingBelow(ulong address)
        {
            int lo = 0, hi = Vmas.Count - 1, found = -1;
            while (lo <= hi)
            {
                int mid = (lo + hi) / 2;
                if (Vmas[mid].Start < address)
                {
                    found = mid;
                    hi = mid - 1;
                }
                else lo = mid + 1;
            }
            return found;
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
            int first = FirstStartingBelow(end);
            for (int i = first < 0 ? Vmas.Count : first; i < Vmas.Count && Vmas[i].Start >= start; i++) inside.Add(Vmas[i]);
            return inside;
        }
    }
}
