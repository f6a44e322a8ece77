using System.Linq;
using NUnit.Framework;
using static KDsl.Runtime.Tests.Processes.ProcessRun;

namespace KDsl.Runtime.Tests.Processes
{
    /// <summary>
    /// The seed (shared/seeds/004) and real-kernel/logs-6.1/sigbus.log: a MAP_SHARED mapping of a file past its EOF
    /// page gives SIGBUS with si_code BUS_ADRERR (2) and si_addr the faulting byte; no handler → "Bus error", status 135,
    /// and the kernel prints nothing.
    /// </summary>
    [TestFixture]
    public class SigbusTests
    {
        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        [TestCase("linux-4.11")]
        public void Seed_EmptyFile_WriteP0_SigbusAtP(string profile)
        {
            var run = Example("sigbus-empty-file.kdsl", profile);
            var p = run.Processes.Single();
            Assert.Multiple(() =>
            {
                Assert.That(p.Signal, Is.EqualTo(7), "SIGBUS");
                Assert.That(p.SiCode, Is.EqualTo(2), "BUS_ADRERR");
                Assert.That(p.SiAddr, Is.EqualTo(p.MmapResults[0]), "si_addr = p");
                Assert.That(p.ExitStatus, Is.EqualTo(135));
                Assert.That(p.ShellMessage, Is.EqualTo("Bus error"));
                Assert.That(run.Log.Any(l => l.Contains("segfault")), Is.False, "SIGBUS: the kernel prints nothing");
                Assert.That(p.Syscalls[0], Does.StartWith("open(").And.EndWith(") = 3"));
                Assert.That(p.Syscalls[1], Does.StartWith("mmap(0, 4096, 3, 0x1, 3, 0) = 0x7"));
                Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Completed));
            });
        }

        [Test]
        public void Seed_FtruncateFirst_RunsToCompletion()
        {
            var run = Example("sigbus-empty-file.kdsl", scenario: "truncated_first");
            var p = run.Processes.Single();
            Assert.That(p.Signal, Is.EqualTo(0));
            Assert.That(p.ExitStatus, Is.EqualTo(0));
            Assert.That(p.MajorFaults, Is.EqualTo(1), "the page was not in the page cache yet");
        }

        [Test]
        public void Seed_ExpectBlock_IsMet()
        {
            var image = ProcessRun.Image("sigbus-empty-file.kdsl", System.IO.File.ReadAllText(ExamplePath("sigbus-empty-file.kdsl")));
            AssertMet(image, Machine.Run(image));
        }

        [Test]
        public void SharedWrite_ReachesThePageCache_ReadSeesIt()
        {
            var p = Inline(@"
                int fd = open(""/f"", O_CREAT | O_RDWR, 0644);
                ftruncate(fd, 4096);
                char *m = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
                m[10] = 'K';
                char buf[16];
                int n = read(fd, buf, 16);
                if (n != 16) exit(3);
                if (buf[10] != 'K') exit(4);
                exit(0);");
            Assert.That(p.ExitStatus, Is.EqualTo(0), string.Join("\n", p.Syscalls));
        }

        [Test]
        public void WriteFromMappingPastEof_ReturnsEfault()
        {
            var p = Inline(@"
                int fd = open(""/f"", O_CREAT | O_RDWR, 0644);
                char *m = mmap(0, 4096, PROT_READ, MAP_SHARED, fd, 0);
                int out = open(""/g"", O_CREAT | O_RDWR, 0644);
                long r = write(out, m, 10);
                exit(-r);");
            Assert.That(p.Signal, Is.EqualTo(0));
            Assert.That(p.ExitStatus, Is.EqualTo(14), "EFAULT: the kernel's exception table fixes up the copy, no SIGBUS");
        }
    }
}
