using System.Linq;
using KDsl.Binding;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.Analysis
{
    /// <summary>
    /// The kernel structs a driver fills in, as GCC lays them on the 6.1.0-56 headers, and the stack analysis of the
    /// handlers a struct file_operations names: entry points below the real system call path's frames.
    /// </summary>
    [TestFixture]
    public class DriverHandlerTests
    {
        /// <summary>
        /// GCC 12, Kbuild on /usr/src/linux-headers-6.1.0-56-amd64 (objdump of functions returning each value):
        /// <code>
        /// #include &lt;linux/fs.h&gt;
        /// #include &lt;linux/miscdevice.h&gt;
        /// noinline long fops_size(void) { return sizeof(struct file_operations); }                   // 0x118
        /// noinline long fops_read(void) { return offsetof(struct file_operations, read); }           // 0x10
        /// noinline long fops_write(void) { return offsetof(struct file_operations, write); }         // 0x18
        /// noinline long fops_ioctl(void) { return offsetof(struct file_operations, unlocked_ioctl); } // 0x50
        /// noinline long fops_open(void) { return offsetof(struct file_operations, open); }           // 0x70
        /// noinline long fops_release(void) { return offsetof(struct file_operations, release); }     // 0x80
        /// noinline long misc_size(void) { return sizeof(struct miscdevice); }                         // 0x50
        /// noinline long misc_fops(void) { return offsetof(struct miscdevice, fops); }                 // 0x10
        /// noinline long misc_nodename(void) { return offsetof(struct miscdevice, nodename); }         // 0x40
        /// noinline long misc_mode(void) { return offsetof(struct miscdevice, mode); }                 // 0x48
        /// </code>
        /// (the Debian headers' file_operations has the backported splice_eof: 280 bytes, not v6.1's 272).
        /// </summary>
        [Test]
        public void KernelStructs_HaveGccsLayout()
        {
            var program = Support.BindClean(Support.Header + @"init { printk(""%ld %ld %ld %ld %ld %ld %ld %ld %ld %ld\n"",
    sizeof(struct file_operations), offsetof(struct file_operations, read), offsetof(struct file_operations, write),
    offsetof(struct file_operations, unlocked_ioctl), offsetof(struct file_operations, open), offsetof(struct file_operations, release),
    sizeof(struct miscdevice), offsetof(struct miscdevice, fops), offsetof(struct miscdevice, nodename), offsetof(struct miscdevice, mode)); }
");
            var args = ((BoundCall)((BoundExpressionStatement)Support.Init(program).Body.Statements[0]).Expression).Arguments;
            Assert.That(args.Skip(1).Select(a => ((BoundLiteral)a).Value), Is.EqualTo(new long[] { 0x118, 0x10, 0x18, 0x50, 0x70, 0x80, 0x50, 0x10, 0x40, 0x48 }));
        }

        private const string Driver = @"module demo ""handlers"";
config { profile = PROFILE; }
static long demo_ioctl(struct file *f, unsigned int cmd, unsigned long arg) { return cmd; }
static ssize_t demo_write(struct file *f, const char *buf, size_t len, loff_t *off) { return len; }
static ssize_t demo_read(struct file *f, char *buf, size_t len, loff_t *off) { return 0; }
static int demo_open(struct inode *inode, struct file *f) { return 0; }
static int demo_release(struct inode *inode, struct file *f) { return 0; }
static const struct file_operations demo_fops = { .read = demo_read, .write = demo_write, .unlocked_ioctl = demo_ioctl,
    .open = demo_open, .release = demo_release };
static struct miscdevice demo_dev = { .minor = MISC_DYNAMIC_MINOR, .name = ""demo"", .fops = &demo_fops };
init { return misc_register(&demo_dev); }
";

        /// <summary>
        /// Each leaf handler costs its return address, on top of what the path holds when it is called: pt_regs (168),
        /// do_syscall_64's recorded CFA at its call (6.1: push rbp, push rbx and the return into the entry, 24; 5.10: 16),
        /// then, measured on Debian's vmlinux, __x64_sys_ioctl's 5 pushes and its return address (48); ksys_write's 4
        /// pushes and sub $0x10 (56) and vfs_write's 6 pushes and sub $0x60 (152; 5.10: no sub, 56); ksys_read 56 and
        /// vfs_read's 6 pushes and sub $0x68 (160; 5.10: 56).
        /// </summary>
        [TestCase("linux-6.1", "demo_ioctl", 168 + 24 + 48 + 8)]
        [TestCase("linux-6.1", "demo_write", 168 + 24 + 56 + 152 + 8)]
        [TestCase("linux-6.1", "demo_read", 168 + 24 + 56 + 160 + 8)]
        // open (6.1): __x64_sys_open's sub $0x20 (32), do_sys_openat2's 3 pushes and sub $0x20 (56), do_filp_open's push
        // %rbp, 4 pushes, and $-16 (8 at this depth) and sub $0xf0 (288), path_openat's 6 pushes and sub $0x70 (160), vfs_open's
        // jmp, do_dentry_open's 5 pushes (40), chrdev_open's 6 pushes and sub $0x10 (64), misc_open's 5 pushes (40); each
        // with its return address
        [TestCase("linux-6.1", "demo_open", 168 + 24 + 40 + 64 + 296 + 168 + 48 + 72 + 48 + 8)]
        // release (6.1), the deeper of close's path (syscall_exit_to_user_mode 16, exit_to_user_mode_prepare 32,
        // task_work_run 32, __fput 48: 128) and exit's (__x64_sys_exit 8, do_exit's 6 pushes and sub $0x28 96, task_work_run
        // 32, __fput 48: 184)
        [TestCase("linux-6.1", "demo_release", 168 + 24 + 184 + 8)]
        [TestCase("linux-5.10", "demo_ioctl", 168 + 16 + 48 + 8)]
        [TestCase("linux-5.10", "demo_write", 168 + 16 + 56 + 56 + 8)]
        [TestCase("linux-5.10", "demo_read", 168 + 16 + 56 + 56 + 8)]
        public void Handlers_AreEntries_BelowTheSyscallPath(string profile, string handler, int worst)
        {
            var result = Compiler.Compile("demo.kdsl", Driver.Replace("PROFILE", profile));
            Assert.That(result.Diagnostics.Where(d => d.IsError), Is.Empty);
            var entry = result.Image!.Stack!.Entries.Single(e => e.Entry == handler);
            Assert.That(entry.WorstCase, Is.EqualTo(worst), entry.Path);
        }

        /// <summary>linux-4.11 has no measured path: its handlers are no entries (and its device system calls fail with -ENOTTY).</summary>
        [Test]
        public void Linux411_HasNoHandlerEntries() =>
            Assert.That(Compiler.Compile("demo.kdsl", Driver.Replace("PROFILE", "linux-4.11")).Image!.Stack!.Entries.Select(e => e.Entry),
                Has.None.StartWith("demo_ioctl"));

        /// <summary>
        /// A handler the profile's kernel has no measured path to is neither run nor costed, and KDSL1006 says so at it:
        /// 5.10 calls no open or release, 4.11 no handler at all; 6.1 calls every one.
        /// </summary>
        [TestCase("linux-6.1", new string[0])]
        [TestCase("linux-5.10", new[] { "demo_open", "demo_release" })]
        [TestCase("linux-4.11", new[] { "demo_read", "demo_write", "demo_ioctl", "demo_open", "demo_release" })]
        public void AHandlerWithoutAPath_IsReported(string profile, string[] notCalled)
        {
            string source = Driver.Replace("PROFILE", profile);
            var reported = Compiler.Compile("demo.kdsl", source).Diagnostics.Where(d => d.Id == "KDSL1006")
                .Select(d => System.Text.RegularExpressions.Regex.Match(d.Message, "handler '([a-z_]+)'").Groups[1].Value);
            Assert.That(reported, Is.EquivalentTo(notCalled));
        }
    }
}
