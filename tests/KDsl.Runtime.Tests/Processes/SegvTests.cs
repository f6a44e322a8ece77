using System.Linq;
using NUnit.Framework;
using static KDsl.Runtime.Tests.Processes.ProcessRun;

namespace KDsl.Runtime.Tests.Processes
{
    /// <summary>
    /// SIGSEGV from user faults (kernel-reference.md §4.3/§4.4): no VMA → SEGV_MAPERR, a VMA without the permission →
    /// SEGV_ACCERR, show_signal_msg's line in the profile's format (real-kernel/logs-6.1/sigbus.log nohandler_sigsegv).
    /// </summary>
    [TestFixture]
    public class SegvTests
    {
        [Test]
        public void GuardPage_Linux61_AccerrAndTheSegfaultLine()
        {
            var run = Example("user-guard-page.kdsl");
            var p = run.Processes.Single();
            Assert.Multiple(() =>
            {
                Assert.That(p.Signal, Is.EqualTo(11));
                Assert.That(p.SiCode, Is.EqualTo(2), "SEGV_ACCERR");
                Assert.That(p.SiAddr, Is.EqualTo(p.MmapResults[0] + 8));
                Assert.That(p.ExitStatus, Is.EqualTo(139));
                Assert.That(p.ShellMessage, Is.EqualTo("Segmentation fault"));
                var messages = Faults.FaultRun.Messages(run);
                Assert.That(messages, Has.Some.Match($"^guard\\[{p.Pid}\\]: segfault at {p.SiAddr:x} ip 0000000000401[0-9a-f]{{3}} sp 00007fffffffe[0-9a-f]{{3}} error 6 in guard\\[401000\\+1000\\] likely on CPU 0 \\(core 0, socket 0\\)$"));
                Assert.That(messages, Has.Some.Match("^Code: ([0-9a-f]{2} ){42}<88>( [0-9a-f]{2}){21}$"), "the faulting byte store is mov [rax], cl");
            });
        }

        [Test]
        public void GuardPage_Linux510_NoCpuSuffix_Linux411_NoCodeLine()
        {
            var m510 = Faults.FaultRun.Messages(Example("user-guard-page.kdsl", "linux-5.10"));
            Assert.That(m510, Has.Some.Match("segfault at .* error 6 in guard\\[401000\\+1000\\]$"));
            Assert.That(m510, Has.Some.StartsWith("Code: "));
            var m411 = Faults.FaultRun.Messages(Example("user-guard-page.kdsl", "linux-4.11"));
            Assert.That(m411, Has.Some.Match("segfault at .* error 6 in guard\\[401000\\+1000\\]$"));
            Assert.That(m411, Has.None.StartsWith("Code:"));
        }

        [Test]
        public void NoVma_Maperr()
        {
            var p = Inline("char *q = (char *)16; q[0] = 1; exit(0);");
            Assert.That((p.Signal, p.SiCode, p.SiAddr, p.ExitStatus), Is.EqualTo((11, 1, 16UL, 139)));
        }

        [Test]
        public void KernelAddressFromUser_Maperr()
        {
            var p = Inline("char *q = (char *)0xffffffff81000000; long v = q[0]; exit(v);");
            Assert.That((p.Signal, p.SiCode, p.SiAddr), Is.EqualTo((11, 1, 0xffffffff81000000UL)));
        }

        [Test]
        public void WriteToReadOnlyMapping_Accerr()
        {
            var p = Inline("char *m = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); long v = m[5]; m[5] = 1; exit(v);");
            Assert.That((p.Signal, p.SiCode, p.SiAddr - p.MmapResults[0]), Is.EqualTo((11, 2, 5UL)));
        }

        [Test]
        public void PastEof_SecondPage_Sigbus_FirstPageTailIsFine()
        {
            var run = Example("sigbus-past-eof.kdsl");
            var p = run.Processes.Single();
            Assert.That((p.Signal, p.SiCode, p.SiAddr - p.MmapResults[0], p.ExitStatus), Is.EqualTo((7, 2, 4096UL, 135)));
            Assert.That(run.Log.Any(l => l.Contains("segfault")), Is.False);
        }

        [Test]
        public void TruncateWhileMapped_Sigbus_GrowBack_Completes()
        {
            var p = Example("truncate-while-mapped.kdsl").Processes.Single();
            Assert.That((p.Signal, p.SiAddr - p.MmapResults[0]), Is.EqualTo((7, 4096UL)));
            var q = Example("truncate-while-mapped.kdsl", scenario: "grow_back").Processes.Single();
            Assert.That((q.Signal, q.ExitStatus), Is.EqualTo((0, 0)));
        }

        [Test]
        public void MunmapThenTouch_Maperr()
        {
            var p = Inline("char *m = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); m[0] = 1; munmap((long)m, 4096); m[4096] = 1; m[0] = 2; exit(0);");
            Assert.That((p.Signal, p.SiCode, p.SiAddr), Is.EqualTo((11, 1, p.MmapResults[0])));
        }

        /// <summary>
        /// A 64 TiB mapping with two pages touched, mprotect'ed and munmap'ed whole: the kernel walks the page tables, not
        /// the range (zap_pte_range and change_protection skip empty tables), so this ends as the program says. Walking
        /// every page of the range took KDsl over a minute per call.
        /// </summary>
        [Test]
        public void HugeMapping_MprotectAndMunmapOfItAll_EndNormally()
        {
            var p = Inline("long len = 70368744177664; char *m = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); " +
                           "m[0] = 1; m[len - 1] = 2; mprotect((long)m, len, PROT_READ); munmap((long)m, len); exit(7);");
            Assert.That((p.Signal, p.ExitStatus), Is.EqualTo((0, 7)));
        }

        /// <summary>
        /// A program that loops on getpid and on writing 1 KiB to stdout until the budget stops it: the host keeps a
        /// bounded trace (ProcessResult.MaxTracedSyscalls, then one closing line) and a bounded capture (MaxCapturedOutput).
        /// A round costs two system calls and the copy, some 450 instructions: 6 million pay for over 13,000 rounds,
        /// past both limits.
        /// </summary>
        [Test]
        public void SyscallAndOutputLoops_KeepBoundedTraceAndCapture()
        {
            var p = Inline("char b[1024]; for (long i = 0; i < 1024; i++) b[i] = 'x'; while (1) { getpid(); write(1, b, 1024); }", budget: 6_000_000);
            Assert.That(p.StoppedByBudget, Is.True);
            Assert.That(p.Syscalls, Has.Count.EqualTo(ProcessResult.MaxTracedSyscalls + 1));
            Assert.That(p.Syscalls[^1], Does.StartWith("... (only the first"));
            Assert.That(p.OutputBytes, Has.Length.EqualTo(ProcessResult.MaxCapturedOutput));
            Assert.That(p.OutputTruncated, Is.True);
        }

        /// <summary>
        /// The kernel's copies are charged to the budget (a rep movsq iteration per 8 bytes): a loop of 1 MiB writes to
        /// stdout stops after about budget / 131,072 of them, where uncharged it made some 200,000 (each a few guest
        /// instructions) and copied for minutes.
        /// </summary>
        [Test]
        public void CopyLoop_IsChargedToTheBudget()
        {
            const long budget = 2_000_000, perWrite = (1 << 20) / 8;
            var p = Inline("char *m = mmap(0, 1048576, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); " +
                           "while (1) write(1, m, 1048576);", budget: budget);
            Assert.That(p.StoppedByBudget, Is.True);
            Assert.That(p.Syscalls.Count(s => s.StartsWith("write(", System.StringComparison.Ordinal)), Is.InRange(1, budget / perWrite + 1));
        }

        /// <summary>
        /// read and write move their bytes through one bounce buffer per machine (issue 21): a loop of 1 MiB writes
        /// allocated a new MiB a call, some 3 GB of garbage in a run of the CLI's budget and 520 MB of peak RSS. Here 10
        /// million instructions pay for some 75 writes: 75 MiB of copies that must not be 75 MiB of allocations.
        /// </summary>
        [Test]
        public void CopyLoop_DoesNotAllocateAMegabytePerWrite()
        {
            Inline("exit(0);"); // the first machine of a test run loads the kernel's data once: not this test's business
            long before = System.GC.GetAllocatedBytesForCurrentThread();
            var p = Inline("char *m = mmap(0, 1048576, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); " +
                           "while (1) write(1, m, 1048576);", budget: 10_000_000);
            long allocated = System.GC.GetAllocatedBytesForCurrentThread() - before;
            int writes = p.Syscalls.Count(s => s.StartsWith("write(", System.StringComparison.Ordinal));
            Assert.That(writes, Is.GreaterThan(50));
            Assert.That(allocated, Is.LessThan(writes / 2 * (1L << 20)), $"{allocated >> 20} MiB allocated for {writes} writes");
        }

        [Test]
        public void InfiniteLoop_StoppedByTheBudget()
        {
            var p = Inline("long i = 0; while (1) { i++; }", budget: 2_000_000);
            Assert.That(p.StoppedByBudget, Is.True);
            Assert.That((p.Signal, p.ExitStatus), Is.EqualTo((9, 137)));
        }

        [Test]
        public void PrintkFromAProcess_IsAnIllegalInstruction()
        {
            var p = Inline("printk(\"hello\\n\"); exit(0);");
            Assert.That((p.Signal, p.ExitStatus), Is.EqualTo((4, 132)));
        }

        [Test]
        public void ModuleAndProcess_InOneFile_InitRunsFirst()
        {
            string source = "module both \"init and a process\";\ninit { printk(\"both: loaded\\n\"); }\nprocess hello { char *s = \"hi\\n\"; write(1, s, 3); return 7; }\n";
            var run = Machine.Run(ProcessRun.Image("both.kdsl", source));
            Assert.That(Faults.FaultRun.Messages(run), Has.Some.EqualTo("both: loaded"));
            var p = run.Processes.Single();
            Assert.That((p.Name, p.ExitStatus, p.Output), Is.EqualTo(("hello", 7, "hi\n")));
        }

        [Test]
        public void MapPrivateFile_WriteIsCopyOnWrite()
        {
            var p = Inline(@"
                int fd = open(""/f"", O_CREAT | O_RDWR, 0644);
                ftruncate(fd, 4096);
                char *m = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
                long before = m[1];
                m[1] = 'Z';
                char buf[4];
                read(fd, buf, 4);
                if (buf[1] != 0) exit(5);
                if (m[1] != 'Z') exit(6);
                exit(before);");
            Assert.That((p.Signal, p.ExitStatus), Is.EqualTo((0, 0)), string.Join("\n", p.Syscalls));
        }
    }
}

namespace KDsl.Runtime.Tests.Processes
{
    /// <summary>Resource limits: the user stack's end, physical memory running out, memory given back at exit.</summary>
    [TestFixture]
    public class ProcessLimitTests
    {
        [Test]
        public void UnboundedRecursion_FallsOffTheStackVma_Maperr()
        {
            string source = "module deep \"recursion\";\nlong down(long n) { char pad[256]; pad[0] = n; return down(n + 1) + pad[0]; }\nprocess deep { down(0); }\n";
            var run = Machine.Run(ProcessRun.Image("deep.kdsl", source));
            var p = run.Processes.Single();
            Assert.That((p.Signal, p.SiCode), Is.EqualTo((11, 1)));
            ulong stackBottom = KDsl.Runtime.Kernel.LinuxKernel.UserStackTop - KDsl.Runtime.Kernel.LinuxKernel.UserStackSize;
            Assert.That(p.SiAddr, Is.LessThan(stackBottom).And.GreaterThan(stackBottom - 4096));
            Assert.That(Faults.FaultRun.Messages(run), Has.Some.Contains("deep[").And.Contains(" segfault at "));
        }

        [Test]
        public void TouchingMoreThanPhysicalMemory_KillsTheProcess_NotTheHost()
        {
            var p = ProcessRun.Inline(@"
                char *m = mmap(0, 1 << 30, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                long i = 0;
                while (i < (1 << 30)) { m[i] = 1; i = i + 4096; }
                exit(0);", budget: 100_000_000);
            Assert.That((p.Signal, p.ExitStatus), Is.EqualTo((9, 137)));
        }

        [Test]
        public void TwoProcesses_TheSecondRunsAfterTheFirstDied_MemoryIsGivenBack()
        {
            string source = "module two \"two\";\n" +
                "process hog { char *m = mmap(0, 32 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); long i = 0; while (i < (32 << 20)) { m[i] = 1; i = i + 4096; } char *q = (char *)16; q[0] = 1; }\n" +
                "process again { char *m = mmap(0, 32 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); long i = 0; while (i < (32 << 20)) { m[i] = 1; i = i + 4096; } return 3; }\n";
            var run = Machine.Run(ProcessRun.Image("two.kdsl", source));
            Assert.That(run.Processes.Select(p => (p.Name, p.ExitStatus)), Is.EqualTo(new[] { ("hog", 139), ("again", 3) }));
            Assert.That(run.Processes[1].Pid, Is.EqualTo(run.Processes[0].Pid + 1));
            Assert.That(run.Processes[1].MinorFaults, Is.GreaterThanOrEqualTo(8192));
        }

        [Test]
        public void RandomSystemCallArguments_NeverThrow()
        {
            var random = new System.Random(4);
            string[] calls =
            {
                "mmap({0}, {1}, {2}, {3}, {4}, {5})", "munmap({0}, {1})", "mprotect({0}, {1}, {2})", "ftruncate({4}, {1})",
                "read({4}, (char *){0}, {1})", "write({4}, (char *){0}, {1})", "close({4})", "open((char *){0}, {3}, {2})",
            };
            long[] interesting = { 0, 1, -1, 4095, 4096, 0x10000, 0x7ffff7ffe000, 0x7ffffffff000, unchecked((long)0xffffffff81000000), long.MaxValue, long.MinValue, 3, 0x40 };
            string Arg() => random.Next(3) == 0 ? random.NextInt64().ToString() : interesting[random.Next(interesting.Length)].ToString();
            var body = new System.Text.StringBuilder("int fd = open(\"/f\", O_CREAT | O_RDWR, 0644);\nchar *m = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);\n");
            for (int i = 0; i < 200; i++)
            {
                string call = calls[random.Next(calls.Length)];
                body.AppendLine(string.Format(call.Replace("(char *){0}", "(char *)(" + "{0}" + ")"), Arg(), Arg(), random.Next(8), random.Next(64), random.Next(6) - 1, Arg()).Replace("--", "- -") + ";");
            }
            body.AppendLine("exit(0);");
            var p = ProcessRun.Inline(body.ToString());
            Assert.That(p.Syscalls.Count, Is.GreaterThan(2));
        }
    }
}
