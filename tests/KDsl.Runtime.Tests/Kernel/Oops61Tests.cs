using System.Collections.Generic;
using KDsl.Profiles;
using KDsl.Runtime.Kernel.Oops;
using KDsl.Runtime.Kernel.Printk;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Kernel
{
    /// <summary>
    /// linux-6.1 against shared/reference/real-kernel/logs-6.1/step5_4096-norand.log (no_hash_pointers, so the
    /// BUG line's addresses are raw). Everything but "Kernel Offset:" (KASLR was on there) must match verbatim.
    /// </summary>
    [TestFixture]
    public class Oops61Tests
    {
        // Verbatim from logs-6.1/step5_4096-norand.log (CRLF dropped).
        private const string Log = """
[    9.694114] BUG: TASK stack guard page was hit at ff60881e80633d68 (stack is ff60881e80634000..ff60881e80638000)
[    9.697389] stack guard page: 0000 [#1] PREEMPT SMP NOPTI
[    9.698299] CPU: 0 PID: 98 Comm: insmod Tainted: G           OE      6.1.0-56-amd64 #1  Debian 6.1.192-2
[    9.698582] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014
[    9.698766] RIP: 0010:rstack+0x2d/0x7f [step5_4096]
[    9.700368] Code: 00 00 53 b9 00 04 00 00 89 fb 48 81 ec 08 10 00 00 65 48 8b 04 25 28 00 00 00 48 89 84 24 00 10 00 00 31 c0 48 89 e6 48 89 f7 <f3> ab 31 c0 48 8d 14 06 88 02 48 ff c0 48 3d 00 10 00 00 75 ef 48
[    9.700720] RSP: 0018:ff60881e80633d78 EFLAGS: 00000246
[    9.701594] RAX: 0000000000000000 RBX: 0000000000000061 RCX: 0000000000000400
[    9.701623] RDX: 0000000000000000 RSI: ff60881e80633d78 RDI: ff60881e80633d78
[    9.701651] RBP: ff30591612f8ba50 R08: 0000000000000000 R09: ff60881e80634c28
[    9.701674] R10: 0000000000000003 R11: ffffffff9a8d4448 R12: ff60881e80637de0
[    9.701695] R13: 0000000000000000 R14: 0000000000000000 R15: 0000000000000000
[    9.701838] FS:  00007fbeee78f040(0000) GS:ff3059161ee00000(0000) knlGS:0000000000000000
[    9.701886] CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033
[    9.701908] CR2: ff60881e80633d68 CR3: 00000000025d0000 CR4: 0000000000751ef0
[    9.702153] PKRU: 55555554
[    9.702265] Call Trace:
[    9.714525]  <TASK>
[    9.715693]  ? number+0x32b/0x3b0
[    9.716224]  ? vsnprintf+0x35e/0x550
[    9.716255]  ? sprintf+0x5e/0x80
[    9.716273]  ? mem32_serial_in+0x20/0x20
[    9.716291]  ? wait_for_lsr+0x4a/0x90
[    9.716326]  ? desc_read_finalized_seq+0x37/0xa0
[    9.716350]  ? _prb_read_valid+0x25a/0x2d0
[    9.716387]  ? prb_read_valid+0x17/0x20
[    9.716401]  ? desc_read_finalized_seq+0x37/0xa0
[    9.716421]  ? _prb_read_valid+0x25a/0x2d0
[    9.716458]  ? prb_read_valid+0x17/0x20
[    9.716474]  ? console_unlock+0x17f/0x1d0
[    9.716497]  ? vprintk_emit+0x200/0x290
[    9.716562]  ? _printk+0x68/0x83
[    9.716604]  rstack+0x5a/0x7f [step5_4096]
[    9.717411]  rstack+0x5a/0x7f [step5_4096]
[    9.718243]  rstack+0x5a/0x7f [step5_4096]
[    9.727160]  ? 0xffffffffc04e8000
[    9.727444]  step5_init+0x5a/0x1000 [step5_4096]
[    9.727508]  do_one_initcall+0x59/0x220
[    9.727683]  do_init_module+0x4a/0x1f0
[    9.727712]  __do_sys_finit_module+0xac/0x120
[    9.727767]  do_syscall_64+0x5d/0xb0
[    9.727816]  entry_SYSCALL_64_after_hwframe+0x6e/0xd8
[    9.728039] RIP: 0033:0x7fbeee891829
[    9.728242] Code: 08 89 e8 5b 5d c3 66 2e 0f 1f 84 00 00 00 00 00 90 48 89 f8 48 89 f7 48 89 d6 48 89 ca 4d 89 c2 4d 89 c8 4c 8b 4c 24 08 0f 05 <48> 3d 01 f0 ff ff 73 01 c3 48 8b 0d a7 15 0d 00 f7 d8 64 89 01 48
[    9.728257] RSP: 002b:00007ffcad9524b8 EFLAGS: 00000246 ORIG_RAX: 0000000000000139
[    9.728431] RAX: ffffffffffffffda RBX: 000055c8f6f31490 RCX: 00007fbeee891829
[    9.728442] RDX: 0000000000000000 RSI: 000055c8cb5374a0 RDI: 0000000000000003
[    9.728451] RBP: 000055c8cb5374a0 R08: 0000000000000000 R09: 00007fbeee96b2a0
[    9.728461] R10: 0000000000000003 R11: 0000000000000246 R12: 0000000000000000
[    9.728470] R13: 0000000000000000 R14: 000055c8f6f30400 R15: 0000000000000000
[    9.728563]  </TASK>
[    9.728658] Modules linked in: step5_4096(OE+)
[    9.761336] ---[ end trace 0000000000000000 ]---
[    9.761465] RIP: 0010:rstack+0x2d/0x7f [step5_4096]
[    9.761507] Code: 00 00 53 b9 00 04 00 00 89 fb 48 81 ec 08 10 00 00 65 48 8b 04 25 28 00 00 00 48 89 84 24 00 10 00 00 31 c0 48 89 e6 48 89 f7 <f3> ab 31 c0 48 8d 14 06 88 02 48 ff c0 48 3d 00 10 00 00 75 ef 48
[    9.761523] RSP: 0018:ff60881e80633d78 EFLAGS: 00000246
[    9.761548] RAX: 0000000000000000 RBX: 0000000000000061 RCX: 0000000000000400
[    9.761558] RDX: 0000000000000000 RSI: ff60881e80633d78 RDI: ff60881e80633d78
[    9.761569] RBP: ff30591612f8ba50 R08: 0000000000000000 R09: ff60881e80634c28
[    9.761578] R10: 0000000000000003 R11: ffffffff9a8d4448 R12: ff60881e80637de0
[    9.761589] R13: 0000000000000000 R14: 0000000000000000 R15: 0000000000000000
[    9.761600] FS:  00007fbeee78f040(0000) GS:ff3059161ee00000(0000) knlGS:0000000000000000
[    9.761613] CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033
[    9.761624] CR2: ff60881e80633d68 CR3: 00000000025d0000 CR4: 0000000000751ef0
[    9.761637] PKRU: 55555554
[    9.761830] Kernel panic - not syncing: Fatal exception in interrupt
[    9.773992] ---[ end Kernel panic - not syncing: Fatal exception in interrupt ]---
""";

        private static readonly KernelProfile Profile = KernelProfile.Linux61;

        private static List<string> Expected => ReferenceLog.Lines(Log);

        private static (OopsPrinter printer, OopsReport report) Build()
        {
            var k = new TextKallsyms();
            var printer = new OopsPrinter(Profile, VsprintfConfig.For(Profile, k, new PtrHashKey(1, 2), noHashPointers: true));
            var e = Expected;
            ulong rip = k.Address("rstack+0x2d/0x7f [step5_4096]");
            var regs = new RegisterSet
            {
                Rip = rip, Cs = 0x10, Ss = 0x18, Rsp = 0xff60881e80633d78, Rflags = 0x246,
                Rax = 0, Rbx = 0x61, Rcx = 0x400,
                Rdx = 0, Rsi = 0xff60881e80633d78, Rdi = 0xff60881e80633d78,
                Rbp = 0xff30591612f8ba50, R8 = 0, R9 = 0xff60881e80634c28,
                R10 = 3, R11 = 0xffffffff9a8d4448, R12 = 0xff60881e80637de0,
                R13 = 0, R14 = 0, R15 = 0,
                FsBase = 0x00007fbeee78f040, GsBase = 0xff3059161ee00000, KernelGsBase = 0,
                Cr0 = Profile.Cr0, Cr2 = 0xff60881e80633d68, Cr3 = 0x25d0000, Cr4 = Profile.Cr4,
                Dr6 = Profile.Dr6, Pkru = 0x55555554,
            };
            var user = new RegisterSet
            {
                Rip = 0x7fbeee891829, Cs = 0x33, Ss = 0x2b, Rsp = 0x7ffcad9524b8, Rflags = 0x246, OrigRax = 0x139,
                Rax = 0xffffffffffffffda, Rbx = 0x55c8f6f31490, Rcx = 0x7fbeee891829,
                Rdx = 0, Rsi = 0x55c8cb5374a0, Rdi = 3,
                Rbp = 0x55c8cb5374a0, R8 = 0, R9 = 0x7fbeee96b2a0,
                R10 = 3, R11 = 0x246, R12 = 0,
                R13 = 0, R14 = 0x55c8f6f30400, R15 = 0,
            };
            var report = new OopsReport
            {
                DieString = printer.StackOverflowDieString(),
                ErrorCode = 0,
                DieCounter = 1,
                Cpu = Profile.Cpu,
                Pid = Profile.InsmodPid,
                Comm = "insmod",
                TaintMask = Taint.Bit(Taint.OotModule) | Taint.Bit(Taint.UnsignedModule),
                Regs = regs,
                Code = ReferenceLog.Code(e[5], rip),
            };
            int traceStart = e.IndexOf(" <TASK>");
            int userRip = e.IndexOf("RIP: 0033:0x7fbeee891829");
            report.CallTrace.AddRange(ReferenceLog.Frames(k, e.GetRange(traceStart, userRip - traceStart).ToArray()));
            report.CallTrace.Add(CallTraceEntry.RegsOnStack(user, ReferenceLog.Code(e[userRip + 1], user.Rip)));
            report.CallTrace.Add(CallTraceEntry.EndStack("TASK"));
            report.Modules.Add(LoadedModule.Create(Profile, "step5_4096",
                Taint.Bit(Taint.OotModule) | Taint.Bit(Taint.UnsignedModule), ModuleState.Coming));
            return (printer, report);
        }

        [Test]
        public void DieReproducesTheLogFromHeaderToExecutiveSummary()
        {
            var (printer, report) = Build();
            var e = Expected;
            int from = e.IndexOf("stack guard page: 0000 [#1] PREEMPT SMP NOPTI");
            int to = e.FindLastIndex(l => l.StartsWith("PKRU:"));
            Assert.That(printer.Die(report), Is.EqualTo(e.GetRange(from, to - from + 1)));
        }

        [Test]
        public void GuardPageLineWithUnhashedPointers()
        {
            var (printer, _) = Build();
            Assert.That(printer.StackGuardPageHit(0xff60881e80633d68, 0xff60881e80634000), Is.EqualTo(Expected[0]));
        }

        [Test]
        public void GuardPageLineWithHashedPointers()
        {
            var printer = new OopsPrinter(Profile, VsprintfConfig.For(Profile, null, new PtrHashKey(1, 2)));
            Assert.That(printer.StackGuardPageHit(0xff60881e80633d68, 0xff60881e80634000),
                Does.Match(@"^BUG: TASK stack guard page was hit at 00000000[0-9a-f]{8} \(stack is 00000000[0-9a-f]{8}\.\.00000000[0-9a-f]{8}\)$"));
        }

        [Test]
        public void PanicLines()
        {
            var (printer, _) = Build();
            var e = Expected;
            string msg = OopsPrinter.OopsEndPanicMessage(inInterrupt: true);
            Assert.That(printer.Panic(msg), Is.EqualTo(new[]
            {
                e[e.Count - 2],
                "Kernel Offset: disabled",
                e[e.Count - 1],
            }));
            Assert.That(printer.Panic(msg + "\n")[0], Is.EqualTo(e[e.Count - 2]), "one trailing newline is stripped");
        }

        [Test]
        public void CpuLineSpacing()
        {
            var (printer, report) = Build();
            Assert.That(printer.DumpStackPrintInfo(report), Is.EqualTo(Expected.GetRange(2, 2)));
            Assert.That(printer.PrintTainted(0), Is.EqualTo("Not tainted"));
        }
    }
}
