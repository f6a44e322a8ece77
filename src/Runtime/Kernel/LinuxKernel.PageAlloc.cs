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
                case "wake_up_process": Cpu[Reg.Rax] = WakeUpProcess(Cpu[Reg.Rdi]) ? 1UL : 0UL; return true;
                case "__get_free_pages": Cpu[Reg.Rax] = GetFreePages((long)Cpu[Reg.Rdi]); return true;
                case "free_pages": FreePages(Cpu[Reg.Rdi], (long)Cpu[Reg.Rsi]); return true;
                case "__kmalloc": Cpu[Reg.Rax] = Kmalloc(Cpu[Reg.Rdi]); return true;
                // a constant-size kmalloc: kmalloc_trace(cache, flags, size) (5.10: kmem_cache_alloc_trace), and above
                // KMALLOC_MAX_CACHE_SIZE kmalloc_large(size, flags) (5.10: kmalloc_order_trace(size, flags, order))
                case "kmalloc_trace": case "kmem_cache_alloc_trace": Cpu[Reg.Rax] = Kmalloc(Cpu[Reg.Rdx]); return true;
                case "kmalloc_large": case "kmalloc_order_trace": Cpu[Reg.Rax] = Kmalloc(Cpu[Reg.Rdi]); return true;
                case "kfree": Kfree(Cpu[Reg.Rdi]); return true;
                case "vmalloc": Cpu[Reg.Rax] = VmallocService(Cpu[Reg.Rdi]); return true;
                case "__vunmap": Vunmap(Cpu[Reg.Rdi]); return true;
                case "sg_init_one": SgInitOne(Cpu[Reg.Rdi], Cpu[Reg.Rsi]); return true;
                case "__check_object_size": CheckObjectSize(); return true;
                case "misc_register": Cpu[Reg.Rax] = (ulong)MiscRegister(Cpu[Reg.Rdi]); return true;
                case "misc_deregister": MiscDeregister(Cpu[Reg.Rdi]); return true;
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

        /// <summary>
        /// free_pages(addr, order): __free_pages(virt_to_page(addr), order) on linux-5.10 and 6.1 (without CONFIG_DEBUG_VM,
        /// as Debian builds them): put_page_testzero drops the first page's reference; the last one frees the block, else
        /// (a block that was not allocated, or freed already) the pages after the first half, quarter, ... go back one
        /// sub-block at a time (a non-compound block's tail pages hold no reference of their own). An address outside the
        /// direct map's RAM (its struct page is not in mem_map) and an order above MAX_ORDER - 1 are ignored; 4.11 ignores
        /// any block the allocator did not hand out.
        /// </summary>
        private void FreePages(ulong address, long order)
        {
            if (order < 0 || order > MaxOrder || address < Profile.DirectMapBase) return;
            ulong pa = address - Profile.DirectMapBase;
            ulong size = (ulong)PhysicalMemory.PageSize << (int)order;
            if (pa >= Memory.Size || size > Memory.Size - (pa & ~PhysicalMemory.PageMask)) return;
            int pfn = (int)(pa >> PhysicalMemory.PageShift);
            if (!Profile.ChecksPagesAtFree)
            {
                if ((pa & (size - 1)) != 0) return;
                for (ulong p = pa; p < pa + size; p += PhysicalMemory.PageSize)
                    if (!Memory.IsAllocated(p)) return;
                Memory.FreePages(pa, (int)order);
                return;
            }
            if (Memory.Pages.PutTestZero(pfn)) FreeThePage(pfn, (int)order);
            else
                for (int o = (int)order - 1; o >= 0; o--)
                    FreeThePage(pfn + (1 << o), o);
        }

        /// <summary>
        /// free_the_page: orders the per-CPU lists take go through free_pcp_prepare, which checks only the tail pages
        /// without CONFIG_DEBUG_VM; the others through __free_pages_ok, which checks the first page too. A block with a bad page is not freed (free_pages_prepare
        /// returns false). The pages then go back to the allocator; those already free stay free (the real free lists would
        /// take them twice) and pfn 0 is never handed out again.
        /// </summary>
        private void FreeThePage(int pfn, int order)
        {
            if (!FreePagesPrepare(pfn, order, checkFree: !Profile.FreesThroughPerCpuLists(order))) return;
            for (int i = 0; i < 1 << order; i++)
            {
                ulong frame = (ulong)(pfn + i) << PhysicalMemory.PageShift;
                if (pfn + i != 0 && Memory.IsAllocated(frame)) Memory.FreePage(frame);
            }
        }

        /// <summary>free_pages_prepare's checks: each tail page, then the first when <paramref name="checkFree"/>; the flags of a good page cleared.</summary>
        private bool FreePagesPrepare(int pfn, int order, bool checkFree)
        {
            int bad = 0;
            for (int i = 1; i < 1 << order; i++)
            {
                if (FreePageIsBad(pfn + i))
                {
                    bad++;
                    continue;
                }
                Memory.Pages.ClearFlags(pfn + i);
            }
            if (checkFree && FreePageIsBad(pfn)) bad++;
            if (bad > 0) return false;
            Memory.Pages.ClearFlags(pfn);
            return true;
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
