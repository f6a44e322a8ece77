using System;
using System.Runtime.CompilerServices;

namespace KDsl.Runtime.Memory
{
    /// <summary>One software-TLB slot: virtual page number and the value to add to a VA to get its host address.</summary>
    public struct TlbEntry
    {
        /// <summary>va &gt;&gt; 12, or <see cref="Tlb.Invalid"/>.</summary>
        public ulong Tag;
        /// <summary>host address of the frame minus the virtual page address.</summary>
        public nint Addend;
    }

    /// <summary>
    /// A direct-mapped software TLB for one privilege level: separate arrays for read, write and
    /// instruction fetch. Entries are only filled after the permission check for that kind passed.
    /// </summary>
    public sealed class Tlb
    {
        public const int Entries = 4096;
        public const int IndexMask = Entries - 1;
        public const ulong Invalid = ulong.MaxValue;

        internal readonly TlbEntry[] Read = new TlbEntry[Entries];
        internal readonly TlbEntry[] Write = new TlbEntry[Entries];
        internal readonly TlbEntry[] Fetch = new TlbEntry[Entries];

        public Tlb()
        {
            FlushAll();
        }

        internal TlbEntry[] For(Access access) => access switch
        {
            Access.Write => Write,
            Access.Execute => Fetch,
            _ => Read,
        };

        // False while every entry is invalid (nothing filled since the last flush): flushing is then free, which
        // matters at boot, where CR0, CR3 and CR4 writes flush a TLB that holds nothing yet.
        private bool _filled = true;

        public void FlushAll()
        {
            if (!_filled) return;
            Clear(Read);
            Clear(Write);
            Clear(Fetch);
            _filled = false;
        }

        /// <summary>Fills the entry for va in a (one of this TLB's arrays).</summary>
        internal void Fill(Access access, ulong va, nint hostFrame)
        {
            _filled = true;
            Fill(For(access), va, hostFrame);
        }

        private static void Clear(TlbEntry[] a)
        {
            for (int i = 0; i < a.Length; i++) a[i].Tag = Invalid;
        }

        public void Invalidate(ulong va)
        {
            ulong vpn = va >> 12;
            int i = (int)(vpn & IndexMask);
            if (Read[i].Tag == vpn) Read[i].Tag = Invalid;
            if (Write[i].Tag == vpn) Write[i].Tag = Invalid;
            if (Fetch[i].Tag == vpn) Fetch[i].Tag = Invalid;
        }

        /// <summary>Drops write entries that point at the given host frame address.</summary>
        internal void PurgeWritesTo(nint hostFrame)
        {
            TlbEntry[] w = Write;
            for (int i = 0; i < w.Length; i++)
            {
                ulong tag = w[i].Tag;
                if (tag != Invalid && w[i].Addend + (nint)(tag << 12) == hostFrame) w[i].Tag = Invalid;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static void Fill(TlbEntry[] a, ulong va, nint hostFrame)
        {
            ulong vpn = va >> 12;
            ref TlbEntry e = ref a[(int)(vpn & IndexMask)];
            e.Tag = vpn;
            e.Addend = hostFrame - (nint)(vpn << 12);
        }
    }
}
