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
                NrOpen => DoSysOpen(p, a0, (int)a1, (int)a2, userRip, userFlags),
                NrClose => CloseFd(p, (int)a0, userRip, userFlags),
                NrMmap => KsysMmapPgoff(p, a0, a1, (int)a2, (int)a3, (int)a4, a5),
                NrMprotect => DoMprotectPkey(p, a0, a1, (int)a2),
                NrMunmap => VmMunmap(p, a0, a1),
                NrRtSigaction => RtSigaction(p, (int)a0, a1, a2, a3),
                NrRtSigreturn => RtSigreturn(p),
                NrGetpid => p.Result.Pid,
                NrExit or NrExitGroup => DoExit(p, (int)a0, userRip, userFlags),
                NrFtruncate => KsysFtruncate(p, (int)a0, (long)a1),
                NrIoctl => a0 is 1 or 2 ? -ENOTTY : -EBADF, // the console: KDsl's has no tty ioctls
                _ => -ENOSYS,
            };
            if (nr == NrMmap && ret > 0 && (ulong)ret < MmStruct.TaskSize) p.Result.MmapResults.Add((ulong)ret);
            if (_driverCall != null)
            {
                // a device's open or release runs; DriverReturned finishes the call (an exit's never returns: traced now)
                if (nr is NrExit or NrExitGroup) p.Result.Trace(p.Result.TraceHasRoom ? Strace(nr, a0, a1, a2, a3, a4, a5, ret) : "");
                return;
            }
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

        /// <summary>open: a device node's struct file, then its driver's open on the real path when the table has one.</summary>
        private long DoSysOpen(UserProcess p, ulong path, int flags, int mode, ulong userRip, ulong userFlags)
        {
            if (!StrncpyFromUser(p, path, 4096, out string name)) return -EFAULT;
            if (name.Length == 0) return -ENOENT;
            int fd = p.AllocFd(); // do_sys_openat2 takes the descriptor first: at RLIMIT_NOFILE nothing is created
            if (fd < 0) return -EMFILE;
            if (TryOpenDevice(name, flags, out var device))
            {
                p.Files[fd] = device!;
                OpenDevice(p, fd, device!, path, flags, mode, userRip, userFlags);
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

        /// <summary>close: the descriptor goes; a device's last fput runs __fput on the way back to user space (its release).</summary>
        private long CloseFd(UserProcess p, int fd, ulong userRip, ulong userFlags)
        {
            p.Files.TryGetValue(fd, out var file);
            if (!p.CloseFd(fd)) return -EBADF;
            if (file is { StructFile: not 0 } && !ReleaseDevice(p, file, Profiles.DriverSyscallPath.Release, NrClose, (ulong)fd, userRip, userFlags))
                FreeDeviceFile(file);
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

        /// <summary>do_exit: the status, then the files' last fputs (<see cref="ExitFiles"/>), which may run a device's release first.</summary>
        private long DoExit(UserProcess p, int status, ulong userRip, ulong userFlags)
        {
            p.Result.ExitStatus = status & 0xff;
            ExitFiles(p, userRip, userFlags);
            return 0;
        }
    }
}
