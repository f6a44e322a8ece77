using System.Linq;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.StackModels
{
    /// <summary>
    /// What a thread finds on a stack it got from cached_stacks. v4.11 kernel/fork.c alloc_thread_stack_node:
    ///   struct vm_struct *s = this_cpu_read(cached_stacks[i]); if (!s) continue; this_cpu_write(cached_stacks[i], NULL);
    ///   tsk->stack_vm_area = s; local_irq_enable(); return s->addr;
    /// — no clearing. Since "fork: unconditionally clear stack on fork" (4.18):
    ///   /* Clear stale pointers from reused stack. */ memset(s->addr, 0, THREAD_SIZE);
    /// The first thread fills a deep local array and exits; the third, on the same cached stack, reads the array's
    /// first byte without initialising it (4.11 and 5.10 do not zero locals: no CONFIG_INIT_STACK_ALL_ZERO). A woken
    /// thread runs when its creator next sleeps, after the next thread's stack exists (two_threads on the real kernels):
    /// the first thread exits inside init's second kthread_run, so its stack is cached when the third is made.
    /// </summary>
    [TestFixture]
    public class ReusedStackTests
    {
        private const string Source =
            "module stale \"stale\";\n" +
            "void idle(long n) { }\n" +
            "void t(long n) {\n" +
            "  char buf[1024];\n" +
            "  if (n == 0) {\n" +
            "    for (int i = 0; i < 1024; i++) buf[i] = 'Z';\n" +
            "  } else {\n" +
            "    printk(\"stale %d\\n\", buf[0]);\n" +
            "  }\n" +
            "}\n" +
            "init {\n  kthread_run(t, 0);\n  kthread_run(idle, 0);\n  kthread_run(t, 1);\n}\n";

        [TestCase("linux-4.11", "stale 90")] // 'Z': the first thread's data
        [TestCase("linux-5.10", "stale 0")]
        public void ThirdThreadOnTheCachedStack(string profile, string expected)
        {
            var run = StackModelRun.Run(Source, ("profile", profile));
            Assert.That(run.Counter("stack_cache_hits"), Is.EqualTo(1), "the third thread takes the first one's stack");
            Assert.That(run.KernelThreads[2].Stack, Is.EqualTo(run.KernelThreads[0].Stack));
            Assert.That(StackModelRun.Messages(run).Where(l => l.StartsWith("stale ")), Is.EqualTo(new[] { expected }));
        }
    }
}
