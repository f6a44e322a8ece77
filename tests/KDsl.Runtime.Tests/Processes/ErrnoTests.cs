using NUnit.Framework;
using static KDsl.Runtime.Tests.Processes.ProcessRun;

namespace KDsl.Runtime.Tests.Processes
{
    /// <summary>Bad system call arguments give the kernel's -errno in RAX (the process exits with it), never a host exception.</summary>
    [TestFixture]
    public class ErrnoTests
    {
        private const int ENOENT = 2, EBADF = 9, ENOMEM = 12, EACCES = 13, EFAULT = 14, EINVAL = 22;

        private static int Errno(string setup, string call)
        {
            var p = Inline(setup + "\nlong r = " + call + ";\nif (r >= 0) exit(200);\nexit(-r);");
            Assert.That(p.Signal, Is.EqualTo(0), string.Join("\n", p.Syscalls));
            return p.ExitStatus;
        }

        /// <summary>
        /// RLIMIT_NOFILE (1024, Debian's default soft limit): fds 3 to 1023 open, the next open fails with EMFILE (24), and
        /// closing one frees the lowest descriptor again.
        /// </summary>
        [Test]
        public void Open_PastRlimitNofile_Emfile_AndCloseFreesTheLowest()
        {
            var p = Inline("long n = 0; long r = 0; while (1) { r = open(\"/f\", O_CREAT | O_RDWR, 0644); if (r < 0) break; n++; }\n" +
                           "if (n != 1021) exit(100);\nclose(500);\nif (open(\"/f\", O_RDWR, 0) != 500) exit(101);\nexit(-r);");
            Assert.That((p.Signal, p.ExitStatus), Is.EqualTo((0, 24)), string.Join("\n", p.Syscalls.GetRange(0, System.Math.Min(5, p.Syscalls.Count))));
        }

        [Test] public void Close_BadFd_Ebadf() => Assert.That(Errno("", "close(42)"), Is.EqualTo(EBADF));
        [Test] public void Write_BadFd_Ebadf() => Assert.That(Errno("char b[4];", "write(7, b, 4)"), Is.EqualTo(EBADF));
        [Test] public void Ftruncate_BadFd_Ebadf() => Assert.That(Errno("", "ftruncate(5, 10)"), Is.EqualTo(EBADF));
        [Test] public void Mmap_FileMappingOfBadFd_Ebadf() => Assert.That(Errno("", "(long)mmap(0, 4096, PROT_READ, MAP_SHARED, 9, 0)"), Is.EqualTo(EBADF));
        [Test] public void Mmap_ZeroLength_Einval() => Assert.That(Errno("", "(long)mmap(0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)"), Is.EqualTo(EINVAL));
        [Test] public void Mmap_UnalignedOffset_Einval() =>
            Assert.That(Errno("int fd = open(\"/f\", O_CREAT | O_RDWR, 0644);", "(long)mmap(0, 4096, PROT_READ, MAP_SHARED, fd, 100)"), Is.EqualTo(EINVAL));
        [Test] public void Mmap_NeitherSharedNorPrivate_Einval() => Assert.That(Errno("", "(long)mmap(0, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0)"), Is.EqualTo(EINVAL));
        [Test] public void Mmap_FixedUnaligned_Einval() => Assert.That(Errno("", "(long)mmap(0x10000001, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)"), Is.EqualTo(EINVAL));
        [Test] public void Mmap_FixedBeyondTaskSize_Enomem() => Assert.That(Errno("", "(long)mmap(0x7ffffffff000, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)"), Is.EqualTo(ENOMEM));
        [Test] public void Mmap_SharedWritableOfReadOnlyFd_Eacces() =>
            Assert.That(Errno("int fd = open(\"/f\", O_CREAT | O_RDONLY, 0644);", "(long)mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)"), Is.EqualTo(EACCES));
        [Test] public void Munmap_Unaligned_Einval() => Assert.That(Errno("", "munmap(0x10001, 4096)"), Is.EqualTo(EINVAL));
        [Test] public void Munmap_ZeroLength_Einval() => Assert.That(Errno("", "munmap(0x10000, 0)"), Is.EqualTo(EINVAL));
        [Test] public void Mprotect_Unmapped_Enomem() => Assert.That(Errno("", "mprotect(0x20000000, 4096, PROT_READ)"), Is.EqualTo(ENOMEM));
        [Test] public void Mprotect_Unaligned_Einval() => Assert.That(Errno("", "mprotect(0x20000001, 4096, PROT_READ)"), Is.EqualTo(EINVAL));
        [Test] public void Ftruncate_ReadOnlyFd_Einval() =>
            Assert.That(Errno("int fd = open(\"/f\", O_CREAT | O_RDONLY, 0644);", "ftruncate(fd, 10)"), Is.EqualTo(EINVAL));
        [Test] public void Ftruncate_Negative_Einval() =>
            Assert.That(Errno("int fd = open(\"/f\", O_CREAT | O_RDWR, 0644);", "ftruncate(fd, -1)"), Is.EqualTo(EINVAL));
        [Test] public void Open_Missing_Enoent() => Assert.That(Errno("", "open(\"/nope\", O_RDONLY, 0)"), Is.EqualTo(ENOENT));
        [Test] public void Open_BadPathPointer_Efault() => Assert.That(Errno("", "open((char *)0x1000, O_RDONLY, 0)"), Is.EqualTo(EFAULT));
        [Test] public void Write_BadBuffer_Efault() => Assert.That(Errno("", "write(1, (char *)0x1000, 4)"), Is.EqualTo(EFAULT));
        [Test] public void Read_IntoReadOnlyMapping_Efault() =>
            Assert.That(Errno("int fd = open(\"/f\", O_CREAT | O_RDWR, 0644); ftruncate(fd, 100); char *m = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);",
                "read(fd, m, 10)"), Is.EqualTo(EFAULT));
        [Test] public void Write_FromMappingPastEof_Efault() =>
            Assert.That(Errno("int fd = open(\"/e\", O_CREAT | O_RDWR, 0644); char *m = mmap(0, 4096, PROT_READ, MAP_SHARED, fd, 0);",
                "write(1, m, 1)"), Is.EqualTo(EFAULT));

        [Test]
        public void Getpid_IsTheTaskPid()
        {
            var p = Inline("exit(getpid());");
            Assert.That(p.ExitStatus, Is.EqualTo(p.Pid & 0xff));
        }
    }
}
