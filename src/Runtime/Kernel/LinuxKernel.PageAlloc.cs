using System.Collections.Generic;
using KDsl.Runtime.Cpu;
using KDsl.Runtime.Memory;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// The page and slab allocators as experiments call them: __get_free_pages/free_pages and kmalloc/kfree, direct-
    /// mapped and physically contiguous, handed out from the top of memory down (PhysicalMemory.TryAllocPagesHigh), so
    /// what an experiment allocates right after a task's stack is that stack's physical neighbour below.
    /// kmalloc rounds up to whole pages (no slab packing): kmalloc(100) and kmalloc(4096) each take a page.
    /// </summary>
    public sealed partial class LinuxKernel
    {
        /// <summary>MAX_ORDER - 1 with MAX_ORDER 11: the largest buddy block, 4 MiB (KMALLOC_MAX_SIZE on x86-64).</summary>
        private const int MaxOrder = 10;
        /// <summary>kmalloc(0)'s ZERO_SIZE_PTR ((void *)16): not NULL, but faults when used.</summary>
        private const ulong ZeroSizePtr = 16;

        private readonly Dictionary<ulong, int> _kmallocOrders = new Dictionary<ulong, int>();

        /// <summary>The entry services of the stack-model builtins and allocators (vmalloc too); false for any other function.</summary>
        private bool StackModelService(string function)
        {
            switch (function)
            {
                case "__schedule": ScheduleDebug(); return true;
                case "kthread_create_on_node": KthreadCreateOnNode(); return true;
                case "__get_free_pages": Cpu[Reg.Rax] = GetFreePages((long)Cpu[Reg.Rdi]); return true;
                case "free_pages": FreePages(Cpu[Reg.Rdi], (long)Cpu[Reg.Rsi]); return true;
                case "__kmalloc": Cpu[Reg.Rax] = Kmalloc(Cpu[Reg.Rdi]); return true;
                // a constant-size kmalloc: kmalloc_trace(cache, flags, size) (5.10: kmem_cache_alloc_trace), and above
                // KMALLOC_MAX_CACHE_SIZE kmalloc_large(size, flags) (5.10: kmalloc_order_trace(size, flags, order))
                case "kmalloc_trace": case "kmem_cache_alloc_trace": Cpu[Reg.Rax] = Kmalloc(Cpu[Reg.Rdx]); return true;
                case "kmalloc_large": case "kmalloc_order_trace": Cpu[Reg.Rax] = Kmalloc(Cpu[Reg.Rdi]); return true;
                case "kfree": Kfree(Cpu[Reg.Rdi]); return true;
                case "vmalloc": Cpu[Reg.Rax] = VmallocService(Cpu[Reg.Rdi]); return true;
                case "sg_init_one": SgInitOne(Cpu[Reg.Rdi], Cpu[Reg.Rsi]); return true;
                default: return false;
            }
        }

        /// <summary>__get_free_pages(GFP_KERNEL, order): the block's direct-map address, 0 when no block of that order is free.</summary>
        private ulong GetFreePages(long order)
        {
            if (order < 0 || order > MaxOrder) return 0;
            if (order > 0) Counters.HighOrderAllocations++;
            if (Memory.TryAllocPagesHigh((int)order, out ulong pa)) return Profile.DirectMapBase + pa;
            if (order > 0) Counters.HighOrderFailures++;
            return 0;
        }

        /// <summary>free_pages(addr, order); an address that is not an allocated block of the direct map is ignored.</summary>
        private void FreePages(ulong address, long order)
        {
            if (order < 0 || order > MaxOrder || address < Profile.DirectMapBase) return;
            ulong pa = address - Profile.DirectMapBase;
            ulong size = (ulong)PhysicalMemory.PageSize << (int)order;
            if ((pa & (size - 1)) != 0 || pa + size > Memory.Size) return;
            for (ulong p = pa; p < pa + size; p += PhysicalMemory.PageSize)
                if (!Memory.IsAllocated(p)) return;
            Memory.FreePages(pa, (int)order);
        }

        private ulong Kmalloc(ulong size)
        {
            if (size == 0) return ZeroSizePtr;
            int order = 0;
            while (order <= MaxOrder && ((ulong)PhysicalMemory.PageSize << order) < size) order++;
            ulong address = GetFreePages(order);
            if (address != 0) _kmallocOrders[address] = order;
            return address;
        }

        private void Kfree(ulong address)
        {
            if (!_kmallocOrders.TryGetValue(address, out int order)) return; // kfree(NULL), ZERO_SIZE_PTR, or not kmalloc's
            _kmallocOrders.Remove(address);
            FreePages(address, order);
        }
    }
}
