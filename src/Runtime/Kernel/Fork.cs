using KDsl.Runtime.Kernel.Mm;
using KDsl.Runtime.Memory;

namespace KDsl.Runtime.Kernel
{
    /// <summary>The parts of task_struct an experiment shows: identity and the kernel stack.</summary>
    public sealed class TaskStruct
    {
        public TaskStruct(int pid, string comm, ulong address, ulong stack, int threadSize, bool kernelThread = false)
        {
            KernelThread = kernelThread;
            Pid = pid;
            Comm = comm;
            Address = address;
            Stack = stack;
            ThreadSize = threadSize;
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

        /// <summary>PF_KTHREAD: no user space, so its pt_regs are never printed in a trace.</summary>
        public bool KernelThread { get; }
        /// <summary>The signal make_task_dead killed the task with (SIGKILL 9 after a page-fault oops, SIGSEGV 11 after die()), or 0.</summary>
        public int ExitSignal { get; set; }

        public bool OnStack(ulong address) => address >= Stack && address < StackTop;
    }

    /// <summary>kernel/fork.c: the kernel stack of a new task.</summary>
    public static class Fork
    {
        /// <summary>
        /// alloc_thread_stack_node with CONFIG_VMAP_STACK: THREAD_SIZE from vmalloc, THREAD_ALIGN (= THREAD_SIZE)
        /// aligned, zeroed, so an overflow runs into the unmapped page below. (The per-CPU cache of two stacks only
        /// matters once tasks exit and fork again; the stack-model issue adds it.)
        /// </summary>
        public static bool AllocThreadStackNode(Vmalloc vmalloc, int threadSize, out ulong stack)
        {
            if (vmalloc.TryAllocate((ulong)threadSize, (ulong)threadSize, PteFlags.Kernel, out var area))
            {
                stack = area.Start;
                return true;
            }
            stack = 0;
            return false;
        }
    }
}
