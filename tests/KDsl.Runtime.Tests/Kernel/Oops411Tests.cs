using System.Collections.Generic;
using KDsl.Profiles;
using KDsl.Runtime.Kernel.Oops;
using KDsl.Runtime.Kernel.Printk;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Kernel
{
    /// <summary>
    /// linux-4.11 against the seed (shared/seeds/000_f49fa90d61ec9389.txt): modules before the CPU line, the task
    /// line, DR lines (DR6 not default), Code: after the trace with 43 prologue bytes and a trailing blank, the
    /// one-line RIP/RSP summary, raw %p. The seed's two fbcon_switch lines come from the console driver, not die().
    /// </summary>
    [TestFixture]
    public class Oops411Tests
    {
        // Verbatim from the seed; the Code: line ends with a blank.
        private const string Log = """
[ 1984.599410] BUG: stack guard page was hit at ffffb69505db7c18 (stack is ffffb69505db8000..ffffb69505dbbfff)
[ 1984.599413] kernel stack overflow (double-fault): 0000 [#1] SMP
[ 1984.599433] Modules linked in: step5(OE+) fuse ip6t_rpfilter ip6t_REJECT nf_reject_ipv6 xt_conntrack ip_set nfnetlink ebtable_nat ebtable_broute bridge stp llc ip6table_raw ip6table_mangle ip6table_nat nf_conntrack_ipv6 nf_defrag_ipv6 nf_nat_ipv6 ip6table_security iptable_raw iptable_mangle iptable_nat nf_conntrack_ipv4 nf_defrag_ipv4 nf_nat_ipv4 nf_nat nf_conntrack libcrc32c iptable_security ebtable_filter ebtables ip6table_filter ip6_tables vboxsf(OE) sunrpc crct10dif_pclmul snd_intel8x0 crc32_pclmul ppdev ghash_clmulni_intel snd_ac97_codec ac97_bus snd_seq intel_rapl_perf snd_seq_device snd_pcm vboxvideo(OE) vboxguest(OE) snd_timer joydev ttm snd soundcore drm_kms_helper parport_pc drm parport tpm_tis video i2c_piix4 tpm_tis_core tpm e1000 crc32c_intel ata_generic serio_raw pata_acpi
[ 1984.599643] CPU: 1 PID: 7220 Comm: insmod Tainted: G           OE   4.11.12-200.fc25.x86_64 #1
[ 1984.599665] Hardware name: innotek GmbH VirtualBox/VirtualBox, BIOS VirtualBox 12/01/2006
[ 1984.599686] task: ffff916df6854b00 task.stack: ffffb69505db8000
[ 1984.599704] RIP: 0010:rstack+0x30/0x80 [step5]
[ 1984.599716] RSP: 0018:ffffb69505db7c20 EFLAGS: 00010246
[ 1984.599731] RAX: ffffb69505db7c20 RBX: 0000000000000004 RCX: 0000000000000006
[ 1984.599749] RDX: ffffb69505db8c20 RSI: 0000000000000096 RDI: 0000000000000004
[ 1984.599767] RBP: ffffb69505db8c30 R08: 0000000000000001 R09: 0000000000000226
[ 1984.599786] R10: ffff916e1a737340 R11: 0000000000000226 R12: ffffffffc076e000
[ 1984.599804] R13: 0000000000000000 R14: ffffb69505dbbea8 R15: 0000000000000001
[ 1984.599822] FS:  00007f0dd195d5c0(0000) GS:ffff916e3fd00000(0000) knlGS:0000000000000000
[ 1984.599843] CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033
[ 1984.599858] CR2: ffffb69505db7c18 CR3: 000000005a76b000 CR4: 00000000000406e0
[ 1984.599879] DR0: 0000000000000000 DR1: 0000000000000000 DR2: 0000000000000000
[ 1984.599897] DR3: 0000000000000000 DR6: 00000000fffe0ff0 DR7: 0000000000000400
[ 1984.599915] Call Trace:
[ 1984.599944]  ? pointer+0xfa/0x400
[ 1984.599957]  ? kvm_sched_clock_read+0x1e/0x30
[ 1984.599970]  ? sched_clock+0x9/0x10
[ 1984.599983]  ? up+0x32/0x50
[ 1984.599991]  ? log_store+0x1b5/0x270
[ 1984.600002]  ? console_unlock+0x2d0/0x4b0
[ 1984.600014]  ? vprintk_emit+0x2fc/0x380
[ 1984.600025]  ? vprintk_default+0x1f/0x30
[ 1984.600036]  ? vprintk_func+0x20/0x50
[ 1984.600048]  ? printk+0x52/0x6e
[ 1984.600057]  ? rstack+0x56/0x80 [step5]
[ 1984.600096]  ? rstack+0x56/0x80 [step5]
[ 1984.600523]  ? rstack+0x56/0x80 [step5]
[ 1984.600928]  ? rstack+0x80/0x80 [step5]
[ 1984.601306]  ? step5_init+0x1f/0x30 [step5]
[ 1984.601675]  ? do_one_initcall+0x52/0x1a0
[ 1984.602036]  ? kmem_cache_alloc_trace+0x159/0x1b0
[ 1984.602380]  ? do_init_module+0x27/0x1f8
[ 1984.602699]  ? do_init_module+0x5f/0x1f8
[ 1984.602972]  ? load_module+0x27cc/0x2be0
[ 1984.603233]  ? vfs_read+0x11b/0x130
[ 1984.603505]  ? SYSC_finit_module+0xdf/0x110
[ 1984.603744]  ? SYSC_finit_module+0xdf/0x110
[ 1984.603970]  ? SyS_finit_module+0xe/0x10
[ 1984.604277]  ? entry_SYSCALL_64_fastpath+0x1a/0xa9
[ 1984.604538] Code: 55 48 89 e5 53 89 fb 48 81 ec 08 10 00 00 65 48 8b 04 25 28 00 00 00 48 89 45 f0 31 c0 48 8d 85 f0 ef ff ff 48 8d 90 00 10 00 00 <c6> 00 00 48 83 c0 01 48 39 d0 75 f4 48 8d b5 f0 ef ff ff 48 c7 
[ 1984.605499] RIP: rstack+0x30/0x80 [step5] RSP: ffffb69505db7c20
[ 1984.608033] ---[ end trace 323c9b1ce38db78f ]---
""";

        private static readonly KernelProfile Profile = KernelProfile.Linux411;

        private static List<string> Expected => ReferenceLog.Lines(Log);

        private static (OopsPrinter printer, OopsReport report) Build()
        {
            var k = new TextKallsyms();
            var printer = new OopsPrinter(Profile, VsprintfConfig.For(Profile, k, null));
            var e = Expected;
            ulong rip = k.Address("rstack+0x30/0x80 [step5]");
            var regs = new RegisterSet
            {
                Rip = rip, Rsp = 0xffffb69505db7c20, Rflags = 0x10246,
                Rax = 0xffffb69505db7c20, Rbx = 4, Rcx = 6,
                Rdx = 0xffffb69505db8c20, Rsi = 0x96, Rdi = 4,
                Rbp = 0xffffb69505db8c30, R8 = 1, R9 = 0x226,
                R10 = 0xffff916e1a737340, R11 = 0x226, R12 = 0xffffffffc076e000,
                R13 = 0, R14 = 0xffffb69505dbbea8, R15 = 1,
                FsBase = 0x00007f0dd195d5c0, GsBase = 0xffff916e3fd00000,
                Cr0 = Profile.Cr0, Cr2 = 0xffffb69505db7c18, Cr3 = 0x5a76b000, Cr4 = Profile.Cr4,
                Dr6 = Profile.Dr6,
            };
            int codeLine = e.FindIndex(l => l.StartsWith("Code:"));
            var report = new OopsReport
            {
                DieString = printer.StackOverflowDieString(),
                Cpu = Profile.Cpu,
                Pid = Profile.InsmodPid,
                Comm = "insmod",
                TaintMask = Taint.Bit(Taint.OotModule) | Taint.Bit(Taint.UnsignedModule),
                Regs = regs,
                Code = ReferenceLog.Code(e[codeLine], rip),
                TaskAddress = 0xffff916df6854b00,
                TaskStackAddress = 0xffffb69505db8000,
                OopsId = 0x323c9b1ce38db78f,
            };
            int traceStart = e.IndexOf("Call Trace:") + 1;
            report.CallTrace.AddRange(ReferenceLog.Frames(k, e.GetRange(traceStart, codeLine - traceStart).ToArray()));
            foreach (var token in e[2].Substring("Modules linked in: ".Length).Split(' '))
            {
                int paren = token.IndexOf('(');
                report.Modules.Add(paren < 0 ? new LoadedModule(token, "") : new LoadedModule(token.Substring(0, paren), token.Substring(paren)));
            }
            return (printer, report);
        }

        [Test]
        public void EmbeddedCodeLineKeepsItsTrailingBlank()
        {
            Assert.That(Expected.Find(l => l.StartsWith("Code:")), Does.EndWith("48 c7 "));
        }

        [Test]
        public void DieReproducesTheSeed()
        {
            var (printer, report) = Build();
            var e = Expected;
            Assert.That(printer.Die(report), Is.EqualTo(e.GetRange(1, e.Count - 1)));
        }

        [Test]
        public void GuardPageLineIsRawOn411()
        {
            var (printer, _) = Build();
            Assert.That(printer.StackGuardPageHit(0xffffb69505db7c18, 0xffffb69505db8000), Is.EqualTo(Expected[0]));
        }

        [Test]
        public void ModuleFlags()
        {
            ulong oe = Taint.Bit(Taint.OotModule) | Taint.Bit(Taint.UnsignedModule);
            Assert.That(LoadedModule.Create(Profile, "step5", oe, ModuleState.Coming).Flags, Is.EqualTo("(OE+)"));
            Assert.That(LoadedModule.Create(Profile, "vboxsf", oe, ModuleState.Live).Flags, Is.EqualTo("(OE)"));
            Assert.That(LoadedModule.Create(Profile, "fuse", 0, ModuleState.Live).Flags, Is.EqualTo(""));
            Assert.That(LoadedModule.Create(Profile, "x", Taint.Bit(Taint.ProprietaryModule), ModuleState.Going).Flags, Is.EqualTo("(P-)"));
        }

        [Test]
        public void LegacyCodeFallsBackToRipWhenThePrologueIsUnreadable()
        {
            var (printer, _) = Build();
            ulong rip = 0xffffffffc0001005;
            // Only [rip, rip+10) is mapped: start at RIP, stop at the first unreadable byte.
            var code = CodeDump.Copy(Profile, rip, (ulong a, out byte b) =>
            {
                b = (byte)(a - rip);
                return a >= rip && a < rip + 10;
            });
            Assert.That(printer.ShowOpcodes(code), Is.EqualTo("Code: <00> 01 02 03 04 05 06 07 08 09  Bad RIP value."));
            var none = CodeDump.Copy(Profile, rip, (ulong a, out byte b) => { b = 0; return false; });
            Assert.That(printer.ShowOpcodes(none), Is.EqualTo("Code:  Bad RIP value."));
        }

        [Test]
        public void LegacyCodeWindowIs43Plus1Plus20()
        {
            ulong rip = 0xffffffffc0001000;
            var code = CodeDump.Copy(Profile, rip, (ulong a, out byte b) => { b = 0x90; return true; });
            Assert.That(code.Start, Is.EqualTo(rip - 43));
            Assert.That(code.Bytes!.Length, Is.EqualTo(64));
        }

        [Test]
        public void TaintColumnsPerProfile()
        {
            ulong oe = Taint.Bit(Taint.OotModule) | Taint.Bit(Taint.UnsignedModule);
            Assert.That(Taint.PrintTainted(KernelProfile.Linux411, oe), Is.EqualTo("Tainted: G           OE  "));
            Assert.That(Taint.PrintTainted(KernelProfile.Linux510, oe), Is.EqualTo("Tainted: G           OE    "));
            Assert.That(Taint.PrintTainted(KernelProfile.Linux61, oe), Is.EqualTo("Tainted: G           OE     "));
            Assert.That(Taint.PrintTainted(KernelProfile.Linux61, oe | Taint.Bit(Taint.Die)), Is.EqualTo("Tainted: G      D    OE     "));
            Assert.That(Taint.PrintTainted(KernelProfile.Linux61, Taint.Bit(Taint.ProprietaryModule) | Taint.Bit(Taint.Warn)),
                Is.EqualTo("Tainted: P        W         "));
            Assert.That(Taint.PrintTainted(KernelProfile.Linux411, 0), Is.EqualTo("Not tainted"));
        }
    }
}
