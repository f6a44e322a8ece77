using System.Collections.Generic;

namespace KDsl.Profiles
{
    /// <summary>
    /// A kernel function on a system call's way from do_syscall_64 to a driver's file_operations handler, as the real
    /// kernel has it: its address and kallsyms size, the bytes its frame holds at the handler's call (pushes plus its
    /// sub rsp, without its return address), and where the handler returns to. Measured on Debian's vmlinux (extracted
    /// from the vmlinuz, disassembled at the /proc/kallsyms addresses of a nokaslr boot).
    /// </summary>
    public sealed class DriverPathFrame
    {
        public DriverPathFrame(string name, ulong address, int size, int frame, int returnOffset)
        {
            Name = name;
            Address = address;
            Size = size;
            Frame = frame;
            ReturnOffset = returnOffset;
        }

        public string Name { get; }
        public ulong Address { get; }
        public int Size { get; }
        public int Frame { get; }
        /// <summary>The offset after the call: the next function's return address (the handler's, for the last frame).</summary>
        public int ReturnOffset { get; }
        public ulong ReturnAddress => Address + (ulong)ReturnOffset;
    }

    /// <summary>
    /// The system calls that reach a character device's handler (a misc device's file_operations): read → ksys_read →
    /// vfs_read → f_op->read, write → ksys_write → vfs_write → f_op->write, ioctl → __x64_sys_ioctl (vfs_ioctl inlined)
    /// → f_op->unlocked_ioctl; open → __x64_sys_open → do_sys_openat2 → do_filp_open → path_openat (do_open inlined) →
    /// vfs_open (a jmp) → do_dentry_open → chrdev_open → misc_open → f_op->open; the last fput of a file queues __fput as
    /// task work, run on the way back to user space after close (syscall_exit_to_user_mode → exit_to_user_mode_prepare →
    /// task_work_run → ____fput, a jmp → __fput → f_op->release) or in do_exit after exit (__x64_sys_exit → do_exit →
    /// task_work_run → __fput). x64_sys_call (6.1) and __x64_sys_read/__x64_sys_write jump to the next function, so they
    /// leave no frame. Above these frames sit do_syscall_64's and entry_SYSCALL_64's, recorded in the footprint.
    /// </summary>
    public static class DriverSyscallPath
    {
        /// <summary>The file_operations members a system call calls.</summary>
        public const string Read = "read", Write = "write", UnlockedIoctl = "unlocked_ioctl", Open = "open", Release = "release";

        /// <summary>The path to f_op->release when the process exits with the file open (<see cref="Release"/>'s is close's).</summary>
        public const string ReleaseOnExit = "release on exit";

        /// <summary>
        /// The frames from the one do_syscall_64 enters to the one that calls the handler, or null where not measured
        /// (linux-4.11: no kernel to measure; KDsl does not model its device system calls).
        /// 6.1 (6.1.0-56-amd64): __x64_sys_ioctl pushes 5 registers and calls f_op->unlocked_ioctl through
        /// __x86_indirect_thunk_rax at +0x8b; ksys_write 4 pushes and sub $0x10, calling vfs_write at +0x66; vfs_write 6
        /// pushes and sub $0x60, calling f_op->write at +0xc2; ksys_read as ksys_write (vfs_read at +0x66); vfs_read 6
        /// pushes and sub $0x68, calling f_op->read at +0xa0. 5.10 (5.10.0-46-amd64): __x64_sys_ioctl 5 pushes, the call at
        /// +0x86; ksys_write and ksys_read 48 bytes, calling at +0x5a; vfs_write and vfs_read 6 pushes and no sub, calling at
        /// +0xbf and +0x91.
        /// </summary>
        public static IReadOnlyList<DriverPathFrame>? For(string profile, string member) => (profile, member) switch
        {
            ("linux-6.1", UnlockedIoctl) => new[] { new DriverPathFrame("__x64_sys_ioctl", 0xffffffff81381d20, 0xd0, 40, 0x90) },
            ("linux-6.1", Write) => new[]
            {
                new DriverPathFrame("ksys_write", 0xffffffff81367680, 0xf0, 48, 0x6b),
                new DriverPathFrame("vfs_write", 0xffffffff81367160, 0x3f0, 144, 0xc7),
            },
            ("linux-6.1", Read) => new[]
            {
                new DriverPathFrame("ksys_read", 0xffffffff81367550, 0xf0, 48, 0x6b),
                new DriverPathFrame("vfs_read", 0xffffffff813669e0, 0x310, 152, 0xa5),
            },
            ("linux-6.1", Open) => new[]
            {
                new DriverPathFrame("__x64_sys_open", 0xffffffff813644f0, 0xa0, 32, 0x6c),
                new DriverPathFrame("do_sys_openat2", 0xffffffff81363fa0, 0x170, 56, 0xaf),
                // push %rbp; 4 pushes; and $-16,%rsp; sub $0xf0: 288 bytes at this depth, where the and drops 8
                new DriverPathFrame("do_filp_open", 0xffffffff8137d360, 0x160, 288, 0xaf),
                new DriverPathFrame("path_openat", 0xffffffff8137b7a0, 0x1260, 160, 0xb7d),
                new DriverPathFrame("do_dentry_open", 0xffffffff81361a70, 0x410, 40, 0x1e5),
                new DriverPathFrame("chrdev_open", 0xffffffff8136d850, 0x250, 64, 0xc3),
                new DriverPathFrame("misc_open", 0xffffffff816ba320, 0x180, 40, 0xc4),
            },
            ("linux-6.1", Release) => new[]
            {
                new DriverPathFrame("syscall_exit_to_user_mode", 0xffffffff81a48860, 0x40, 8, 0x17),
                new DriverPathFrame("exit_to_user_mode_prepare", 0xffffffff811469d0, 0x240, 24, 0x23d),
                new DriverPathFrame("task_work_run", 0xffffffff810ca3a0, 0x90, 24, 0x59),
                new DriverPathFrame("__fput", 0xffffffff81369b80, 0x250, 40, 0x93),
            },
            ("linux-6.1", ReleaseOnExit) => new[]
            {
                new DriverPathFrame("__x64_sys_exit", 0xffffffff810a7bb0, 0x20, 0, 0x17),
                new DriverPathFrame("do_exit", 0xffffffff810a7010, 0xb10, 88, 0x381),
                new DriverPathFrame("task_work_run", 0xffffffff810ca3a0, 0x90, 24, 0x59),
                new DriverPathFrame("__fput", 0xffffffff81369b80, 0x250, 40, 0x93),
            },
            ("linux-5.10", UnlockedIoctl) => new[] { new DriverPathFrame("__x64_sys_ioctl", 0xffffffff812f5fc0, 0xc0, 40, 0x8b) },
            ("linux-5.10", Write) => new[]
            {
                new DriverPathFrame("ksys_write", 0xffffffff812dddf0, 0xe0, 48, 0x5f),
                new DriverPathFrame("vfs_write", 0xffffffff812dda60, 0x270, 48, 0xc4),
            },
            ("linux-5.10", Read) => new[]
            {
                new DriverPathFrame("ksys_read", 0xffffffff812ddcd0, 0xe0, 48, 0x5f),
                new DriverPathFrame("vfs_read", 0xffffffff812dd8d0, 0x190, 48, 0x96),
            },
            _ => null,
        };

        /// <summary>The handler members a system call reaches, in a stable order.</summary>
        public static IReadOnlyList<string> Members { get; } = new[] { Read, Write, UnlockedIoctl, Open, Release };

        /// <summary>Every path: one a member, and release's second one.</summary>
        public static IReadOnlyList<string> Paths { get; } = new[] { Read, Write, UnlockedIoctl, Open, Release, ReleaseOnExit };

        /// <summary>
        /// Where do_syscall_64 is when the path runs, as an offset in it, where that is not the recorded return site of its
        /// call of the system call (x64_sys_call): close's release runs from its next call, syscall_exit_to_user_mode's, which
        /// returns to +0x69 on 6.1 with the same frame. Null for the recorded site.
        /// </summary>
        public static int? DoSyscallReturnOffset(string profile, string path) => (profile, path) switch
        {
            ("linux-6.1", Release) => 0x69,
            _ => null,
        };

        /// <summary>The entry code and do_syscall_64, whose return sites the footprint recorded on insmod's path.</summary>
        public const string EntryFunction = "entry_SYSCALL_64_after_hwframe", DoSyscall = "do_syscall_64";

        /// <summary>The profiles with a path to <paramref name="member"/>, for a diagnostic ("linux-6.1, linux-5.10"), or "none".</summary>
        public static string ProfilesWith(string member)
        {
            var with = new List<string>();
            foreach (var profile in KernelProfile.All)
                if (InUseAtHandler(profile.Name, member) >= 0) with.Add(profile.Name);
            return with.Count == 0 ? "none" : string.Join(", ", with);
        }

        /// <summary>
        /// Stack bytes in use when the handler is called (its own return address not counted, as for init): pt_regs,
        /// do_syscall_64's recorded CFA at its call (its frame and the return into the entry code), then each frame and
        /// its return address. -1 where the path is not modelled.
        /// </summary>
        public static int InUseAtHandler(string profile, string member)
        {
            if (member == Release) return System.Math.Max(InUseOnPath(profile, Release), InUseOnPath(profile, ReleaseOnExit));
            return InUseOnPath(profile, member);
        }

        private static int InUseOnPath(string profile, string member)
        {
            var frames = For(profile, member);
            if (frames is null || KernelFootprint.For(profile)?.ReturnSiteIn(DoSyscall) is not { } doSyscall) return -1;
            int inUse = KernelProfile.PtRegsSize + doSyscall.Value;
            foreach (var f in frames) inUse += 8 + f.Frame;
            return inUse;
        }
    }

    /// <summary>
    /// Where hardened usercopy's refusal runs on 6.1.0-56 (Debian's vmlinux): __check_object_size jumps to its .cold
    /// part (no frame of its own: __check_object_size's 4 pushes), which calls usercopy_abort (return at .cold+0x5e for
    /// "process stack"); usercopy_abort pushes 3 words for its pr_emerg and reaches its BUG() at +0x75
    /// (mm/usercopy.c:101 in the __bug_table). Laid at their real addresses and sizes like the system call path, so
    /// the report names them as the real one does; null where not measured (5.10, 4.11: KDsl's BUG in
    /// __check_object_size itself).
    /// </summary>
    public static class UsercopyAbortPath
    {
        public static (DriverPathFrame Cold, DriverPathFrame Abort)? For(string profile) => profile == "linux-6.1"
            ? (new DriverPathFrame("__check_object_size.cold", 0xffffffff81a129f2, 0xcb, 32, 0x5e),
               new DriverPathFrame("usercopy_abort", 0xffffffff81a1297b, 0x77, 24, 0x75))
            : null;

        /// <summary>usercopy_abort's BUG(): file and line of its __bug_table entry.</summary>
        public const string Bug = "mm/usercopy.c:101";
    }
}
