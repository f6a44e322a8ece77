using System;
using System.Collections.Generic;

namespace KDsl.Runtime.Memory
{
    /// <summary>Each level's entry for one virtual address (0 where the walk stopped earlier).</summary>
    public struct PageWalk
    {
        /// <summary>PML4 entry (the PGD with 4-level paging).</summary>
        public ulong Pgd;
        /// <summary>P4D: folded into the PGD with 4-level paging, so the same value.</summary>
        public ulong P4d;
        /// <summary>PDPT entry.</summary>
        public ulong Pud;
        /// <summary>Page-directory entry.</summary>
        public ulong Pmd;
        /// <summary>Page-table entry (0 for a 2 MiB / 1 GiB mapping or when not reached).</summary>
        public ulong Pte;
        /// <summary>4 = stopped at PGD, 3 = PUD, 2 = PMD, 1 = PTE.</summary>
        public int Level;
        /// <summary>True when the walk reached a present leaf.</summary>
        public bool Present;
        /// <summary>The translated physical address when <see cref="Present"/>.</summary>
        public ulong PhysicalAddress;
        /// <summary>
        /// The walk stopped because the next table lies past the end of RAM (a corrupted entry): dump_pagetable's
        /// bad_address() case, whose read through the direct map faults. <see cref="Level"/> is the level whose entry
        /// points there.
        /// </summary>
        public bool Bad;
    }

    /// <summary>
    /// The kernel read or wrote a page-table entry whose table lies past the end of RAM: a corrupted entry above it points
    /// there. The real kernel reaches a table through the direct map (pud_offset and friends: __va(table) + index), where
    /// no RAM means no mapping, so that access is a kernel-mode page fault at <see cref="DirectMapOffset"/> from the direct
    /// map's base. The C# kernel catches it where its service ran and raises that fault.
    /// </summary>
    public sealed class BadPageTableException : Exception
    {
        public BadPageTableException(ulong physicalAddress, bool write)
            : base($"page-table entry at physical 0x{physicalAddress:x}, past the end of RAM")
        {
            DirectMapOffset = physicalAddress;
            Write = write;
        }

        /// <summary>The entry's physical address: its direct-map address less the direct map's base.</summary>
        public ulong DirectMapOffset { get; }
        public bool Write { get; }
    }

    /// <summary>
    /// Edits real 4-level x86-64 page tables held in guest physical memory. Callers must flush the
    /// affected MMUs' TLBs (<see cref="Mmu.Invlpg"/>/<see cref="Mmu.FlushAll"/>) after changing live mappings.
    /// </summary>
    public sealed class PageTables
    {
        public const ulong AddressMask = 0x000F_FFFF_FFFF_F000UL;

        private readonly PhysicalMemory _mem;

        public PageTables(PhysicalMemory memory)
        {
            _mem = memory ?? throw new ArgumentNullException(nameof(memory));
        }

        public PhysicalMemory Memory => _mem;

        /// <summary>Allocates an empty PML4; returns <see cref="PhysicalMemory.NoPage"/> when out of memory.</summary>
        public ulong CreateRoot() => _mem.AllocPage();

        public static bool IsCanonical(ulong va) => (ulong)(((long)va << 16) >> 16) == va;

        private static int Index(ulong va, int level) => (int)((va >> (12 + 9 * (level - 1))) & 511);

        /// <summary>False when the 8-byte entry at <paramref name="entryPa"/> has no RAM behind it (a corrupted entry led there).</summary>
        private bool InRam(ulong entryPa) => entryPa <= _mem.Size - 8;

        private ulong ReadEntry(ulong entryPa)
        {
            if (!InRam(entryPa)) throw new BadPageTableException(entryPa, write: false);
            return _mem.ReadU64(entryPa);
        }

        private void WriteEntry(ulong entryPa, ulong entry)
        {
            if (!InRam(entryPa)) throw new BadPageTableException(entryPa, write: true);
            _mem.WriteU64(entryPa, entry);
        }

        /// <summary>Finds (optionally creating) the table at <paramref name="targetLevel"/> covering va; returns its physical address.</summary>
        private bool GetTable(ulong root, ulong va, int targetLevel, bool user, out ulong table)
        {
            table = root & AddressMask;
            for (int level = 4; level > targetLevel; level--)
            {
                ulong entryPa = table + (ulong)Index(va, level) * 8;
                ulong e = ReadEntry(entryPa);
                if ((e & (ulong)PteFlags.Present) == 0)
                {
                    if (!_mem.TryAllocPage(out ulong next)) return false;
                    e = next | (ulong)(user ? PteFlags.PageTable : PteFlags.KernelPageTable);
                    WriteEntry(entryPa, e);
                }
                else if ((e & (ulong)PteFlags.Huge) != 0 && level <= 3)
                {
                    return false; // a large page is in the way
                }
                else if (user && (e & (ulong)PteFlags.User) == 0)
                {
                    e |= (ulong)PteFlags.User;
                    WriteEntry(entryPa, e);
                }
                table = e & AddressMask;
            }
            return true;
        }

        /// <summary>Maps one 4 KiB page. Present is implied. False when out of memory or a huge page covers va.</summary>
        public bool Map4K(ulong root, ulong va, ulong pa, PteFlags flags)
        {
            if (!IsCanonical(va)) throw new ArgumentException("non-canonical address", nameof(va));
            if (((va | pa) & PhysicalMemory.PageMask) != 0) throw new ArgumentException("addresses must be 4 KiB aligned");
            bool user = (flags & PteFlags.User) != 0;
            if (!GetTable(root, va, 1, user, out ulong pt)) return false;
            ulong entryPa = pt + (ulong)Index(va, 1) * 8;
            ReadEntry(entryPa); // vmap_pte_range reads the old PTE first (its WARN_ON(!pte_none(*pte))), as the real walk faults
            WriteEntry(entryPa, (pa & AddressMask) | (ulong)(flags | PteFlags.Present));
            return true;
        }

        /// <summary>Maps one 2 MiB page through a PSE PMD entry.</summary>
        public bool Map2M(ulong root, ulong va, ulong pa, PteFlags flags)
        {
            if (!IsCanonical(va)) throw new ArgumentException("non-canonical address", nameof(va));
            if (((va | pa) & 0x1F_FFFF) != 0) throw new ArgumentException("addresses must be 2 MiB aligned");
            bool user = (flags & PteFlags.User) != 0;
            if (!GetTable(root, va, 2, user, out ulong pd)) return false;
            ulong entryPa = pd + (ulong)Index(va, 2) * 8;
            ulong old = ReadEntry(entryPa);
            if ((old & (ulong)PteFlags.Present) != 0 && (old & (ulong)PteFlags.Huge) == 0) return false; // a page table is there
            WriteEntry(entryPa, (pa & AddressMask) | (ulong)(flags | PteFlags.Present | PteFlags.Huge));
            return true;
        }

        /// <summary>Maps a range of 4 KiB pages.</summary>
        public bool MapRange(ulong root, ulong va, ulong pa, ulong length, PteFlags flags)
        {
            for (ulong off = 0; off < length; off += PhysicalMemory.PageSize)
                if (!Map4K(root, va + off, pa + off, flags)) return false;
            return true;
        }

        /// <summary>Clears the leaf entry (4 KiB or 2 MiB) mapping va. False when nothing was mapped.</summary>
        public bool Unmap(ulong root, ulong va)
        {
            if (!IsCanonical(va)) return false;
            ulong table = root & AddressMask;
            for (int level = 4; level >= 1; level--)
            {
                ulong entryPa = table + (ulong)Index(va, level) * 8;
                ulong e = ReadEntry(entryPa);
                if ((e & (ulong)PteFlags.Present) == 0) return false;
                if (level == 1 || (level <= 3 && (e & (ulong)PteFlags.Huge) != 0))
                {
                    WriteEntry(entryPa, 0);
                    return true;
                }
                table = e & AddressMask;
            }
            return false;
        }

        /// <summary>Reads the entry of the leaf mapping va (0 if none); for changing flags use <see cref="SetLeaf"/>.</summary>
        public ulong GetLeaf(ulong root, ulong va)
        {
            PageWalk w = Walk(root, va);
            if (!w.Present) return 0;
            return w.Level == 1 ? w.Pte : w.Level == 2 ? w.Pmd : w.Pud;
        }

        /// <summary>Replaces the leaf entry mapping va. False when no leaf is present.</summary>
        public bool SetLeaf(ulong root, ulong va, ulong entry)
        {
            if (!IsCanonical(va)) return false;
            ulong table = root & AddressMask;
            for (int level = 4; level >= 1; level--)
            {
                ulong entryPa = table + (ulong)Index(va, level) * 8;
                ulong e = ReadEntry(entryPa);
                if ((e & (ulong)PteFlags.Present) == 0) return false;
                if (level == 1 || (level <= 3 && (e & (ulong)PteFlags.Huge) != 0))
                {
                    WriteEntry(entryPa, entry);
                    return true;
                }
                table = e & AddressMask;
            }
            return false;
        }

        /// <summary>
        /// The 4 KiB pages in [<paramref name="start"/>, <paramref name="end"/>) that a present leaf maps, in address
        /// order. The walk skips every non-present table entry whole, as the kernel's page-range walkers do
        /// (zap_pte_range, change_protection): a range of terabytes with a few pages touched costs those pages, not the range.
        /// </summary>
        public List<ulong> PresentPages(ulong root, ulong start, ulong end) => PresentPages(root, start, end, out _);

        /// <summary>
        /// <see cref="PresentPages(ulong, ulong, ulong)"/>, and how many entries of the range the walk looked at (at every
        /// level, as zap_pte_range and the p?d_none_or_clear_bad skips above it do): the walk's work, whatever the range's size.
        /// </summary>
        public List<ulong> PresentPages(ulong root, ulong start, ulong end, out long entries)
        {
            var pages = new List<ulong>();
            entries = 0;
            if (end > start) CollectPresent(root & AddressMask, 4, 0, start, end - 1, pages, ref entries);
            return pages;
        }

        private void CollectPresent(ulong table, int level, ulong baseVa, ulong first, ulong last, List<ulong> pages, ref long entries)
        {
            ulong span = 1UL << (12 + 9 * (level - 1)); // bytes one entry of this level maps
            for (int i = 0; i < 512; i++)
            {
                ulong va = baseVa + (ulong)i * span;
                if (level == 4 && i >= 256) va |= 0xFFFF_0000_0000_0000UL; // the upper half is sign-extended
                ulong vaLast = va + (span - 1);
                if (vaLast < first || va > last) continue;
                entries++;
                ulong e = ReadEntry(table + (ulong)i * 8);
                if ((e & (ulong)PteFlags.Present) == 0) continue;
                if (level == 1 || (level <= 3 && (e & (ulong)PteFlags.Huge) != 0))
                {
                    ulong from = Math.Max(va, first) & ~PhysicalMemory.PageMask, to = Math.Min(vaLast, last);
                    for (ulong page = from; page <= to && page >= from; page += PhysicalMemory.PageSize) pages.Add(page);
                    continue;
                }
                CollectPresent(e & AddressMask, level - 1, va, first, last, pages, ref entries);
            }
        }

        /// <summary>Reads every level's entry for va without side effects (no A/D updates).</summary>
        public PageWalk Walk(ulong root, ulong va)
        {
            var w = new PageWalk();
            if (!IsCanonical(va)) return w;
            ulong table = root & AddressMask;
            for (int level = 4; level >= 1; level--)
            {
                ulong entryPa = table + (ulong)Index(va, level) * 8;
                if (!InRam(entryPa))
                {
                    w.Bad = true; // the entry one level up points past RAM: Level stays that entry's
                    return w;
                }
                ulong e = _mem.ReadU64(entryPa);
                w.Level = level;
                switch (level)
                {
                    case 4: w.Pgd = e; w.P4d = e; break;
                    case 3: w.Pud = e; break;
                    case 2: w.Pmd = e; break;
                    default: w.Pte = e; break;
                }
                if ((e & (ulong)PteFlags.Present) == 0) return w;
                if (level == 3 && (e & (ulong)PteFlags.Huge) != 0)
                {
                    w.Present = true;
                    w.PhysicalAddress = (e & AddressMask & ~0x3FFF_FFFFUL) | (va & 0x3FFF_FFFF);
                    return w;
                }
                if (level == 2 && (e & (ulong)PteFlags.Huge) != 0)
                {
                    w.Present = true;
                    w.PhysicalAddress = (e & AddressMask & ~0x1F_FFFFUL) | (va & 0x1F_FFFF);
                    return w;
                }
                if (level == 1)
                {
                    w.Present = true;
                    w.PhysicalAddress = (e & AddressMask) | (va & PhysicalMemory.PageMask);
                    return w;
                }
                table = e & AddressMask;
            }
            return w;
        }
    }
}
