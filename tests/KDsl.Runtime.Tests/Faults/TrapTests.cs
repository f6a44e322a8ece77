using NUnit.Framework;
using static KDsl.Runtime.Tests.Faults.FaultRun;

namespace KDsl.Runtime.Tests.Faults
{
    /// <summary>
    /// Exceptions besides #DE/#UD/#GP/#PF/#DF (arch/x86/kernel/traps.c, kernel-reference.md §3.2's die strings):
    /// a kernel-mode int3 with no kprobe or debugger is die("int3") inside the NMI-like entry (exc_int3's
    /// irqentry_nmi_enter; 4.11's ist_enter adds HARDIRQ_OFFSET), so oops_end panics "Fatal exception in interrupt";
    /// a user-mode int3 is SIGTRAP with show_signal's "trap int3" line; `int n` from user space to a DPL-0 gate is #GP.
    /// The int3 byte comes from the module's own padding: functions are 16-byte aligned with 0xcc between them.
    /// </summary>
    [TestFixture]
    public class TrapTests
    {
        /// <summary>
        /// pad's int3 padding up to after, the next .text function (16-byte aligned): after prints only when told, so GCC
        /// keeps it in .text (a function that always prints would go to the unaligned .text.unlikely).
        /// </summary>
        private const string PadFunctions = "void pad(void) { }\nvoid after(int n) { if (n) printk(\"after\\n\"); }\n";

        [TestCase("linux-6.1", " PREEMPT SMP NOPTI")]
        [TestCase("linux-5.10", " SMP NOPTI")]
        [TestCase("linux-4.11", " SMP")]
        public void KernelInt3_DiesWithInt3_AndPanicsInInterruptContext(string profile, string flags)
        {
            var run = Inline("printk(\"before\\n\");\ncall_ptr(pad + 15);\nprintk(\"not reached\\n\");", profile, PadFunctions);
            AssertInOrder(run,
                "before",
                "=int3: 0000 \\[#1\\]" + Escape(flags),
                // A trap: the saved RIP is the byte after the int3, the start of the next function.
                "RIP: 0010:after\\+0x0/0x[0-9a-f]+ \\[fault\\]",
                "Kernel panic - not syncing: Fatal exception in interrupt");
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Panic));
            Assert.That(run.Oops!.Kind, Is.EqualTo("int3"));
            Assert.That(run.Oops.Panicked, Is.True);
            Assert.That(Messages(run), Has.None.Contains("not reached"));
        }

        /// <summary>
        /// `int $7` in kernel code (the runtime fuzz campaign's random module text, seed 2112, found it): vector 7's gate is
        /// exc_device_not_available, which with CR0.TS clear dies (arch/x86/kernel/traps.c, 5.10 and 6.1:
        /// die("unexpected #NM exception", regs, 0)); an ordinary exception entry, so the oops kills insmod. A trap: the
        /// saved RIP is the byte after the int.
        /// </summary>
        [TestCase("linux-6.1", " PREEMPT SMP NOPTI")]
        [TestCase("linux-5.10", " SMP NOPTI")]
        public void KernelInt7_DiesWithUnexpectedNm(string profile, string flags)
        {
            string source = $"module fault \"inline\";\nconfig {{ profile = {profile}; }}\nvoid placed(void) {{ }}\n" +
                            "init {\n    printk(\"before\\n\");\n    placed();\n    printk(\"not reached\\n\");\n}\n";
            var compiled = Compiler.Compile("fault.kdsl", source);
            Assert.That(compiled.Image, Is.Not.Null, string.Join("\n", compiled.Diagnostics));
            var image = compiled.Image!;
            var placed = System.Linq.Enumerable.Single(image.Symbols, s => s.Name == "placed");
            new byte[] { 0xcd, 0x07, 0xc3 }.CopyTo(image.Text, placed.Offset); // int $7; ret
            var run = Machine.Run(image);
            Assert.That(run.InternalError, Is.Null);
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Oops));
            AssertInOrder(run,
                "before",
                "=unexpected #NM exception: 0000 \\[#1\\]" + Escape(flags),
                "RIP: 0010:placed\\+0x2/0x[0-9a-f]+ \\[fault\\]");
            Assert.That(Messages(run), Has.None.Contains("not reached"));
        }

        private const string ExecPage = "char *p = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);\n";

        [Test]
        public void UserInt3_IsSigtrap_WithTheTrapLine()
        {
            var p = Processes.ProcessRun.Inline(ExecPage + "p[0] = 0xcc;\ncall_ptr(p);\nexit(0);");
            Assert.That(p.Signal, Is.EqualTo(Signals.SIGTRAP));
            Assert.That(p.SiCode, Is.EqualTo(Signals.SI_KERNEL)); // do_trap → force_sig: SEND_SIG_PRIV
            Assert.That(p.ExitStatus, Is.EqualTo(128 + 5));
            Assert.That(p.ShellMessage, Is.EqualTo("Trace/breakpoint trap"));
        }

        [Test]
        public void UserInt3_LogsShowSignal()
        {
            var image = Processes.ProcessRun.Image("t.kdsl", "module t \"t\";\nprocess trap {\n" + ExecPage + "p[0] = 0xcc;\ncall_ptr(p);\nexit(0);\n}\n");
            var run = Machine.Run(image);
            // The ip is the byte after the int3 (mmap's first page, below [vvar] and [vdso]: mmap_base - 0x6000 - 0x1000,
            // + 1); no " in FILE[...]": an anonymous mapping.
            AssertInOrder(run, "traps: trap\\[\\d+\\] trap int3 ip:7ffff7ff8001 sp:[0-9a-f]+ error:0");
        }

        [Test]
        public void UserIntToAKernelOnlyGate_IsGeneralProtection_WithTheGateInTheErrorCode()
        {
            // int $0x40: an external-interrupt gate, DPL 0. SDM: #GP(0x40 * 8 + 2) = 0x202; traps.c: SIGSEGV, SI_KERNEL.
            var image = Processes.ProcessRun.Image("t.kdsl", "module t \"t\";\nprocess gp {\n" + ExecPage + "p[0] = 0xcd;\np[1] = 0x40;\ncall_ptr(p);\nexit(0);\n}\n");
            var run = Machine.Run(image);
            var p = run.Processes[0];
            Assert.That(p.Signal, Is.EqualTo(Signals.SIGSEGV));
            Assert.That(p.SiCode, Is.EqualTo(Signals.SI_KERNEL));
            AssertInOrder(run, "traps: gp\\[\\d+\\] general protection fault ip:7ffff7ff8000 sp:[0-9a-f]+ error:202");
        }

        [Test]
        public void UserIntToAVectorWithoutAGate_IsGeneralProtectionToo()
        {
            // Vectors 20–31 have no gate in Linux's IDT: an all-zero descriptor is not a gate, so `int 0x15` is #GP(0xaa)
            // (SDM: the type check comes before the present check), not #NP.
            var image = Processes.ProcessRun.Image("t.kdsl", "module t \"t\";\nprocess gp {\n" + ExecPage + "p[0] = 0xcd;\np[1] = 0x15;\ncall_ptr(p);\nexit(0);\n}\n");
            var run = Machine.Run(image);
            Assert.That(run.Processes[0].Signal, Is.EqualTo(Signals.SIGSEGV));
            AssertInOrder(run, "traps: gp\\[\\d+\\] general protection fault ip:7ffff7ff8000 sp:[0-9a-f]+ error:aa");
        }
    }
}
