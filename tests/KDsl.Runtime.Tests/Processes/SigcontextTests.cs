using System;
using System.Linq;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Processes
{
    /// <summary>
    /// The sigcontext a handler gets (arch/x86/kernel/signal.c setup_sigcontext, 4.11–6.1 alike):
    ///   put_user_ex(current->thread.trap_nr, &amp;sc->trapno);  put_user_ex(current->thread.error_code, &amp;sc->err);
    ///   …  put_user_ex(mask, &amp;sc->oldmask);  put_user_ex(current->thread.cr2, &amp;sc->cr2);
    /// filled by the trap handlers before force_sig: for a page fault set_signal_archinfo (arch/x86/mm/fault.c):
    ///   tsk->thread.trap_nr = X86_TRAP_PF; tsk->thread.error_code = error_code | X86_PF_USER; tsk->thread.cr2 = address;
    /// and for the other traps do_trap: tsk->thread.error_code = error_code; tsk->thread.trap_nr = trapnr;
    /// struct sigcontext_64 (uapi/asm/sigcontext.h): r8…r15, di, si, bp, bx, dx, ax, cx, sp, ip, flags, cs/gs/fs/ss,
    /// err (long 19), trapno (20), oldmask (21), cr2 (22); the ucontext holds it at byte 40.
    /// </summary>
    [TestFixture]
    public class SigcontextTests
    {
        // err, trapno, oldmask, cr2: 32 bytes from uc + 40 + 8 * 19.
        private const string Handler =
            "void on_signal(int sig, long *info, char *uc) {\n" +
            "    write(1, uc + 192, 32);\n" +
            "    exit(100 + sig);\n" +
            "}\n";

        private static (ulong Err, ulong Trapno, ulong Oldmask, ulong Cr2, ProcessResult P) Run(string body, string profile = "linux-6.1")
        {
            string source = $"module sc \"sigcontext\";\nconfig {{ profile = {profile}; }}\n" + Handler + "process h {\n" + body + "\n}\n";
            var p = Machine.Run(ProcessRun.Image("sc.kdsl", source)).Processes.Single();
            Assert.That(p.OutputBytes, Has.Length.EqualTo(32), string.Join("\n", p.Syscalls) + "\n" + p);
            ulong Q(int i) => BitConverter.ToUInt64(p.OutputBytes, 8 * i);
            return (Q(0), Q(1), Q(2), Q(3), p);
        }

        private const string ExecPage = "char *p = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);\n";

        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        [TestCase("linux-4.11")]
        public void Sigsegv_WriteToAnUnmappedAddress(string profile)
        {
            // A user write to a not-present page: the CPU's error code is W|U = 6 (what show_signal_msg prints as
            // "error 6"); trap 14; cr2 the address.
            var r = Run("sigaction(SIGSEGV, on_signal);\nchar *q = (char *)16;\nq[0] = 1;", profile);
            Assert.That(r.P.ExitStatus, Is.EqualTo(111));
            Assert.That((r.Err, r.Trapno, r.Cr2), Is.EqualTo((6UL, 14UL, 16UL)));
        }

        [Test]
        public void Sigsegv_ReadOfAKernelAddress_IsAlwaysAProtectionFault()
        {
            // sanitize_error_code: "if (address >= TASK_SIZE_MAX) *error_code |= X86_PF_PROT;" — a read (U = 4) of an
            // unmapped kernel address reports P|U = 5, as if the page were present.
            var r = Run("sigaction(SIGSEGV, on_signal);\nlong *k = (long *)0xffff800000000000;\nexit(*k);");
            Assert.That((r.Err, r.Trapno, r.Cr2), Is.EqualTo((5UL, 14UL, 0xffff800000000000UL)));
        }

        [Test]
        public void Sigbus_PastEof_ErrTrapnoAndCr2OfThePageFault()
        {
            // do_sigbus → set_signal_archinfo(address, error_code): the write past EOF of a shared mapping.
            var r = Run("sigaction(SIGBUS, on_signal);\n" +
                "int fd = open(\"/tmp/f\", O_CREAT | O_RDWR | O_TRUNC, 0644);\nftruncate(fd, 100);\n" +
                "char *m = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);\nm[4100] = 'X';\nexit(0);");
            Assert.That(r.P.ExitStatus, Is.EqualTo(107));
            Assert.That((r.Err, r.Trapno, r.Cr2), Is.EqualTo((6UL, 14UL, r.P.MmapResults[0] + 4100)));
            // oldmask: the blocked set before the handler ran (sa_mask is added only after setup_rt_frame): none.
            Assert.That(r.Oldmask, Is.Zero);
        }

        [Test]
        public void Sigill_Ud2_IsTrap6WithErrorCode0()
        {
            // do_error_trap(regs, 0, "invalid opcode", X86_TRAP_UD, SIGILL, ILL_ILLOPN, …). No page fault was signalled
            // before, so thread.cr2 is still 0.
            var r = Run("sigaction(SIGILL, on_signal);\n" + ExecPage + "p[0] = 0x0f;\np[1] = 0x0b;\ncall_ptr(p);");
            Assert.That(r.P.ExitStatus, Is.EqualTo(104));
            Assert.That((r.Err, r.Trapno, r.Cr2), Is.EqualTo((0UL, 6UL, 0UL)));
        }

        [Test]
        public void Sigsegv_IntToAKernelOnlyGate_IsTrap13WithTheSelectorErrorCode()
        {
            // int $0x40 from user space: #GP(0x40 * 8 + 2) = 0x202; gp_user_force_sig_segv(regs, X86_TRAP_GP, error_code, …).
            var r = Run("sigaction(SIGSEGV, on_signal);\n" + ExecPage + "p[0] = 0xcd;\np[1] = 0x40;\ncall_ptr(p);");
            Assert.That((r.Err, r.Trapno, r.Cr2), Is.EqualTo((0x202UL, 13UL, 0UL)));
        }

        [Test]
        public void Sigtrap_Int3_IsTrap3()
        {
            // do_int3_user: do_trap(X86_TRAP_BP, SIGTRAP, "int3", regs, 0, 0, NULL).
            var r = Run("sigaction(5, on_signal);\n" + ExecPage + "p[0] = 0xcc;\ncall_ptr(p);");
            Assert.That(r.P.ExitStatus, Is.EqualTo(105));
            Assert.That((r.Err, r.Trapno), Is.EqualTo((0UL, 3UL)));
        }
    }
}
