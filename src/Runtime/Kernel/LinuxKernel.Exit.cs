using KDsl.Image;
using KDsl.Profiles;
using KDsl.Runtime.Cpu;
using KDsl.Runtime.Kernel.Oops;
using KDsl.Runtime.Kernel.Printk;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// oops_end's two endings (kernel/exit.c make_task_dead, kernel/panic.c panic) and what happens after insmod:
    /// the module's state and the experiment's `later` work, run by a kernel thread of its own.
    /// </summary>
    public sealed partial class LinuxKernel
    {
        public const int SigKill = 9;
        public const int SigSegv = 11;

        /// <summary>The machine stopped (panic, triple fault): nothing runs any more.</summary>
        private bool _halted;
        /// <summary>enum module_state as module_flags shows it: COMING while init runs (and forever if init oopsed).</summary>
        private ModuleState _moduleState = ModuleState.Coming;
        /// <summary>init returned an error: do_init_module freed the module, so there is nothing left to run.</summary>
        private bool _moduleFreed;

        /// <summary>The task that ran last: insmod, or the kernel thread of the `later` block.</summary>
        public TaskStruct? LaterTask { get; private set; }
        /// <summary>insmod's task (it stays <see cref="Current"/> until a `later` block runs).</summary>
        public TaskStruct? InsmodTask { get; private set; }

        /// <summary>
        /// oops_end after the report: in interrupt context (the #DF handler) "Fatal exception in interrupt", with
        /// panic_on_oops "Fatal exception"; otherwise the task is killed (make_task_dead) and the system goes on.
        /// <paramref name="irqsDisabled"/>: the state raw_local_irq_restore(flags) gives back, oops_begin's.
        /// </summary>
        private void OopsEnd(bool inInterrupt, int signal, bool irqsDisabled)
        {
            if (inInterrupt)
                Panic(OopsPrinter.OopsEndPanicMessage(inInterrupt: true), inNmi: true); // #DF and int3 run NMI-like
            else if (Config.PanicOnOops)
                Panic(OopsPrinter.OopsEndPanicMessage(inInterrupt: false));
            else
                MakeTaskDead(signal, irqsDisabled);
        }

        /// <summary>
        /// make_task_dead → do_exit(signr): the task never returns to where it faulted. The CPU stops running it;
        /// insmod's finit_module never returns, so its module stays COMING ("(OE+)" in every later oops). 6.1 first
        /// notes and fixes an interrupt state the oops left disabled: <c>if (unlikely(irqs_disabled())) {
        /// pr_info("note: %s[%d] exited with irqs disabled\n", current->comm, task_pid_nr(current));
        /// local_irq_enable(); }</c>. KDsl's oopses run with preempt_count 0, so the preempt_count note never follows.
        /// </summary>
        private void MakeTaskDead(int signal, bool irqsDisabled)
        {
            if (irqsDisabled && Profile.NotesIrqsDisabledAtExit)
                Printk(Vsnprintf.Sprintf(Vsprintf, "note: %s[%d] exited with irqs disabled\n", Current.Comm, (long)Current.Pid));
            if (_driverCall is { Path: DriverSyscallPath.ReleaseOnExit } exiting)
            {
                // the task was in do_exit already (PF_EXITING): make_task_dead's recursive fault. The task dies as
                // EXIT_DEAD, never reported to its parent, which waits for it for ever (6.1, checked with kdsl oracle)
                Printk("Fixing recursive fault but reboot is needed!\n");
                exiting.Process.DiedInExit = true;
            }
            Current.ExitSignal = signal;
            if (Outcome != RunOutcome.Panic) Outcome = RunOutcome.Oops;
            _finished = true;
        }

        /// <summary>
        /// After insmod: the module is LIVE if init returned 0, freed if it returned an error, and stays COMING if
        /// init died. Then, unless the machine stopped or the module is gone, the `later` block runs.
        /// </summary>
        private void AfterInsmod(ModuleImage image)
        {
            if (_halted || Module is null) return;
            InsmodSignal = Current.ExitSignal;
            if (Current.ExitSignal == 0 && InitReturn is long ret)
            {
                if (ret < 0) _moduleFreed = true;
                else _moduleState = ModuleState.Live;
            }
            DoExit(Current); // insmod exits (or its oops ended it): its last schedule() checks the stack's end
            if (_halted) return;
            if (image.LaterSymbol is null || _moduleFreed) return;
            if (Kallsyms.TryGetAddress(image.LaterSymbol, out ulong later))
                RunLater(later);
        }

        /// <summary>
        /// A kworker runs the `later` block: a fresh task with its own vmalloc'd stack, started as a kernel thread whose
        /// function is worker_thread with the block's address as data, down to process_one_work, which calls it. When it
        /// returns, worker_thread's service ends the task.
        /// </summary>
        private void RunLater(ulong function)
        {
            InsmodTask = Current;
            LaterTask = CreateTask(LaterPid, $"kworker/{Profile.Cpu}:1", kernelThread: true);
            StartThread(LaterTask, Kallsyms.AddressOf("worker_thread"), function); // kthread's threadfn; its work is the block
            RunUntilDone();
        }
    }
}
