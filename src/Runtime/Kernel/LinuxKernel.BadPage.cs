using KDsl.Runtime.Kernel.Oops;
using KDsl.Runtime.Kernel.Printk;
using KDsl.Runtime.Memory;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// mm/page_alloc.c's free-time checks of a page (page_bad_reason, free_page_is_bad; 5.10: check_free_page) and
    /// bad_page(), with mm/debug.c's dump_page: what "BUG: Bad page state" prints on linux-5.10 and linux-6.1.
    /// </summary>
    public sealed partial class LinuxKernel
    {
        /// <summary>bad_page's burst: 60 reports, then silence until a minute after the first (nr_shown, resume).</summary>
        private const int BadPageBurst = 60;
        private const ulong BadPageQuietNs = 60_000_000_000UL;

        /// <summary>vmemmap_base: struct page of pfn N at vmemmap + N * sizeof(struct page) (64), no memory KASLR.</summary>
        private const ulong Vmemmap = 0xffffea0000000000UL;
        private const int StructPageSize = 64;
        /// <summary>LIST_POISON1 / LIST_POISON2 with CONFIG_ILLEGAL_POINTER_VALUE 0xdead000000000000: what list_del leaves in page->lru.</summary>
        private const ulong ListPoison1 = 0xdead000000000100UL, ListPoison2 = 0xdead000000000122UL;
        /// <summary>16 MiB: the end of ZONE_DMA (zone 0); ZONE_DMA32 (zone 1) holds the rest of a machine under 4 GiB.</summary>
        private const ulong ZoneDmaEnd = 16UL << 20;

        private int _badPagesShown;
        private ulong _badPagesUnshown;
        private ulong _badPageResumeNs;

        /// <summary>
        /// free_page_is_bad (6.1; 5.10's check_free_page): a page about to be freed must be unmapped, unowned, without
        /// references and without PAGE_FLAGS_CHECK_AT_FREE flags; otherwise bad_page reports it and it is not freed.
        /// </summary>
        private bool FreePageIsBad(int pfn)
        {
            string? reason = PageBadReason(pfn);
            if (reason is null) return false;
            BadPage(pfn, reason);
            return true;
        }

        /// <summary>page_bad_reason(page, PAGE_FLAGS_CHECK_AT_FREE): the last check that fails names the reason.</summary>
        private string? PageBadReason(int pfn)
        {
            var pages = Memory.Pages;
            string? reason = null;
            if (pages.Mapcount(pfn) != -1) reason = "nonzero mapcount";
            if (pages.Refcount(pfn) != 0) reason = "nonzero _refcount";
            if ((pages.Flags(pfn) & MemMap.PgReserved) != 0) reason = "PAGE_FLAGS_CHECK_AT_FREE flag(s) set";
            return reason;
        }

        /// <summary>
        /// bad_page(page, reason): "BUG: Bad page state in process %s  pfn:%05lx", dump_page, print_modules and
        /// dump_stack (the trace of the live stack: the free's caller), at most a burst of 60 a minute; then
        /// page_mapcount_reset and taint B.
        /// </summary>
        private void BadPage(int pfn, string reason)
        {
            ulong now = Log.NowNs;
            bool shown = true;
            if (_badPagesShown == BadPageBurst)
            {
                if (now < _badPageResumeNs)
                {
                    _badPagesUnshown++;
                    shown = false;
                }
                else
                {
                    if (_badPagesUnshown != 0) Printk(Vsnprintf.Sprintf(Vsprintf, "BUG: Bad page state: %lu messages suppressed\n", _badPagesUnshown));
                    _badPagesUnshown = 0;
                    _badPagesShown = 0;
                }
            }
            if (shown)
            {
                long before = Log.Records;
                if (_badPagesShown++ == 0) _badPageResumeNs = now + BadPageQuietNs;
                Printk(Vsnprintf.Sprintf(Vsprintf, "BUG: Bad page state in process %s  pfn:%05lx\n", Current.Comm, (ulong)pfn));
                DumpPage(pfn, reason);
                var printer = new OopsPrinter(Profile, Vsprintf);
                Printk(printer.PrintModules(LoadedModules()) + "\n");
                PrintLiveStack(printer);
                Charge((Log.Records - before) * KernelWork.PrintkRecord); // the report's lines, each a printk record
            }
            Memory.Pages.ResetMapcount(pfn);
            _taint |= Taint.Bit(Taint.BadPage);
        }

        /// <summary>
        /// dump_page(page, reason) for a page that is not compound: the "page:" line, "flags:" (5.10: "%#lx(%pGp)", the
        /// names only; 6.1: "%pGp", which adds the node, zone and last-cpupid fields), the struct's 64 bytes as two "raw:"
        /// lines (flags, lru, mapping; index, private, _mapcount and _refcount, memcg_data), then the reason.
        /// </summary>
        private void DumpPage(int pfn, string reason)
        {
            var pages = Memory.Pages;
            ulong page = Vmemmap + (ulong)pfn * StructPageSize;
            int mapcount = pages.Mapcount(pfn) + 1; // page_mapcount()
            Printk(Vsnprintf.Sprintf(Vsprintf, "page:%p refcount:%d mapcount:%d mapping:%p index:%#lx pfn:%#lx\n",
                page, pages.Refcount(pfn), mapcount, 0UL, 0UL, (ulong)pfn));
            ulong flags = PageFlagsWord(pfn);
            string names = (pages.Flags(pfn) & MemMap.PgReserved) != 0 ? "reserved" : "";
            if (Profile.PageFlagsShowFields)
            {
                string fields = Vsnprintf.Sprintf(Vsprintf, "node=0|zone=%d|lastcpupid=%#lx", (ulong)PageZone(pfn), LastCpupidMask);
                Printk(Vsnprintf.Sprintf(Vsprintf, "flags: %#lx(%s)\n", flags, names.Length > 0 ? names + "|" + fields : fields));
            }
            else
                Printk(Vsnprintf.Sprintf(Vsprintf, "flags: %#lx(%s)\n", flags, names));
            bool poisoned = pages.ListPoisoned(pfn);
            ulong lruNext = poisoned ? ListPoison1 : page + 8, lruPrev = poisoned ? ListPoison2 : page + 8; // else INIT_LIST_HEAD
            ulong counts = ((ulong)(uint)pages.Refcount(pfn) << 32) | (uint)pages.Mapcount(pfn);
            Printk(Vsnprintf.Sprintf(Vsprintf, "raw: %016lx %016lx %016lx %016lx\n", flags, lruNext, lruPrev, 0UL));
            Printk(Vsnprintf.Sprintf(Vsprintf, "raw: %016lx %016lx %016lx %016lx\n", 0UL, 0UL, counts, 0UL));
            Printk(Vsnprintf.Sprintf(Vsprintf, "page dumped because: %s\n", reason));
        }

        /// <summary>
        /// LAST_CPUPID_MASK with CONFIG_NUMA_BALANCING and NR_CPUS 8192: 8 pid bits + 13 cpu bits, all ones after
        /// page_cpupid_reset_last (the Debian configs and generated/bounds.h of both kernels).
        /// </summary>
        private const ulong LastCpupidMask = (1UL << 21) - 1;

        /// <summary>
        /// page->flags as both kernels lay it out (include/linux/page-flags-layout.h with NODES_SHIFT 10, 5 zones, no
        /// sections in the flags with SPARSEMEM_VMEMMAP): node at bit 54, zone at bit 51, last cpupid at bit 30.
        /// </summary>
        private ulong PageFlagsWord(int pfn) =>
            ((ulong)PageZone(pfn) << 51) | (LastCpupidMask << 30) | Memory.Pages.Flags(pfn);

        private static int PageZone(int pfn) => ((ulong)pfn << PhysicalMemory.PageShift) < ZoneDmaEnd ? 0 : 1;
    }
}
