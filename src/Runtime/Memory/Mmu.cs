using System;
using System.Runtime.CompilerServices;
using System.Text;

namespace KDsl.Runtime.Memory
{
    /// <summary>
    /// One CPU's MMU: the CR3 root, the 4-level walk with P/RW/US/NX checks (CR0.WP honoured,
    /// EFER.NXE assumed on) that sets Accessed/Dirty bits in the real entries, and a software TLB.
    /// </summary>
    public sealed unsafe class Mmu : ICodePageListener
    {
        private const ulong P = (ulong)PteFlags.Present;
        private const ulong RW = (ulong)PteFlags.Writable;
        private const ulong US = (ulong)PteFlags.User;
        private const ulong A = (ulong)PteFlags.Accessed;
        private const ulong D = (ulong)PteFlags.Dirty;
        private const ulong PS = (ulong)PteFlags.Huge;
        private const ulong NX = (ulong)PteFlags.NoExecute;

        private readonly PhysicalMemory _mem;
        private readonly byte* _base;
        private ulong _cr3;

        public Mmu(PhysicalMemory memory)
        {
            _mem = memory ?? throw new ArgumentNullException(nameof(memory));
            _base = memory.BasePointer;
            Supervisor = new Tlb(_stats);
            memory.AddListener(this);
        }

        public PhysicalMemory Memory => _mem;

        private readonly TlbStats _stats = new TlbStats();
        private Tlb? _user;

        /// <summary>TLB used for CPL 0-2 accesses.</summary>
        public Tlb Supervisor { get; }

        /// <summary>TLB used for CPL 3 accesses (allocated when first used: most experiments never leave ring 0).</summary>
        public Tlb User => _user ??= new Tlb(_stats);

        /// <summary>
        /// TLB hits and misses by PML4 slot, data and instruction fetch apart (see <see cref="TlbStats"/>). Reading it
        /// adds the hits the live entries hold, so the counts are exact at that moment.
        /// </summary>
        public TlbStats Stats
        {
            get
            {
                Supervisor.FoldHits();
                _user?.FoldHits();
                return _stats;
            }
        }

        /// <summary>Translations a TLB entry satisfied, data and fetch (including the CPU's fast paths).</summary>
        public long TlbHits
        {
            get
            {
                TlbStats s = Stats;
                return s.TotalHits + s.TotalFetchHits;
            }
        }

        /// <summary>Translations that needed a page walk, data and fetch.</summary>
        public long TlbMisses => _stats.TotalMisses + _stats.TotalFetchMisses;

        /// <summary>Bumped on every flush so holders of cached translations can notice.</summary>
        public int Epoch { get; private set; }

        /// <summary>CR0.WP: supervisor writes honour read-only pages (default on, as Linux runs).</summary>
        public bool WriteProtect { get; set; } = true;

        /// <summary>
        /// CR4.SMEP: a supervisor instruction fetch from a user page (U/S set at every level) faults, error code
        /// PROT|INSTR (Intel SDM Vol. 3A 4.6.1).
        /// </summary>
        public bool Smep { get; set; }

        /// <summary>
        /// CR4.SMAP: a supervisor data access to a user page faults, error code PROT (+WRITE), unless RFLAGS.AC is set
        /// (stac). The C# kernel's own accessors stand for uaccess code, which runs between stac and clac, so they pass.
        /// A user page is then never held in the supervisor TLB, so the check runs on every such access.
        /// </summary>
        public bool Smap { get; set; }

        /// <summary>CR3; writing it flushes the TLB (no PCID/global-page retention).</summary>
        public ulong Cr3
        {
            get => _cr3;
            set
            {
                _cr3 = value;
                FlushAll();
            }
        }

        public void FlushAll()
        {
            Supervisor.FlushAll();
            _user?.FlushAll();
            Epoch++;
        }

        public void Invlpg(ulong va)
        {
            Supervisor.Invalidate(va);
            _user?.Invalidate(va);
            Epoch++;
        }

        public static bool IsCanonical(ulong va) => (ulong)(((long)va << 16) >> 16) == va;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal Tlb TlbFor(int cpl) => cpl == 3 ? User : Supervisor;

        /// <summary>
        /// Translates va for an access at the given CPL, performing the walk on a TLB miss
        /// (setting A, and D for writes) and filling the TLB. pfErrorCode is valid for PageFault.
        /// </summary>
        public TranslateStatus Translate(ulong va, Access access, int cpl, out ulong pa, out uint pfErrorCode)
        {
            pfErrorCode = 0;
            ulong vpn = va >> 12;
            TlbEntry[] arr = TlbFor(cpl).For(access);
            ref TlbEntry e = ref arr[(int)(vpn & Tlb.IndexMask)];
            if (e.Tag == vpn)
            {
                e.Hits++;
                pa = (ulong)((byte*)(e.Addend + (nint)va) - _base);
                return TranslateStatus.Ok;
            }
            return TranslateMiss(va, access, cpl, userDataAllowed: true, out pa, out pfErrorCode);
        }

        /// <summary>
        /// The slow path, after the 4 KiB entry missed: canonical check, then a large-page entry that covers va (a hit,
        /// which fills the 4 KiB entry), else the walk (a miss) with its permission checks, A/D update and TLB fill.
        /// </summary>
        /// <param name="va">The virtual address.</param>
        /// <param name="access">Read, write or instruction fetch.</param>
        /// <param name="cpl">The privilege level of the access (3: user).</param>
        /// <param name="pa">The physical address, when the translation succeeded.</param>
        /// <param name="pfErrorCode">The #PF error code, when it did not.</param>
        /// <param name="userDataAllowed">RFLAGS.AC for the CPU's own accesses: SMAP lets a supervisor access a user page.</param>
        internal TranslateStatus TranslateMiss(ulong va, Access access, int cpl, bool userDataAllowed, out ulong pa, out uint pfErrorCode)
        {
            pa = 0;
            pfErrorCode = 0;
            if (!IsCanonical(va)) return TranslateStatus.NonCanonical;
            Tlb tlb = TlbFor(cpl);
            if (tlb.TryLarge(access, va, out pa) && pa < _mem.Size) // user pages never enter it under SMEP/SMAP
            {
                _stats.CountHit(va, access);
                FillPage(tlb, va, access, pa);
                return TranslateStatus.Ok;
            }
            _stats.CountMiss(va, access);

            bool user = cpl == 3;
            bool write = access == Access.Write;
            bool fetch = access == Access.Execute;
            uint baseCode = (write ? PfError.Write : 0) | (user ? PfError.User : 0) | (fetch ? PfError.Instr : 0);

            ulong memSize = _mem.Size;
            ulong table = _cr3 & PageTables.AddressMask;
            ulong e0Pa = 0, e1Pa = 0, e2Pa = 0, e3Pa = 0;
            int depth = 0;
            ulong allRw = RW, allUs = US, anyNx = 0;
            ulong leaf = 0;
            ulong pageSizeMask = PhysicalMemory.PageMask;

            for (int level = 4; level >= 1; level--)
            {
                ulong entryPa = table + (((va >> (12 + 9 * (level - 1))) & 511) << 3);
                if (entryPa + 8 > memSize)
                {
                    pfErrorCode = baseCode | PfError.Rsvd | PfError.Prot;
                    return TranslateStatus.PageFault;
                }
                ulong ent = _mem.RawReadU64(entryPa);
                if ((ent & P) == 0)
                {
                    pfErrorCode = baseCode;
                    return TranslateStatus.PageFault;
                }
                switch (depth)
                {
                    case 0: e0Pa = entryPa; break;
                    case 1: e1Pa = entryPa; break;
                    case 2: e2Pa = entryPa; break;
                    default: e3Pa = entryPa; break;
                }
                depth++;
                allRw &= ent;
                allUs &= ent;
                anyNx |= ent & NX;
                if (level == 1 || ((level == 2 || level == 3) && (ent & PS) != 0))
                {
                    leaf = ent;
                    pageSizeMask = level == 1 ? PhysicalMemory.PageMask : level == 2 ? 0x1F_FFFFUL : 0x3FFF_FFFFUL;
                    break;
                }
                table = ent & PageTables.AddressMask;
            }

            // Permission checks (the translation is present at every level here).
            bool denied = false;
            if (user && allUs == 0) denied = true;
            else if (write && allRw == 0 && (user || WriteProtect)) denied = true;
            else if (fetch && anyNx != 0) denied = true;
            bool supervisorOnUserPage = !user && allUs != 0;
            if (supervisorOnUserPage && (fetch ? Smep : Smap && !userDataAllowed)) denied = true;
            if (denied)
            {
                pfErrorCode = baseCode | PfError.Prot;
                return TranslateStatus.PageFault;
            }

            pa = ((leaf & PageTables.AddressMask) & ~pageSizeMask) | (va & pageSizeMask);
            if (pa >= memSize)
            {
                pfErrorCode = baseCode | PfError.Rsvd | PfError.Prot;
                return TranslateStatus.PageFault;
            }

            // Accessed on every level used, Dirty on the leaf for writes.
            SetBits(e0Pa, A);
            if (depth > 1) SetBits(e1Pa, A);
            if (depth > 2) SetBits(e2Pa, A);
            if (depth > 3) SetBits(e3Pa, A);
            if (write)
            {
                ulong leafPa = depth switch { 1 => e0Pa, 2 => e1Pa, 3 => e2Pa, _ => e3Pa };
                SetBits(leafPa, D);
            }

            if (supervisorOnUserPage && (fetch ? Smep : Smap))
            {
                // not cached, so SMAP is checked again next time (AC may be clear then)
                if (write && _mem.IsCodePage(pa >> 12)) _mem.NotifyCodeWrite(pa >> 12);
                return TranslateStatus.Ok;
            }
            if (pageSizeMask != PhysicalMemory.PageMask)
                tlb.FillLarge(access, va, pa & ~pageSizeMask, pageSizeMask == 0x1F_FFFFUL ? 21 : 30);
            FillPage(tlb, va, access, pa);
            return TranslateStatus.Ok;
        }

        /// <summary>Fills va's 4 KiB entry; a write first drops decoded copies of a code frame (self-modifying code).</summary>
        private void FillPage(Tlb tlb, ulong va, Access access, ulong pa)
        {
            ulong pfn = pa >> 12;
            if (access == Access.Write && _mem.IsCodePage(pfn)) _mem.NotifyCodeWrite(pfn);
            tlb.Fill(access, va, (nint)(_base + (pa & ~PhysicalMemory.PageMask)));
        }

        /// <summary>
        /// A translation that just succeeded, again, without counting it a second time: its entry is still there
        /// (unless a later page of the same access evicted it, which then walks and counts).
        /// </summary>
        private ulong TranslateAgain(ulong va, Access access, int cpl)
        {
            ulong vpn = va >> 12;
            ref TlbEntry e = ref TlbFor(cpl).For(access)[(int)(vpn & Tlb.IndexMask)];
            if (e.Tag == vpn) return (ulong)((byte*)(e.Addend + (nint)va) - _base);
            TranslateMiss(va, access, cpl, userDataAllowed: true, out ulong pa, out _);
            return pa;
        }

        private void SetBits(ulong entryPa, ulong bits)
        {
            ulong v = _mem.RawReadU64(entryPa);
            if ((v & bits) != bits) _mem.RawWriteU64(entryPa, v | bits);
        }

        void ICodePageListener.CodePageMarked(ulong pfn)
        {
            nint host = (nint)(_base + (pfn << 12));
            Supervisor.PurgeWritesTo(host);
            _user?.PurgeWritesTo(host);
        }

        void ICodePageListener.CodePageWritten(ulong pfn)
        {
        }

        // ---------------- helpers for the kernel's C# code (supervisor, never raise guest faults) ----------------

        public bool TryRead(ulong va, Span<byte> dst)
        {
            int done = 0;
            while (done < dst.Length)
            {
                ulong cur = va + (ulong)done;
                if (Translate(cur, Access.Read, 0, out ulong pa, out _) != TranslateStatus.Ok) return false;
                int chunk = (int)Math.Min((ulong)(dst.Length - done), PhysicalMemory.PageSize - (cur & PhysicalMemory.PageMask));
                new ReadOnlySpan<byte>(_base + pa, chunk).CopyTo(dst.Slice(done, chunk));
                done += chunk;
            }
            return true;
        }

        public bool TryWrite(ulong va, ReadOnlySpan<byte> src)
        {
            // Translate every page first so a failing write has no effect.
            ulong end = va + (ulong)src.Length;
            for (ulong p = va & ~PhysicalMemory.PageMask; src.Length > 0 && p < end; p += PhysicalMemory.PageSize)
            {
                ulong probe = p < va ? va : p;
                if (Translate(probe, Access.Write, 0, out _, out _) != TranslateStatus.Ok) return false;
            }
            int done = 0;
            while (done < src.Length)
            {
                ulong cur = va + (ulong)done;
                ulong pa = TranslateAgain(cur, Access.Write, 0);
                int chunk = (int)Math.Min((ulong)(src.Length - done), PhysicalMemory.PageSize - (cur & PhysicalMemory.PageMask));
                if (_mem.IsCodePage(pa >> 12)) _mem.NotifyCodeWrite(pa >> 12);
                src.Slice(done, chunk).CopyTo(new Span<byte>(_base + pa, chunk));
                done += chunk;
            }
            return true;
        }

        public bool TryReadU64(ulong va, out ulong value)
        {
            Span<byte> b = stackalloc byte[8];
            if (!TryRead(va, b)) { value = 0; return false; }
            value = Unsafe.ReadUnaligned<ulong>(ref b[0]);
            return true;
        }

        public bool TryWriteU64(ulong va, ulong value)
        {
            Span<byte> b = stackalloc byte[8];
            Unsafe.WriteUnaligned(ref b[0], value);
            return TryWrite(va, b);
        }

        public bool TryReadU32(ulong va, out uint value)
        {
            Span<byte> b = stackalloc byte[4];
            if (!TryRead(va, b)) { value = 0; return false; }
            value = Unsafe.ReadUnaligned<uint>(ref b[0]);
            return true;
        }

        public bool TryReadU8(ulong va, out byte value)
        {
            Span<byte> b = stackalloc byte[1];
            if (!TryRead(va, b)) { value = 0; return false; }
            value = b[0];
            return true;
        }

        /// <summary>Reads a NUL-terminated string of at most max bytes (Latin-1). False if unmapped before the NUL/limit.</summary>
        public bool TryReadCString(ulong va, int max, out string s)
        {
            var sb = new StringBuilder();
            for (int i = 0; i < max; i++)
            {
                if (!TryReadU8(va + (ulong)i, out byte c))
                {
                    s = sb.ToString();
                    return false;
                }
                if (c == 0) break;
                sb.Append((char)c);
            }
            s = sb.ToString();
            return true;
        }

        /// <summary>Translates without touching the TLB, counters or A/D bits (for diagnostics).</summary>
        public bool Probe(ulong va, out ulong pa)
        {
            pa = 0;
            if (!IsCanonical(va)) return false;
            var pt = new PageTables(_mem);
            PageWalk w = pt.Walk(_cr3, va);
            pa = w.PhysicalAddress;
            return w.Present;
        }
    }
}
