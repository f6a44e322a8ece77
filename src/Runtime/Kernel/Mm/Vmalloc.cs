using System.Collections.Generic;
using KDsl.Runtime.Memory;

namespace KDsl.Runtime.Kernel.Mm
{
    /// <summary>
    /// A vmalloc'd area: [Start, Start + Size) mapped with 4 KiB pages, an unmapped guard page after it. Like vm_struct it
    /// keeps its pages (vm->pages): vfree frees those, never a frame read back from a PTE guest code may have rewritten.
    /// </summary>
    public readonly struct VmArea
    {
        public VmArea(ulong start, ulong size, ulong[] pages)
        {
            Start = start;
            Size = size;
            Pages = pages;
        }

        public ulong Start { get; }
        public ulong Size { get; }
        public ulong End => Start + Size;
        /// <summary>The physical frame behind each page, in address order.</summary>
        public ulong[] Pages { get; }
    }

    /// <summary>
    /// mm/vmalloc.c reduced to what KDsl needs: areas handed out in address order from the vmalloc range, each
    /// backed by scattered physical pages mapped with 4 KiB PTEs (PAGE_KERNEL), each followed by an unmapped guard
    /// page (__get_vm_area_node adds PAGE_SIZE unless VM_NO_GUARD). So the page just below a 16 KiB-aligned stack is
    /// either the previous area's guard page or an alignment hole: unmapped either way. Freed ranges are not reused
    /// (the real allocator reuses them after a lazy purge; the address space is large enough that it does not matter).
    /// </summary>
    public sealed class Vmalloc
    {
        private readonly PhysicalMemory _memory;
        private readonly PageTables _tables;
        private readonly Mmu _mmu;
        private readonly ulong _root;
        private readonly KernelCounters _counters;
        private ulong _cursor;
        /// <summary>The live areas in address order (the cursor only grows): vmap_area_root's job.</summary>
        private readonly List<VmArea> _areas = new List<VmArea>();

        public Vmalloc(PhysicalMemory memory, PageTables tables, Mmu mmu, ulong root, ulong start, KernelCounters counters)
        {
            _memory = memory;
            _tables = tables;
            _mmu = mmu;
            _root = root;
            _cursor = start;
            _counters = counters;
        }

        /// <summary>__vmalloc_node_range: zeroed pages (THREADINFO_GFP has __GFP_ZERO), or false when memory runs out.</summary>
        public bool TryAllocate(ulong size, ulong align, PteFlags protection, out VmArea area)
        {
            _counters.VmallocCalls++;
            ulong start = (_cursor + align - 1) & ~(align - 1);
            var pages = new ulong[size / PhysicalMemory.PageSize];
            for (int i = 0; i < pages.Length; i++)
            {
                ulong va = start + (ulong)i * PhysicalMemory.PageSize;
                if (!_memory.TryAllocPage(out pages[i]) || !_tables.Map4K(_root, va, pages[i], protection))
                {
                    // __vmalloc_area_node's failure path: vfree of what it built
                    if (pages[i] != PhysicalMemory.NoPage) _memory.FreePage(pages[i]);
                    Release(start, pages, i);
                    area = default;
                    return false;
                }
                _counters.PageTableUpdates++;
            }
            _cursor = start + size + PhysicalMemory.PageSize; // the guard page stays unmapped
            area = new VmArea(start, size, pages);
            _areas.Add(area);
            return true;
        }

        /// <summary>
        /// find_vm_area(addr): the live area whose vmap_area holds the address, its guard page included
        /// (__find_vmap_area: va_start &lt;= addr &lt; va_end); false when none does.
        /// </summary>
        public bool TryFind(ulong address, out VmArea area)
        {
            int index = IndexAtOrBelow(address);
            if (index >= 0 && address < _areas[index].End + PhysicalMemory.PageSize)
            {
                area = _areas[index];
                return true;
            }
            area = default;
            return false;
        }

        /// <summary>vfree: clears the PTEs, flushes their TLB entries and frees the area's pages; an area already freed is left alone.</summary>
        public void Free(VmArea area)
        {
            int index = IndexAtOrBelow(area.Start);
            if (index < 0 || _areas[index].Start != area.Start) return;
            _areas.RemoveAt(index);
            _counters.VfreeCalls++;
            Release(area.Start, area.Pages, area.Pages.Length);
        }

        /// <summary>The index of the last live area starting at or below <paramref name="address"/>, or -1.</summary>
        private int IndexAtOrBelow(ulong address)
        {
            int lo = 0, hi = _areas.Count - 1, found = -1;
            while (lo <= hi)
            {
                int mid = (lo + hi) >> 1;
                if (_areas[mid].Start <= address)
                {
                    found = mid;
                    lo = mid + 1;
                }
                else hi = mid - 1;
            }
            return found;
        }

        /// <summary>
        /// vunmap_range then the vm->pages loop of __vunmap: each PTE cleared whatever it holds now, each of the first
        /// <paramref name="count"/> pages freed (<see cref="PhysicalMemory.ReleasePages"/>: not twice). A PTE the
        /// kernel cannot reach (a table above it corrupted to point past RAM) stays as it is: the area is gone either way.
        /// </summary>
        private void Release(ulong start, ulong[] pages, int count)
        {
            for (int i = 0; i < count; i++)
            {
                ulong va = start + (ulong)i * PhysicalMemory.PageSize;
                if (!_tables.Walk(_root, va).Bad && _tables.Unmap(_root, va))
                {
                    _counters.PageTableUpdates++;
                    _mmu.Invlpg(va);
                }
                _memory.ReleasePages(pages[i], 0);
            }
        }
    }
}
