using System.Collections.Generic;
using System.Linq;
using NUnit.Framework;
using static KDsl.Runtime.Tests.Processes.ProcessRun;

namespace KDsl.Runtime.Tests.Processes
{
    /// <summary>
    /// A module's misc device (misc_register with a struct miscdevice and its file_operations) reached from a process:
    /// open("/dev/NAME"), then read, write and ioctl run the module's handlers in kernel mode on the process's kernel
    /// stack. Expected values: C semantics of the handlers, fs/read_write.c and fs/ioctl.c (vfs_write's checks,
    /// __do_sys_ioctl's int result, -ENOIOCTLCMD as -ENOTTY), and the call sites measured on Debian's 6.1.0-56 and
    /// 5.10.0-46 vmlinux (objdump at the kallsyms addresses): __x64_sys_ioctl calls the handler at +0x8b (6.1, size
    /// 0xd0; return +0x90) and +0x86 (5.10, size 0xc0; return +0x8b), vfs_write at +0xc2 (6.1, size 0x3f0; return +0xc7),
    /// ksys_write calls vfs_write at +0x66 (6.1, size 0xf0; return +0x6b); do_syscall_64 and the entry code return where
    /// the real-kernel logs show them (do_syscall_64+0x5d/0xb0, entry_SYSCALL_64_after_hwframe+0x6e/0xd8 on 6.1;
    /// +0x33/0x80 and +0x67/0xd1 on 5.10).
    /// </summary>
    [TestFixture]
    public class MiscDeviceTests
    {
        private const int EBADF = 9, EFAULT = 14, EINVAL = 22, ENOTTY = 25;

        /// <summary>A module with a misc device "demo" whose fops name the given handlers, and one process.</summary>
        private static string Module(string handlers, string fops, string process, string profile = "linux-6.1") =>
            "module demo \"a misc device\";\n" +
            $"config {{ profile = {profile}; }}\n" +
            handlers + "\n" +
            $"static const struct file_operations demo_fops = {{ {fops} }};\n" +
            "static struct miscdevice demo_dev = { .minor = MISC_DYNAMIC_MINOR, .name = \"demo\", .fops = &demo_fops };\n" +
            "init { return misc_register(&demo_dev); }\n" +
            "exit { misc_deregister(&demo_dev); }\n" +
            "process user {\n" + process + "\n}\n";

        private static RunResult Run(string source)
        {
            var image = ProcessRun.Image("demo.kdsl", source);
            return Machine.Run(image);
        }

        private static string Trace(ProcessResult p) => string.Join("\n", p.Syscalls.Append(p.ToString()));

        private const string Ioctl = "static long demo_ioctl(struct file *f, unsigned int cmd, unsigned long arg) {\n" +
                                     "    if (cmd == 7) return arg * 6;\n" +
                                     "    if (cmd == 8) return 0x100000005;\n" +
                                     "    if (cmd == 9) return -515;\n" +
                                     "    return -22;\n}\n";

        [Test]
        public void Ioctl_RunsTheHandler_WithCmdAndArg()
        {
            var run = Run(Module(Ioctl, ".unlocked_ioctl = demo_ioctl", "int fd = open(\"/dev/demo\", O_RDWR, 0);\nexit(ioctl(fd, 7, 7));"));
            var p = run.Processes[0];
            Assert.That((p.Signal, p.ExitStatus), Is.EqualTo((0, 42)), Trace(p));
            Assert.That(p.Syscalls, Has.Some.EqualTo("ioctl(3, 0x7, 7) = 42"));
        }

        /// <summary>
        /// __do_sys_ioctl keeps the result in an int (movslq %eax after the call): a handler's 0x100000005 is 5;
        /// vfs_ioctl turns -ENOIOCTLCMD (-515) into -ENOTTY; an unknown cmd gives what the handler returns.
        /// </summary>
        [TestCase(8, 5)]
        [TestCase(9, ENOTTY)]
        [TestCase(3, EINVAL)]
        public void Ioctl_Result_IsAnInt_AndEnoioctlcmdIsEnotty(int cmd, int expected)
        {
            var run = Run(Module(Ioctl, ".unlocked_ioctl = demo_ioctl",
                $"int fd = open(\"/dev/demo\", O_RDWR, 0);\nlong r = ioctl(fd, {cmd}, 0);\nexit(r < 0 ? -r : r);"));
            Assert.That(run.Processes[0].ExitStatus, Is.EqualTo(expected), Trace(run.Processes[0]));
        }

        private const string Store = "static char store[64];\nstatic long stored;\n" +
            "static ssize_t demo_write(struct file *f, const char *buf, size_t len, loff_t *off) {\n" +
            "    if (len > 64 - *off) len = 64 - *off;\n" +
            "    if (copy_from_user(store + *off, buf, len)) return -14;\n" +
            "    *off += len;\n    stored = *off;\n    return len;\n}\n" +
            "static ssize_t demo_read(struct file *f, char *buf, size_t len, loff_t *off) {\n" +
            "    if (len > stored) len = stored;\n" +
            "    if (copy_to_user(buf, store, len)) return -14;\n" +
            "    return len;\n}\n";

        /// <summary>
        /// write moves the bytes through copy_from_user and advances f_pos through *off (ksys_write stores the pos back
        /// when the result is not negative), so a second write appends; read copies them back out through copy_to_user.
        /// </summary>
        [Test]
        public void WriteThenRead_CopyThroughTheHandlers_AndFposAdvances()
        {
            var run = Run(Module(Store, ".read = demo_read, .write = demo_write",
                "char b[16];\nint fd = open(\"/dev/demo\", O_RDWR, 0);\n" +
                "if (write(fd, \"abc\", 3) != 3) exit(1);\nif (write(fd, \"defg\", 4) != 4) exit(2);\n" +
                "if (read(fd, b, 16) != 7) exit(3);\nwrite(1, b, 7);\nexit(0);"));
            var p = run.Processes[0];
            Assert.That((p.Signal, p.ExitStatus, p.Output), Is.EqualTo((0, 0, "abcdefg")), Trace(p));
        }

        /// <summary>
        /// do_vfs_ioctl answers its own commands before the driver: cmd 2 is FIGETBSZ, which stores devtmpfs's block size
        /// (PAGE_SIZE, as an int) at the argument and returns 0 without calling the handler. Seen on the real 6.1 kernel:
        /// an example's ioctl(fd, 2, req) never reached its driver and the process read 4096 back.
        /// </summary>
        [Test]
        public void Ioctl_Figetbsz_IsTheVfsOwn_NotTheDrivers()
        {
            var run = Run(Module(Ioctl.Replace("return -22;", "printk(\"driver\\n\"); return -22;"), ".unlocked_ioctl = demo_ioctl",
                "int fd = open(\"/dev/demo\", O_RDWR, 0);\nint bsz = 0;\nlong r = ioctl(fd, 2, (long)&bsz);\nexit(r == 0 && bsz == 4096 ? 0 : 1);"));
            Assert.That(run.Processes[0].ExitStatus, Is.EqualTo(0), Trace(run.Processes[0]));
            Assert.That(run.Dmesg, Does.Not.Contain("driver"));
        }

        /// <summary>file_ioctl's FIONREAD on a tmpfs file: i_size - f_pos as an int.</summary>
        [Test]
        public void Ioctl_FionreadOnAFile_IsSizeMinusPosition()
        {
            var p = Inline("int fd = open(\"/f\", O_CREAT | O_RDWR, 0644);\nwrite(fd, \"0123456789\", 10);\nclose(fd);\n" +
                "fd = open(\"/f\", O_RDWR, 0);\nchar b[3];\nread(fd, b, 3);\nint n = 0;\nlong r = ioctl(fd, 0x541B, (long)&n);\nexit(r == 0 ? n : 100);");
            Assert.That(p.ExitStatus, Is.EqualTo(7), string.Join("\n", p.Syscalls));
        }

        /// <summary>
        /// vfs_write's and vfs_read's checks before the handler (fs/read_write.c): no FMODE_WRITE (an O_RDONLY open) is
        /// -EBADF, no ->write (no FMODE_CAN_WRITE) -EINVAL, a buffer access_ok refuses (a kernel address) -EFAULT; vfs_ioctl
        /// without ->unlocked_ioctl -ENOTTY, as is an ioctl on a tmpfs file.
        /// </summary>
        [TestCase("int fd = open(\"/dev/demo\", O_RDONLY, 0);", "write(fd, \"x\", 1)", EBADF)]
        [TestCase("int fd = open(\"/dev/demo\", O_RDWR, 0);", "read(fd, (char *)0x1000, 1)", EINVAL)]
        [TestCase("int fd = open(\"/dev/demo\", O_RDWR, 0);", "write(fd, (char *)0xffff888000000000, 4)", EFAULT)]
        [TestCase("int fd = open(\"/dev/demo\", O_RDWR, 0);", "ioctl(fd, 1, 0)", ENOTTY)]
        [TestCase("int fd = open(\"/tmp/f\", O_CREAT | O_RDWR, 0644);", "ioctl(fd, 0x1234, 0)", ENOTTY)]
        [TestCase("int fd = open(\"/tmp/f\", O_CREAT | O_RDWR, 0644);", "ioctl(fd, 1, 0)", EFAULT)]  // FIBMAP get_user(NULL)
        [TestCase("int fd = 42;", "ioctl(fd, 1, 0)", EBADF)]
        public void Vfs_Checks_GiveTheKernelsErrno(string open, string call, int errno)
        {
            var run = Run(Module("static ssize_t demo_write(struct file *f, const char *buf, size_t len, loff_t *off) { return len; }",
                ".write = demo_write", $"{open}\nlong r = {call};\nexit(r < 0 ? -r : 200);"));
            Assert.That(run.Processes[0].ExitStatus, Is.EqualTo(errno), Trace(run.Processes[0]));
        }

        /// <summary>
        /// copy_from_user from a user address with no mapping: the copy faults, the exception-table fixup returns the
        /// bytes not copied (all of them), the handler returns -EFAULT and the process sees it: no oops. The same for
        /// copy_to_user into a read-only mapping; and a buffer whose second page is unmapped copies its first page only
        /// (the fixup returns the rest), the tail of the destination zeroed as _copy_from_user does.
        /// </summary>
        [Test]
        public void CopyFromUser_UnmappedSource_Efault_NoOops()
        {
            var run = Run(Module(Store, ".read = demo_read, .write = demo_write",
                "int fd = open(\"/dev/demo\", O_RDWR, 0);\nlong r = write(fd, (char *)0x10000, 8);\nexit(-r);"));
            var p = run.Processes[0];
            Assert.That((p.Signal, p.ExitStatus, run.Outcome), Is.EqualTo((0, EFAULT, RunOutcome.Completed)), Trace(p) + "\n" + run.Dmesg);
        }

        [Test]
        public void CopyToUser_ReadOnlyMapping_Efault()
        {
            var run = Run(Module(Store, ".read = demo_read, .write = demo_write",
                "int fd = open(\"/dev/demo\", O_RDWR, 0);\nwrite(fd, \"abcd\", 4);\n" +
                "char *ro = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);\nlong r = read(fd, ro, 4);\nexit(-r);"));
            Assert.That(run.Processes[0].ExitStatus, Is.EqualTo(EFAULT), Trace(run.Processes[0]));
        }

        [Test]
        public void CopyFromUser_StopsAtTheFirstUnmappedPage_AndZeroesTheRest()
        {
            const string handlers = "static char dst[16];\n" +
                "static long demo_ioctl(struct file *f, unsigned int cmd, unsigned long arg) {\n" +
                "    for (int i = 0; i < 16; i++) dst[i] = 'z';\n" +
                "    long left = copy_from_user(dst, (void *)arg, 16);\n" +
                "    int zeros = 0;\n    for (int i = 0; i < 16; i++) if (dst[i] == 0) zeros++;\n" +
                "    return left * 100 + zeros * 10 + (dst[0] == 'q');\n}\n";
            // a two-page mapping whose second page is unmapped again: 4 bytes before the boundary, 12 past it
            var run = Run(Module(handlers, ".unlocked_ioctl = demo_ioctl",
                "char *m = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);\n" +
                "munmap((long)m + 4096, 4096);\nm[4092] = 'q'; m[4093] = 'r'; m[4094] = 's'; m[4095] = 't';\n" +
                "int fd = open(\"/dev/demo\", O_RDWR, 0);\n" +
                "exit(ioctl(fd, 0, (long)m + 4092) == 1200 + 120 + 1 ? 0 : 1);")); // 12 left, 12 zeros, 'q' first
            Assert.That(run.Processes[0].ExitStatus, Is.EqualTo(0), Trace(run.Processes[0]));
        }

        /// <summary>
        /// copy_to_user into a mapping the process never touched: the copy routine's store faults in kernel mode (with
        /// RFLAGS.AC set by its stac), do_user_addr_fault brings the page in as for the process itself (a minor fault),
        /// and the rep movsb runs again: the bytes land, no -EFAULT.
        /// </summary>
        [Test]
        public void CopyToUser_UntouchedMapping_IsFaultedInFromKernelMode()
        {
            var run = Run(Module(Store, ".read = demo_read, .write = demo_write",
                "int fd = open(\"/dev/demo\", O_RDWR, 0);\nwrite(fd, \"hello\", 5);\n" +
                "char *m = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);\n" +
                "if (read(fd, m, 5) != 5) exit(1);\nwrite(1, m, 5);\nexit(0);"));
            var p = run.Processes[0];
            Assert.That((p.ExitStatus, p.Output), Is.EqualTo((0, "hello")), Trace(p));
            Assert.That(p.MinorFaults, Is.GreaterThanOrEqualTo(1));
        }

        /// <summary>access_ok refuses a kernel address as the user pointer: nothing is read, all n bytes are "not copied".</summary>
        [Test]
        public void CopyFromUser_KernelAddress_RefusedByAccessOk()
        {
            const string handlers = "static char secret[8] = \"secret\";\nstatic char dst[8];\n" +
                "static long demo_ioctl(struct file *f, unsigned int cmd, unsigned long arg) {\n" +
                "    return copy_from_user(dst, secret, 8) * 10 + (dst[0] == 0);\n}\n";
            var run = Run(Module(handlers, ".unlocked_ioctl = demo_ioctl", "int fd = open(\"/dev/demo\", O_RDWR, 0);\nexit(ioctl(fd, 0, 0));"));
            Assert.That(run.Processes[0].ExitStatus, Is.EqualTo(81), Trace(run.Processes[0]));
        }

        /// <summary>
        /// A NULL write in the ioctl handler: the page-fault oops (the process's comm and pid), RIP in the handler, and a
        /// Call Trace up the real system call path, then the user registers; oops_end kills the process with SIGKILL
        /// (page_fault_oops's signal): exit status 137, no panic.
        /// </summary>
        [TestCase("linux-6.1", "<TASK>", "__x64_sys_ioctl+0x90/0xd0", "do_syscall_64+0x5d/0xb0", "entry_SYSCALL_64_after_hwframe+0x6e/0xd8")]
        [TestCase("linux-5.10", "__x64_sys_ioctl+0x8b/0xc0", "do_syscall_64+0x33/0x80", "entry_SYSCALL_64_after_hwframe+0x67/0xd1", "RIP: 0033:")]
        public void OopsInIoctl_TracesTheSyscallPath_AndKillsTheProcess(string profile, params string[] trace)
        {
            var run = Run(Module("static long demo_ioctl(struct file *f, unsigned int cmd, unsigned long arg) { *(int *)arg = 1; return 0; }",
                ".unlocked_ioctl = demo_ioctl", "int fd = open(\"/dev/demo\", O_RDWR, 0);\nioctl(fd, 1, 0);\nexit(0);", profile));
            var lines = run.Dmesg.Split('\n').Select(l => l.Length > 15 ? l.Substring(15) : l).ToList();
            int at = lines.IndexOf("Call Trace:");
            Assert.That(at, Is.GreaterThan(0), run.Dmesg);
            Assert.That(lines, Has.Some.EqualTo("BUG: kernel NULL pointer dereference, address: 0000000000000000"), run.Dmesg);
            Assert.That(lines, Has.Some.StartsWith("RIP: 0010:demo_ioctl+"), run.Dmesg);
            // 5.16 added the <TASK> markers; the user registers follow the entry code
            var got = lines.Skip(at + 1).Take(trace.Length).Select(l => l.Trim()).ToList();
            for (int i = 0; i < trace.Length; i++)
                Assert.That(got[i], trace[i].StartsWith("RIP:") ? Does.StartWith(trace[i]) : Is.EqualTo(trace[i]), run.Dmesg);
            if (profile == "linux-6.1") Assert.That(lines[at + 5], Does.StartWith("RIP: 0033:"), run.Dmesg);
            var p = run.Processes[0];
            Assert.That((p.Signal, p.ExitStatus, run.Outcome), Is.EqualTo((9, 137, RunOutcome.Oops)), Trace(p));
        }

        /// <summary>A fault in the write handler: the trace names vfs_write and ksys_write at their measured return sites.</summary>
        [Test]
        public void OopsInWrite_TracesVfsWriteAndKsysWrite()
        {
            var run = Run(Module("static ssize_t demo_write(struct file *f, const char *buf, size_t len, loff_t *off) { *(long *)8 = len; return len; }",
                ".write = demo_write", "int fd = open(\"/dev/demo\", O_RDWR, 0);\nwrite(fd, \"x\", 1);\nexit(0);"));
            var lines = run.Dmesg.Split('\n').Select(l => l.Length > 15 ? l.Substring(15).Trim() : l).ToList();
            int trace = lines.IndexOf("Call Trace:");
            Assert.That(lines.Skip(trace + 2).Take(4), Is.EqualTo(new[]
            {
                "vfs_write+0xc7/0x3f0", "ksys_write+0x6b/0xf0", "do_syscall_64+0x5d/0xb0", "entry_SYSCALL_64_after_hwframe+0x6e/0xd8",
            }), run.Dmesg);
        }

        /// <summary>
        /// The handler runs on the process's kernel stack right below the path's frames: 168 bytes of pt_regs, do_syscall_64's
        /// 16 and its return into the entry, __x64_sys_ioctl's 40 and its return: the handler's return address at
        /// StackTop - 248 on 6.1 (5.10: do_syscall_64 saves only RBP, StackTop - 240).
        /// </summary>
        [TestCase("linux-6.1", 248)]
        [TestCase("linux-5.10", 240)]
        public void Handler_StartsBelowTheMeasuredFrames(string profile, int depth)
        {
            var run = Run(Module("static long demo_ioctl(struct file *f, unsigned int cmd, unsigned long arg) { return 0; }",
                ".unlocked_ioctl = demo_ioctl", "int fd = open(\"/dev/demo\", O_RDWR, 0);\nioctl(fd, 1, 0);\nexit(0);", profile));
            // the leaf handler pushes nothing: the deepest the process's kernel stack got is its return address
            Assert.That(run.Processes[0].KernelStackDepth, Is.EqualTo(depth), Trace(run.Processes[0]));
        }
    }
}
