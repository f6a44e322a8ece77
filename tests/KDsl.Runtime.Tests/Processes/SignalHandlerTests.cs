using System;
using System.Linq;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Processes
{
    /// <summary>
    /// sigaction handlers (real-kernel/src/sigbus.c's handler): the handler gets the signal, a siginfo_t with si_code
    /// and si_addr (the exact faulting byte), and may exit; returning re-runs the faulting instruction.
    /// </summary>
    [TestFixture]
    public class SignalHandlerTests
    {
        private const string Handler =
            "void on_fault(int sig, long *info, char *uc) {\n" +
            "    write(1, (char *)info, 24);\n" +      // si_signo, si_errno, si_code, pad, si_addr
            "    exit(100 + sig);\n" +
            "}\n";

        private static ProcessResult Run(string body)
        {
            string source = "module handled \"handler\";\n" + Handler + "process h {\n" + body + "\n}\n";
            return Machine.Run(ProcessRun.Image("h.kdsl", source)).Processes.Single();
        }

        [Test]
        public void Sigbus_HandlerSeesSiCodeAndTheExactAddress()
        {
            var p = Run(@"
                sigaction(SIGBUS, on_fault);
                int fd = open(""/tmp/f_100c"", O_CREAT | O_RDWR | O_TRUNC, 0644);
                ftruncate(fd, 100);
                char *m = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
                m[4100] = 'X';
                exit(0);");
            var bytes = p.OutputBytes;
            Assert.That(p.ExitStatus, Is.EqualTo(107), string.Join("\n", p.Syscalls));
            Assert.That(p.Signal, Is.EqualTo(0));
            Assert.That(BitConverter.ToInt32(bytes, 0), Is.EqualTo(7), "si_signo");
            Assert.That(BitConverter.ToInt32(bytes, 8), Is.EqualTo(2), "si_code BUS_ADRERR");
            Assert.That(BitConverter.ToUInt64(bytes, 16), Is.EqualTo(p.MmapResults[0] + 4100), "si_addr: the byte, not the page");
            Assert.That(p.Handled, Is.EqualTo(new[] { (7, 2, p.MmapResults[0] + 4100) }));
        }

        [Test]
        public void Sigsegv_Handled_NoSegfaultLine()
        {
            string source = "module handled \"handler\";\n" + Handler + "process h {\nsigaction(SIGSEGV, on_fault);\nchar *q = (char *)16;\nq[0] = 1;\n}\n";
            var run = Machine.Run(ProcessRun.Image("h.kdsl", source));
            var p = run.Processes.Single();
            Assert.That(p.ExitStatus, Is.EqualTo(111));
            Assert.That(run.Log.Any(l => l.Contains("segfault")), Is.False, "show_signal_msg only for an unhandled signal");
        }

        [Test]
        public void HandlerReturns_TheFaultRepeats_SecondDeliveryWhileBlocked_IsNot()
        {
            // The handler returns: rt_sigreturn restores the context, the write faults again and the handler runs again;
            // each run unblocks the signal on return, so this loops until the budget stops it, as on Linux.
            string source = "module again \"again\";\nvoid h(int sig, long *info, char *uc) { }\nprocess a {\nsigaction(SIGSEGV, h);\nchar *q = (char *)16;\nq[0] = 1;\n}\n";
            var run = Machine.Run(ProcessRun.Image("a.kdsl", source), null, KDsl.Runtime.Kernel.Layout.PhysicalMemorySize, 200_000);
            var p = run.Processes.Single();
            Assert.That(p.Handled.Count, Is.GreaterThan(10));
            Assert.That(p.StoppedByBudget, Is.True);
        }

        [Test]
        public void FaultInsideItsOwnHandler_KillsWithTheDefaultAction()
        {
            string source = "module nested \"nested\";\nvoid h(int sig, long *info, char *uc) { char *q = (char *)32; q[0] = 1; }\nprocess n {\nsigaction(SIGSEGV, h);\nchar *q = (char *)16;\nq[0] = 1;\n}\n";
            var p = Machine.Run(ProcessRun.Image("n.kdsl", source)).Processes.Single();
            Assert.That((p.Signal, p.SiAddr, p.ExitStatus), Is.EqualTo((11, 32UL, 139)));
        }

        [Test]
        public void Sigaction_BadSignal_Einval()
        {
            var p = ProcessRun.Inline("long r = sigaction(9, 0); exit(-r);");
            Assert.That(p.ExitStatus, Is.EqualTo(22));
        }
    }
}
