namespace KDsl.Runtime.Memory
{
    /// <summary>
    /// The struct page fields the page allocator's free checks read (mm/page_alloc.c page_bad_reason): _refcount,
    /// _mapcount and PG_reserved, one entry a frame (mem_map). <see cref="PhysicalMemory"/> keeps them as
    /// __free_pages and prep_new_page do: a block handed out has a refcount of 1 on its first page and 0 on the others
    /// (no __GFP_COMP: not a compound page); a freed page has 0; a page the boot allocator kept (memblock: the kernel
    /// image, the boot page tables, the per-CPU area) is PageReserved with a refcount of 1 for good, as
    /// memblock_free_all leaves it. mapping, index and private are always 0: no page KDsl's kernel frees through these
    /// checks belongs to a file or an anon_vma (a user page's rmap is not modelled).
    /// </summary>
    public sealed class MemMap
    {
        /// <summary>PG_reserved: bit 12 of page->flags on 5.10 and 6.1 (include/linux/page-flags.h).</summary>
        public const ulong PgReserved = 1UL << 12;

        private readonly int[] _refcount;
        private readonly int[] _mapcount;   // _mapcount: -1 when unmapped (page_mapcount() adds 1)
        private readonly bool[] _reserved;
        private readonly bool[] _listed;    // taken off a free list by the allocator: list_del left LIST_POISON in lru

        public MemMap(int pageCount)
        {
            _refcount = new int[pageCount];
            _mapcount = new int[pageCount];
            _reserved = new bool[pageCount];
            _listed = new bool[pageCount];
            for (int i = 0; i < pageCount; i++) _mapcount[i] = -1;
        }

        public int Refcount(int pfn) => _refcount[pfn];
        public int Mapcount(int pfn) => _mapcount[pfn];
        public bool Reserved(int pfn) => _reserved[pfn];
        /// <summary>Whether page->lru holds list_del's poison (the block's first page, once allocated), else INIT_LIST_HEAD's self pointers.</summary>
        public bool ListPoisoned(int pfn) => _listed[pfn];

        /// <summary>page->flags' page flags (the node, zone and last-cpupid fields are the caller's: they depend on the kernel's layout).</summary>
        public ulong Flags(int pfn) => _reserved[pfn] ? PgReserved : 0;

        /// <summary>prep_new_page: set_page_refcounted on the block's first page; the others keep 0.</summary>
        internal void Allocated(int first, int count)
        {
            _refcount[first] = 1;
            _listed[first] = true;
            for (int i = 1; i < count; i++) _refcount[first + i] = 0;
        }

        /// <summary>The kernel's own free of a page it holds: the last reference goes, the flags are cleared.</summary>
        internal void Freed(int pfn)
        {
            _refcount[pfn] = 0;
            _reserved[pfn] = false;
        }

        /// <summary>memblock_free_all: a page the boot allocator handed out stays PageReserved.</summary>
        internal void Reserve(int pfn)
        {
            _reserved[pfn] = true;
            _refcount[pfn] = 1;
            _listed[pfn] = false; // never on a free list: lru as __init_single_page's INIT_LIST_HEAD left it
        }

        /// <summary>put_page_testzero: drops a reference; true when it was the last (the count may go below 0: no CONFIG_DEBUG_VM check).</summary>
        public bool PutTestZero(int pfn) => --_refcount[pfn] == 0;

        /// <summary>free_pages_prepare: page->flags &amp;= ~PAGE_FLAGS_CHECK_AT_PREP.</summary>
        public void ClearFlags(int pfn) => _reserved[pfn] = false;

        /// <summary>bad_page's page_mapcount_reset.</summary>
        public void ResetMapcount(int pfn) => _mapcount[pfn] = -1;
    }
}
