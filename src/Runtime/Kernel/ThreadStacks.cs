using KDsl.Image;
using KDsl.Profiles;
using KDsl.Runtime.Kernel.Mm;
using KDsl.Runtime.Memory;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// kernel/fork.c's kernel stacks: alloc_thread_stack_node, free_thread_stack and set_task_stack_end_magic, for
    /// both CONFIG_VMAP_STACK settings (shared/reference/kernel-reference.md §1.2–1.5).
    /// </summary>
    public sealed class ThreadStacks
    {
        /// <summary>kernel/fork.c: per-CPU cached_stacks[NR_CACHED_STACKS].</summary>
        public const int NrCachedStacks = 2;
        /// <summary>include/uapi/linux/magic.h.</summary>
        public const ulong StackEndMagic = 0x57AC6E9D;
        /// <summary>
        /// sizeof(struct thread_info) on x86-64 before CONFIG_THREAD_INFO_IN_TASK (4.8): task 0, flags 8, status 12,
        /// cpu 16, addr_limit 24, the uaccess bit-fields 32.
        /// </summary>
        public const int ThreadInfoSize = 40;
        /// <summary>USER_DS (TASK_SIZE_MAX) and KERNEL_DS: thread_info.addr_limit of a user task and of a kernel thread.</summary>
        public const ulong UserDs = 0x00007ffffffff000;
        public const ulong KernelDs = ulong.MaxValue;

        private readonly ExperimentConfig _config;
        private readonly PhysicalMemory _memory;
        private readonly Mmu _mmu;
        private readonly Vmalloc _vmalloc;
        private readonly KernelCounters _counters;
        private readonly ulong _directMapBase;
        private readonly VmArea?[] _cachedStacks = new VmArea?[NrCachedStacks];
        /// <summary>What a reused stack is cleared with (the largest THREAD_SIZE), shared so a reuse allocates nothing.</summary>
        private static readonly byte[] Zeros = new byte[32768];

        public ThreadStacks(ExperimentConfig config, PhysicalMemory memory, Mmu mmu, Vmalloc vmalloc, KernelCounters counters, ulong directMapBase)
        {
            _config = config;
            _memory = memory;
            _mmu = mmu;
            _vmalloc = vmalloc;
            _counters = counters;
            _directMapBase = directMapBase;
        }

        private int ThreadSize => _config.ThreadSize;

        /// <summary>
        /// alloc_thread_stack_node's memset of a stack taken from the cache: 4.18+ ("fork: unconditionally clear stack
        /// on fork"); 4.11 hands the dead task's stack out as it is (<see cref="KernelProfile.ClearsReusedThreadStack"/>).
        /// </summary>
        private bool ClearsReusedStack => KernelProfile.Find(_config.Profile)?.ClearsReusedThreadStack ?? true;

        /// <summary>
        /// With CONFIG_VMAP_STACK: a cached stack, cleared ("Clear stale pointers from reused stack") where the profile's
        /// kernel does so, stale otherwise; else THREAD_SIZE from vmalloc, THREAD_ALIGN-aligned and zeroed. Without: 2^THREAD_SIZE_ORDER contiguous zeroed pages, reached
        /// through the direct map, with nothing below them but the next physical page. False when memory runs out.
        /// </summary>
        public bool AllocThreadStackNode(out ulong stack, out VmArea? area)
        {
            area = null;
            if (_config.VmapStack)
            {
                if (_config.StackCache)
                {
                    for (int i = 0; i < NrCachedStacks; i++)
                    {
                        if (_cachedStacks[i] is not VmArea cached) continue;
                        _cachedStacks[i] = null;
                        _counters.StackCacheHits++;
                        if (ClearsReusedStack)
                            _mmu.TryWrite(cached.Start, new System.ReadOnlySpan<byte>(Zeros, 0, ThreadSize));
                        stack = cached.Start;
                        area = cached;
                        return true;
                    }
                }
                _counters.StackCacheMisses++;
                if (_vmalloc.TryAllocate((ulong)ThreadSize, (ulong)ThreadSize, PteFlags.Kernel, out var fresh))
                {
                    stack = fresh.Start;
                    area = fresh;
                    return true;
                }
                stack = 0;
                return false;
            }

            _counters.StackCacheMisses++;
            _counters.HighOrderAllocations++;
            if (_memory.TryAllocPagesHigh(ThreadSizeOrder, out ulong pa))
            {
                stack = _directMapBase + pa;
                return true;
            }
            _counters.HighOrderFailures++;
            stack = 0;
            return false;
        }

        /// <summary>THREAD_SIZE_ORDER: 1, 2 or 3 pages' order for 8, 16 or 32 KiB.</summary>
        public int ThreadSizeOrder
        {
            get
            {
                int order = 0;
                while ((PhysicalMemory.PageSize << order) < ThreadSize) order++;
                return order;
            }
        }

        /// <summary>
        /// free_thread_stack: a vmalloc'd stack goes back into an empty cache slot (try_release_thread_stack_to_cache)
        /// or is vfree'd; a direct-mapped one goes back to the page allocator.
        /// </summary>
        public void FreeThreadStack(TaskStruct task)
        {
            if (task.StackVmArea is VmArea area)
            {
                if (_config.StackCache)
                {
                    for (int i = 0; i < NrCachedStacks; i++)
                    {
                        if (_cachedStacks[i] is not null) continue;
                        _cachedStacks[i] = area;
                        _counters.StackCachePuts++;
                        return;
                    }
                }
                _vmalloc.Free(area);
                return;
            }
            _memory.ReleasePages(task.Stack - _directMapBase, ThreadSizeOrder);
        }

        /// <summary>end_of_stack(): the first long above thread_info when it sits on the stack, else the stack's lowest long.</summary>
        public ulong EndOfStack(TaskStruct task) => _config.ThreadInfoOnStack ? task.Stack + ThreadInfoSize : task.Stack;

        /// <summary>
        /// dup_task_struct's setup_thread_stack (thread_info at the bottom, pre-4.9 only) and set_task_stack_end_magic:
        /// the canary CONFIG_SCHED_STACK_END_CHECK and the page-fault oops look at.
        /// </summary>
        public void SetUpStack(TaskStruct task)
        {
            if (_config.ThreadInfoOnStack)
            {
                _mmu.TryWriteU64(task.Stack, task.Address);                                   // ti->task
                _mmu.TryWriteU64(task.Stack + 24, task.KernelThread ? KernelDs : UserDs);      // ti->addr_limit
            }
            _mmu.TryWriteU64(EndOfStack(task), StackEndMagic);
        }

        /// <summary>task_stack_end_corrupted(): *end_of_stack(task) != STACK_END_MAGIC.</summary>
        public bool TaskStackEndCorrupted(TaskStruct task) =>
            !_mmu.TryReadU64(EndOfStack(task), out ulong magic) || magic != StackEndMagic;
    }
}
