using System.Linq;
using System.Text.RegularExpressions;
using KDsl.Runtime.Tests.Faults;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Processes
{
    /// <summary>
    /// The OOM killer (mm/oom_kill.c dump_header, dump_tasks, dump_oom_summary, __oom_kill_process; mm/page_alloc.c
    /// show_free_areas): examples/oom-kill.kdsl maps 32 MiB of anonymous memory on a 16 MiB machine (`mem = 16M`) and
    /// touches every page. Expected values come from the sources' formats and the mapping's own arithmetic.
    /// </summary>
    [TestFixture]
    public class OomKillTests
    {
        [TestCase("linux-6.1", null)]
        [TestCase("linux-5.10", "linux_5_10")]
        [TestCase("linux-4.11", "linux_4_11")]
        public void Example_MeetsItsExpectations(string profile, string? scenario)
        {
            var image = ProcessRun.Image("oom-kill.kdsl", System.IO.File.ReadAllText(ProcessRun.ExamplePath("oom-kill.kdsl")), null, scenario);
            var run = Machine.Run(image);
            ProcessRun.AssertMet(image, run);
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.OomKilled));
            Assert.That(run.Processes[0].OomKilled, Is.True);
        }

        [Test]
        public void Report_Linux61_InTheKernelsOrder_WithTheCallChainFromTheFault()
        {
            var run = ProcessRun.Example("oom-kill.kdsl");
            FaultRun.AssertInOrder(run,
                "hog invoked oom-killer: gfp_mask=0x140dca\\(GFP_HIGHUSER_MOVABLE\\|__GFP_COMP\\|__GFP_ZERO\\), order=0, oom_score_adj=0",
                "=CPU: 0 PID: \\d+ Comm: hog Not tainted 6\\.1\\.0-56-amd64 #1  Debian 6\\.1\\.192-2",
                "=Hardware name: .*",
                "=Call Trace:",
                "= <TASK>",
                // dump_stack's trace, read off the task stack: every frame of the path is a reliable return address.
                "= dump_stack_lvl\\+0x[0-9a-f]+/0x[0-9a-f]+",
                Frame("dump_header"), Frame("oom_kill_process"), Frame("out_of_memory"), Frame("__alloc_pages_slowpath.constprop.0"),
                Frame("__alloc_pages"), Frame("__folio_alloc"), Frame("vma_alloc_folio"), Frame("__handle_mm_fault"), Frame("handle_mm_fault"),
                Frame("do_user_addr_fault"), Frame("exc_page_fault"), Frame("asm_exc_page_fault"),
                // The user registers the fault saved: orig_ax is -1 after the entry ("no syscall to restart").
                "=RIP: 0033:0x401[0-9a-f]+",
                "=Code: .*",
                "=RSP: 002b:[0-9a-f]{16} EFLAGS: [0-9a-f]{8}",
                " </TASK>",
                "=Mem-Info:",
                "=active_anon:0 inactive_anon:\\d+ isolated_anon:0",
                " sec_pagetables:0 bounce:0",
                "= kernel_misc_reclaimable:0",
                "= free:0 free_pcp:0 free_cma:0",
                "=4096 pages RAM", // 16 MiB of 4 KiB pages
                "=0 pages HighMem/MovableOnly",
                "=1 pages reserved",
                "=Tasks state \\(memory values in pages\\):",
                "=\\[  pid  \\]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
                "=\\[ +\\d+\\] +0 +\\d+ +\\d+ +\\d+ +\\d+ +0 +0 hog",
                "=oom-kill:constraint=CONSTRAINT_NONE,nodemask=\\(null\\),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=hog,pid=\\d+,uid=0",
                "=Out of memory: Killed process \\d+ \\(hog\\) total-vm:\\d+kB, anon-rss:\\d+kB, file-rss:\\d+kB, shmem-rss:0kB, UID:0 pgtables:\\d+kB oom_score_adj:0");
            Assert.That(FaultRun.Messages(run), Has.None.Contains("ORIG_RAX"));
        }

        private static string Frame(string function) => "= " + Regex.Escape(function) + "\\+0x[0-9a-f]+/0x[0-9a-f]+";

        [Test]
        public void Numbers_AgreeWithTheMappingAndEachOther()
        {
            var run = ProcessRun.Example("oom-kill.kdsl");
            var messages = FaultRun.Messages(run);
            var task = Regex.Match(messages.Single(m => m.EndsWith(" hog")), @"^\[ *(\d+)\] +0 +(\d+) +(\d+) +(\d+) +(\d+)");
            long pid = long.Parse(task.Groups[1].Value), totalVm = long.Parse(task.Groups[3].Value), rss = long.Parse(task.Groups[4].Value);
            long pgtablesBytes = long.Parse(task.Groups[5].Value);
            var kill = Regex.Match(messages.Single(m => m.StartsWith("Out of memory")),
                @"Killed process (\d+) \(hog\) total-vm:(\d+)kB, anon-rss:(\d+)kB, file-rss:(\d+)kB, shmem-rss:0kB, UID:0 pgtables:(\d+)kB");
            Assert.That(long.Parse(kill.Groups[1].Value), Is.EqualTo(pid));
            Assert.That(pid, Is.EqualTo(run.Processes[0].Pid));
            // total_vm: the 32 MiB mapping (8192 pages), the 8 MiB stack VMA (2048), and the program image: header,
            // text, rodata and TLS pages (one each for so small a program), and exec's [vvar] (4 pages) and [vdso] (2).
            Assert.That(totalVm, Is.EqualTo(8192 + 2048 + 4 + 6));
            Assert.That(long.Parse(kill.Groups[2].Value), Is.EqualTo(totalVm * 4));
            Assert.That(long.Parse(kill.Groups[3].Value) + long.Parse(kill.Groups[4].Value), Is.EqualTo(rss * 4));
            Assert.That(long.Parse(kill.Groups[5].Value) * 1024, Is.EqualTo(pgtablesBytes));
            // The hog got most of a 16 MiB machine before memory ran out, and never its whole mapping.
            Assert.That(rss, Is.GreaterThan(3500).And.LessThan(4096));
        }

        [Test]
        public void Linux411_ScoreIsBadnessScaledTo1000()
        {
            var run = ProcessRun.Example("oom-kill.kdsl", "linux-4.11", "linux_4_11");
            var messages = FaultRun.Messages(run);
            var task = Regex.Match(messages.Single(m => m.EndsWith(" hog")), @"^\[ *\d+\] +0 +\d+ +\d+ +(\d+) +(\d+) +(\d+) +0 +0 hog$");
            Assert.That(task.Success, Is.True, string.Join("\n", messages));
            long rss = long.Parse(task.Groups[1].Value), ptes = long.Parse(task.Groups[2].Value), pmds = long.Parse(task.Groups[3].Value);
            // oom_badness: rss + nr_ptes + nr_pmds, less 3% for root; select_bad_process: * 1000 / totalpages (4095).
            long points = rss + ptes + pmds;
            points -= points * 3 / 100;
            long score = points * 1000 / 4095;
            Assert.That(messages, Has.One.EqualTo($"Out of memory: Kill process {run.Processes[0].Pid} (hog) score {score} or sacrifice child"));
        }

        [Test]
        public void ASecondProcess_RunsAfterTheOomKill()
        {
            var image = ProcessRun.Image("o.kdsl", "module o \"o\";\nconfig { mem = 16M; }\n" +
                "process hog {\n char *p = mmap(0, 32 * 1024 * 1024, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);\n" +
                " for (long i = 0; i < 32 * 1024 * 1024; i += 4096) p[i] = 1;\n exit(0);\n}\n" +
                "process after {\n char *p = mmap(0, 4 * 1024 * 1024, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);\n" +
                " for (long i = 0; i < 4 * 1024 * 1024; i += 4096) p[i] = 1;\n exit(3);\n}\n");
            var run = Machine.Run(image);
            Assert.That(run.Processes[0].OomKilled, Is.True);
            // exit_mmap gave the hog's frames back: the next process gets its 4 MiB.
            Assert.That(run.Processes[1].ExitStatus, Is.EqualTo(3));
            Assert.That(run.Processes[1].OomKilled, Is.False);
        }

        [TestCase("16M", 16UL << 20)]
        [TestCase("8M", 8UL << 20)]
        [TestCase("1G", 1UL << 30)]
        [TestCase("33554432", 32UL << 20)]
        public void MemConfig_SetsTheMachinesRam(string value, ulong bytes)
        {
            var result = Compiler.Compile("m.kdsl", $"module m \"m\";\nconfig {{ mem = {value}; }}\ninit {{ }}\n");
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            Assert.That(result.Image!.Config.MemorySize, Is.EqualTo(bytes));
            Assert.That(Machine.MemorySizeOf(result.Image.Config), Is.EqualTo(bytes));
        }

        [TestCase("4M")]    // below the 8 MiB the kernel's text, tables and stacks need
        [TestCase("17M")]   // not a whole number of 2 MiB direct-map pages
        [TestCase("8G")]    // above the host-memory cap of one machine
        [TestCase("lots")]
        public void MemConfig_RejectsSizesTheMachineCannotHave(string value)
        {
            var result = Compiler.Compile("m.kdsl", $"module m \"m\";\nconfig {{ mem = {value}; }}\ninit {{ }}\n");
            Assert.That(result.Diagnostics.Any(d => d.Message.Contains("mem")), Is.True, string.Join("\n", result.Diagnostics));
        }
    }
}
