using System.Linq;
using KDsl.Runtime.Kernel;
using NUnit.Framework;
using static KDsl.Runtime.Tests.Processes.ProcessRun;

namespace KDsl.Runtime.Tests.Processes
{
    /// <summary>
    /// The kernel's work in C# is charged to the run's instruction budget (issue 21, <see cref="KernelWork"/>): a guest
    /// that only makes system calls, takes signals, walks huge VMAs or prints wide fields meets the budget after as many
    /// of them as the budget pays for, as a loop does, where each used to cost the host microseconds for a few guest
    /// instructions (a getpid loop ran 100 million system calls, a returning SIGSEGV handler 4.7 million deliveries).
    /// The bounds follow from the charges' definitions: each round costs at least its charges and at most those plus
    /// the loop's few guest instructions and copies.
    /// </summary>
    [TestFixture]
    public class KernelWorkTests
    {
        private const long Budget = 1_000_000;

        [Test]
        public void GetpidLoop_EachCallCostsTheSyscallPath()
        {
            var p = Inline("while (1) { getpid(); }", budget: Budget);
            Assert.That(p.StoppedByBudget, Is.True);
            long calls = p.Syscalls.Count(s => s.StartsWith("getpid()", System.StringComparison.Ordinal));
            Assert.That(calls, Is.InRange(Budget / (KernelWork.SyscallEntry + 20), Budget / KernelWork.SyscallEntry));
        }

        /// <summary>
        /// A handler that returns: the write faults again and again (as on Linux). Each round is a trap, a delivery with
        /// its 440-byte frame, and rt_sigreturn (a system call copying the 144-byte sigcontext and si_signo).
        /// </summary>
        [Test]
        public void ReturningHandler_EachRoundCostsTheTrapTheDeliveryAndTheSigreturn()
        {
            string source = "module again \"again\";\nvoid h(int sig, long *info, char *uc) { }\nprocess a {\nsigaction(SIGSEGV, h);\nchar *q = (char *)16;\nq[0] = 1;\n}\n";
            var p = Machine.Run(ProcessRun.Image("a.kdsl", source), null, Layout.PhysicalMemorySize, Budget).Processes.Single();
            Assert.That(p.StoppedByBudget, Is.True);
            long round = KernelWork.TrapEntry + KernelWork.SignalDelivery + KernelWork.SyscallEntry;
            long copies = KernelWork.Copy(8 + 128 + 304) + KernelWork.Copy(144) + KernelWork.Copy(4);
            Assert.That(p.SignalsHandled, Is.InRange(Budget / (round + copies + 50), Budget / round));
            Assert.That(p.Handled, Has.Count.EqualTo(p.SignalsHandled));
        }

        /// <summary>
        /// A handler that sets a non-canonical RIP in its sigcontext: rt_sigreturn restores it and the return to user
        /// mode raises #GP (the SDM's IRET: a non-canonical return RIP is #GP(0); Linux's fixup_bad_iret makes it the user's
        /// #GP), so the handler gets SIGSEGV SI_KERNEL with si_addr 0 (gp_user_force_sig_segv), again each round, until
        /// the budget stops it.
        /// </summary>
        [Test]
        public void HandlerSettingANonCanonicalRip_GetsGeneralProtectionEachRound_UntilTheBudget()
        {
            string source = "module rip \"rip\";\nvoid h(int sig, long *info, char *uc) { long *rip = (long *)(uc + 168); *rip = 0x800000000000; }\n" +
                            "process a {\nsigaction(SIGSEGV, h);\nchar *q = (char *)16;\nq[0] = 1;\n}\n";
            var p = Machine.Run(ProcessRun.Image("rip.kdsl", source), null, Layout.PhysicalMemorySize, Budget).Processes.Single();
            Assert.That(p.StoppedByBudget, Is.True);
            Assert.That(p.Handled[0], Is.EqualTo((11, Signals.SEGV_MAPERR, 16UL)));
            Assert.That(p.Handled.Skip(1).Distinct(), Is.EqualTo(new[] { (11, Signals.SI_KERNEL, 0UL) }));
            Assert.That(p.SignalsHandled, Is.LessThanOrEqualTo(Budget / (KernelWork.TrapEntry + KernelWork.SignalDelivery + KernelWork.SyscallEntry)));
        }

        /// <summary>
        /// open() without end: 1021 descriptors (3 to 1023), then EMFILE at every call, each paid for, so the loop ends
        /// at the budget; the lowest free descriptor is reused in order (alloc_fd's next_fd).
        /// </summary>
        [Test]
        public void OpenForever_EmfileAfterRlimitNofile_StoppedByTheBudget_LowestFreeReused()
        {
            var p = Inline("long n = 0; while (open(\"/f\", O_CREAT | O_RDWR, 0644) >= 0) n++;\nif (n != 1021) exit(1);\n" +
                           "close(700); close(600); close(3);\nif (open(\"/f\", O_RDWR, 0) != 3) exit(2);\nif (open(\"/f\", O_RDWR, 0) != 600) exit(3);\n" +
                           "if (open(\"/g\", O_RDWR, 0) != -2) exit(4);\nif (open(\"/f\", O_RDWR, 0) != 700) exit(5);\nif (open(\"/f\", O_RDWR, 0) != -24) exit(6);\n" +
                           "while (1) open(\"/f\", O_CREAT | O_RDWR, 0644);", budget: Budget);
            Assert.That(p.StoppedByBudget, Is.True, p.ToString());
            Assert.That(p.Syscalls.Count(s => s.StartsWith("open(", System.StringComparison.Ordinal)), Is.LessThanOrEqualTo(Budget / KernelWork.SyscallEntry));
        }

        /// <summary>
        /// mmap, mprotect twice and munmap of 64 TiB untouched, in a loop: each walk looks at the range's 128 top-level
        /// entries (64 TiB / 512 GiB) at least, so a round costs four system calls and three walks.
        /// </summary>
        [Test]
        public void HugeUntouchedVmaLoop_EachRoundCostsItsSyscallsAndWalks()
        {
            var p = Inline("long len = 70368744177664;\nwhile (1) {\nchar *m = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);\n" +
                           "mprotect((long)m, len, PROT_READ);\nmprotect((long)m, len, PROT_NONE);\nmunmap((long)m, len);\n}", budget: Budget);
            Assert.That(p.StoppedByBudget, Is.True);
            long rounds = p.Syscalls.Count(s => s.StartsWith("munmap(", System.StringComparison.Ordinal));
            Assert.That(rounds, Is.InRange(1, Budget / (4 * KernelWork.SyscallEntry + 3 * 128 * KernelWork.PageTableEntry)));
        }

        /// <summary>
        /// mmap of one page without end, the protections alternating so that no two neighbours could merge: do_mmap
        /// refuses with ENOMEM once the process has more than vm.max_map_count (65530) VMAs, so after 65531 - 7 (the
        /// program's ELF header, text, rodata, TLS page, [vvar], [vdso] and stack) mappings, each a page below the last
        /// (top-down from below [vdso]). Each search for a free range starts where the last ended, so the run stays fast.
        /// </summary>
        [Test]
        public void MmapForever_EnomemPastMaxMapCount_EachAPageBelowTheLast()
        {
            var p = Inline("long i = 0;\nwhile ((long)mmap(0, 4096, PROT_READ + (i & 1) * PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) > 0) i++;\nexit(0);", budget: 40_000_000);
            Assert.That((p.Signal, p.ExitStatus), Is.EqualTo((0, 0)));
            // exec's VMAs: header, text, rodata, TLS, [vvar], [vdso], [stack]
            Assert.That(p.MmapResults, Has.Count.EqualTo(KDsl.Runtime.Kernel.Mm.MmStruct.MaxMapCount + 1 - 7));
            ulong below = LinuxKernel.UserMmapBase - 6 * 4096; // under exec's [vvar] and [vdso]
            var expected = Enumerable.Range(1, p.MmapResults.Count).Select(k => below - (ulong)k * 4096);
            Assert.That(p.MmapResults.SequenceEqual(expected), Is.True);
        }
    }
}
