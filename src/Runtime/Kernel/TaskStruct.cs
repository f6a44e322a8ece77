using KDsl.Runtime.Kernel.Mm;

namespace KDsl.Runtime.Kernel
{
    /// <summary>The parts of task_struct an experiment shows: identity and the kernel stack.</summary>
    public sealed class TaskStruct
    {
        public TaskStruct(int pid, string comm, ulong address, ulong stack, int threadSize, bool kernelThread = false, VmArea? stackVmArea = null)
        {
            KernelThread = kernelThread;
            Pid = pid;
            Comm = comm;
            Address = address;
            Stack = stack;
            ThreadSize = threadSize;
            StackVmArea = stackVmArea;
        }

        public int Pid { get; }
        public string Comm { get; }
        /// <summary>Where the task_struct lives (a direct-map address, as slab objects do).</summary>
        public ulong Address { get; }
        /// <summary>task_stack_page(): the lowest address of the stack.</summary>
        public ulong Stack { get; }
        public int ThreadSize { get; }
        /// <summary>One past the highest stack address; pt_regs sit just below it.</summary>
        public ulong StackTop => Stack + (ulong)ThreadSize;
        /// <summary>tsk->stack_vm_area: the vmalloc area of a CONFIG_VMAP_STACK stack, null for a direct-mapped one.</summary>
        public VmArea? StackVmArea { get; }

        /// <summary>PF_KTHREAD: no user space, so its pt_regs are never printed in a trace.</summary>
        public bool KernelThread { get; }
        /// <summary>The signal make_task_dead killed the task with (SIGKILL 9 after a page-fault oops, SIGSEGV 11 after die()), or 0.</summary>
        public int ExitSignal { get; set; }

        /// <summary>The deepest use of the stack in bytes when the task ended (kernel threads; see <see cref="StackUsage"/>).</summary>
        public int StackHighWater { get; set; }

        public bool OnStack(ulong address) => address >= Stack && address < StackTop;
    }
}
