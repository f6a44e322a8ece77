using System.Collections.Generic;
using KDsl.Profiles;
using KDsl.Runtime.Cpu;
using KDsl.Runtime.Kernel.Fs;
using KDsl.Runtime.Memory;
using KDsl.Runtime.Kernel.Printk;
using KDsl.Runtime.Kernel.Oops;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// Character devices a module registers (drivers/char/misc.c: misc_register with a struct miscdevice naming its
    /// file_operations) and the system calls that reach their handlers. open("/dev/NAME") gives a struct file in kernel
    /// memory whose f_op is the module's table (misc_open's replace_fops) and private_data the miscdevice; read, write
    /// and ioctl on it run the module's handler in kernel mode on the process's own kernel stack, below the frames the
    /// real system call path has there (<see cref="DriverSyscallPath"/>): pt_regs, entry_SYSCALL_64's and do_syscall_64's
    /// return sites as the footprint recorded them, then ksys_write and vfs_write (or __x64_sys_ioctl) with their
    /// measured frames. The handler returns into the last of those functions, where the C# kernel finishes the system
    /// call; a fault in it is an oops whose trace walks that path, and which kills the process.
    /// </summary>
    public sealed partial class LinuxKernel
    {
        public const int NrIoctl = 16;
        public const long ENOTTY = 25, EEXIST = 17;

        /// <summary>Byte offsets in struct file and struct miscdevice (include/linux/fs.h, miscdevice.h; the same on 5.10 and 6.1, read off vfs_write, ksys_write and misc_open).</summary>
        private const ulong FileFOp = 0x28, FileFMode = 0x44, FileFFlags = 0x40, FileFPos = 0x68, FilePrivateData = 0xc8, StructFileSize = 256;
        private const ulong MiscName = 8, MiscFops = 16;
        /// <summary>fmode_t bits do_dentry_open sets (include/linux/fs.h).</summary>
        private const uint FmodeRead = 0x1, FmodeWrite = 0x2, FmodeCanRead = 0x20000, FmodeCanWrite = 0x40000;
        /// <summary>struct file_operations offsets (read, write, unlocked_ioctl): vfs_read's 0x10, vfs_write's 0x18, vfs_ioctl's 0x50.</summary>
        private static ulong FopsOffset(string member) => member switch
        {
            DriverSyscallPath.Read => 0x10,
            DriverSyscallPath.Write => 0x18,
            DriverSyscallPath.Open => 0x70, // misc_open's call
            DriverSyscallPath.Release => 0x80, // __fput's
            _ => 0x50,
        };

        /// <summary>The struct inode an open device file's open and release get: zeroed kernel memory (KDsl's struct inode is incomplete).</summary>
        private const ulong StructInodeSize = 0x258;

        /// <summary>/dev/NAME → the registered struct miscdevice.</summary>
        private readonly Dictionary<string, ulong> _miscDevices = new Dictionary<string, ulong>();

        /// <summary>A system call inside a driver's handler: what finishing it needs.</summary>
        private sealed class DriverCall
        {
            public UserProcess Process = null!;
            public OpenFile File = null!;
            /// <summary>The path the handler was called on (<see cref="DriverSyscallPath.Paths"/>).</summary>
            public string Path = "";
            public int Fd;
            public ulong Nr;
            public ulong A0, A1, A2, UserRip, UserFlags, UserGs, Ppos, EntryRsp, UserLowestRsp;
        }

        private DriverCall? _driverCall;

        /// <summary>misc_register(misc): the device node /dev/NAME (its name and fops read from the module's struct); -EEXIST for a name taken.</summary>
        private long MiscRegister(ulong misc)
        {
            if (!Mmu.TryReadU64(misc + MiscName, out ulong namePtr) || !Mmu.TryReadCString(namePtr, 64, out string name)) return -EINVAL;
            if (_miscDevices.ContainsKey(name)) return -EEXIST;
            _miscDevices[name] = misc;
            return 0;
        }

        private void MiscDeregister(ulong misc)
        {
            foreach (var pair in _miscDevices)
                if (pair.Value == misc)
                {
                    _miscDevices.Remove(pair.Key);
                    return;
                }
        }

        /// <summary>
        /// open of a registered device node: a struct file (kernel memory) with f_op the device's fops, f_mode as
        /// do_dentry_open sets it (FMODE_CAN_READ and FMODE_CAN_WRITE where the fops have read/write) and private_data the miscdevice,
        /// as misc_open leaves it; the caller then runs the table's own open (<see cref="OpenDevice"/>).
        /// </summary>
        private bool TryOpenDevice(string path, int flags, out OpenFile? file)
        {
            file = null;
            if (!path.StartsWith("/dev/", System.StringComparison.Ordinal) || !_miscDevices.TryGetValue(path.Substring(5), out ulong misc)) return false;
            if (!Mmu.TryReadU64(misc + MiscFops, out ulong fops)) return false;
            ulong structFile = Kmalloc(StructFileSize);
            if (structFile == 0) return false;
            Memory.Fill(structFile - Profile.DirectMapBase, StructFileSize, 0);
            ulong inode = Kmalloc(StructInodeSize);
            if (inode == 0)
            {
                Kfree(structFile);
                return false;
            }
            Memory.Fill(inode - Profile.DirectMapBase, StructInodeSize, 0);
            file = new OpenFile(new Inode(path), flags) { StructFile = structFile, StructInode = inode };
            uint mode = (file.CanRead ? FmodeRead : 0) | (file.CanWrite ? FmodeWrite : 0);
            if (Handler(file, DriverSyscallPath.Read) != 0) mode |= FmodeCanRead;
            if (Handler(file, DriverSyscallPath.Write) != 0) mode |= FmodeCanWrite;
            Mmu.TryWriteU64(structFile + FileFOp, fops);
            Mmu.TryWrite(structFile + FileFMode, System.BitConverter.GetBytes(mode));
            Mmu.TryWrite(structFile + FileFFlags, System.BitConverter.GetBytes(flags));
            Mmu.TryWriteU64(structFile + FilePrivateData, misc);
            return true;
        }

        /// <summary>The module's handler for <paramref name="member"/> in the file's f_op (0 for none).</summary>
        private ulong Handler(OpenFile file, string member) =>
            Mmu.TryReadU64(file.StructFile + FileFOp, out ulong fops) && Mmu.TryReadU64(fops + FopsOffset(member), out ulong handler) ? handler : 0;

        /// <summary>
        /// read, write or ioctl on a device: vfs_read's and vfs_write's checks (-EBADF without the access mode, -EINVAL
        /// without the handler, -EFAULT when access_ok refuses the buffer), vfs_ioctl's -ENOTTY without unlocked_ioctl;
        /// then the handler runs (true) or the error is the result (false, <paramref name="error"/>).
        /// </summary>
        private bool EnterDriver(UserProcess p, int nr, OpenFile file, ulong a0, ulong a1, ulong a2, ulong userRip, ulong userFlags, out long error)
        {
            error = 0;
            string member = nr == NrRead ? DriverSyscallPath.Read : nr == NrWrite ? DriverSyscallPath.Write : DriverSyscallPath.UnlockedIoctl;
            ulong handler = Handler(file, member);
            if (member != DriverSyscallPath.UnlockedIoctl)
            {
                if (member == DriverSyscallPath.Read ? !file.CanRead : !file.CanWrite) error = -EBADF;
                else if (handler == 0) error = -EINVAL;
                else if (!AccessOk(a1, a2)) error = -EFAULT;
                a2 = System.Math.Min(a2, MaxRwCount);
            }
            else if (handler == 0) error = -ENOTTY;
            if (error != 0) return false;
            var call = new DriverCall { Process = p, File = file, Path = member, Nr = (ulong)nr, A0 = a0, A1 = a1, A2 = a2, UserRip = userRip, UserFlags = userFlags };
            if (RunHandler(call, handler, file.StructFile, member == DriverSyscallPath.UnlockedIoctl ? (uint)a1 : a1, a2)) return true; // unsigned int cmd
            error = -ENOTTY; // linux-4.11: the path is not modelled
            return false;
        }

        /// <summary>
        /// Lays the call's path below pt_regs (<see cref="DriverSyscallPath.For"/>) and enters <paramref name="handler"/> in
        /// kernel mode with the arguments; false where the path is not modelled. read and write get &amp;pos, a local at the
        /// bottom of ksys_read's or ksys_write's frame, as their fourth.
        /// </summary>
        private bool RunHandler(DriverCall call, ulong handler, ulong arg0, ulong arg1, ulong arg2)
        {
            var p = call.Process;
            var frames = DriverSyscallPath.For(Profile.Name, call.Path);
            if (frames is null || Footprint?.ReturnSiteIn(DriverSyscallPath.EntryFunction) is not { } entry ||
                Footprint.ReturnSiteIn(DriverSyscallPath.DoSyscall) is not { } doSyscall)
                return false;
            ulong doSyscallReturn = DriverSyscallPath.DoSyscallReturnOffset(Profile.Name, call.Path) is int offset
                ? Footprint.AddressOf(DriverSyscallPath.DoSyscall) + (ulong)offset : doSyscall.Key;

            ulong sp = p.Task.StackTop - (ulong)KernelProfile.PtRegsSize;
            void Push(ulong value)
            {
                sp -= 8;
                Mmu.TryWriteU64(sp, value);
            }
            void Frame(int bytes)
            {
                for (int i = 0; i < bytes; i += 8) Push(0);
            }
            Push(entry.Key);
            Frame(doSyscall.Value - 8);
            Push(doSyscallReturn);
            ulong ppos = 0;
            foreach (var f in frames)
            {
                Frame(f.Frame);
                if (f.Name.StartsWith("ksys_", System.StringComparison.Ordinal))
                {
                    ppos = sp; // ksys_read/ksys_write pass &pos, a local at the bottom of their frame
                    Mmu.TryWriteU64(ppos, (ulong)call.File.Position);
                }
                Push(f.ReturnAddress);
            }

            call.UserGs = Cpu.GsBase;
            call.Ppos = ppos;
            call.EntryRsp = sp;
            call.UserLowestRsp = Cpu.LowestRsp;
            _driverCall = call;
            Cpu.LowestRsp = ulong.MaxValue; // the kernel stack's own high-water mark while the handler runs
            Cpu.GsBase = p.KernelGs; // swapgs
            Cpu.Cs = Selectors.KernelCs;
            Cpu.Ss = Selectors.KernelDs;
            Cpu.Rflags = CpuFlags.Reserved1 | CpuFlags.IF;
            Cpu.Rsp = sp;
            Cpu[Reg.Rdi] = arg0;
            Cpu[Reg.Rsi] = arg1;
            Cpu[Reg.Rdx] = arg2;
            Cpu[Reg.Rcx] = ppos;
            Cpu.Rip = handler;
            return true;
        }

        /// <summary>
        /// open of a device node, once TryOpenDevice made its struct file as fd <paramref name="fd"/>: misc_open calls the
        /// table's open(inode, file) when it has one (true: it runs, and <see cref="DriverReturned"/> finishes the open).
        /// </summary>
        private bool OpenDevice(UserProcess p, int fd, OpenFile file, ulong path, int flags, int mode, ulong userRip, ulong userFlags)
        {
            ulong handler = Handler(file, DriverSyscallPath.Open);
            if (handler == 0) return false;
            var call = new DriverCall { Process = p, File = file, Path = DriverSyscallPath.Open, Fd = fd, Nr = NrOpen, A0 = path, A1 = (ulong)flags, A2 = (ulong)mode, UserRip = userRip, UserFlags = userFlags };
            return RunHandler(call, handler, file.StructInode, file.StructFile, 0);
        }

        /// <summary>
        /// The last reference to a device's struct file is gone (close, or the process's exit): __fput calls the table's
        /// release(inode, file) when it has one, on <paramref name="path"/>; true when it runs. Else, and after it, the
        /// struct file and its inode go back (<see cref="FreeDeviceFile"/>).
        /// </summary>
        private bool ReleaseDevice(UserProcess p, OpenFile file, string path, ulong nr, ulong a0, ulong userRip, ulong userFlags)
        {
            ulong handler = Handler(file, DriverSyscallPath.Release);
            if (handler == 0) return false;
            var call = new DriverCall { Process = p, File = file, Path = path, Nr = nr, A0 = a0, UserRip = userRip, UserFlags = userFlags };
            return RunHandler(call, handler, file.StructInode, file.StructFile, 0);
        }

        private void FreeDeviceFile(OpenFile file)
        {
            Kfree(file.StructFile);
            if (file.StructInode != 0) Kfree(file.StructInode);
        }

        /// <summary>MAX_RW_COUNT (INT_MAX &amp; PAGE_MASK): what rw_verify_area lets one read or write move.</summary>
        private const ulong MaxRwCount = 0x7ffff000;

        /// <summary>access_ok: the range lies below TASK_SIZE_MAX (__access_ok, without overflow).</summary>
        private static bool AccessOk(ulong address, ulong size) => size <= Mm.MmStruct.TaskSize && address <= Mm.MmStruct.TaskSize - size;

        /// <summary>
        /// The handler returned into the path's last function: what ksys_write/ksys_read (f_pos from *ppos when the result
        /// is not negative) and __x64_sys_ioctl (the int result, -ENOIOCTLCMD as -ENOTTY) do with its result, then the
        /// return to user space as the syscall exit does: registers from pt_regs, RAX the result.
        /// </summary>
        private void DriverReturned()
        {
            var call = _driverCall!;
            _driverCall = null;
            ulong lowest = System.Math.Min(call.EntryRsp, Cpu.LowestRsp);
            call.Process.Result.KernelStackDepth = System.Math.Max(call.Process.Result.KernelStackDepth, (long)(call.Process.Task.StackTop - lowest));
            Cpu.LowestRsp = call.UserLowestRsp;
            long ret = (long)Cpu[Reg.Rax];
            switch (call.Path)
            {
                case DriverSyscallPath.UnlockedIoctl:
                    ret = (int)ret;
                    if (ret == -515) ret = -ENOTTY; // -ENOIOCTLCMD
                    break;
                case DriverSyscallPath.Open:
                    // do_dentry_open: an error from open undoes the open (the file is freed without release, the fd put back)
                    ret = (int)ret;
                    if (ret == 0) ret = call.Fd;
                    else
                    {
                        call.Process.CloseFd(call.Fd);
                        FreeDeviceFile(call.File);
                    }
                    break;
                case DriverSyscallPath.Release:
                case DriverSyscallPath.ReleaseOnExit:
                    FreeDeviceFile(call.File);
                    ret = 0; // __fput ignores release's result; close's was 0
                    break;
                default:
                    if (ret >= 0 && Mmu.TryReadU64(call.Ppos, out ulong pos))
                    {
                        call.File.Position = (long)pos;
                        Mmu.TryWriteU64(call.File.StructFile + FileFPos, pos);
                    }
                    break;
            }
            Cpu.GsBase = call.UserGs;
            if (call.Path == DriverSyscallPath.ReleaseOnExit)
            {
                ExitFiles(call.Process, call.UserRip, call.UserFlags); // the next file's release, or the end of do_exit
                return;
            }
            ReturnToUser(call.Process, call.Nr, call.A0, call.A1, call.A2, 0, 0, 0, ret, call.UserRip, call.UserFlags, restoreFromPtRegs: true);
        }

        /// <summary>
        /// do_exit's exit_files and exit_task_work: every open file's last fput, whose __fput task work runs, the last queued
        /// first (task_work_add pushes onto the list's head); a device's release runs in kernel mode on that path. Then the
        /// process is gone.
        /// </summary>
        private void ExitFiles(UserProcess p, ulong userRip, ulong userFlags)
        {
            var fds = new List<int>(p.Files.Keys);
            fds.Sort();
            for (int i = fds.Count - 1; i >= 0; i--)
            {
                var file = p.Files[fds[i]];
                p.CloseFd(fds[i]);
                if (file.StructFile == 0) continue;
                if (ReleaseDevice(p, file, DriverSyscallPath.ReleaseOnExit, NrExit, (ulong)p.Result.ExitStatus, userRip, userFlags)) return;
                FreeDeviceFile(file);
            }
            p.Exited = true;
        }
    
        /// <summary>Whether <paramref name="function"/> is where a driver's handler returns (the last function of a path).</summary>
        private bool DriverPathEnd(string function)
        {
            foreach (string path in DriverSyscallPath.Paths)
                if (DriverSyscallPath.For(Profile.Name, path) is { } frames && frames[frames.Count - 1].Name == function) return true;
            return false;
        }

        /// <summary>What _copy_from_user / _copy_to_user's entry service found, for its body service.</summary>
        private (ulong To, ulong N, bool Refused, bool FromUser) _userCopy;

        /// <summary>
        /// lib/usercopy.c _copy_from_user(to, from, n) / _copy_to_user(to, from, n), at entry: access_ok on the user side;
        /// a refused range is not copied at all (the copy routine gets 0 bytes) and its result is n.
        /// </summary>
        private void UserCopyEntry(bool fromUser)
        {
            ulong to = Cpu[Reg.Rdi], from = Cpu[Reg.Rsi], n = Cpu[Reg.Rdx];
            bool refused = !AccessOk(fromUser ? from : to, n);
            _userCopy = (to, n, refused, fromUser);
            if (refused) Cpu[Reg.Rdx] = 0;
        }

        /// <summary>
        /// After the copy routine returned (the bytes it left in EAX, from its fixup when a fault stopped it): the result,
        /// and _copy_from_user's memset of the destination's part that was not copied.
        /// </summary>
        private void UserCopyReturned()
        {
            var (to, n, refused, fromUser) = _userCopy;
            ulong left = refused ? n : (uint)Cpu[Reg.Rax];
            if (fromUser && left != 0)
            {
                var zero = new byte[1];
                for (ulong i = n - left; i < n && Mmu.TryWrite(to + i, zero); i++) { }
            }
            Cpu[Reg.Rax] = left;
        }

        /// <summary>
        /// A page fault in kernel mode, before it is an oops. On a user address with RFLAGS.AC set (uaccess code between
        /// stac and clac; without it SMAP's check sends the fault to bad_area), do_user_addr_fault resolves it as for the
        /// process itself (handle_mm_fault: a demand-paged or copy-on-write page), and the instruction runs again. What
        /// it cannot resolve, on a user or a kernel address, goes to kernelmode_fixup_or_oops: an instruction with an
        /// __ex_table entry resumes at its fixup (ex_handler_copy), the fault never reported; anything else oopses.
        /// </summary>
        private bool ResolveOrFixUp(in ExceptionInfo info, RegisterSet regs)
        {
            if ((info.FaultCs & 3) != 0) return false;
            ulong address = info.Cr2;
            bool write = (info.ErrorCode & PfError.Write) != 0;
            if (address < Mm.MmStruct.TaskSize && (regs.Rflags & CpuFlags.AC) != 0 && _process is { } p && TryUserPhysical(p, address, write, out _))
            {
                ReturnFromTrap(info, regs);
                return true;
            }
            if (!_exceptionTable.TryGetValue(info.FaultRip, out ulong fixup)) return false;
            Mmu.TryWriteU64(Cpu.Rsp + (info.HasErrorCode ? 8UL : 0), fixup); // the frame's RIP
            ReturnFromTrap(info, regs);
            return true;
        }

        /// <summary>
        /// mm/usercopy.c __check_object_size(ptr, n, to_user) (CONFIG_HARDENED_USERCOPY, 6.1): nothing for n == 0;
        /// check_bogus_address ("wrapped address", "null address" up to ZERO_SIZE_PTR); check_stack_object on the current
        /// task's stack: an object that overlaps the stack must lie wholly inside it and at or above the stack pointer
        /// (6.1 has CONFIG_ARCH_HAS_CURRENT_STACK_POINTER; x86 without frame pointers has no per-frame check), else
        /// usercopy_abort("process stack", NULL, to_user, current_stack_pointer - ptr, n). The slab, vmalloc and kernel
        /// text checks for other objects are not modelled (they pass). A passing object returns at once; a failing one
        /// gets usercopy_abort's pr_emerg line, then on 6.1 the real usercopy_abort's BUG() below the frames the real
        /// refusal has (<see cref="KDsl.Profiles.UsercopyAbortPath"/>), elsewhere the BUG() in KDsl's body.
        /// </summary>
        private void CheckObjectSize()
        {
            ulong ptr = Cpu[Reg.Rdi], n = Cpu[Reg.Rsi];
            bool toUser = (Cpu[Reg.Rdx] & 0xff) != 0;
            ulong rsp = Cpu.Rsp - 32; // current_stack_pointer in the function, below its 4 pushes
            string? name = null;
            ulong offset = 0, length = n;
            if (n != 0)
            {
                if (ptr + n - 1 < ptr) (name, length) = ("wrapped address", ptr + n);
                else if (ptr <= ZeroSizePtr) (name, offset) = ("null address", ptr);
                else if (ptr + n > Current.Stack && ptr < Current.StackTop && (ptr < Current.Stack || Current.StackTop < ptr + n || ptr < rsp))
                    (name, offset) = ("process stack", rsp - ptr);
            }
            if (name is null)
            {
                Mmu.TryReadU64(Cpu.Rsp, out ulong ret); // GOOD_STACK or NOT_STACK: return to the caller
                Cpu.Rsp += 8;
                Cpu.Rip = ret;
                return;
            }
            Printk(Vsnprintf.Sprintf(Vsprintf, "usercopy: Kernel memory %s attempt detected %s %s%s%s%s (offset %lu, size %lu)!\n",
                toUser ? "exposure" : "overwrite", toUser ? "from" : "to", name, "", "", "", offset, length));
            if (KDsl.Profiles.UsercopyAbortPath.For(Profile.Name) is not var (cold, abort)) return; // KDsl's BUG in the body
            // 6.1: the function's 4 pushes, the .cold part's call of usercopy_abort, its 3 pushes, then its BUG()
            ulong sp = Cpu.Rsp;
            foreach (ulong word in new ulong[] { 0, 0, 0, 0, cold.ReturnAddress, length, offset, 0 })
            {
                sp -= 8;
                Mmu.TryWriteU64(sp, word);
            }
            Cpu.Rsp = sp;
            Cpu.Rip = abort.ReturnAddress;
        }
}
}
