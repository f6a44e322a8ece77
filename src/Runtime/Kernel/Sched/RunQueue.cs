using System.Collections.Generic;

namespace KDsl.Runtime.Kernel.Sched
{
    /// <summary>
    /// The one CPU's order of kernel threads, as the real kernels ran them (two_threads on 6.1 and 5.10, tests'
    /// RealKernel logs): kthread_run's new thread is woken when kthread_run returns, but does not preempt its creator;
    /// it runs when the creator next sleeps. The creator sleeps in the next kthread_run (wait_for_completion while
    /// kthreadd makes the next thread: that stack exists before the woken thread runs) or when it leaves the kernel
    /// (init returned, insmod went back to user space). Woken threads run first come, first served; then the most recent
    /// sleeper in kthread_run resumes. CFS's wakeup placement is why: the woken thread's vruntime starts a slice behind
    /// its creator's (START_DEBIT), kthreadd and a creator waking from a completion get the sleeper credit.
    /// </summary>
    public sealed class RunQueue
    {
        private readonly Queue<KthreadCreateInfo> _woken = new Queue<KthreadCreateInfo>();
        private readonly Stack<SleepingCreator> _sleeping = new Stack<SleepingCreator>();
        private readonly HashSet<TaskStruct> _threads = new HashSet<TaskStruct>();
        private readonly List<KthreadCreateInfo> _created = new List<KthreadCreateInfo>();

        /// <summary>Kernel threads kthread_run made that have not exited (copy_process's nr_threads, less the boot's tasks).</summary>
        public int LiveThreads => _threads.Count;

        /// <summary>Tasks wait for the CPU: woken threads or creators asleep in kthread_run.</summary>
        public bool AnyWaiting => _woken.Count > 0 || _sleeping.Count > 0;

        /// <summary>Whether <paramref name="task"/> is a live thread kthread_run made (its end frees its stack).</summary>
        public bool IsThread(TaskStruct task) => _threads.Contains(task);

        /// <summary>copy_process made the thread: it is live, not yet runnable.</summary>
        public void Forked(TaskStruct task) => _threads.Add(task);

        /// <summary>The thread's last schedule(): it is gone.</summary>
        public void Exited(TaskStruct task) => _threads.Remove(task);

        /// <summary>kthread_create_on_node returned the thread: it waits (TASK_UNINTERRUPTIBLE in kthread) to be woken.</summary>
        public void Created(KthreadCreateInfo thread) => _created.Add(thread);

        /// <summary>wake_up_process: a created thread not yet woken runs when the CPU is next free; false for any other task.</summary>
        public bool TryWake(ulong taskAddress)
        {
            int i = _created.FindIndex(c => c.Task.Address == taskAddress);
            if (i < 0) return false;
            _woken.Enqueue(_created[i]);
            _created.RemoveAt(i);
            return true;
        }

        /// <summary>The creator sleeps in kthread_create_on_node until its new thread exists.</summary>
        public void Sleep(SleepingCreator creator) => _sleeping.Push(creator);

        /// <summary>The next task to run: a woken thread first, else the latest creator to sleep.</summary>
        public bool TryPickWoken(out KthreadCreateInfo thread) => _woken.TryDequeue(out thread!);

        public bool TryPickSleeper(out SleepingCreator creator) => _sleeping.TryPop(out creator!);

        /// <summary>The machine stopped, or one task keeps the CPU for good: nobody else runs again.</summary>
        public void Abandon()
        {
            _woken.Clear();
            _sleeping.Clear();
            _created.Clear();
        }
    }

    /// <summary>struct kthread_create_info: the thread and what it will run.</summary>
    public sealed record KthreadCreateInfo(TaskStruct Task, ulong Threadfn, ulong Data);

    /// <summary>
    /// A task asleep in kthread_create_on_node, with the registers it resumes with (switch_to's saved context);
    /// <paramref name="Child"/> is the thread it is making, which kthread_run wakes once it is returned.
    /// </summary>
    public sealed record SleepingCreator(TaskStruct Task, KthreadCreateInfo Child, ulong[] Gpr, ulong Rip, ulong Rflags, ulong LowestRsp);
}
