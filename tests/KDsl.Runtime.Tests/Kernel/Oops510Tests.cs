using System.Linq;
using System.Collections.Generic;
using KDsl.Profiles;
using KDsl.Runtime.Kernel.Oops;
using KDsl.Runtime.Kernel.Printk;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Kernel
{
    /// <summary>
    /// linux-5.10 against shared/reference/real-kernel/logs-5.10/step5_4096.log: classic guard-page wording, no
    /// PREEMPT, no TASK markers, a random end-trace id, no "---[ end Kernel panic" line. 5.10 ignores
    /// no_hash_pointers, so the BUG line's hashes cannot be reproduced; its shape is checked.
    /// </summary>
    [TestFixture]
    public class Oops510Tests
    {
        // Verbatim from logs-5.10/step5_4096.log.
        private const string Log = """
[   14.560221] BUG: stack guard page was hit at 0000000009d281fa (stack is 000000007b9684ee..0000000027c83940)
[   14.560580] kernel stack overflow (double-fault): 0000 [#1] SMP NOPTI
[   14.560586] CPU: 0 PID: 86 Comm: insmod Tainted: G           OE     5.10.0-46-amd64 #1 Debian 5.10.262-1
[   14.560592] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014
[   14.560597] RIP: 0010:rstack+0x26/0x73 [step5_4096]
[   14.560604] Code: cc cc cc cc 66 66 66 66 90 53 89 fb 48 81 ec 08 10 00 00 65 48 8b 04 25 28 00 00 00 48 89 84 24 00 10 00 00 31 c0 48 8d 14 04 <88> 02 48 ff c0 48 3d 00 10 00 00 75 ef 48 89 e6 48 c7 c7 e0 70 22
[   14.560646] RSP: 0018:ffffa0fbc013bd98 EFLAGS: 00000246
[   14.561445] RAX: 0000000000000000 RBX: 0000000000000061 RCX: ffffffffb02b3d68
[   14.561451] RDX: ffffa0fbc013bd98 RSI: 00000000ffffefff RDI: 0000000000000061
[   14.561455] RBP: ffffffffc022b000 R08: 0000000000000000 R09: ffffa0fbc013cbd8
[   14.561460] R10: ffffa0fbc013cbd0 R11: ffffffffb02cbda8 R12: ffff8a1b1ffdbe50
[   14.561465] R13: ffffa0fbc013fe90 R14: 0000000000000003 R15: 0000000000000000
[   14.561470] FS:  00007f5611e71040(0000) GS:ffff8a1b1f000000(0000) knlGS:0000000000000000
[   14.561475] CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033
[   14.561480] CR2: ffffa0fbc013bd88 CR3: 000000001657e000 CR4: 0000000000750ef0
[   14.561483] PKRU: 55555554
[   14.561487] Call Trace:
[   14.561491]  ? number+0x329/0x370
[   14.561496]  ? vsnprintf+0x3ae/0x4f0
[   14.561500]  ? sprintf+0x56/0x80
[   14.561504]  ? mem32_serial_in+0x20/0x20
[   14.561508]  ? wait_for_xmitr+0x40/0xb0
[   14.561512]  ? desc_read_finalized_seq+0x2f/0x90
[   14.561517]  ? wait_for_xmitr+0xb0/0xb0
[   14.561521]  ? _prb_read_valid+0x211/0x290
[   14.561525]  ? prb_read_valid+0x17/0x20
[   14.561529]  ? vprintk_emit+0x171/0x270
[   14.561533]  ? printk+0x58/0x73
[   14.561538]  rstack+0x4e/0x73 [step5_4096]
[   14.561542]  rstack+0x4e/0x73 [step5_4096]
[   14.561546]  rstack+0x4e/0x73 [step5_4096]
[   14.561550]  step5_init+0x5a/0x1000 [step5_4096]
[   14.561554]  do_one_initcall+0x44/0x1e0
[   14.561559]  ? do_init_module+0x23/0x250
[   14.561563]  ? kmem_cache_alloc_trace+0xf5/0x200
[   14.561567]  do_init_module+0x4c/0x250
[   14.561571]  __do_sys_finit_module+0xb1/0x120
[   14.561577]  do_syscall_64+0x33/0x80
[   14.561581]  entry_SYSCALL_64_after_hwframe+0x67/0xd1
[   14.561585] RIP: 0033:0x7f5611f73829
[   14.561592] Code: 08 89 e8 5b 5d c3 66 2e 0f 1f 84 00 00 00 00 00 90 48 89 f8 48 89 f7 48 89 d6 48 89 ca 4d 89 c2 4d 89 c8 4c 8b 4c 24 08 0f 05 <48> 3d 01 f0 ff ff 73 01 c3 48 8b 0d a7 15 0d 00 f7 d8 64 89 01 48
[   14.561597] RSP: 002b:00007fff98519678 EFLAGS: 00000246 ORIG_RAX: 0000000000000139
[   14.561713] RAX: ffffffffffffffda RBX: 0000558e26f19490 RCX: 00007f5611f73829
[   14.561718] RDX: 0000000000000000 RSI: 0000558e0e7514a0 RDI: 0000000000000003
[   14.561723] RBP: 0000558e0e7514a0 R08: 0000000000000000 R09: 00007f561204d2a0
[   14.561727] R10: 0000000000000003 R11: 0000000000000246 R12: 0000000000000000
[   14.561732] R13: 0000000000000000 R14: 0000558e26f18400 R15: 0000000000000000
[   14.561736] Modules linked in: step5_4096(OE+)
[   14.655084] ---[ end trace d6be533fb2686122 ]---
[   14.655096] RIP: 0010:rstack+0x26/0x73 [step5_4096]
[   14.655104] Code: cc cc cc cc 66 66 66 66 90 53 89 fb 48 81 ec 08 10 00 00 65 48 8b 04 25 28 00 00 00 48 89 84 24 00 10 00 00 31 c0 48 8d 14 04 <88> 02 48 ff c0 48 3d 00 10 00 00 75 ef 48 89 e6 48 c7 c7 e0 70 22
[   14.655109] RSP: 0018:ffffa0fbc013bd98 EFLAGS: 00000246
[   14.655126] RAX: 0000000000000000 RBX: 0000000000000061 RCX: ffffffffb02b3d68
[   14.655131] RDX: ffffa0fbc013bd98 RSI: 00000000ffffefff RDI: 0000000000000061
[   14.655136] RBP: ffffffffc022b000 R08: 0000000000000000 R09: ffffa0fbc013cbd8
[   14.655141] R10: ffffa0fbc013cbd0 R11: ffffffffb02cbda8 R12: ffff8a1b1ffdbe50
[   14.655146] R13: ffffa0fbc013fe90 R14: 0000000000000003 R15: 0000000000000000
[   14.655151] FS:  00007f5611e71040(0000) GS:ffff8a1b1f000000(0000) knlGS:0000000000000000
[   14.655156] CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033
[   14.655160] CR2: ffffa0fbc013bd88 CR3: 000000001657e000 CR4: 0000000000750ef0
[   14.655165] PKRU: 55555554
[   14.655169] Kernel panic - not syncing: Fatal exception in interrupt
""";

        private static readonly KernelProfile Profile = KernelProfile.Linux510;
        private static readonly PtrHashKey Key = new(0x1111, 0x2222);

        private static List<string> Expected => ReferenceLog.Lines(Log);

        private static (OopsPrinter printer, OopsReport report) Build()
        {
            var k = new TextKallsyms();
            var printer = new OopsPrinter(Profile, VsprintfConfig.For(Profile, k, Key));
            var e = Expected;
            ulong rip = k.Address("rstack+0x26/0x73 [step5_4096]");
            var regs = new RegisterSet
            {
                Rip = rip, Rsp = 0xffffa0fbc013bd98, Rflags = 0x246,
                Rax = 0, Rbx = 0x61, Rcx = 0xffffffffb02b3d68,
                Rdx = 0xffffa0fbc013bd98, Rsi = 0xffffefff, Rdi = 0x61,
                Rbp = 0xffffffffc022b000, R8 = 0, R9 = 0xffffa0fbc013cbd8,
                R10 = 0xffffa0fbc013cbd0, R11 = 0xffffffffb02cbda8, R12 = 0xffff8a1b1ffdbe50,
                R13 = 0xffffa0fbc013fe90, R14 = 3, R15 = 0,
                FsBase = 0x00007f5611e71040, GsBase = 0xffff8a1b1f000000,
                Cr0 = Profile.Cr0, Cr2 = 0xffffa0fbc013bd88, Cr3 = 0x1657e000, Cr4 = Profile.Cr4,
                Dr6 = Profile.Dr6, Pkru = 0x55555554,
            };
            var user = new RegisterSet
            {
                Rip = 0x7f5611f73829, Cs = 0x33, Ss = 0x2b, Rsp = 0x7fff98519678, Rflags = 0x246, OrigRax = 0x139,
                Rax = 0xffffffffffffffda, Rbx = 0x558e26f19490, Rcx = 0x7f5611f73829,
                Rdx = 0, Rsi = 0x558e0e7514a0, Rdi = 3,
                Rbp = 0x558e0e7514a0, R8 = 0, R9 = 0x7f561204d2a0,
                R10 = 3, R11 = 0x246, R12 = 0,
                R13 = 0, R14 = 0x558e26f18400, R15 = 0,
            };
            var report = new OopsReport
            {
                DieString = printer.StackOverflowDieString(),
                Cpu = Profile.Cpu,
                Pid = 86,
                Comm = "insmod",
                TaintMask = Taint.Bit(Taint.OotModule) | Taint.Bit(Taint.UnsignedModule),
                Regs = regs,
                Code = ReferenceLog.Code(e[5], rip),
                OopsId = 0xd6be533fb2686122,
            };
            int traceStart = e.IndexOf("Call Trace:") + 1;
            int userRip = e.IndexOf("RIP: 0033:0x7f5611f73829");
            // The kernel layer may always emit TASK markers; 5.10 does not print them.
            report.CallTrace.Add(CallTraceEntry.BeginStack("TASK"));
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
            Assert.That(printer.Die(report), Is.EqualTo(e.GetRange(1, e.Count - 2)));
        }

        [Test]
        public void GuardPageLineIsClassicAndHashed()
        {
            var (printer, _) = Build();
            Assert.That(printer.StackGuardPageHit(0xffffa0fbc013bd88, 0xffffa0fbc013c000),
                Does.Match(@"^BUG: stack guard page was hit at 00000000[0-9a-f]{8} \(stack is 00000000[0-9a-f]{8}\.\.00000000[0-9a-f]{8}\)$"));
            var raw = new OopsPrinter(Profile, VsprintfConfig.For(Profile, null, Key, noHashPointers: true));
            Assert.That(raw.StackGuardPageHit(0xffffa0fbc013bd88, 0xffffa0fbc013c000),
                Is.EqualTo("BUG: stack guard page was hit at ffffa0fbc013bd88 (stack is ffffa0fbc013c000..ffffa0fbc013ffff)"),
                "classic end is inclusive: stack + THREAD_SIZE - 1");
        }

        [Test]
        public void PanicHasNoEndMarkerOn510InNmiContext()
        {
            // the step5 logs (panic from the #DF handler) end at "Kernel Offset:"; the stack_protector log (panic from
            // process context) ends with the marker
            var (printer, _) = Build();
            Assert.That(printer.Panic(OopsPrinter.OopsEndPanicMessage(true), inNmi: true),
                Is.EqualTo(new[] { Expected[^1], "Kernel Offset: disabled" }));
            Assert.That(printer.Panic("stack-protector: Kernel stack is corrupted in: overrun+0x45/0x55 [stack_protector]").Last(),
                Is.EqualTo("---[ end Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: overrun+0x45/0x55 [stack_protector] ]---"));
        }

        [Test]
        public void UnreadableCodeSaysRipOn510()
        {
            var (printer, _) = Build();
            var code = CodeDump.Copy(Profile, 0xffffffffc0001000, (ulong a, out byte b) => { b = 0; return false; });
            Assert.That(printer.ShowOpcodes(code), Is.EqualTo("Code: Unable to access opcode bytes at RIP 0xffffffffc0000fd6."));
        }
    }
}
