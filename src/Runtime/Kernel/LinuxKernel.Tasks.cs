using System.Collections.Generic;
using KDsl.Runtime.Cpu;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// Kernel threads and the end of a task: kthread_run (kthread_create_on_node + wake_up_process), do_exit's last
    /// schedule() with CONFIG_SCHED_STACK_END_CHECK's schedule_debug, and put_task_stack giving the stack back.
    /// KDsl has one CPU and no preemption: a new kernel thread runs until it exits before kthread_run returns.
    /// </summary>
    public sealed partial class LinuxKernel
    {
        /// <summary>panic()'s message in schedule_debug (kernel/sched/core.c).</summary>
        public const string CorruptedStackEnd = "corrupted stack end detected inside scheduler\n";
        /// <summary>TASK_COMM_LEN - 1: the longest comm.</summary>
        private const int MaxComm = 15;

        private readonly List<TaskStruct> _kernelThreads = new List<TaskStruct>();
        private int _lastPid;
        private int _processCount;

        /// <summary>The kernel threads kthread_run created, in order (their stacks are freed; the records stay).</summary>
        public IReadOnlyList<TaskStruct> KernelThreads => _kernelThreads;

        /// <summary>The next pid: after insmod, the `later` kworker (+1) and the file's processes (+2 …).</summary>
        private int AllocPid(int processCount)
        {
            if (_lastPid == 0) _lastPid = Profile.InsmodPid + 1 + processCount;
            return ++_lastPid;
        }

        /// <summary>
        /// kthread_run(threadfn, data) at kthread_create_on_node's entry: copy_process (the stack from
        /// alloc_thread_stack_node), then the thread runs from ret_from_fork → kthread → threadfn(data) → do_exit. Returns
        /// its pid in RAX, or -ENOMEM when no stack could be allocated (the ERR_PTR kthread_run returns).
        /// </summary>
        private void KthreadCreateOnNode()
        {
            ulong threadfn = Cpu[Reg.Rdi], data = Cpu[Reg.Rsi];
            string comm = Kallsyms.TryFindFunction(threadfn, out var f) ? f.Name : "kthread";
            if (comm.Length > MaxComm) comm = comm.Substring(0, MaxComm);
            var task = TryCreateTask(AllocPid(_processCount), comm, kernelThread: true);
            if (task is null)
            {
                Cpu[Reg.Rax] = unchecked((ulong)-ENOMEM);
                return;
            }
            _kernelThreads.Add(task);

            var parent = Current;
            var saved = new ulong[16];
            System.Array.Copy(Cpu.Gpr, saved, 16);
            ulong rip = Cpu.Rip, rflags = Cpu.Rflags, lowestRsp = Cpu.LowestRsp;

            Cpu.LowestRsp = ulong.MaxValue;
            StartOnStack(task, Kallsyms.AddressOf("ret_from_fork"));
            Cpu[Reg.Rdi] = threadfn;
            Cpu[Reg.Rsi] = data;
            RunUntilDone();
            task.StackHighWater = StackUsage.HighWaterMark(task, Cpu.LowestRsp);
            // One CPU, no preemption: a thread the watchdog found stuck keeps the CPU for good, like a panic does.
            if (Outcome == RunOutcome.SoftLockup) _halted = true;
            if (_halted) return; // the machine stopped inside the thread: nothing returns to the parent
            // finish_task_switch → put_task_struct once the dead task is switched away from: its stack, then the task_struct.
            Stacks.FreeThreadStack(task);
            Memory.FreePage(task.Address - Profile.DirectMapBase);

            Current = parent;
            System.Array.Copy(saved, Cpu.Gpr, 16);
            Cpu.Rip = rip;
            Cpu.Rflags = rflags;
            Cpu.LowestRsp = lowestRsp;
            _finished = false;
            Cpu[Reg.Rax] = (ulong)task.Pid;
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
