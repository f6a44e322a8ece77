using System.Linq;
using KDsl.Profiles;
using KDsl.Runtime.Kernel.Oops;
using KDsl.Runtime.Kernel.Printk;
using NUnit.Framework;
using static KDsl.Runtime.Tests.Faults.FaultRun;

namespace KDsl.Runtime.Tests.Faults
{
    /// <summary>
    /// Report details that follow from the order in which the kernel does things, not from a format string: the CR2
    /// that __show_regs reads after show_opcodes faulted, the empty Call Trace of an RSP on no stack, 6.1's
    /// make_task_dead note, dump_kernel_offset's line, 4.11's df_debug. Expected values come from the kernel sources
    /// (quoted) and from real reports.
    /// </summary>
    [TestFixture]
    public class ReportDetailsTests
    {
        // ---------------- 1. CR2 after an unreadable Code: window ----------------

        // A call through NULL on real 5.14/6.x kernels (syzbot reports, e.g. "KASAN: null-ptr-deref", 5.14.0-rc2):
        //   RIP: 0010:0x0
        //   Code: Unable to access opcode bytes at RIP 0xffffffffffffffd6.
        //   ...
        //   CR2: ffffffffffffffd6 CR3: 0000000073959000 CR4: 00000000001526f0
        //   ...
        //   Modules linked in:
        //   CR2: 0000000000000000
        // show_opcodes copies from regs->ip - PROLOGUE_SIZE (42): its first u64 load at 0xffffffffffffffd6 faults and
        // __show_regs' "cr2 = read_cr2();" comes after show_iret_regs. page_fault_oops' own line prints `address`.
        [TestCase("linux-6.1", "Code: Unable to access opcode bytes at 0xffffffffffffffd6.")]
        [TestCase("linux-5.10", "Code: Unable to access opcode bytes at RIP 0xffffffffffffffd6.")]
        public void NullCall_RegisterDumpsShowTheCodeCopysFault_TheExecutiveLineTheFault(string profile, string codeLine)
        {
            var run = Inline("call_ptr(0);", profile);
            AssertInOrder(run,
                "BUG: kernel NULL pointer dereference, address: 0000000000000000",
                "RIP: 0010:0x0",
                "=" + Escape(codeLine),
                "CR2: ffffffffffffffd6 CR3: [0-9a-f]{16} CR4: [0-9a-f]{16}",
                "Modules linked in: fault\\(OE\\+\\)",
                "=CR2: 0000000000000000",
                // oops_end's executive summary runs show_opcodes on the same window again: the same fault, the same CR2.
                "RIP: 0010:0x0",
                "CR2: ffffffffffffffd6 CR3: [0-9a-f]{16} CR4: [0-9a-f]{16}");
            Assert.That(run.Oops!.FaultAddress, Is.EqualTo(0UL), "the oops facts keep the fault's own address");
        }

        [Test]
        public void Linux411_ShowRegsPrintsCr2BeforeItProbesTheCode()
        {
            // 4.11 dumpstack_64.c show_regs: "__show_regs(regs, 1);" then, after the trace, the probe_kernel_address
            // loop (" Bad RIP value."): the CR2 line is printed before any probe can fault. Here the window starts
            // below PAGE_OFFSET ("if (ip < (u8 *)PAGE_OFFSET || probe_kernel_address(ip, c))"), so nothing is probed.
            var run = Inline("call_ptr(0);", "linux-4.11");
            AssertInOrder(run,
                "BUG: unable to handle kernel NULL pointer dereference at           \\(null\\)",
                "CR2: 0000000000000000 CR3: [0-9a-f]{16} CR4: [0-9a-f]{16}",
                "Code:  Bad RIP value\\.",
                "=RIP:           \\(null\\) RSP: [0-9a-f]{16}",
                "=CR2: 0000000000000000");
        }

        [Test]
        public void RipJustPastTheModule_Cr2IsTheFirstByteOfTheUnmappedPage()
        {
            // The module's rodata page is followed by its writable page (struct module; this module has no .data or
            // .bss), then an unmapped page; jump 0x10 bytes into that. The fetch faults at RIP, but the copy starts 42
            // bytes lower in the mapped page and its loads run upwards: the load that reaches the unmapped page faults
            // there, so CR2 is that page's first byte, not RIP.
            var run = Inline("char *s = \"x\";\ncall_ptr((((long)s) & ~0xfff) + 0x2010);");
            var lines = Messages(run);
            string bug = lines.Single(l => l.StartsWith("BUG: unable to handle page fault for address: "));
            ulong rip = ulong.Parse(bug.Substring(bug.LastIndexOf(' ') + 1), System.Globalization.NumberStyles.HexNumber);
            Assert.That(rip & 0xfff, Is.EqualTo(0x10UL));
            ulong page = rip & ~0xfffUL;
            AssertInOrder(run,
                Escape(bug),
                "=#PF: supervisor instruction fetch in kernel mode",
                $"RIP: 0010:0x{rip:x}",
                $"=Code: Unable to access opcode bytes at 0x{rip - 42:x}\\.",
                $"CR2: {page:x16} CR3: [0-9a-f]{{16}} CR4: [0-9a-f]{{16}}",
                "Modules linked in: fault\\(OE\\+\\)",
                $"=CR2: {rip:x16}");
            Assert.That(run.Oops!.FaultAddress, Is.EqualTo(rip));
        }

        [Test]
        public void CodeCopy_FaultsAtTheFirstUnreadableByte_OrNotAtAll()
        {
            var p = KernelProfile.Linux61;
            ulong rip = 0xffffffffc0001010;
            // Mapped below 0xffffffffc0001000: the copy from rip - 42 faults at the page boundary.
            var straddling = CodeDump.Copy(p, rip, (ulong a, out byte b) => { b = 0; return a < 0xffffffffc0001000; });
            Assert.That(straddling.Bytes, Is.Null);
            Assert.That(straddling.FaultAddress, Is.EqualTo(0xffffffffc0001000UL));
            // Nothing mapped: the first load, at rip - 42.
            var unmapped = CodeDump.Copy(p, rip, (ulong a, out byte b) => { b = 0; return false; });
            Assert.That(unmapped.FaultAddress, Is.EqualTo(rip - 42));
            // A user-half start: copy_from_kernel_nofault_allowed ("vaddr >= TASK_SIZE_MAX + PAGE_SIZE") refuses with
            // -ERANGE before touching memory, so no fault and CR2 keeps its value.
            bool touched = false;
            var user = CodeDump.Copy(p, 0x401000, (ulong a, out byte b) => { touched = true; b = 0; return true; });
            Assert.That((user.Bytes, user.FaultAddress, touched), Is.EqualTo(((byte[]?)null, (ulong?)null, false)));
            // Readable: no fault.
            Assert.That(CodeDump.Copy(p, rip, (ulong a, out byte b) => { b = 0x90; return true; }).FaultAddress, Is.Null);
        }

        // ---------------- 2. RSP on no known stack: an empty Call Trace ----------------

        // A 24000-byte frame: RSP ends up far below the 16 KiB stack, more than a page under its base. The first store
        // into the array faults, the CPU's push of the #PF frame at RSP faults too (#DF), and CR2 is not in the guard
        // page. show_trace_log_lvl (dumpstack.c): "if (get_stack_info(stack, …)) { stack = PAGE_ALIGN(stack);
        // if (get_stack_info(stack, …)) break; }" — neither is on a stack, so the loop breaks before "<TASK>".
        private const string FarFrame = "void deep() { char big[24000]; big[0] = 1; printk(\"%d\\n\", big[0]); }\n";

        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        public void RspFarBelowTheStack_CallTraceIsEmpty(string profile)
        {
            var run = Inline("deep();", profile, FarFrame);
            AssertInOrder(run,
                "traps: PANIC: double fault, error_code: 0x0",
                "=double fault: 0000 \\[#1\\].*",
                "RIP: 0010:deep\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[fault\\]",
                "Call Trace:",
                "=Modules linked in: fault\\(OE\\+\\)");
            Assert.That(Messages(run), Has.None.Contains("<TASK>"));
            Assert.That(Messages(run), Has.None.Contains("RIP: 0033:"), "the user pt_regs are printed only when the scan reaches them");
        }

        [Test]
        public void RspFarBelowTheStack_Linux411_CallTraceIsEmptyToo()
        {
            // 4.11: "if (task_stack_page(task) - (void *)stack < PAGE_SIZE) stack = task_stack_page(task);" (unsigned:
            // only the guard page jumps to the base), then "if (get_stack_info(stack, task, &stack_info, &visit_mask)) break;".
            var run = Inline("deep();", "linux-4.11", FarFrame);
            AssertInOrder(run,
                "PANIC: double fault, error_code: 0x0",
                "Call Trace:",
                "=Code: .*");
        }

        [Test]
        public void RspInTheGuardPage_TheScanStillStartsAtTheStackBase()
        {
            // PAGE_ALIGN(rsp) of an RSP in the guard page is the stack's base: the seed's overflow keeps its frames.
            var run = Example("step5.kdsl", "linux-6.1");
            AssertInOrder(run,
                "BUG: TASK stack guard page was hit at .*",
                "Call Trace:",
                "= <TASK>",
                "= \\? .*");
        }

        // ---------------- 3. 6.1's make_task_dead note ----------------

        // kernel/exit.c make_task_dead (6.1.y, from 001c28e57187 "exit: Detect and fix irq disabled state in oops"):
        //   if (unlikely(irqs_disabled())) {
        //           pr_info("note: %s[%d] exited with irqs disabled\n", current->comm, task_pid_nr(current));
        //           local_irq_enable();
        //   }
        // A kernel-mode #PF reaches page_fault_oops with IF still clear (the #PF gate is an interrupt gate);
        // oops_end's raw_local_irq_restore(flags) gives that state back. Real x86 logs show the note right after the
        // executive summary (e.g. "CR2: ffffffffffffffd6 CR3: … CR4: …" then "note: nfsd[743] exited with irqs disabled").
        [Test]
        public void Linux61_PageFaultOopsThatKillsTheTask_NotesIrqsDisabled()
        {
            var run = Inline("call_ptr(0);", "linux-6.1");
            AssertInOrder(run,
                "---\\[ end trace 0000000000000000 \\]---",
                "PKRU: 55555554",
                "=note: insmod\\[98\\] exited with irqs disabled");
            Assert.That(Messages(run).Last(), Is.EqualTo("note: insmod[98] exited with irqs disabled"));
        }

        [TestCase("linux-5.10")]
        [TestCase("linux-4.11")]
        public void BeforeTheBackport_NoNote(string profile)
        {
            var run = Inline("call_ptr(0);", profile);
            Assert.That(Messages(run), Has.None.StartsWith("note: "));
        }

        [Test]
        public void Linux61_DieFromATrapWithInterruptsOn_NoNote()
        {
            // do_error_trap: "cond_local_irq_enable(regs); do_trap(…)": the module ran with IF set, so die() and
            // make_task_dead run with interrupts on.
            var run = Inline("int zero = 0;\nprintk(\"%d\\n\", 7 / zero);", "linux-6.1");
            AssertInOrder(run, "divide error: 0000 \\[#1\\] PREEMPT SMP NOPTI");
            Assert.That(Messages(run), Has.None.StartsWith("note: "));
        }

        [Test]
        public void Linux61_PanicOnOops_NoNote()
        {
            // oops_end panics before make_task_dead: "if (panic_on_oops) panic("Fatal exception");".
            var panicking = Compile("module fault \"inline\";\nconfig { profile = linux-6.1; panic_on_oops = on; }\ninit {\ncall_ptr(0);\n}\n");
            Assert.That(Messages(panicking), Has.None.StartsWith("note: "));
            Assert.That(Messages(panicking), Has.Some.EqualTo("Kernel panic - not syncing: Fatal exception"));
        }

        // ---------------- 4. dump_kernel_offset ----------------

        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        [TestCase("linux-4.11")]
        public void KernelOffset_KDslsLayoutIsANokaslrBoot(string profile)
        {
            // setup.c dump_kernel_offset: "} else { pr_emerg("Kernel Offset: disabled\n"); }" — KDsl's kernel text is at
            // __START_KERNEL (0xffffffff81000000) with nothing randomised.
            var run = Inline("panic(\"stop\");", profile);
            AssertInOrder(run, "Kernel panic - not syncing: stop", "Kernel Offset: disabled");
            Assert.That(Messages(run), Has.None.Contains("relocation range"));
        }

        // ---------------- 6a. 4.11's df_debug ----------------

        [Test]
        public void Linux411_DoubleFaultOutsideTheGuardPage_GoesThroughDfDebug()
        {
            // 4.11 do_double_fault: the guard-page test fails, then "#ifdef CONFIG_DOUBLEFAULT df_debug(regs, error_code);"
            // arch/x86/kernel/doublefault.c (no pr_fmt): pr_emerg("PANIC: double fault, error_code: 0x%lx\n", error_code);
            // show_regs(regs); panic("Machine halted.");
            var run = Inline("deep();", "linux-4.11", FarFrame);
            var lines = Messages(run);
            AssertInOrder(run,
                "PANIC: double fault, error_code: 0x0",
                "=CPU: 1 PID: 7220 Comm: insmod Tainted: G           OE   4.11.12-200.fc25.x86_64 #1",
                "=Hardware name: innotek GmbH VirtualBox/VirtualBox, BIOS VirtualBox 12/01/2006",
                "=task: [0-9a-f]{16} task.stack: [0-9a-f]{16}",
                "=RIP: 0010:deep\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[fault\\]",
                "Call Trace:",
                "=Code: .*",
                "=Kernel panic - not syncing: Machine halted\\.",
                "=Kernel Offset: disabled",
                "=---\\[ end Kernel panic - not syncing: Machine halted\\. \\]---");
            // No die(): no header, no module list, no end-of-trace marker, no taint D.
            Assert.That(lines, Has.None.Contains("[#1]"));
            Assert.That(lines, Has.None.StartsWith("Modules linked in:"));
            Assert.That(lines, Has.None.StartsWith("---[ end trace"));
            Assert.That(lines, Has.None.StartsWith("traps: "));
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Panic));
            Assert.That(run.Oops!.Kind, Is.EqualTo("double_fault"));
        }

        [Test]
        public void ProfileFacts()
        {
            Assert.That(KernelProfile.Linux411.KernelVersion, Is.EqualTo((4, 11)));
            Assert.That(KernelProfile.All.Select(p => p.DoubleFaultDebug), Is.EqualTo(new[] { true, false, false }));
            Assert.That(KernelProfile.All.Select(p => p.NotesIrqsDisabledAtExit), Is.EqualTo(new[] { false, false, true }));
            Assert.That(KernelProfile.All.Select(p => p.ClearsReusedThreadStack), Is.EqualTo(new[] { false, true, true }));
            Assert.That(KernelProfile.All.Select(p => p.ShowOpcodesBeforeCr2), Is.EqualTo(new[] { false, true, true }));
        }

        private static RunResult Compile(string source)
        {
            var result = Compiler.Compile("fault.kdsl", source, null);
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            return Machine.Run(result.Image!);
        }
    }
}
