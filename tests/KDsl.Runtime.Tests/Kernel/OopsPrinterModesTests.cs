using System.Collections.Generic;
using KDsl.Profiles;
using KDsl.Runtime.Kernel.Oops;
using KDsl.Runtime.Kernel.Printk;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Kernel
{
    /// <summary>__show_regs modes, show_opcodes failures and the overflow/panic texts not covered by the logs.</summary>
    [TestFixture]
    public class OopsPrinterModesTests
    {
        private static OopsPrinter Printer(KernelProfile p) => new(p, VsprintfConfig.For(p, null, null, noHashPointers: true));

        private static RegisterSet Kernel() => new() { Rip = 0xffffffff81234567, Rsp = 0xffffc90000013e58, Rflags = 0x10246 };

        [Test]
        public void ShortModeStopsAfterR15()
        {
            var lines = new List<string>();
            Printer(KernelProfile.Linux61).ShowRegisters(lines, Kernel(), null, ShowRegsMode.Short);
            Assert.That(lines, Has.Count.EqualTo(8));
            Assert.That(lines[0], Is.EqualTo("RIP: 0010:0xffffffff81234567"));
            Assert.That(lines[1], Is.EqualTo("Code: Unable to access opcode bytes at 0xffffffff8123453d."));
            Assert.That(lines[2], Is.EqualTo("RSP: 0018:ffffc90000013e58 EFLAGS: 00010246"));
            Assert.That(lines[7], Does.StartWith("R13: "));
        }

        [Test]
        public void UserModePrintsBasesOnly()
        {
            var regs = new RegisterSet { Cs = 0x33, Ss = 0x2b, Rip = 0x401000, FsBase = 0x7f0000001000, KernelGsBase = 0xffff888000000000 };
            var lines = new List<string>();
            Printer(KernelProfile.Linux61).ShowRegisters(lines, regs, new CodeDump(regs.Rip, regs.Rip - 42, null, suppressed: true), ShowRegsMode.User);
            Assert.That(lines[0], Is.EqualTo("RIP: 0033:0x401000"));
            Assert.That(lines[1], Does.StartWith("RSP: 002b:"), "-EPERM: no Code: line at all");
            Assert.That(lines[^1], Is.EqualTo("FS:  00007f0000001000 GS:  ffff888000000000"));
        }

        [Test]
        public void UserModeOopsHasNoCallTrace()
        {
            var p = KernelProfile.Linux61;
            var report = new OopsReport { DieString = "general protection fault", ErrorCode = 0x10000, Comm = "a", Regs = new RegisterSet { Cs = 0x33, Ss = 0x2b } };
            report.CallTrace.Add(CallTraceEntry.Frame(0xffffffff81000000, true));
            var lines = Printer(p).Die(report);
            Assert.That(lines[0], Is.EqualTo("general protection fault: 0000 [#1] PREEMPT SMP NOPTI"), "err & 0xffff");
            Assert.That(lines, Has.No.Member("Call Trace:"));
        }

        [Test]
        public void DebugRegistersOnlyWhenNotDefault()
        {
            var lines = new List<string>();
            Printer(KernelProfile.Linux61).ShowRegisters(lines, Kernel(), null, ShowRegsMode.All);
            Assert.That(lines.Exists(l => l.StartsWith("DR0:")), Is.False);
            Assert.That(lines[^1], Is.EqualTo("PKRU: 00000000"));

            var regs = Kernel();
            regs.Dr7 = 0x401;
            lines.Clear();
            Printer(KernelProfile.Linux510).ShowRegisters(lines, regs, null, ShowRegsMode.All);
            Assert.That(lines, Does.Contain("DR3: 0000000000000000 DR6: 00000000ffff0ff0 DR7: 0000000000000401"));
        }

        [Test]
        public void OrigRaxIsAppendedToTheRspLine()
        {
            var regs = Kernel();
            regs.OrigRax = 0x139;
            var lines = new List<string>();
            Printer(KernelProfile.Linux510).ShowRegisters(lines, regs, null, ShowRegsMode.Short);
            Assert.That(lines[2], Is.EqualTo("RSP: 0018:ffffc90000013e58 EFLAGS: 00010246 ORIG_RAX: 0000000000000139"));
        }

        [Test]
        public void PartialRegsPrintOnlyTheIretFrame()
        {
            var printer = Printer(KernelProfile.Linux61);
            var lines = printer.CallTrace(new[]
            {
                CallTraceEntry.BeginStack("IRQ"),
                CallTraceEntry.RegsOnStack(Kernel(), null, partial: true),
                CallTraceEntry.EndStack("IRQ"),
            });
            Assert.That(lines, Is.EqualTo(new[]
            {
                "Call Trace:",
                " <IRQ>",
                "RIP: 0010:0xffffffff81234567",
                "Code: Unable to access opcode bytes at 0xffffffff8123453d.",
                "RSP: 0018:ffffc90000013e58 EFLAGS: 00010246",
                " </IRQ>",
            }));
            Assert.That(Printer(KernelProfile.Linux411).CallTrace(new[] { CallTraceEntry.BeginStack("IRQ"), CallTraceEntry.EndStack("IRQ") }),
                Is.EqualTo(new[] { "Call Trace:", " <IRQ>", " <EOE>" }));
        }

        [Test]
        public void ModernCodeWindowIs42Plus1Plus21()
        {
            ulong rip = 0xffffffffc0001000;
            var code = CodeDump.Copy(KernelProfile.Linux61, rip, (ulong a, out byte b) => { b = (byte)(a - (rip - 42)); return true; });
            string line = Printer(KernelProfile.Linux61).ShowOpcodes(code)!;
            Assert.That(line, Does.StartWith("Code: 00 01 02 "));
            Assert.That(line, Does.Contain(" 29 <2a> 2b "));
            Assert.That(line, Does.EndWith(" 3f"));
            // One unreadable byte anywhere in the 64 fails the whole copy.
            var holed = CodeDump.Copy(KernelProfile.Linux61, rip, (ulong a, out byte b) => { b = 0; return a != rip + 21; });
            Assert.That(Printer(KernelProfile.Linux61).ShowOpcodes(holed), Is.EqualTo("Code: Unable to access opcode bytes at 0xffffffffc0000fd6."));
        }

        [Test]
        public void StackOverflowTextsPerGuardPageStyle()
        {
            var classic = Printer(KernelProfile.Linux510);
            var named = Printer(KernelProfile.Linux61);
            Assert.That(classic.StackOverflowDieString(), Is.EqualTo("kernel stack overflow (double-fault)"));
            Assert.That(classic.StackOverflowDieString(doubleFault: false), Is.EqualTo("kernel stack overflow (page fault)"));
            Assert.That(named.StackOverflowDieString(), Is.EqualTo("stack guard page"));
            Assert.That(named.StackOverflowPanicMessage(), Is.EqualTo("TASK stack guard hit"));
            Assert.That(classic.StackOverflowPanicMessage(), Is.EqualTo("kernel stack overflow (double-fault)"));
            Assert.That(named.StackGuardPageHit(0xfffffe000000aff8, 0xfffffe000000b000, "NMI", 0x2000),
                Is.EqualTo("BUG: NMI stack guard page was hit at fffffe000000aff8 (stack is fffffe000000b000..fffffe000000d000)"));
            Assert.That(OopsPrinter.OopsEndPanicMessage(false), Is.EqualTo("Fatal exception"));
        }

        [Test]
        public void EndMarkerAndModules()
        {
            Assert.That(Printer(KernelProfile.Linux61).OopsEndMarker(0x1234), Is.EqualTo("---[ end trace 0000000000000000 ]---"));
            Assert.That(Printer(KernelProfile.Linux510).OopsEndMarker(0x1234), Is.EqualTo("---[ end trace 0000000000001234 ]---"));
            Assert.That(Printer(KernelProfile.Linux61).PrintModules(new LoadedModule[0]), Is.EqualTo("Modules linked in:"));
            Assert.That(Printer(KernelProfile.Linux61).PrintModules(new[] { new LoadedModule("a", "(O)") }, "b"),
                Is.EqualTo("Modules linked in: a(O) [last unloaded: b]"));
        }

        [Test]
        public void SecondOopsUsesTheFirstOopsRegistersForTheSummary()
        {
            var p = KernelProfile.Linux61;
            var first = Kernel();
            var second = Kernel();
            second.Rip = 0xffffffff81999999;
            var report = new OopsReport { DieString = "Oops", DieCounter = 2, Comm = "a", Regs = second, SummaryRegs = first };
            var lines = Printer(p).Die(report);
            Assert.That(lines[0], Is.EqualTo("Oops: 0000 [#2] PREEMPT SMP NOPTI"));
            int end = lines.Count - 1;
            while (!lines[end].StartsWith("---[ end trace")) end--;
            Assert.That(lines[end + 1], Is.EqualTo("RIP: 0010:0xffffffff81234567"));
        }
    }
}
