using System.Linq;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.StackModels
{
    /// <summary>
    /// kernel/fork.c's cached_stacks (NR_CACHED_STACKS = 2, kernel-reference §1.2) on a fork/exit loop of 1000 kernel
    /// threads (examples/fork-exit-stack-cache.kdsl): the seed's "clone() slower by vmalloc" cost and Linus' cache.
    /// </summary>
    [TestFixture]
    public class StackCacheTests
    {
        private static RunResult Run(params (string, string)[] settings) =>
            StackModelRun.Run(StackModelRun.Example("fork-exit-stack-cache.kdsl"), settings);

        [Test]
        public void WithTheCache_VmallocRunsOnlyOnCacheMisses()
        {
            var run = Run();
            Assert.That(run.Dmesg, Does.Contain("forked 1000 threads, 0 failed"));
            // A thread runs while init sleeps in the next kthread_run, after that thread's stack exists (two_threads on the
            // real kernels): insmod's stack and the first two threads' miss the cache; from the third on, each thread takes
            // the stack the one before the previous put back, so two stacks take turns.
            Assert.That(run.Counter("forks"), Is.EqualTo(1001));
            Assert.That(run.Counter("stack_cache_misses"), Is.EqualTo(3));
            Assert.That(run.Counter("stack_cache_hits"), Is.EqualTo(998));
            Assert.That(run.Counter("vmalloc_calls"), Is.LessThanOrEqualTo(run.Counter("stack_cache_misses")));
            Assert.That(run.Counter("vfree_calls"), Is.Zero);
            Assert.That(run.KernelThreads.Select(t => t.Stack).Distinct().Count(), Is.EqualTo(2), "two stacks, taking turns");
        }

        [Test]
        public void WithoutTheCache_EveryForkCallsVmallocAndEveryExitVfree()
        {
            var run = Run(("stack_cache", "off"));
            Assert.That(run.Counter("vmalloc_calls"), Is.EqualTo(1001));
            Assert.That(run.Counter("vfree_calls"), Is.EqualTo(1000));
            // Each vmalloc maps THREAD_SIZE / 4096 = 4 PTEs and each vfree clears them.
            Assert.That(run.Counter("page_table_updates"), Is.EqualTo(1001 * 4 + 1000 * 4));
            Assert.That(run.KernelThreads.Select(t => t.Stack).Distinct().Count(), Is.EqualTo(1000), "vmalloc does not reuse addresses at once");
        }

        [Test]
        public void WithoutVmap_StacksAreOrderTwoBlocksAndVmallocNeverRuns()
        {
            var run = Run(("vmap_stack", "off"));
            Assert.That(run.Counter("vmalloc_calls"), Is.Zero);
            Assert.That(run.Counter("high_order_allocations"), Is.EqualTo(1001));
            Assert.That(run.Counter("stack_cache_hits"), Is.Zero, "the cache is CONFIG_VMAP_STACK's");
            // The page allocator gives the freed block back to the next fork: the threads take turns on two blocks (two
            // threads are alive whenever one is created).
            Assert.That(run.KernelThreads.Select(t => t.Stack).Distinct().Count(), Is.EqualTo(2));
            Assert.That(run.KernelThreads[0].Stack >> 40, Is.EqualTo(0xffff88UL), "in the direct map");
        }

        [Test]
        public void EachThreadRunsOnItsOwnStack_AndAnOopsInOneLeavesTheCreatorRunning()
        {
            var run = StackModelRun.Run("module k \"k\";\n" +
                "void bad(long n) { if (n == 2) *(long *)0 = 1; }\n" +
                "init { for (int i = 0; i < 4; i++) printk(\"thread %ld\\n\", IS_ERR(kthread_run(bad, i))); printk(\"done\\n\"); }\n");
            var messages = StackModelRun.Messages(run).ToList();
            Assert.That(run.Oops?.Kind, Is.EqualTo("page_fault"), run.Dmesg);
            Assert.That(messages, Does.Contain("done"));
            Assert.That(messages.Count(m => m == "thread 0"), Is.EqualTo(4), "kthread_run returned a task, not an ERR_PTR");
            // The oops names the thread: its comm is the thread function's name.
            Assert.That(run.Dmesg, Does.Match(@"Comm: bad "));
        }
    
        [Test]
        public void ThreadsNestAndGetPidsInOrder()
        {
            var run = StackModelRun.Run("module n \"n\";\n" +
                "void leaf(long n) { printk(\"leaf %ld\\n\", n); }\n" +
                "void mid(long n) { kthread_run(leaf, n * 10); printk(\"mid %ld made a child\\n\", n); }\n" +
                "init { kthread_run(mid, 1); printk(\"top made mid 1\\n\"); kthread_run(mid, 2); printk(\"top made mid 2\\n\"); }\n");
            // insmod is 98 on linux-6.1, the `later` kworker would be 99: threads take 100, 101, ... as they are created. A
            // woken thread runs when its creator next sleeps (mid 1 inside init's second kthread_run, after thread 101
            // exists; mid 2 after init returned); the latest sleeper resumes first (mid 1 before init).
            Assert.That(StackModelRun.Messages(run).Skip(2), Is.EqualTo(new[]
            {
                "top made mid 1", "mid 1 made a child", "leaf 10", "top made mid 2", "mid 2 made a child", "leaf 20",
            }), run.Dmesg);
            Assert.That(run.KernelThreads.Select(t => (t.Pid, t.Comm)), Is.EqualTo(new[] { (100, "mid"), (101, "mid"), (102, "leaf"), (103, "leaf") }));
        }

        [Test]
        public void KthreadRunIsTheMacro_ItsValueIsTheTaskStruct()
        {
            // include/linux/kthread.h: kthread_run's value is kthread_create_on_node's task_struct (wake_up_process woke
            // it); include/linux/err.h: IS_ERR is (unsigned long)x >= -4095, PTR_ERR the value as a long.
            var run = StackModelRun.Run("module k \"k\";\n" +
                "void worker(long n) { printk(\"worker %ld\\n\", n); }\n" +
                "init { long t = kthread_run(worker, 5); printk(\"task %lx %d\\n\", t, IS_ERR(t));\n" +
                "  printk(\"err %d %d %d %d %ld\\n\", IS_ERR(-4095), IS_ERR(-4096), IS_ERR(0), IS_ERR(-1), PTR_ERR(-12)); }\n");
            var thread = run.KernelThreads.Single();
            Assert.That(StackModelRun.Messages(run).Skip(2), Is.EqualTo(new[]
            {
                $"task {thread.Address:x} 0", "err 1 0 0 1 -12", "worker 5",
            }), run.Dmesg);
            Assert.That(thread.Comm, Is.EqualTo("worker"), "namefmt: the thread function's name");
        }

        [Test]
        public void AStuckThreadKeepsTheCpu()
        {
            var run = StackModelRun.Run("module s \"s\";\nvoid spin(long n) { for (;;) { } }\n" +
                "init { kthread_run(spin, 0); printk(\"back\\n\"); }\n", 2_000_000);
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.SoftLockup));
            Assert.That(run.Dmesg, Does.Contain("stuck for").And.Contain("[spin:100]"));
            Assert.That(run.Log.Count(l => l.Contains("soft lockup")), Is.EqualTo(1), "nothing runs after it");
            // kthread_run only woke the thread: it ran once init had returned.
            Assert.That(run.Dmesg, Does.Contain("back"));
            Assert.That(run.InitReturn, Is.EqualTo(0));
        }
    
        [Test]
        public void AnEndlessChainOfThreads_EndsQuietlyWhenTheRunsWindowCloses()
        {
            // Each thread makes the next and returns: at most two are alive (the next one runs when its creator has
            // ended), so the chain goes on for ever with no lockup (every switch touches the watchdog) and no -EAGAIN.
            var run = StackModelRun.Run("module s \"s\";\n" +
                "void self(long n) { long t = kthread_run(self, n + 1); if (IS_ERR(t)) printk(\"kthread_run: %ld at depth %ld\\n\", PTR_ERR(t), n); }\n" +
                "init { kthread_run(self, 0); printk(\"back\\n\"); }\n", 2_000_000);
            Assert.That(StackModelRun.Messages(run).Skip(2), Is.EqualTo(new[] { "back" }), run.Dmesg);
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Completed), "init returned; its threads were still running");
            Assert.That(run.Counter("forks"), Is.GreaterThan(100));
            Assert.That(run.Counter("stack_cache_misses"), Is.EqualTo(3), "insmod's and the first two threads': then the cache");
        }

        [Test]
        public void ThreadsThatKeepSleeping_StopAtMaxThreadsWithEagain()
        {
            // Each thread makes two: while it sleeps in its second kthread_run, its first child runs and does the same, so
            // every level of the dive keeps two tasks alive (the sleeper and the child it is making). set_max_threads gives
            // 64 MB / (8 * 16 KB) = 512 tasks: the thread at depth 255 finds 2 * 255 + 1 threads alive (a sleeper and its
            // second child for each level above it, and itself), insmod makes 512, so both its kthread_run calls fail.
            var run = StackModelRun.Run("module s \"s\";\n" +
                "void self(long n) { long a = kthread_run(self, n + 1); long b = kthread_run(self, n + 1);\n" +
                "  if (IS_ERR(a) || IS_ERR(b)) printk(\"kthread_run: %ld %ld at depth %ld\\n\", PTR_ERR(a), PTR_ERR(b), n); }\n" +
                "init { kthread_run(self, 0); printk(\"back\\n\"); }\n", 20_000_000);
            var messages = StackModelRun.Messages(run).Skip(2).ToList();
            Assert.That(messages[0], Is.EqualTo("back"), run.Dmesg);
            Assert.That(messages[1], Is.EqualTo("kthread_run: -11 -11 at depth 255"), run.Dmesg);
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Completed));
        }
    }
}
