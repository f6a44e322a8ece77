using System;
using System.Linq;
using System.Text;
using KDsl.Image;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Processes
{
    /// <summary>
    /// rt_sigaction as Linux defines it (kernel/signal.c, arch/x86/kernel/signal.c), made by machine code in an exec page
    /// so every argument is the test's: SYSCALL_DEFINE4(rt_sigaction, sig, act, oact, sigsetsize) returns -EINVAL for a
    /// sigsetsize other than sizeof(sigset_t) (8), -EFAULT when act cannot be copied, and copies the old action to oact;
    /// act is arch/x86/include/uapi/asm/signal.h's struct sigaction (sa_handler @0, sa_flags @8, sa_restorer @16,
    /// sa_mask @24). __setup_rt_frame refuses a frame without SA_RESTORER ("x86-64 should always use SA_RESTORER"),
    /// and signal_setup_done's force_sigsegv then kills with SIGSEGV, si_code SI_KERNEL. KDsl's sigaction(sig, handler)
    /// is the wrapper glibc and musl are: SA_SIGINFO | SA_RESTORER, __restore_rt, an empty mask.
    /// </summary>
    [TestFixture]
    public class RtSigactionTests
    {
        private const string Handler = "void on_fault(int sig, long *info, char *uc) {\n    exit(100 + sig);\n}\n";
        private const string ExecPage = "char *p = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);\n";

        /// <summary>KDsl statements that store <paramref name="code"/> at p[0..].</summary>
        private static string Poke(params byte[] code)
        {
            var s = new StringBuilder();
            for (int i = 0; i < code.Length; i++) s.Append($"p[{i}] = {code[i]};\n");
            return s.ToString();
        }

        public enum Arg { Null, Page, Unmapped }

        /// <summary>
        /// rt_sigaction(sig, act, oact, sigsetsize), each pointer NULL, p + 256 or 16 (unmapped); then exit(-result), or
        /// ret with <paramref name="ret"/>.
        /// </summary>
        private static byte[] RtSigaction(int sig, Arg act, Arg oact, int sigsetsize, bool ret = false)
        {
            const int At = 256; // the struct's offset in the page
            byte[] Pointer(Arg arg, byte reg, int end) => arg switch // 7 bytes each, ending at byte `end`
            {
                Arg.Page => new byte[] { 0x48, 0x8D, (byte)(0x05 | reg << 3), (byte)(At - end), 0, 0, 0 }, // lea r, [rip + p + 256]
                Arg.Unmapped => new byte[] { 0x48, 0xC7, (byte)(0xC0 | reg), 16, 0, 0, 0 },      // mov r, 16
                _ => new byte[] { 0x31, (byte)(0xC0 | reg << 3 | reg), 0x90, 0x90, 0x90, 0x90, 0x90 }, // xor r, r; nops
            };
            var code = new System.Collections.Generic.List<byte> { 0xBF, (byte)sig, 0, 0, 0 };  // mov edi, sig
            code.AddRange(Pointer(act, 6, 12));                                                   // rsi
            code.AddRange(Pointer(oact, 2, 19));                                                  // rdx
            code.AddRange(new byte[] { 0x41, 0xBA, (byte)sigsetsize, 0, 0, 0 });                 // mov r10d, sigsetsize
            code.AddRange(new byte[] { 0xB8, 0x0D, 0, 0, 0, 0x0F, 0x05 });                       // mov eax, 13; syscall
            code.AddRange(ret ? new byte[] { 0xC3 } : new byte[] { 0x89, 0xC7, 0xF7, 0xDF, 0xB8, 0x3C, 0, 0, 0, 0x0F, 0x05 }); // exit(-eax)
            return code.ToArray();
        }

        [TestCase(8, Arg.Null, 0)]
        [TestCase(8, Arg.Unmapped, 14)] // act cannot be copied: EFAULT
        [TestCase(4, Arg.Null, 22)]     // sigsetsize != sizeof(sigset_t): EINVAL
        [TestCase(16, Arg.Unmapped, 22)] // ... checked before act is read
        public void TheArgumentsAreChecked_AsLinuxChecksThem(int sigsetsize, Arg act, int status)
        {
            var p = ProcessRun.Inline(ExecPage + Poke(RtSigaction(11, act, Arg.Null, sigsetsize)) + "call_ptr(p);");
            Assert.That(p.ExitStatus, Is.EqualTo(status), string.Join("\n", p.Syscalls));
        }

        [TestCase(0x4L, 139)]          // SA_SIGINFO alone: the frame is refused, force_sigsegv kills
        [TestCase(0x04000004L, 111)]   // with SA_RESTORER the handler runs (and exits 100 + 11)
        public void WithoutSaRestorer_TheFrameIsRefused_AndSigsegvKills(long flags, int status)
        {
            string body = ExecPage + "long *act = (long *)(p + 256);\nact[0] = on_fault;\n" + $"act[1] = {flags};\nact[2] = 0;\nact[3] = 0;\n" +
                Poke(RtSigaction(11, Arg.Page, Arg.Null, 8, ret: true)) + "call_ptr(p);\nchar *q = (char *)16;\nq[0] = 1;\n";
            string source = "module sa \"rt_sigaction\";\n" + Handler + "process h {\n" + body + "}\n";
            var p = Machine.Run(ProcessRun.Image("sa.kdsl", source)).Processes.Single();
            Assert.That(p.ExitStatus, Is.EqualTo(status), string.Join("\n", p.Syscalls));
            if (status == 139) Assert.That((p.Signal, p.SiCode, p.SiAddr), Is.EqualTo((11, 0x80, 0UL)), "force_sig(SIGSEGV): SI_KERNEL, no address");
        }

        [Test]
        public void KdslsSigaction_PassesTheLibcStruct_WhichOactReadsBack()
        {
            string body = "sigaction(SIGSEGV, on_fault);\n" + ExecPage + Poke(RtSigaction(11, Arg.Null, Arg.Page, 8, ret: true)) +
                "call_ptr(p);\nwrite(1, p + 256, 32);\nexit(0);\n";
            string source = "module sa \"rt_sigaction\";\n" + Handler + "process h {\n" + body + "}\n";
            var image = ProcessRun.Image("sa.kdsl", source);
            var p = Machine.Run(image).Processes.Single();
            Assert.That(p.OutputBytes, Has.Length.EqualTo(32), string.Join("\n", p.Syscalls));
            ulong Q(int i) => BitConverter.ToUInt64(p.OutputBytes, 8 * i);
            var program = UserProgram.Create(image, "h");
            ulong handler = UserProgram.TextBase + (ulong)image.Symbols.Single(s => s.Name == "on_fault").Offset;
            ulong restorer = UserProgram.TextBase + (ulong)program.Runtime.Single(s => s.Name == UserProgram.RestorerSymbol).Offset;
            Assert.That(Q(0), Is.EqualTo(handler), "sa_handler");
            Assert.That(Q(1), Is.EqualTo(0x04000004UL), "sa_flags: SA_SIGINFO | SA_RESTORER");
            Assert.That(Q(2), Is.EqualTo(restorer), "sa_restorer: __restore_rt");
            Assert.That(Q(3), Is.EqualTo(0UL), "sa_mask");
            Assert.That(p.Syscalls[0], Does.Match(@"^rt_sigaction\(11, 0x7ff[0-9a-f]+, 0, 8\) = 0$"), "the wrapper's struct is on its stack");
        }

        [Test]
        public void TheRestorerIsGlibcs()
        {
            // glibc's and musl's __restore_rt for x86-64: movq $15, %rax (48 c7 c0 0f 00 00 00); syscall (0f 05)
            var image = ProcessRun.Image("r.kdsl", "module r \"r\";\nprocess h {\nexit(0);\n}\n");
            var program = UserProgram.Create(image, "h");
            var r = program.Runtime.Single(s => s.Name == UserProgram.RestorerSymbol);
            Assert.That(program.Text.Skip(r.Offset).Take(9), Is.EqualTo(new byte[] { 0x48, 0xC7, 0xC0, 0x0F, 0, 0, 0, 0x0F, 0x05 }));
        }
    }
}
