using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace KDsl.Runtime.Memory
{
    /// <summary>One software-TLB slot: virtual page number, the value to add to a VA to get its host address, and its hits.</summary>
    public struct TlbEntry
    {
        /// <summary>va &gt;&gt; 12, or <see cref="Tlb.Invalid"/>.</summary>
        public ulong Tag;
        /// <summary>host address of the frame minus the virtual page address.</summary>
        public nint Addend;
        /// <summary>
        /// Hits on this entry not yet added to <see cref="TlbStats"/>. Bumping it costs the hot paths nothing more than a
        /// global counter would (the entry's cache line is already loaded), and keeps the VA's region: it is folded into
        /// the entry's PML4-slot counter when the entry is replaced, invalidated or flushed, or the statistics are read.
        /// </summary>
        public long Hits;
    }

    /// <summary>A large-page translation: the 2 MiB or 1 GiB page's number (va &gt;&gt; 21 or 30) and its physical base.</summary>
    internal struct LargeTlbEntry
    {
        public ulong Tag;
        public ulong PhysBase;
    }

    /// <summary>
    /// A direct-mapped software TLB for one privilege level: separate arrays for read, write and instruction fetch.
    /// Entries are only filled after the permission check for that kind passed. Beside the 4 KiB entries the CPU's fast
    /// paths use, small arrays hold translations that ended in a 2 MiB or 1 GiB leaf, as a real TLB holds one entry
    /// for a large page: a 4 KiB miss inside a large page already translated needs no walk, it fills its 4 KiB entry
    /// from the large one.
    /// </summary>
    public sealed class Tlb
    {
        /// <summary>
        /// Entries per access kind: 2048, about a real second-level TLB's 1536, and an array of 24-byte entries stays
        /// below the runtime's large-object threshold (85,000 bytes), so a machine's TLB is ordinary young garbage when it
        /// is dropped instead of forcing full collections.
        /// </summary>
        public const int Entries = 2048;
        public const int IndexMask = Entries - 1;
        public const ulong Invalid = ulong.MaxValue;
        /// <summary>Large-page entries per access kind (2 MiB pages; 1 GiB pages have a quarter as many).</summary>
        public const int LargeEntries = 32;
        private const int HugeEntries = 4;

        // Uninitialised: the constructor's Clear writes every entry anyway, so the allocator need not zero them first.
        internal readonly TlbEntry[] Read = GC.AllocateUninitializedArray<TlbEntry>(Entries);
        internal readonly TlbEntry[] Write = GC.AllocateUninitializedArray<TlbEntry>(Entries);
        internal readonly TlbEntry[] Fetch = GC.AllocateUninitializedArray<TlbEntry>(Entries);

        // [access kind * N + index]: Read, Write, Fetch.
        private readonly LargeTlbEntry[] _large2M = new LargeTlbEntry[3 * LargeEntries];
        private readonly LargeTlbEntry[] _large1G = new LargeTlbEntry[3 * HugeEntries];

        // Large pages whose translations filled 4 KiB entries since the last flush, keyed (va >> 21) << 1 for 2 MiB and
        // (va >> 30) << 1 | 1 for 1 GiB: invlpg anywhere in such a page must drop all of them, as it drops the whole
        // large page on hardware, even after the large entry itself was replaced.
        private readonly HashSet<ulong> _fractured = new HashSet<ulong>();

        private readonly TlbStats _stats;

        public Tlb()
            : this(new TlbStats())
        {
        }

        internal Tlb(TlbStats stats)
        {
            _stats = stats;
            Clear(Read);
            Clear(Write);
            Clear(Fetch);
            ClearLarge();
        }

        internal TlbEntry[] For(Access access) => access switch
        {
            Access.Write => Write,
            Access.Execute => Fetch,
            _ => Read,
        };

        // False while every entry is invalid (nothing filled since the last flush): flushing is then free, which
        // matters at boot, where CR0, CR3 and CR4 writes flush a TLB that holds nothing yet.
        private bool _filled;

        public void FlushAll()
        {
            if (!_filled) return;
            FoldAndClear(Read, _stats.DataHits);
            FoldAndClear(Write, _stats.DataHits);
            FoldAndClear(Fetch, _stats.FetchHits);
            ClearLarge();
            _fractured.Clear();
            _filled = false;
        }

        /// <summary>Fills the 4 KiB entry for va (hostFrame: the host address of its frame).</summary>
        internal void Fill(Access access, ulong va, nint hostFrame)
        {
            _filled = true;
            ulong vpn = va >> 12;
            ref TlbEntry e = ref For(access)[(int)(vpn & IndexMask)];
            if (e.Hits != 0) Fold(ref e, HitsFor(access));
            e.Tag = vpn;
            e.Addend = hostFrame - (nint)(vpn << 12);
        }

        /// <summary>Remembers that the walk for va ended in a large leaf (pageShift 21 or 30) at physBase.</summary>
        internal void FillLarge(Access access, ulong va, ulong physBase, int pageShift)
        {
            _filled = true;
            ulong tag = va >> pageShift;
            ref LargeTlbEntry e = ref LargeSlot(access, tag, pageShift);
            e.Tag = tag;
            e.PhysBase = physBase;
            _fractured.Add(pageShift == 21 ? tag << 1 : (tag << 1) | 1);
        }

        /// <summary>The physical address of va from a large-page entry of this access kind, if one covers it.</summary>
        internal bool TryLarge(Access access, ulong va, out ulong pa)
        {
            ref LargeTlbEntry e2 = ref LargeSlot(access, va >> 21, 21);
            if (e2.Tag == va >> 21)
            {
                pa = e2.PhysBase + (va & 0x1F_FFFFUL);
                return true;
            }
            ref LargeTlbEntry e1 = ref LargeSlot(access, va >> 30, 30);
            if (e1.Tag == va >> 30)
            {
                pa = e1.PhysBase + (va & 0x3FFF_FFFFUL);
                return true;
            }
            pa = 0;
            return false;
        }

        /// <summary>invlpg: drops va's entries of every access kind; in a large page, the whole page's (its 4 KiB entries too).</summary>
        public void Invalidate(ulong va)
        {
            DropPage(va >> 12);
            for (int kind = 0; kind < 3; kind++)
            {
                var access = (Access)kind;
                ref LargeTlbEntry e2 = ref LargeSlot(access, va >> 21, 21);
                if (e2.Tag == va >> 21) e2.Tag = Invalid;
                ref LargeTlbEntry e1 = ref LargeSlot(access, va >> 30, 30);
                if (e1.Tag == va >> 30) e1.Tag = Invalid;
            }
            if (_fractured.Count == 0) return;
            if (_fractured.Remove((va >> 21) << 1))
            {
                ulong first = (va >> 21) << 9;
                for (ulong p = first; p < first + 512; p++) DropPage(p);
            }
            if (_fractured.Remove(((va >> 30) << 1) | 1))
            {
                ulong first = (va >> 30) << 18, end = first + (1UL << 18);
                DropRange(Read, first, end, _stats.DataHits);
                DropRange(Write, first, end, _stats.DataHits);
                DropRange(Fetch, first, end, _stats.FetchHits);
            }
        }

        private void DropPage(ulong vpn)
        {
            int i = (int)(vpn & IndexMask);
            if (Read[i].Tag == vpn) Drop(ref Read[i], _stats.DataHits);
            if (Write[i].Tag == vpn) Drop(ref Write[i], _stats.DataHits);
            if (Fetch[i].Tag == vpn) Drop(ref Fetch[i], _stats.FetchHits);
        }

        private static void DropRange(TlbEntry[] a, ulong firstVpn, ulong endVpn, long[] hits)
        {
            for (int i = 0; i < a.Length; i++)
                if (a[i].Tag >= firstVpn && a[i].Tag < endVpn) Drop(ref a[i], hits);
        }

        /// <summary>Drops write entries that point at the given host frame address.</summary>
        internal void PurgeWritesTo(nint hostFrame)
        {
            TlbEntry[] w = Write;
            for (int i = 0; i < w.Length; i++)
            {
                ulong tag = w[i].Tag;
                if (tag != Invalid && w[i].Addend + (nint)(tag << 12) == hostFrame) Drop(ref w[i], _stats.DataHits);
            }
        }

        /// <summary>Adds every live entry's hits to the statistics (the entries stay valid).</summary>
        internal void FoldHits()
        {
            FoldAll(Read, _stats.DataHits);
            FoldAll(Write, _stats.DataHits);
            FoldAll(Fetch, _stats.FetchHits);
        }

        private long[] HitsFor(Access access) => access == Access.Execute ? _stats.FetchHits : _stats.DataHits;

        private ref LargeTlbEntry LargeSlot(Access access, ulong tag, int pageShift)
        {
            int kind = (int)access;
            return ref pageShift == 21
                ? ref _large2M[kind * LargeEntries + (int)(tag & (LargeEntries - 1))]
                : ref _large1G[kind * HugeEntries + (int)(tag & (HugeEntries - 1))];
        }

        private void ClearLarge()
        {
            for (int i = 0; i < _large2M.Length; i++) _large2M[i].Tag = Invalid;
            for (int i = 0; i < _large1G.Length; i++) _large1G[i].Tag = Invalid;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Fold(ref TlbEntry e, long[] hits)
        {
            hits[TlbStats.SlotOfVpn(e.Tag)] += e.Hits;
            e.Hits = 0;
        }

        private static void Drop(ref TlbEntry e, long[] hits)
        {
            if (e.Hits != 0) Fold(ref e, hits);
            e.Tag = Invalid;
        }

        private static void FoldAll(TlbEntry[] a, long[] hits)
        {
            for (int i = 0; i < a.Length; i++)
                if (a[i].Hits != 0) Fold(ref a[i], hits);
        }

        private static void FoldAndClear(TlbEntry[] a, long[] hits)
        {
            for (int i = 0; i < a.Length; i++)
            {
                if (a[i].Hits != 0) Fold(ref a[i], hits);
                a[i].Tag = Invalid;
            }
        }

        private static void Clear(TlbEntry[] a)
        {
            for (int i = 0; i < a.Length; i++) a[i] = new TlbEntry { Tag = Invalid };
        }
    }
}
