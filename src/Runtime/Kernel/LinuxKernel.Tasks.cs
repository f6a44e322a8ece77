using System.Collections.Generic;
using KDsl.Runtime.Cpu;

using KDsl.Profiles;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// Kernel threads and the end of a task: kthread_run (kthread_create_on_node + wake_up_process), do_exit's last
    /// schedule() with CONFIG_SCHED_STACK_END_CHECK's schedule_debug, and put_task_stack giving the stack back.
    /// KDsl has one CPU and no preemption: a new kernel thread runs until it exits before kthread_run returns to its
    /// creator; both run in the one RunUntilDone loop, so threads creating threads cost no host stack.
    /// </summary>
    public sealed partial class LinuxKernel
    {
        /// <summary>panic()'s message in schedule_debug (kernel/sched/core.c).</summary>
        public const string CorruptedStackEnd = "corrupted stack end detected inside scheduler\n";
        /// <summary>TASK_COMM_LEN - 1: the longest comm.</summary>
        private const int MaxComm = 15;

        private const long EAGAIN = 11;
        private readonly List<TaskStruct> _kernelThreads = new List<TaskStruct>();

        /// <summary>
        /// kernel/fork.c set_max_threads: the tasks whose stacks would take an eighth of RAM, totalram * PAGE_SIZE /
        /// (THREAD_SIZE * 8), at least MIN_THREADS (20): 512 for 64 MB and 16 KB stacks.
        /// </summary>
        private long MaxThreads => System.Math.Max(20L, (long)(Memory.Size / ((ulong)Config.ThreadSize * 8)));
        private int _lastPid;
        private int _processCount;
        /// <summary>Tasks waiting in kthread_run for the thread they created, the innermost on top.</summary>
        private readonly Stack<SuspendedCreator> _creators = new Stack<SuspendedCreator>();

        /// <summary>The kernel threads kthread_run created, in order (their stacks are freed; the records stay).</summary>
        public IReadOnlyList<TaskStruct> KernelThreads => _kernelThreads;

        /// <summary>
        /// The pids of a run, as the tasks would be numbered: insmod the profile's, the `later` kworker the next, the file's
        /// processes after it (in order), the kernel threads kthread_run creates after those.
        /// </summary>
        private int LaterPid => Profile.InsmodPid + 1;
        private int ProcessPid(int index) => Profile.InsmodPid + 2 + index;
        private int AllocKernelThreadPid()
        {
            if (_lastPid == 0) _lastPid = ProcessPid(_processCount) - 1;
            return ++_lastPid;
        }

        /// <summary>
        /// kthread_run(threadfn, data) at kthread_create_on_node's entry: copy_process (the stack from
        /// alloc_thread_stack_node), then the CPU switches to the new thread: ret_from_fork → kthread → threadfn(data) →
        /// do_exit. Its creator waits (<see cref="_creators"/>) and gets the pid in RAX when the thread has ended, or
        /// -ENOMEM at once when no stack could be allocated (the ERR_PTR kthread_run returns).
        /// </summary>
        private void KthreadCreateOnNode()
        {
            ulong threadfn = Cpu[Reg.Rdi], data = Cpu[Reg.Rsi];
            string comm = Kallsyms.TryFindFunction(threadfn, out var f) ? f.Name : "kthread";
            if (comm.Length > MaxComm) comm = comm.Substring(0, MaxComm);
            // copy_process: "if (nr_threads >= max_threads) goto bad_fork_cleanup_count" with -EAGAIN (checked here before the
            // stack is allocated, not after). The live tasks are insmod and the threads waiting for the ones they created:
            // KDsl boots none of a real system's other tasks.
            if (1 + _creators.Count >= MaxThreads)
            {
                Cpu[Reg.Rax] = unchecked((ulong)-EAGAIN);
                return;
            }
            var task = TryCreateTask(AllocKernelThreadPid(), comm, kernelThread: true);
            if (task is null)
            {
                Cpu[Reg.Rax] = unchecked((ulong)-ENOMEM);
                return;
            }
            _kernelThreads.Add(task);

            var creator = new SuspendedCreator(Current, task, Cpu.Gpr.ToArray(), Cpu.Rip, Cpu.Rflags, Cpu.LowestRsp);
            _creators.Push(creator);
            Cpu.LowestRsp = ulong.MaxValue;
            StartThread(task, threadfn, data);
            _watchdogTouchNs = Log.NowNs; // the switch let the watchdog thread run
        }

        /// <summary>
        /// The running kernel thread ended (do_exit's schedule, or an oops killed it): finish_task_switch puts its stack and
        /// task_struct, and its creator continues after kthread_run with the pid. False when no creator waits or the
        /// machine stopped.
        /// </summary>
        private bool ResumeCreator()
        {
            if (_creators.Count == 0) return false;
            if (_halted)
            {
                _creators.Clear();
                return false;
            }
            var creator = _creators.Pop();
            var child = creator.Child;
            child.StackHighWater = StackUsage.HighWaterMark(child, Cpu.LowestRsp);
            Stacks.FreeThreadStack(child);
            Memory.FreePage(child.Address - Profile.DirectMapBase);

            Current = creator.Task;
            new System.ReadOnlySpan<ulong>(creator.Gpr).CopyTo(Cpu.Gpr);
            Cpu.Cs = Selectors.KernelCs;
            Cpu.Ss = Selectors.KernelDs;
            Cpu.Rip = creator.Rip;
            Cpu.Rflags = creator.Rflags;
            Cpu.LowestRsp = creator.LowestRsp;
            Cpu[Reg.Rax] = (ulong)child.Pid;
            _finished = false;
            return true;
        }

        /// <summary>One CPU, no preemption: a thread the watchdog found stuck keeps the CPU for good; its creators never resume.</summary>
        private void AbandonCreators()
        {
            if (_creators.Count == 0) return;
            Current.StackHighWater = StackUsage.HighWaterMark(Current, Cpu.LowestRsp);
            _creators.Clear();
            _halted = true;
        }

        /// <summary>A task waiting in kthread_run for the thread it created, with the registers it resumes with.</summary>
        private sealed class SuspendedCreator
        {
            public SuspendedCreator(TaskStruct task, TaskStruct child, ulong[] gpr, ulong rip, ulong rflags, ulong lowestRsp)
            {
                Task = task;
                Child = child;
                Gpr = gpr;
                Rip = rip;
                Rflags = rflags;
                LowestRsp = lowestRsp;
            }

            public TaskStruct Task { get; }
            public TaskStruct Child { get; }
            public ulong[] Gpr { get; }
            public ulong Rip { get; }
            public ulong Rflags { get; }
            public ulong LowestRsp { get; }
        }

        /// <summary>
        /// __schedule's entry for a dead task: schedule_debug(prev) first. With CONFIG_SCHED_STACK_END_CHECK a
        /// corrupted STACK_END_MAGIC panics from here (a call of panic, so its dump_stack shows __schedule ← do_task_dead
        /// ← do_exit); otherwise the CPU switches away and the task never runs again.
        /// </summary>
        private void ScheduleDebug()
        {
            if (Config.SchedStackEndCheck && Stacks.TaskStackEndCorrupted(Current))
            {
                _pendingPanic = CorruptedStackEnd;
                Cpu.Rsp -= 8;
                Mmu.TryWriteU64(Cpu.Rsp, Cpu.Rip);
                Cpu.Rip = Kallsyms.AddressOf("panic");
                return;
            }
            _finished = true;
        }

        /// <summary>
        /// do_exit of a task whose end KDsl does not otherwise run on the CPU (insmod after finit_module, or after its
        /// oops killed it): only when schedule_debug would panic does the CPU run do_exit, so the report comes from there.
        /// </summary>
        private void DoExit(TaskStruct task)
        {
            if (_halted || !Config.SchedStackEndCheck || !Stacks.TaskStackEndCorrupted(task)) return;
            StartOnStack(task, Kallsyms.AddressOf("do_exit"));
            RunUntilDone();
        }

        /// <summary>Makes <paramref name="task"/> current and points the CPU at <paramref name="rip"/> in kernel mode, RSP just
        /// below the pt_regs at its stack's top, interrupts on: how a new kernel thread (copy_thread) or an exit path starts.</summary>
        /// <summary>
        /// A new kernel thread (copy_thread's frame): on a recorded kernel it starts in threadfn on the stack the real
        /// ret_from_fork and kthread leave; otherwise at the modelled ret_from_fork, with threadfn in RDI and data in RSI.
        /// </summary>
        private void StartThread(TaskStruct task, ulong threadfn, ulong data)
        {
            if (KernelFootprint.For(Profile.Name) is { ThreadWords.Count: > 0 } recorded)
            {
                EnterThreadAsRecorded(recorded, task, threadfn, data);
                return;
            }
            StartOnStack(task, Kallsyms.AddressOf("ret_from_fork"));
            Cpu[Reg.Rdi] = threadfn;
            Cpu[Reg.Rsi] = data;
        }

        private void StartOnStack(TaskStruct task, ulong rip)
        {
            Current = task;
            Cpu.Cs = Selectors.KernelCs;
            Cpu.Ss = Selectors.KernelDs;
            Cpu.Rsp = task.StackTop - Profiles.KernelProfile.PtRegsSize;
            Cpu.Rflags = 0x202;
            Cpu.Rip = rip;
            _finished = false;
        }
    }
}
