using KDsl.Runtime.Memory;

namespace KDsl.Runtime.Kernel.Mm
{
    /// <summary>A vmalloc'd area: [Start, Start + Size) mapped with 4 KiB pages, an unmapped guard page after it.</summary>
    public readonly struct VmArea
    {
        public VmArea(ulong start, ulong size)
        {
            Start = start;
            Size = size;
        }

        public ulong Start { get; }
        public ulong Size { get; }
        public ulong End => Start + Size;
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
            for (ulong offset = 0; offset < size; offset += PhysicalMemory.PageSize)
            {
                if (!_memory.TryAllocPage(out ulong pa) || !_tables.Map4K(_root, start + offset, pa, protection))
                {
                    Unmap(start, offset); // __vmalloc_area_node's failure path frees what it mapped
                    area = default;
                    return false;
                }
                _counters.PageTableUpdates++;
            }
            _cursor = start + size + PhysicalMemory.PageSize; // the guard page stays unmapped
            area = new VmArea(start, size);
            return true;
        }

        /// <summary>vfree: clears the PTEs, flushes their TLB entries and frees the pages.</summary>
        public void Free(VmArea area)
        {
            _counters.VfreeCalls++;
            Unmap(area.Start, area.Size);
        }

        private void Unmap(ulong start, ulong size)
        {
            for (ulong va = start; va < start + size; va += PhysicalMemory.PageSize)
            {
                ulong pte = _tables.GetLeaf(_root, va);
                if (pte == 0 || !_tables.Unmap(_root, va)) continue;
                _counters.PageTableUpdates++;
                _mmu.Invlpg(va);
                _memory.FreePage(pte & PageTables.AddressMask);
            }
        }
    }
}
