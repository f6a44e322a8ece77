using System.Runtime.CompilerServices;

namespace KDsl.Runtime.Memory
{
    /// <summary>
    /// One MMU's TLB hits and misses by region of the virtual address: the PML4 slot (va &gt;&gt; 39 &amp; 511), which
    /// is how the kernel's memory map is laid out (user 0-255, the direct map, vmalloc, cpu_entry_area, the kernel
    /// text and modules each in their own slots), so the kernel can name the regions and add them up.
    /// Data translations (reads and writes) and instruction-fetch translations are counted apart. Every translation
    /// is counted once: a hit when a TLB entry (4 KiB, or a large-page entry) supplied it, a miss when it needed a
    /// page walk, whether or not the walk then faulted. A non-canonical address is no translation (#GP before any
    /// walk) and is not counted. The CPU's instruction fetch translates once per entry into a page, not per
    /// instruction (decoded pages are chained), so fetch counts are page entries.
    /// </summary>
    public sealed class TlbStats
    {
        public const int Slots = 512;

        internal readonly long[] DataHits = new long[Slots];
        internal readonly long[] DataMisses = new long[Slots];
        internal readonly long[] FetchHits = new long[Slots];
        internal readonly long[] FetchMisses = new long[Slots];

        /// <summary>The PML4 slot of a virtual address.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int SlotOf(ulong va) => (int)((va >> 39) & 511);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static int SlotOfVpn(ulong vpn) => (int)((vpn >> 27) & 511);

        /// <summary>Data accesses in the slot that a TLB entry translated.</summary>
        public long Hits(int slot) => DataHits[slot];
        /// <summary>Data accesses in the slot that needed a page walk.</summary>
        public long Misses(int slot) => DataMisses[slot];
        /// <summary>Instruction-fetch translations in the slot that a TLB entry satisfied.</summary>
        public long FetchHitsIn(int slot) => FetchHits[slot];
        /// <summary>Instruction-fetch translations in the slot that needed a page walk.</summary>
        public long FetchMissesIn(int slot) => FetchMisses[slot];

        public long TotalHits => Sum(DataHits);
        public long TotalMisses => Sum(DataMisses);
        public long TotalFetchHits => Sum(FetchHits);
        public long TotalFetchMisses => Sum(FetchMisses);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal void CountMiss(ulong va, Access access) =>
            (access == Access.Execute ? FetchMisses : DataMisses)[SlotOf(va)]++;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal void CountHit(ulong va, Access access) =>
            (access == Access.Execute ? FetchHits : DataHits)[SlotOf(va)]++;

        private static long Sum(long[] a)
        {
            long s = 0;
            foreach (long v in a) s += v;
            return s;
        }
    }
}
