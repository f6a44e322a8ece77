using System.Collections.Generic;
using KDsl.Runtime.Memory;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// What a run cost the kernel, counted where the modelled functions do the work: the numbers behind the LWN
    /// article's two costs of vmalloc'd stacks (seed 003: clone slower by vmalloc, more TLB misses) and the
    /// stack cache that answered the first.
    /// </summary>
    public sealed class KernelCounters
    {
        /// <summary>Tasks created (insmod, kernel threads, the `later` kworker, processes).</summary>
        public long Forks;
        /// <summary>alloc_thread_stack_node served from the per-CPU cached_stacks.</summary>
        public long StackCacheHits;
        /// <summary>alloc_thread_stack_node that had to allocate: a vmalloc call (VMAP on) or alloc_pages (off).</summary>
        public long StackCacheMisses;
        /// <summary>free_thread_stack that put the stack into the cache instead of freeing it.</summary>
        public long StackCachePuts;
        /// <summary>__vmalloc_node_range calls (stacks and the experiment's vmalloc).</summary>
        public long VmallocCalls;
        /// <summary>vfree calls.</summary>
        public long VfreeCalls;
        /// <summary>Kernel PTEs written or cleared by vmalloc and vfree.</summary>
        public long PageTableUpdates;
        /// <summary>alloc_pages calls of order &gt; 0 (VMAP off stacks, large kmalloc) and how many failed.</summary>
        public long HighOrderAllocations;
        public long HighOrderFailures;

        /// <summary>
        /// The counters by name, in a fixed order (for printing and JSON), then the data TLB's hits and misses by region:
        /// the direct map (2 MiB pages: one entry covers a whole stack), vmalloc (4 KiB pages: one per stack page), the
        /// kernel text and modules, and user space, from the MMU's counts by PML4 slot.
        /// </summary>
        public IReadOnlyList<KeyValuePair<string, long>> Named(TlbStats tlb, ulong directMapBase, ulong vmallocBase)
        {
            var named = new List<KeyValuePair<string, long>>(Named());
            int directMap = TlbStats.SlotOf(directMapBase), vmalloc = TlbStats.SlotOf(vmallocBase), text = TlbStats.SlotOf(ulong.MaxValue);
            long userHits = 0, userMisses = 0;
            for (int slot = 0; slot < TlbStats.Slots / 2; slot++)
            {
                userHits += tlb.Hits(slot);
                userMisses += tlb.Misses(slot);
            }
            named.Add(Pair("tlb_hits_direct_map", tlb.Hits(directMap)));
            named.Add(Pair("tlb_misses_direct_map", tlb.Misses(directMap)));
            named.Add(Pair("tlb_hits_vmalloc", tlb.Hits(vmalloc)));
            named.Add(Pair("tlb_misses_vmalloc", tlb.Misses(vmalloc)));
            named.Add(Pair("tlb_hits_kernel_text", tlb.Hits(text)));
            named.Add(Pair("tlb_misses_kernel_text", tlb.Misses(text)));
            named.Add(Pair("tlb_hits_user", userHits));
            named.Add(Pair("tlb_misses_user", userMisses));
            return named;
        }

        private IReadOnlyList<KeyValuePair<string, long>> Named() => new[]
        {
            Pair("forks", Forks),
            Pair("stack_cache_hits", StackCacheHits),
            Pair("stack_cache_misses", StackCacheMisses),
            Pair("stack_cache_puts", StackCachePuts),
            Pair("vmalloc_calls", VmallocCalls),
            Pair("vfree_calls", VfreeCalls),
            Pair("page_table_updates", PageTableUpdates),
            Pair("high_order_allocations", HighOrderAllocations),
            Pair("high_order_failures", HighOrderFailures),
        };

        private static KeyValuePair<string, long> Pair(string name, long value) => new KeyValuePair<string, long>(name, value);
    }
}
