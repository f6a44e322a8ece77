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
    /// The system calls a process makes: entry_SYSCALL_64's service saves pt_regs on the task's kernel stack,
    /// dispatches on RAX (do_syscall_64) to the sys_* implementation named after Linux's, puts the result or -errno in
    /// RAX and returns as sysretq does (RIP = RCX, RFLAGS = R11, CPL 3). Bad arguments give the kernel's errno.
    /// </summary>
    public sealed partial class LinuxKernel
    {
        public const long EPERM = 1, ENOENT = 2, EBADF = 9, ENOMEM = 12, EACCES = 13, EFAULT = 14, EINVAL = 22, EMFILE = 24, ENOSYS = 38;
        public const int NrRead = 0, NrWrite = 1, NrOpen = 2, NrClose = 3, NrMmap = 9, NrMprotect = 10, NrMunmap = 11,
            NrRtSigaction = 13, NrRtSigreturn = 15, NrGetpid = 39, NrExit = 60, NrFtruncate = 77, NrExitGroup = 231;
        private const int MapShared = 0x01, MapPrivate = 0x02, MapFixed = 0x10, MapAnonymous = 0x20;

        private void EntrySyscall64(UserProcess p)
        {
            ulong nr = Cpu[Reg.Rax];
            ulong a0 = Cpu[Reg.Rdi], a1 = Cpu[Reg.Rsi], a2 = Cpu[Reg.Rdx], a3 = Cpu[Reg.R10], a4 = Cpu[Reg.R8], a5 = Cpu[Reg.R9];
            ulong userRip = Cpu[Reg.Rcx], userFlags = Cpu[Reg.R11];
            SavePtRegs(p, nr, userRip, userFlags);
            Charge(KernelWork.SyscallEntry);

            if (nr == NrIoctl && p.Files.TryGetValue((int)a0, out var opened) && DoVfsIoctl(p, opened, (uint)a1, a2) is long vfs)
            {
                ReturnToUser(p, nr, a0, a1, a2, a3, a4, a5, vfs, userRip, userFlags, restoreFromPtRegs: false);
                return;
            }
            if (nr is NrRead or NrWrite or NrIoctl && p.Files.TryGetValue((int)a0, out var device) && device.StructFile != 0)
            {
                if (EnterDriver(p, (int)nr, device, a0, a1, a2, userRip, userFlags, out long error)) return; // the handler runs
                ReturnToUser(p, nr, a0, a1, a2, a3, a4, a5, error, userRip, userFlags, restoreFromPtRegs: false);
                return;
            }
            long ret = nr switch
            {
                NrRead => KsysRead(p, (int)a0, a1, (long)a2),
                NrWrite => KsysWrite(p, (int)a0, a1, (long)a2),
                NrOpen => DoSysOpen(p, a0, (int)a1, (int)a2),
                NrClose => CloseFd(p, (int)a0),
                NrMmap => KsysMmapPgoff(p, a0, a1, (int)a2, (int)a3, (int)a4, a5),
                NrMprotect => DoMprotectPkey(p, a0, a1, (int)a2),
                NrMunmap => VmMunmap(p, a0, a1),
                NrRtSigaction => RtSigaction(p, (int)a0, a1, a2, a3),
                NrRtSigreturn => RtSigreturn(p),
                NrGetpid => p.Result.Pid,
                NrExit or NrExitGroup => DoExit(p, (int)a0),
                NrFtruncate => KsysFtruncate(p, (int)a0, (long)a1),
                NrIoctl => a0 is 1 or 2 ? -ENOTTY : -EBADF, // the console: KDsl's has no tty ioctls
                _ => -ENOSYS,
            };
            if (nr == NrMmap && ret > 0 && (ulong)ret < MmStruct.TaskSize) p.Result.MmapResults.Add((ulong)ret);
            ReturnToUser(p, nr, a0, a1, a2, a3, a4, a5, ret, userRip, userFlags, restoreFromPtRegs: false);
        }

        /// <summary>
        /// The system call's end: its strace line, then sysretq to user space with the result in RAX. After a driver's
        /// handler ran (<paramref name="restoreFromPtRegs"/>) the registers and the user RSP come back from pt_regs, as
        /// the exit path pops them.
        /// </summary>
        private void ReturnToUser(UserProcess p, ulong nr, ulong a0, ulong a1, ulong a2, ulong a3, ulong a4, ulong a5, long ret,
            ulong userRip, ulong userFlags, bool restoreFromPtRegs)
        {
            p.Result.Trace(p.Result.TraceHasRoom ? Strace(nr, a0, a1, a2, a3, a4, a5, ret) : ""); // formatted only while kept
            if (p.Exited || nr == NrRtSigreturn) return; // rt_sigreturn restored every register itself

            if (restoreFromPtRegs)
            {
                ulong ptRegs = p.Task.StackTop - Profiles.KernelProfile.PtRegsSize;
                Reg[] order = { Reg.R15, Reg.R14, Reg.R13, Reg.R12, Reg.Rbp, Reg.Rbx, Reg.R11, Reg.R10, Reg.R9, Reg.R8, Reg.Rax, Reg.Rcx, Reg.Rdx, Reg.Rsi, Reg.Rdi };
                for (int i = 0; i < order.Length; i++)
                    if (Mmu.TryReadU64(ptRegs + (ulong)(8 * i), out ulong value)) Cpu[order[i]] = value;
                if (Mmu.TryReadU64(ptRegs + 19 * 8, out ulong userRsp)) Cpu.Rsp = userRsp;
            }
            Cpu[Reg.Rax] = (ulong)ret;
            Cpu[Reg.Rcx] = userRip;
            Cpu[Reg.R11] = userFlags;
            Cpu.Rflags = (userFlags & ~CpuFlags.RF) | CpuFlags.Reserved1;
            Cpu.Cs = Selectors.UserCs;
            Cpu.Ss = Selectors.UserDs;
            Cpu.Rip = userRip;
        }

        /// <summary>pt_regs at the top of the task's kernel stack, as entry_SYSCALL_64 pushes them (RSP stays the user's in KDsl).</summary>
        private void SavePtRegs(UserProcess p, ulong nr, ulong userRip, ulong userFlags)
        {
            ulong ptRegs = p.Task.StackTop - Profiles.KernelProfile.PtRegsSize;
            ulong[] regs =
            {
                Cpu[Reg.R15], Cpu[Reg.R14], Cpu[Reg.R13], Cpu[Reg.R12], Cpu[Reg.Rbp], Cpu[Reg.Rbx],
                userFlags, Cpu[Reg.R10], Cpu[Reg.R9], Cpu[Reg.R8], unchecked((ulong)-ENOSYS), userRip, Cpu[Reg.Rdx], Cpu[Reg.Rsi], Cpu[Reg.Rdi], nr,
                userRip, Selectors.UserCs, userFlags, Cpu.Rsp, Selectors.UserDs,
            };
            for (int i = 0; i < regs.Length; i++) Mmu.TryWriteU64(ptRegs + (ulong)(8 * i), regs[i]);
        }

        private static string Strace(ulong nr, ulong a0, ulong a1, ulong a2, ulong a3, ulong a4, ulong a5, long ret)
        {
            string r = ret < 0 && ret > -4096 ? $"-1 (errno {-ret})" : ret >= 0x10000 ? $"0x{ret:x}" : ret.ToString();
            string A(ulong v) => v >= 0x10000 && v < MmStruct.TaskSize ? $"0x{v:x}" : ((long)v).ToString();
            return nr switch
            {
                NrRead => $"read({(int)a0}, {A(a1)}, {(long)a2}) = {r}",
                NrWrite => $"write({(int)a0}, {A(a1)}, {(long)a2}) = {r}",
                NrOpen => $"open({A(a0)}, 0x{(int)a1:x}, 0{Convert.ToString((int)a2 & 0xfff, 8)}) = {r}",
                NrClose => $"close({(int)a0}) = {r}",
                NrMmap => $"mmap({A(a0)}, {(long)a1}, {(int)a2}, 0x{(int)a3:x}, {(int)a4}, {(long)a5}) = {r}",
                NrMprotect => $"mprotect({A(a0)}, {(long)a1}, {(int)a2}) = {r}",
                NrMunmap => $"munmap({A(a0)}, {(long)a1}) = {r}",
                NrGetpid => $"getpid() = {r}",
                NrRtSigaction => $"rt_sigaction({(int)a0}, {A(a1)}, {A(a2)}, {(long)a3}) = {r}",
                NrRtSigreturn => "rt_sigreturn()",
                NrExit or NrExitGroup => $"exit({(int)a0})",
                NrFtruncate => $"ftruncate({(int)a0}, {(long)a1}) = {r}",
                NrIoctl => $"ioctl({(int)a0}, 0x{a1:x}, {A(a2)}) = {r}",
                _ => $"syscall_{nr}() = {r}",
            };
        }

        // --- files -----------------------------------------------------------------------------------------------

        private long DoSysOpen(UserProcess p, ulong path, int flags, int mode)
        {
            if (!StrncpyFromUser(p, path, 4096, out string name)) return -EFAULT;
            if (name.Length == 0) return -ENOENT;
            int fd = p.AllocFd(); // do_sys_openat2 takes the descriptor first: at RLIMIT_NOFILE nothing is created
            if (fd < 0) return -EMFILE;
            if (TryOpenDevice(name, flags, out var device))
            {
                p.Files[fd] = device!;
                return fd;
            }
            if (!_tmpfs.TryLookup(name, out var inode))
            {
                if ((flags & OpenFlags.Creat) == 0)
                {
                    p.CloseFd(fd); // put_unused_fd
                    return -ENOENT;
                }
                inode = _tmpfs.Create(name);
            }
            var file = new OpenFile(inode, flags);
            if ((flags & OpenFlags.Trunc) != 0) DoTruncate(p, inode, 0); // Linux truncates whatever the access mode (handle_truncate)
            p.Files[fd] = file;
            return fd;
        }

        private long CloseFd(UserProcess p, int fd)
        {
            ulong structFile = p.Files.TryGetValue(fd, out var file) ? file.StructFile : 0;
            if (!p.CloseFd(fd)) return -EBADF;
            if (structFile != 0) Kfree(structFile); // fput: a device's struct file goes back
            return 0;
        }

        private long KsysWrite(UserProcess p, int fd, ulong buf, long count)
        {
            bool console = fd is 1 or 2;
            if (!console && (!p.Files.TryGetValue(fd, out var file) || !file.CanWrite)) return -EBADF;
            if (count < 0) return -EINVAL;
            if (count == 0) return 0;
            byte[] data = IoBuffer;
            int copied = CopyFromUser(p, buf, data, (int)Math.Min(count, data.Length));
            if (copied == 0) return -EFAULT;
            if (console)
            {
                // the terminal takes every byte; KDsl keeps the first MaxCapturedOutput of them (a bounded capture)
                int kept = (int)Math.Min(copied, Math.Max(0L, ProcessResult.MaxCapturedOutput - p.Output.Count));
                for (int i = 0; i < kept; i++) p.Output.Add(data[i]);
                if (kept < copied) p.Result.OutputTruncated = true;
                return copied;
            }
            file = p.Files[fd];
            long pos = (file.Flags & OpenFlags.Append) != 0 ? file.Inode.Size : file.Position;
            if (!WritePageCache(file.Inode, pos, data, copied)) return -ENOMEM;
            file.Position = pos + copied;
            return copied;
        }

        private long KsysRead(UserProcess p, int fd, ulong buf, long count)
        {
            if (fd == 0) return 0;
            if (!p.Files.TryGetValue(fd, out var file) || !file.CanRead) return -EBADF;
            if (count < 0) return -EINVAL;
            long available = Math.Max(0, file.Inode.Size - file.Position);
            byte[] data = IoBuffer;
            int n = (int)Math.Min(Math.Min(count, available), data.Length);
            if (n == 0) return 0;
            ReadPageCache(file.Inode, file.Position, data, n);
            int copied = CopyToUser(p, buf, data, n);
            if (copied == 0) return -EFAULT;
            file.Position += copied;
            return copied;
        }

        private long KsysFtruncate(UserProcess p, int fd, long length)
        {
            if (!p.Files.TryGetValue(fd, out var file)) return -EBADF;
            if (length < 0 || !file.CanWrite) return -EINVAL;
            DoTruncate(p, file.Inode, length);
            return 0;
        }

        /// <summary>
        /// do_truncate → truncate_setsize: i_size, then truncate_pagecache: every pte mapping a page wholly past the new
        /// EOF is zapped (so the next touch faults and filemap_fault answers SIGBUS), the partial last page's tail is zeroed.
        /// </summary>
        private void DoTruncate(UserProcess p, Inode inode, long length)
        {
            long old = inode.Size;
            inode.Size = length;
            if (length >= old) return;
            long firstGone = (length + PhysicalMemory.PageSize - 1) >> PhysicalMemory.PageShift;
            if ((length & (long)PhysicalMemory.PageMask) != 0 && inode.PageCache.TryGetValue(length >> PhysicalMemory.PageShift, out ulong last))
                Memory.Fill(last + (ulong)(length & (long)PhysicalMemory.PageMask), PhysicalMemory.PageSize - (ulong)(length & (long)PhysicalMemory.PageMask), 0);
            var gone = new List<long>();
            foreach (var index in inode.PageCache.Keys) if (index >= firstGone) gone.Add(index);
            foreach (var index in gone)
            {
                Memory.FreePage(inode.PageCache[index]);
                inode.PageCache.Remove(index);
            }
            foreach (var vma in p.Mm.Vmas)
            {
                if (vma.File != inode) continue;
                foreach (ulong va in PresentUserPages(p, vma))
                    if (vma.Pgoff + (long)((va - vma.Start) >> PhysicalMemory.PageShift) >= firstGone) Tables.Unmap(p.Mm.Root, va);
            }
            Mmu.FlushAll();
        }

        private bool WritePageCache(Inode inode, long pos, byte[] data, int count)
        {
            for (int done = 0; done < count;)
            {
                long index = (pos + done) >> PhysicalMemory.PageShift;
                int offset = (int)((pos + done) & (long)PhysicalMemory.PageMask);
                int chunk = Math.Min(count - done, PhysicalMemory.PageSize - offset);
                if (!inode.PageCache.TryGetValue(index, out ulong page))
                {
                    if (!Memory.TryAllocPage(out page)) return false;
                    Memory.Fill(page, PhysicalMemory.PageSize, 0);
                    inode.PageCache[index] = page;
                }
                Memory.Write(page + (ulong)offset, new ReadOnlySpan<byte>(data, done, chunk));
                done += chunk;
            }
            inode.Size = Math.Max(inode.Size, pos + count);
            return true;
        }

        private void ReadPageCache(Inode inode, long pos, byte[] data, int count)
        {
            for (int done = 0; done < count;)
            {
                long index = (pos + done) >> PhysicalMemory.PageShift;
                int offset = (int)((pos + done) & (long)PhysicalMemory.PageMask);
                int chunk = Math.Min(count - done, PhysicalMemory.PageSize - offset);
                if (inode.PageCache.TryGetValue(index, out ulong page))
                    Memory.Read(page + (ulong)offset, new Span<byte>(data, done, chunk));
                else
                    new Span<byte>(data, done, chunk).Clear(); // a hole reads as zeros
                done += chunk;
            }
        }

        // --- memory ----------------------------------------------------------------------------------------------

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

        private long DoExit(UserProcess p, int status)
        {
            p.Result.ExitStatus = status & 0xff;
            p.Exited = true;
            return 0;
        }

        // --- user memory access (uaccess with exception-table fixups) ------------------------------------------------

        /// <summary>
        /// copy_from_user: bytes up to the first fault the mm cannot resolve (a fault there returns -EFAULT, never an
        /// oops), a page at a time (one walk a page, as the real copy takes at most one fault a page).
        /// </summary>
        private int CopyFromUser(UserProcess p, ulong src, byte[] dst, int length = -1) =>
            CopyUserPages(p, src, length < 0 ? dst.Length : length, write: false, (pa, done, chunk) => Memory.Read(pa, dst.AsSpan(done, chunk)));

        private int CopyToUser(UserProcess p, ulong dst, byte[] src, int length = -1) =>
            CopyUserPages(p, dst, length < 0 ? src.Length : length, write: true, (pa, done, chunk) => Memory.Write(pa, src.AsSpan(done, chunk)));

        /// <summary>
        /// read's and write's bounce buffer: a call moves at most this much (1 MiB), and every call of a run reuses it (a
        /// loop of 1 MiB writes allocated a new MiB each, some 3 GB of garbage a run and 520 MB of peak RSS).
        /// </summary>
        private byte[] IoBuffer => _ioBuffer ??= new byte[1 << 20];
        private byte[]? _ioBuffer;

        /// <summary>Copies <paramref name="length"/> bytes at <paramref name="va"/> page by page, up to the first unresolvable fault.</summary>
        private int CopyUserPages(UserProcess p, ulong va, int length, bool write, Action<ulong, int, int> copy)
        {
            int done = 0;
            while (done < length)
            {
                ulong at = va + (ulong)done;
                if (!TryUserPhysical(p, at, write, out ulong pa)) break;
                int chunk = UserChunk(at, length - done);
                copy(pa, done, chunk);
                done += chunk;
            }
            Charge(KernelWork.Copy(done));
            return done;
        }

        /// <summary>The bytes from <paramref name="va"/> to its page's end, at most <paramref name="left"/>.</summary>
        private static int UserChunk(ulong va, int left) => (int)Math.Min((ulong)left, PhysicalMemory.PageSize - (va & PhysicalMemory.PageMask));

        private bool TryPutUser(UserProcess p, ulong dst, byte[] src) => CopyToUser(p, dst, src) == src.Length;

        private bool StrncpyFromUser(UserProcess p, ulong src, int max, out string value)
        {
            var bytes = new List<byte>();
            for (int i = 0; i < max; i++)
            {
                if (!TryUserPhysical(p, src + (ulong)i, write: false, out ulong pa))
                {
                    value = "";
                    return false;
                }
                byte b = Memory.ReadU8(pa);
                if (b == 0) break;
                bytes.Add(b);
            }
            value = Encoding.UTF8.GetString(bytes.ToArray());
            return true;
        }

        /// <summary>The kernel touching a user address: a missing or read-only pte goes through handle_mm_fault; no VMA, no permission or VM_FAULT_SIGBUS → false.</summary>
        private bool TryUserPhysical(UserProcess p, ulong va, bool write, out ulong pa)
        {
            pa = 0;
            if (va >= MmStruct.TaskSize) return false;
            for (int attempt = 0; attempt < 2; attempt++)
            {
                var walk = Tables.Walk(p.Mm.Root, va);
                ulong leaf = walk.Present ? Tables.GetLeaf(p.Mm.Root, va) : 0;
                if (walk.Present && (leaf & (ulong)PteFlags.User) != 0 && (!write || (leaf & (ulong)PteFlags.Writable) != 0))
                {
                    pa = walk.PhysicalAddress;
                    return true;
                }
                var vma = p.Mm.FindVma(va);
                if (vma is null) return false;
                if (write ? (vma.Flags & VmFlags.Write) == 0 : (vma.Flags & (VmFlags.Read | VmFlags.Write | VmFlags.Exec)) == 0) return false;
                if (HandleMmFault(p.Mm, vma, va, write) != VmFault.Done) return false;
            }
            return false;
        }
    }
}
