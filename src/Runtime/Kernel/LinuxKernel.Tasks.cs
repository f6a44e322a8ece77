using System.Collections.Generic;
using KDsl.Runtime.Cpu;
using KDsl.Runtime.Kernel.Printk;

using KDsl.Profiles;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// Kernel threads and the end of a task: kthread_run's kthread_create_on_node and wake_up_process, the switches between
    /// tasks in the order the real kernels run them (<see cref="Sched.RunQueue"/>), do_exit's last schedule() with
    /// CONFIG_SCHED_STACK_END_CHECK's schedule_debug, and put_task_stack giving the stack back. All tasks run in the one
    /// RunUntilDone loop, so threads creating threads cost no host stack.
    /// </summary>
    public sealed partial class LinuxKernel
    {
        /// <summary>panic()'s message in schedule_debug (kernel/sched/core.c).</summary>
        public const string CorruptedStackEnd = "corrupted stack end detected inside scheduler\n";
        /// <summary>TASK_COMM_LEN - 1: the longest comm.</summary>
        private const int MaxComm = 15;

        private const long EAGAIN = 11;
        private readonly List<TaskStruct> _kernelThreads = new List<TaskStruct>();
        private readonly Sched.RunQueue _runQueue = new Sched.RunQueue();
        /// <summary>The task whose syscall or work returned (insmod, the kworker) while woken threads still had to run,
        /// with its stack's low-water mark; it is current again when they are done.</summary>
        private TaskStruct? _returned;
        private ulong _returnedLowestRsp;

        /// <summary>
        /// kernel/fork.c set_max_threads: the tasks whose stacks would take an eighth of RAM, totalram * PAGE_SIZE /
        /// (THREAD_SIZE * 8), at least MIN_THREADS (20): 512 for 64 MB and 16 KB stacks.
        /// </summary>
        private long MaxThreads => System.Math.Max(20L, (long)(Memory.Size / ((ulong)Config.ThreadSize * 8)));
        private int _lastPid;
        private int _processCount;

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
        /// kthread_create_on_node(threadfn, data, node, namefmt, ...), the first half of kthread_run: copy_process makes the
        /// task (the stack from alloc_thread_stack_node) while the creator sleeps in wait_for_completion, so the threads
        /// woken before run now; then the creator gets the new task_struct in RAX, the thread not yet runnable
        /// (kthread_run's wake_up_process makes it so). ERR_PTR(-ENOMEM) at once when no stack could be allocated,
        /// ERR_PTR(-EAGAIN) past max_threads. The comm is namefmt formatted with the arguments after it, as set_task_comm
        /// takes vsnprintf's TASK_COMM_LEN bytes.
        /// </summary>
        private void KthreadCreateOnNode()
        {
            ulong threadfn = Cpu[Reg.Rdi], data = Cpu[Reg.Rsi];
            string comm = Mmu.TryReadCString(Cpu[Reg.Rcx], 1024, out string namefmt)
                ? Vsnprintf.Format(namefmt, new GuestVarargs(new[] { Cpu[Reg.R8], Cpu[Reg.R9] }, Cpu.Rsp + 8, Mmu), Vsprintf, MaxComm + 1)
                : "";
            // copy_process: "if (nr_threads >= max_threads) goto bad_fork_cleanup_count" with -EAGAIN (checked here before the
            // stack is allocated, not after). The live tasks are insmod and the threads not yet exited: KDsl boots none of a
            // real system's other tasks.
            if (1 + _runQueue.LiveThreads >= MaxThreads)
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
            _runQueue.Forked(task);
            _runQueue.Sleep(new Sched.SleepingCreator(Current, new Sched.KthreadCreateInfo(task, threadfn, data),
                Cpu.Gpr.ToArray(), Cpu.Rip, Cpu.Rflags, Cpu.LowestRsp));
            SwitchToNext();
        }

        /// <summary>
        /// wake_up_process(p): a thread kthread_create_on_node made and nobody woke yet becomes runnable (it runs when the
        /// CPU is next free) and the call returns 1; any other task is running or runnable already: 0, as try_to_wake_up
        /// returns when the task's state does not match.
        /// </summary>
        private bool WakeUpProcess(ulong task) => _runQueue.TryWake(task);

        /// <summary>
        /// The running task stopped running on this CPU: a kernel thread ended (do_exit's schedule, or an oops killed it),
        /// and finish_task_switch puts its stack and task_struct; or insmod's syscall (the kworker's work) returned, and the
        /// threads it woke run before it goes on. False when nothing else runs (the returned task is current again) or the
        /// machine stopped.
        /// </summary>
        private bool Schedule()
        {
            if (_halted)
            {
                _runQueue.Abandon();
                return false;
            }
            if (_runQueue.IsThread(Current)) ReleaseThread(Current);
            else if (_returned is null)
            {
                _returned = Current;
                _returnedLowestRsp = Cpu.LowestRsp;
            }
            if (SwitchToNext()) return true;
            if (_returned is { } task)
            {
                Current = task;
                Cpu.LowestRsp = _returnedLowestRsp;
                _returned = null;
            }
            return false;
        }

        /// <summary>
        /// context_switch to the next task: a woken thread starts, else the latest creator asleep in kthread_create_on_node
        /// resumes after it, its new thread's task_struct in RAX (to be woken). False when no task is waiting for the CPU.
        /// </summary>
        private bool SwitchToNext()
        {
            if (_runQueue.TryPickWoken(out var thread))
            {
                Cpu.LowestRsp = ulong.MaxValue;
                StartThread(thread.Task, thread.Threadfn, thread.Data);
            }
            else if (_runQueue.TryPickSleeper(out var creator))
            {
                Current = creator.Task;
                new System.ReadOnlySpan<ulong>(creator.Gpr).CopyTo(Cpu.Gpr);
                Cpu.Cs = Selectors.KernelCs;
                Cpu.Ss = Selectors.KernelDs;
                Cpu.Rip = creator.Rip;
                Cpu.Rflags = creator.Rflags;
                Cpu.LowestRsp = creator.LowestRsp;
                Cpu[Reg.Rax] = creator.Child.Task.Address;
                _runQueue.Created(creator.Child);
            }
            else return false;
            _finished = false;
            TouchSoftlockupWatchdog(); // the switch let the watchdog's thread run
            return true;
        }

        /// <summary>A kernel thread is gone: its stack's high-water mark is kept, its stack and task_struct are freed.</summary>
        private void ReleaseThread(TaskStruct thread)
        {
            thread.StackHighWater = StackUsage.HighWaterMark(thread, Cpu.LowestRsp);
            Stacks.FreeThreadStack(thread);
            Memory.ReleasePages(thread.Address - Profile.DirectMapBase, 0);
            _runQueue.Exited(thread);
        }

        /// <summary>One CPU, no preemption: a task the watchdog found stuck keeps the CPU for good; no other task waiting for it
        /// runs again (a stuck insmod alone ends only its own run).</summary>
        private void AbandonOtherTasks()
        {
            if (!_runQueue.AnyWaiting && _returned is null) return;
            Current.StackHighWater = StackUsage.HighWaterMark(Current, Cpu.LowestRsp);
            _runQueue.Abandon();
            _returned = null;
            _halted = true;
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

        /// <summary>Makes <paramref name="task"/> current and points the CPU at <paramref name="rip"/> in kernel mode, RSP just
        /// below the pt_regs at its stack's top, interrupts on: how a new kernel thread (copy_thread) or an exit path starts.</summary>
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
