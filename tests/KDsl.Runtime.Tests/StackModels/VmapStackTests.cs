using System.Linq;
using KDsl.Runtime.Tests.Experiments;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.StackModels
{
    /// <summary>
    /// CONFIG_VMAP_STACK on and off on the same source (seeds 001, 003; kernel-reference §1.2–1.5): with it the
    /// overflow stops at the guard page; without it the stack is direct-mapped with nothing below, the recursion runs
    /// on and only CONFIG_SCHED_STACK_END_CHECK's look at STACK_END_MAGIC (at the task's last schedule) notices.
    /// </summary>
    [TestFixture]
    public class VmapStackTests
    {
        [Test]
        public void Step5_StopsAtTheGuardPageWithVmap_AndRunsAllLevelsWithout()
        {
            string source = Step5.Source(4096);
            var on = StackModelRun.Run(source);
            var off = StackModelRun.Run(source, ("vmap_stack", "off"));

            Assert.That(on.Oops?.Kind, Is.EqualTo("stack_guard"), on.Dmesg);
            Assert.That(Step5.BufferAddresses(on), Has.Count.EqualTo(3));

            // rstack(100): 101 levels, each 4120 bytes lower, none faulting: the last ones far below the 16 KB stack.
            var addresses = Step5.BufferAddresses(off);
            Assert.That(addresses, Has.Count.EqualTo(101), off.Dmesg);
            Assert.That(addresses.Zip(addresses.Skip(1), (a, b) => a - b), Is.All.EqualTo(4120UL));
            Assert.That(off.Oops, Is.Null, off.Dmesg);
            Assert.That(off.Outcome, Is.EqualTo(RunOutcome.Completed));
            Assert.That(off.InitReturn, Is.EqualTo(0));
            // Direct-mapped: the buffers' addresses are in the direct map, not the vmalloc range.
            Assert.That(addresses[0] >> 40, Is.EqualTo(0xffff88UL));
            Assert.That(off.StackHighWater, Is.GreaterThan(100 * 4120), "the deepest use went far below THREAD_SIZE");
        }

        [Test]
        public void SchedStackEndCheck_PanicsAtTheLastSchedule()
        {
            var run = StackModelRun.Run(Step5.Source(4096), ("vmap_stack", "off"), ("sched_stack_end_check", "on"));
            var messages = StackModelRun.Messages(run).ToList();
            Assert.That(Step5.BufferAddresses(run), Has.Count.EqualTo(101), "the check only runs once the task schedules");
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Panic));
            // kernel/sched/core.c schedule_debug: panic("corrupted stack end detected inside scheduler\n").
            Assert.That(messages, Does.Contain("Kernel panic - not syncing: corrupted stack end detected inside scheduler"));
            // panic's dump_stack shows the way there: __schedule ← do_task_dead ← do_exit.
            int schedule = messages.FindIndex(m => m.StartsWith(" __schedule+"));
            Assert.That(schedule, Is.GreaterThan(0), run.Dmesg);
            Assert.That(messages[schedule + 1], Does.StartWith(" do_task_dead+"));
            Assert.That(messages[schedule + 2], Does.StartWith(" do_exit+"));
        }

        [Test]
        public void SchedStackEndCheck_IsQuietWhenTheStackEndIsIntact()
        {
            // Two levels fit in 16 KB: STACK_END_MAGIC survives and schedule() finds nothing.
            var run = StackModelRun.Run(Step5.Source(4096).Replace("rstack(100)", "rstack(1)"),
                ("vmap_stack", "off"), ("sched_stack_end_check", "on"));
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Completed), run.Dmesg);
            Assert.That(run.Dmesg, Does.Not.Contain("Kernel panic"));
        }

        [Test]
        public void TheOverflowFillsThePageKmallocedJustBelowTheStack()
        {
            var run = StackModelRun.Run(StackModelRun.Example("stack-overflow-no-vmap.kdsl"), ("sched_stack_end_check", "off"));
            var messages = StackModelRun.Messages(run).ToList();
            ulong victim = System.Convert.ToUInt64(messages.Single(m => m.StartsWith("victim page at ")).Substring(15), 16);
            var buffers = Step5.BufferAddresses(run);
            Assert.That(buffers, Has.Count.EqualTo(5));
            // The victim page is the one physically (and in the direct map) right below the 16 KB stack, whose bottom
            // lies between the 4th and 5th buffers.
            ulong stackBottom = victim + 4096;
            Assert.That(buffers[3], Is.LessThan(stackBottom));
            Assert.That(buffers[4] + 4096, Is.GreaterThan(victim));
            // Every byte of the victim page lies in a buffer but the 24 bytes of the 5th frame above its buffer (rstack's
            // frame is 4096 + 24: return address, saved rbx, alignment): 4096 - 24 bytes become 'Z'.
            Assert.That(buffers[3] - (buffers[4] + 4096), Is.EqualTo(24UL));
            Assert.That(messages, Does.Contain("victim page: 4072 of 4096 bytes overwritten"));
            Assert.That(run.Oops, Is.Null);
        }

        [Test]
        public void ThreadInfoOnTheStack_PutsTheMagicAboveIt()
        {
            // Before 4.9, end_of_stack() is the first long above thread_info (40 bytes on x86-64): an overflow that stops
            // 8 bytes short of the bottom still overwrites the magic there, while with thread_info in task_struct the
            // magic is at the very bottom and survives.
            string source = "module ti \"ti\";\n" +
                "init { long here = 0; char *p = (char *)((long)&here & ~16383L); for (int i = 8; i < 48; i++) p[i] = 'x'; }\n";
            var inTask = StackModelRun.Run(source, ("vmap_stack", "off"), ("sched_stack_end_check", "on"));
            var onStack = StackModelRun.Run(source, ("vmap_stack", "off"), ("sched_stack_end_check", "on"), ("thread_info", "stack"));
            Assert.That(inTask.Outcome, Is.EqualTo(RunOutcome.Completed), inTask.Dmesg);
            Assert.That(onStack.Outcome, Is.EqualTo(RunOutcome.Panic), onStack.Dmesg);
        }
    
        [Test]
        public void APageFaultAfterTheOverflow_SaysTheThreadOverranItsStack()
        {
            // The overflow went unnoticed; the next oops checks STACK_END_MAGIC after show_fault_oops, before "Oops:".
            string source = Step5.Source(4096).Replace("rstack(100);", "rstack(4); *(long *)0 = 1;");
            var run = StackModelRun.Run(source, ("vmap_stack", "off"));
            var messages = StackModelRun.Messages(run).ToList();
            int overran = messages.IndexOf("Thread overran stack, or stack corrupted");
            Assert.That(overran, Is.GreaterThan(0), run.Dmesg);
            Assert.That(messages[overran + 1], Does.StartWith("Oops: 0002 [#1]"));
            Assert.That(messages[overran - 1], Does.StartWith("PGD 0"));

            var intact = StackModelRun.Run(Step5.Source(4096).Replace("rstack(100);", "rstack(1); *(long *)0 = 1;"), ("vmap_stack", "off"));
            Assert.That(intact.Oops?.Kind, Is.EqualTo("page_fault"));
            Assert.That(intact.Dmesg, Does.Not.Contain("Thread overran stack"));
        }
    
        // 552 bytes in use when init calls rstack on linux-6.1 and 4120 bytes a level (real-kernel/README): the levels that
        // fit in THREAD_SIZE are (THREAD_SIZE - 552) / 4120, rounded down: 1 in 8 KB, 3 in 16 KB, 7 in KASAN's 32 KB.
        [TestCase("8K", 1)]
        [TestCase("16K", 3)]
        [TestCase("32K", 7)]
        public void WithoutVmap_TheEndCheckFiresExactlyWhenTheLevelsNoLongerFit(string threadSize, int fitting)
        {
            RunResult Levels(int levels) => StackModelRun.Run(Step5.Source(4096).Replace("rstack(100);", $"rstack({levels - 1});"),
                ("vmap_stack", "off"), ("sched_stack_end_check", "on"), ("thread_size", threadSize));
            var fits = Levels(fitting);
            var overflows = Levels(fitting + 1);
            Assert.That(fits.Outcome, Is.EqualTo(RunOutcome.Completed), fits.Dmesg);
            Assert.That(overflows.Outcome, Is.EqualTo(RunOutcome.Panic), overflows.Dmesg);
            Assert.That(overflows.Dmesg, Does.Contain("corrupted stack end detected inside scheduler"));
        }
    }
}
