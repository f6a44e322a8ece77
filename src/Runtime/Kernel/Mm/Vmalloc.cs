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
    /// either the previous area's guard page or an alignment hole: unmapped either way.
    /// </summary>
    public sealed class Vmalloc
    {
        private readonly PhysicalMemory _memory;
        private readonly PageTables _tables;
        private readonly ulong _root;
        private ulong _cursor;

        public Vmalloc(PhysicalMemory memory, PageTables tables, ulong root, ulong start)
        {
            _memory = memory;
            _tables = tables;
            _root = root;
            _cursor = start;
        }

        /// <summary>__vmalloc_node_range: zeroed pages (THREADINFO_GFP has __GFP_ZERO), or false when memory runs out.</summary>
        public bool TryAllocate(ulong size, ulong align, PteFlags protection, out VmArea area)
        {
            ulong start = (_cursor + align - 1) & ~(align - 1);
            for (ulong offset = 0; offset < size; offset += PhysicalMemory.PageSize)
            {
                if (!_memory.TryAllocPage(out ulong pa) || !_tables.Map4K(_root, start + offset, pa, protection))
                {
                    area = default;
                    return false;
                }
            }
            _cursor = start + size + PhysicalMemory.PageSize; // the guard page stays unmapped
            area = new VmArea(start, size);
            return true;
        }
    }
}
