using System;
using System.Collections.Generic;
using System.Text;
using KDsl.Runtime.Cpu;
using KDsl.Runtime.Kernel.Fs;
using KDsl.Runtime.Kernel.Mm;
using KDsl.Runtime.Memory;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// A process's memory system calls: mmap (ksys_mmap_pgoff → do_mmap), munmap and mprotect, on its VMAs and page
    /// tables.
    /// </summary>
    public sealed partial class LinuxKernel
    {
        /// <summary>ksys_mmap_pgoff → do_mmap: validates as Linux does, picks the address, inserts the VMA (pages come on demand).</summary>
        private long KsysMmapPgoff(UserProcess p, ulong addr, ulong len, int prot, int flags, int fd, ulong off)
        {
            if ((off & PhysicalMemory.PageMask) != 0) return -EINVAL;
            if (len == 0) return -EINVAL;
            ulong length = (len + PhysicalMemory.PageMask) & ~PhysicalMemory.PageMask;
            if (length == 0 || length > MmStruct.TaskSize) return -ENOMEM;
            int type = flags & 0x0f;
            if (type != MapShared && type != MapPrivate && type != 3) return -EINVAL;
            if ((prot & ~7) != 0) return -EINVAL;
            if (p.Mm.Vmas.Count > MmStruct.MaxMapCount) return -ENOMEM; // do_mmap: mm->map_count > sysctl_max_map_count
            Inode? inode = null;
            if ((flags & MapAnonymous) == 0)
            {
                if (!p.Files.TryGetValue(fd, out var file)) return -EBADF;
                if (!file.CanRead) return -EACCES;
                if ((type & MapShared) != 0 && (prot & 2) != 0 && !file.CanWrite) return -EACCES;
                inode = file.Inode;
            }
            ulong start;
            if ((flags & MapFixed) != 0)
            {
                if ((addr & PhysicalMemory.PageMask) != 0) return -EINVAL;
                if (addr + length > MmStruct.TaskSize || addr + length < addr) return -ENOMEM;
                start = addr;
                Unmap(p, start, start + length);
            }
            else
            {
                ulong hint = addr & ~PhysicalMemory.PageMask;
                start = hint != 0 && hint < MmStruct.TaskSize && length <= MmStruct.TaskSize - hint && p.Mm.IsFree(hint, hint + length) ? hint : p.Mm.GetUnmappedArea(length);
                if (start == 0) return -ENOMEM;
            }
            ulong vmFlags = VmFlags.FromProt(prot) | ((type & MapShared) != 0 ? VmFlags.Shared : 0);
            p.Mm.Insert(new VmAreaStruct(start, start + length, vmFlags, inode, (long)(off >> PhysicalMemory.PageShift)));
            return (long)start;
        }

        /// <summary>__vm_munmap: EINVAL for an unaligned start, a zero length or a range past TASK_SIZE; unmapping nothing is fine.</summary>
        private long VmMunmap(UserProcess p, ulong addr, ulong len)
        {
            if ((addr & PhysicalMemory.PageMask) != 0 || len == 0) return -EINVAL;
            ulong length = (len + PhysicalMemory.PageMask) & ~PhysicalMemory.PageMask;
            if (length == 0 || addr + length > MmStruct.TaskSize || addr + length < addr) return -EINVAL;
            Unmap(p, addr, addr + length);
            return 0;
        }

        private void Unmap(UserProcess p, ulong start, ulong end)
        {
            foreach (var vma in p.Mm.SplitRange(start, end))
            {
                foreach (ulong va in PresentUserPages(p, vma)) // the touched pages, not the range
                {
                    ulong leaf = Tables.GetLeaf(p.Mm.Root, va);
                    if (leaf == 0) continue;
                    Tables.Unmap(p.Mm.Root, va);
                    ulong pa = leaf & PageTables.AddressMask;
                    if (!IsPageCachePage(vma, va, pa)) Memory.FreePage(pa);
                }
                p.Mm.Remove(vma);
            }
            Mmu.FlushAll();
        }

        /// <summary>The VMA's mapped pages, the walk charged by the entries it looked at (a 64 TiB range with two pages touched costs a few hundred).</summary>
        private List<ulong> PresentUserPages(UserProcess p, VmAreaStruct vma)
        {
            var pages = Tables.PresentPages(p.Mm.Root, vma.Start, vma.End, out long entries);
            Charge(entries * KernelWork.PageTableEntry);
            return pages;
        }

        private static bool IsPageCachePage(VmAreaStruct vma, ulong va, ulong pa) =>
            vma.File != null && vma.File.PageCache.TryGetValue(vma.Pgoff + (long)((va - vma.Start) >> PhysicalMemory.PageShift), out ulong cached) && cached == pa;

        /// <summary>do_mprotect_pkey: EINVAL for an unaligned start or unknown bits, ENOMEM when part of the range is unmapped.</summary>
        private long DoMprotectPkey(UserProcess p, ulong addr, ulong len, int prot)
        {
            if ((addr & PhysicalMemory.PageMask) != 0 || (prot & ~7) != 0) return -EINVAL;
            if (len == 0) return 0;
            ulong length = (len + PhysicalMemory.PageMask) & ~PhysicalMemory.PageMask;
            ulong end = addr + length;
            if (length == 0 || end < addr) return -ENOMEM;
            for (ulong va = addr; va < end;)
            {
                var vma = p.Mm.FindVma(va);
                if (vma is null) return -ENOMEM;
                va = vma.End;
            }
            foreach (var vma in p.Mm.SplitRange(addr, end))
            {
                vma.Flags = (vma.Flags & ~(VmFlags.Read | VmFlags.Write | VmFlags.Exec)) | VmFlags.FromProt(prot);
                foreach (ulong va in PresentUserPages(p, vma)) // change_protection: mapped pages only
                {
                    ulong leaf = Tables.GetLeaf(p.Mm.Root, va);
                    if (leaf == 0) continue;
                    ulong pa = leaf & PageTables.AddressMask;
                    if (prot == 0)
                    {
                        // PROT_NONE: the page keeps its contents, user access faults (KDsl clears the pte's User bit
                        // where Linux uses _PAGE_PROTNONE, so a touched page faults with error bit 0 set).
                        Tables.SetLeaf(p.Mm.Root, va, leaf & ~(ulong)PteFlags.User);
                        continue;
                    }
                    // Writable only where it was already (a private file page keeps its copy-on-write until written).
                    PteFlags flags = PteFlags.Present | PteFlags.User | PteFlags.Accessed;
                    if ((prot & 4) == 0) flags |= PteFlags.NoExecute;
                    if ((prot & 2) != 0 && (leaf & (ulong)PteFlags.Writable) != 0) flags |= PteFlags.Writable | PteFlags.Dirty;
                    Tables.SetLeaf(p.Mm.Root, va, pa | (ulong)flags);
                }
            }
            Mmu.FlushAll();
            return 0;
        }
    }
}
