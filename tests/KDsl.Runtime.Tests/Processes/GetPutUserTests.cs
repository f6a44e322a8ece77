using System.Linq;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Processes
{
    /// <summary>
    /// get_user / put_user in a driver's ioctl, run from a process. Expected values from the sources' semantics:
    /// arch/x86/lib/getuser.S and putuser.S return 0 and the value (zero-extended, then converted to *ptr's type and to
    /// x's as uaccess.h's <c>(x) = (__typeof__(*(ptr))) __val_gu</c>), or -EFAULT: from the range check for an address
    /// at or above TASK_SIZE_MAX - (N - 1) (nothing is accessed), or from the exception-table fixup for a user address
    /// with no mapping (.Lbad_get_user_clac sets the value to 0). No oops either way.
    /// </summary>
    [TestFixture]
    public class GetPutUserTests
    {
        private const int EFAULT = 14;

        private const string Driver = @"module gu ""get_user and put_user"";
config { profile = PROFILE; }
static long gu_ioctl(struct file *f, unsigned int cmd, unsigned long arg) {
    int v = 99;
    long wide;
    char c;
    u8 u;
    switch (cmd) {
    case 0x6b01:
        if (get_user(v, (int __user *)arg)) return v == 0 ? -14 : -1;   // the fixup zeroes the value
        return v + cmd;
    case 0x6b02:
        return put_user(cmd * 2, (int __user *)arg);
    case 0x6b03:
        if (get_user(c, (char __user *)arg) || get_user(u, (u8 __user *)arg + 1)) return -14;
        return c + u;
    case 0x6b04:
        if (get_user(wide, (long __user *)arg)) return -14;
        return put_user(wide + 1, (long __user *)arg + 1);
    }
    return -25;
}
static const struct file_operations fops = { .unlocked_ioctl = gu_ioctl };
static struct miscdevice dev = { .minor = MISC_DYNAMIC_MINOR, .name = ""gu"", .fops = &fops };
init { return misc_register(&dev); }
exit { misc_deregister(&dev); }
process user {
    int fd = open(""/dev/gu"", O_RDWR, 0);
BODY
}
";

        private static ProcessResult Run(string body, string profile = "linux-6.1")
        {
            var run = Machine.Run(ProcessRun.Image("gu.kdsl", Driver.Replace("PROFILE", profile).Replace("BODY", body)));
            var p = run.Processes[0];
            Assert.That((run.Outcome, p.Signal), Is.EqualTo((RunOutcome.Completed, 0)), string.Join("\n", p.Syscalls) + "\n" + run.Dmesg);
            return p;
        }

        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        public void GetUser_ReadsTheValue_PutUserWritesIt(string profile)
        {
            var p = Run("int v = 20;\nlong got = ioctl(fd, 0x6b01, (long)&v);\nlong put = ioctl(fd, 0x6b02, (long)&v);\n" +
                        "exit((got != 20 + 0x6b01) + 2 * (put != 0) + 4 * (v != 0x6b02 * 2));", profile);
            Assert.That(p.ExitStatus, Is.EqualTo(0), string.Join("\n", p.Syscalls));
        }

        /// <summary>A char is sign-extended (-3), a u8 zero-extended (200): __get_user_1's movzbl, then the conversion to *ptr's type.</summary>
        [Test]
        public void GetUser_ConvertsThroughThePointersType() =>
            Assert.That(Run("char cs[2];\ncs[0] = -3;\ncs[1] = 200;\nexit(ioctl(fd, 0x6b03, (long)cs));").ExitStatus, Is.EqualTo(197));

        [Test]
        public void EightBytes_BothWays()
        {
            var p = Run("long w[2];\nw[0] = 0x100000000;\nw[1] = 0;\nlong r = ioctl(fd, 0x6b04, (long)w);\nexit(r == 0 && w[1] == 0x100000001 ? 0 : 1);");
            Assert.That(p.ExitStatus, Is.EqualTo(0));
        }

        /// <summary>An unmapped user page: the load or store faults, the exception table resumes at the fixup: -EFAULT, value 0.</summary>
        [TestCase(0x6b01)]
        [TestCase(0x6b02)]
        public void UnmappedUserAddress_IsEfault_ThroughTheFixup(int cmd) =>
            Assert.That(Run($"exit(-ioctl(fd, {cmd}, 0x10000));").ExitStatus, Is.EqualTo(EFAULT));

        /// <summary>
        /// A kernel address (the direct map, mapped and readable from kernel mode): the range check refuses it before any
        /// access, so get_user reads nothing of the kernel's and put_user writes nothing.
        /// </summary>
        [TestCase(0x6b01)]
        [TestCase(0x6b02)]
        public void KernelAddress_IsRefusedByTheRangeCheck(int cmd) =>
            Assert.That(Run($"exit(-ioctl(fd, {cmd}, 0xffff888000000000));").ExitStatus, Is.EqualTo(EFAULT));
    }
}
