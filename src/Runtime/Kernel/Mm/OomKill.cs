using System.Collections.Generic;
using KDsl.Profiles;
using KDsl.Runtime.Cpu;
using KDsl.Runtime.Kernel.Mm;
using KDsl.Runtime.Kernel.Printk;
using KDsl.Runtime.Memory;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// mm/oom_kill.c: what the kernel does when a user page fault finds no free frame. The page allocator's slow path
    /// calls out_of_memory, which picks the task with the highest badness (in KDsl the faulting process: it is the only
    /// one with an mm, insmod having returned and kernel threads being unkillable) and oom_kill_process: dump_header
    /// (the "invoked oom-killer" line, dump_stack, show_mem, dump_tasks, and since 5.0 the one-line oom-kill summary),
    /// then the "Killed process" line and SIGKILL. The path runs as kernel text (Profiles/KernelProfile.Oom.cs) on the
    /// task's stack, so the Call Trace dump_stack prints is read off the real stack.
    /// Formats: 4.11 and 5.10/6.1 mm/oom_kill.c dump_header, dump_tasks, dump_oom_summary, __oom_kill_process;
    /// mm/page_alloc.c show_free_areas and lib/show_mem.c show_mem (see the methods).
    /// </summary>
    public sealed partial class LinuxKernel
    {
        /// <summary>What the failed allocation was for: it decides the gfp_mask dump_header prints.</summary>
        public enum OomAllocation { AnonymousPage, PageCachePage, CowPage }

        private sealed class OomControl
        {
            public OomControl(UserProcess victim, OomAllocation allocation)
            {
                Victim = victim;
                Allocation = allocation;
            }

            public UserProcess Victim { get; }
            public OomAllocation Allocation { get; }
        }

        private OomControl? _oom;
        private OomAllocation _lastFailedAllocation;

        /// <summary>Which allocation handle_mm_fault's VM_FAULT_OOM came from (set just before it returns Oom).</summary>
        private VmFault OomFault(OomAllocation allocation)
        {
            _lastFailedAllocation = allocation;
            return VmFault.Oom;
        }

        /// <summary>
        /// The fault found memory exhausted: continue in the kernel as the real exception entry does. asm_exc_page_fault
        /// builds pt_regs over the hardware frame (the error code becomes orig_ax) and calls the handler, whose allocation
        /// ends in out_of_memory. The CPU is already in ring 0 on the task stack; RIP resumes after the entry's vmcall.
        /// </summary>
        private void OutOfMemory(UserProcess p, in ExceptionInfo info)
        {
            _oom = new OomControl(p, _lastFailedAllocation);
            ulong ptRegs = info.FrameRsp - 15 * 8;
            Reg[] order = { Reg.R15, Reg.R14, Reg.R13, Reg.R12, Reg.Rbp, Reg.Rbx, Reg.R11, Reg.R10, Reg.R9, Reg.R8, Reg.Rax, Reg.Rcx, Reg.Rdx, Reg.Rsi, Reg.Rdi };
            for (int i = 0; i < order.Length; i++)
                Mmu.TryWriteU64(ptRegs + (ulong)(8 * i), Cpu[order[i]]);
            // The entry hands the error code to the handler and stores -1 in orig_ax ("no syscall to restart"), so the
            // trace's user registers print no ORIG_RAX.
            Mmu.TryWriteU64(info.FrameRsp, ulong.MaxValue);
            Cpu.Rsp = ptRegs;
            Cpu[Reg.Rdi] = ptRegs;
            if (Footprint?.Oops != null && EnterRecordedFaultEntry()) return;
            Cpu.Rip = Kallsyms.AddressOf(Profile.ExceptionEntry(Vectors.PF)) + 3; // past the entry's vmcall
        }

        /// <summary>
        /// The #PF entry and exc_page_fault are the real ones (recorded on the oops path): their frames as the recording
        /// has them at their open calls, each return address where its caller's CFA puts it, then KDsl's chain. The
        /// recorded exc_page_fault's open call is the one the oops path took (to do_user_addr_fault, which there tail-jumps
        /// to page_fault_oops on 6.1, to bad_area_nosemaphore on 5.10), so the trace names the real function at that
        /// call's offset. do_user_addr_fault's frame is the one it has at that tail jump (none: its return
        /// address right below exc_page_fault's), and handle_mm_fault is entered from there: the real function and
        /// size, at an offset that is not its real call of handle_mm_fault (the oops path never ran that call).
        /// </summary>
        private bool EnterRecordedFaultEntry()
        {
            var footprint = Footprint!;
            if (footprint.ReturnSiteIn(KernelFootprint.OopsEntry) is not { } entry || footprint.ReturnSiteIn("exc_page_fault") is not { } handler)
                return false;
            ulong entryRet = Cpu.Rsp - 8; // the entry calls its handler with RSP at pt_regs
            Mmu.TryWriteU64(entryRet, entry.Key);
            ulong handlerRet = entryRet - (ulong)handler.Value; // the CFA at its call, handlerRet + 8 + CFA, is entryRet + 8
            Mmu.TryWriteU64(handlerRet, handler.Key);
            Cpu.Rsp = handlerRet;
            Cpu.Rip = Kallsyms.AddressOf("do_user_addr_fault");
            if (!footprint.Records("do_user_addr_fault")) return true;
            ulong tailJump = 0;
            var oopsPath = footprint.Oops!;
            foreach (var jump in oopsPath.Jumps)
                if (Kallsyms.TryFindFunction(jump.Key, out var from) && from.Name == "do_user_addr_fault" &&
                    !(Kallsyms.TryFindFunction(jump.Value, out var to) && to.Name == from.Name))
                    tailJump = jump.Key; // where it left for page_fault_oops (6.1) or bad_area_nosemaphore (5.10)
            if (tailJump == 0) return false;
            Cpu.Rsp = handlerRet - 8;
            Mmu.TryWriteU64(Cpu.Rsp, tailJump);
            Cpu.Rip = Kallsyms.AddressOf("handle_mm_fault");
            return true;
        }

        /// <summary>
        /// dump_header's first line. 5.x/6.x: "%s invoked oom-killer: gfp_mask=%#x(%pGg), order=%d, oom_score_adj=%hd".
        /// 4.11: "... gfp_mask=%#x(%pGg), nodemask=" then "(null)" and ",  order=%d, oom_score_adj=%hd" (pr_cont), and
        /// cpuset_print_current_mems_allowed's "%s cpuset=/ mems_allowed=0" line before dump_stack.
        /// </summary>
        private void DumpHeaderEntry()
        {
            if (_oom is null) return;
            var (mask, names) = GfpMask(_oom.Allocation);
            string comm = Current.Comm;
            if (Profile.LegacyOopsLayout)
            {
                Printk(Vsnprintf.Sprintf(Vsprintf, "%s invoked oom-killer: gfp_mask=%#x(%s), nodemask=(null),  order=%d, oom_score_adj=%d\n",
                    comm, (ulong)mask, names, 0L, 0L));
                Printk(Vsnprintf.Sprintf(Vsprintf, "%s cpuset=/ mems_allowed=0\n", comm));
                return;
            }
            Printk(Vsnprintf.Sprintf(Vsprintf, "%s invoked oom-killer: gfp_mask=%#x(%s), order=%d, oom_score_adj=%d\n",
                comm, (ulong)mask, names, 0L, 0L));
        }

        /// <summary>dump_header after dump_stack: show_mem, dump_tasks, and (5.0+) dump_oom_summary for the chosen victim.</summary>
        private void DumpHeaderBody()
        {
            if (_oom is null) return;
            var usage = MmUsage.Of(_oom.Victim.Mm, Tables, Memory);
            ShowMem(usage);
            DumpTasks(_oom.Victim, usage);
            if (!Profile.LegacyOopsLayout)
            {
                // dump_oom_summary: cpuset_print_current_mems_allowed and mem_cgroup_print_oom_context add their pr_cont
                // parts; the machine has one node, the root cpuset and no memory cgroup limit (global_oom).
                Printk(Vsnprintf.Sprintf(Vsprintf, "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=%s,pid=%d,uid=%d\n",
                    _oom.Victim.Result.Name, (long)_oom.Victim.Result.Pid, 0L));
            }
        }

        /// <summary>
        /// oom_kill_process after dump_header, then __oom_kill_process: SIGKILL to the victim and the kernel's line.
        /// 5.x/6.x: "%s: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB, UID:%u
        /// pgtables:%lukB oom_score_adj:%hd" with message "Out of memory". 4.11: "%s: Kill process %d (%s) score %u or
        /// sacrifice child" (points scaled by select_bad_process to 1000 / totalpages), then "Killed process %d (%s)
        /// total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB".
        /// </summary>
        private void OomKillProcessBody()
        {
            if (_oom is null) return;
            var victim = _oom.Victim;
            var usage = MmUsage.Of(victim.Mm, Tables, Memory);
            string comm = victim.Result.Name;
            long pid = victim.Result.Pid;
            if (Profile.LegacyOopsLayout)
            {
                Printk(Vsnprintf.Sprintf(Vsprintf, "Out of memory: Kill process %d (%s) score %u or sacrifice child\n", pid, comm, (ulong)LegacyScore(usage)));
                Printk(Vsnprintf.Sprintf(Vsprintf, "Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB\n",
                    pid, comm, K(usage.TotalVm), K(usage.AnonPages), K(usage.FilePages), K(usage.ShmemPages)));
            }
            else
            {
                Printk(Vsnprintf.Sprintf(Vsprintf, "Out of memory: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB, UID:%u pgtables:%lukB oom_score_adj:%d\n",
                    pid, comm, K(usage.TotalVm), K(usage.AnonPages), K(usage.FilePages), K(usage.ShmemPages), 0UL, usage.PageTableBytes >> 10, 0L));
            }
            victim.Result.OomKilled = true;
            if (Outcome == RunOutcome.Completed) Outcome = RunOutcome.OomKilled;
            _oom = null;
            KillProcess(victim, Signals.SIGKILL, 0, 0);
        }

        /// <summary>
        /// show_mem: "Mem-Info:", show_free_areas' global record, then the page totals. The record is the era's format
        /// (4.11 still has unstable:, 6.1 adds sec_pagetables: and kernel_misc_reclaimable:); its values come from the
        /// machine: anonymous pages sit on the list a new anonymous page joins (active before 5.9, inactive since),
        /// file pages on the inactive file list (no reclaim runs in KDsl to age them), page tables counted from
        /// the victim's PTE and PMD tables, free from the frame allocator; KDsl has no slab, swap, bounce or CMA pages. The per-node
        /// and per-zone lines (watermarks, buddy lists) are not printed: KDsl has no zones to derive them from.
        /// "pages reserved" is frame 0, which the frame allocator never hands out.
        /// </summary>
        private void ShowMem(MmUsage usage)
        {
            // The file LRU: the page cache, and the program's own image (file pages in Linux, which maps it from the ELF).
            long anon = usage.AnonPages, file = _tmpfs.CachedPages + usage.ImagePages, mapped = usage.FilePages;
            // NR_PAGETABLE: the pages pgtable_pte_page_ctor and pgtable_pmd_page_ctor account (PUD tables have no ctor).
            long free = Memory.FreePageCount, tables = usage.PteTables + usage.PmdTables;
            bool newAnonActive = Profile.LegacyOopsLayout;
            long activeAnon = newAnonActive ? anon : 0, inactiveAnon = newAnonActive ? 0 : anon;
            Printk("Mem-Info:\n");
            string record;
            if (Profile.LegacyOopsLayout)
                record = Vsnprintf.Sprintf(Vsprintf, "active_anon:%lu inactive_anon:%lu isolated_anon:%lu\n active_file:%lu inactive_file:%lu isolated_file:%lu\n unevictable:%lu dirty:%lu writeback:%lu unstable:%lu\n slab_reclaimable:%lu slab_unreclaimable:%lu\n mapped:%lu shmem:%lu pagetables:%lu bounce:%lu\n free:%lu free_pcp:%lu free_cma:%lu\n",
                    activeAnon, inactiveAnon, 0L, 0L, file, 0L, 0L, 0L, 0L, 0L, 0L, 0L, mapped, 0L, tables, 0L, free, 0L, 0L);
            else if (Profile.PrintkSymbol == "_printk")
                record = Vsnprintf.Sprintf(Vsprintf, "active_anon:%lu inactive_anon:%lu isolated_anon:%lu\n active_file:%lu inactive_file:%lu isolated_file:%lu\n unevictable:%lu dirty:%lu writeback:%lu\n slab_reclaimable:%lu slab_unreclaimable:%lu\n mapped:%lu shmem:%lu pagetables:%lu\n sec_pagetables:%lu bounce:%lu\n kernel_misc_reclaimable:%lu\n free:%lu free_pcp:%lu free_cma:%lu\n",
                    activeAnon, inactiveAnon, 0L, 0L, file, 0L, 0L, 0L, 0L, 0L, 0L, mapped, 0L, tables, 0L, 0L, 0L, free, 0L, 0L);
            else
                record = Vsnprintf.Sprintf(Vsprintf, "active_anon:%lu inactive_anon:%lu isolated_anon:%lu\n active_file:%lu inactive_file:%lu isolated_file:%lu\n unevictable:%lu dirty:%lu writeback:%lu\n slab_reclaimable:%lu slab_unreclaimable:%lu\n mapped:%lu shmem:%lu pagetables:%lu bounce:%lu\n free:%lu free_pcp:%lu free_cma:%lu\n",
                    activeAnon, inactiveAnon, 0L, 0L, file, 0L, 0L, 0L, 0L, 0L, 0L, mapped, 0L, tables, 0L, free, 0L, 0L);
            Printk(record);
            Printk(Vsnprintf.Sprintf(Vsprintf, "%lu pages RAM\n", (ulong)Memory.PageCount));
            Printk("0 pages HighMem/MovableOnly\n");
            Printk("1 pages reserved\n");
        }

        /// <summary>
        /// dump_tasks over every process with an mm (the victim; kernel threads have none). 5.x/6.x: "Tasks state (memory
        /// values in pages):", the header and "[%7d] %5d %5d %8lu %8lu %8ld %8lu         %5hd %s". 4.11: the header
        /// "[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents oom_score_adj name" and
        /// "[%5d] %5d %5d %8lu %8lu %7ld %7ld %8lu         %5hd %s".
        /// </summary>
        private void DumpTasks(UserProcess p, MmUsage usage)
        {
            long pid = p.Result.Pid, rss = usage.AnonPages + usage.FilePages + usage.ShmemPages;
            if (Profile.LegacyOopsLayout)
            {
                Printk("[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents oom_score_adj name\n");
                Printk(Vsnprintf.Sprintf(Vsprintf, "[%5d] %5d %5d %8lu %8lu %7ld %7ld %8lu         %5d %s\n",
                    pid, 0L, pid, (ulong)usage.TotalVm, (ulong)rss, usage.PteTables, usage.PmdTables, 0UL, 0L, p.Result.Name));
                return;
            }
            Printk("Tasks state (memory values in pages):\n");
            Printk("[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name\n");
            Printk(Vsnprintf.Sprintf(Vsprintf, "[%7d] %5d %5d %8lu %8lu %8ld %8lu         %5d %s\n",
                pid, 0L, pid, (ulong)usage.TotalVm, (ulong)rss, usage.PageTableBytes, 0UL, 0L, p.Result.Name));
        }

        /// <summary>
        /// 4.11 oom_badness: rss + swap entries + nr_ptes + nr_pmds, less 3% for a CAP_SYS_ADMIN task (KDsl's processes
        /// run as root), then select_bad_process scales it: points * 1000 / totalpages (totalram_pages + total_swap_pages).
        /// </summary>
        private long LegacyScore(MmUsage usage)
        {
            long points = usage.AnonPages + usage.FilePages + usage.ShmemPages + usage.PteTables + usage.PmdTables;
            points -= points * 3 / 100;
            long totalPages = Memory.PageCount - 1;
            return points * 1000 / totalPages;
        }

        private static ulong K(long pages) => (ulong)pages << (PhysicalMemory.PageShift - 10);

        /// <summary>
        /// The gfp_mask and its %pGg names for the failed allocation, from include/linux/gfp.h of the profile's era.
        /// 5.x/6.x bits: __GFP_HIGHMEM 0x2, __GFP_MOVABLE 0x8, __GFP_IO 0x40, __GFP_FS 0x80, __GFP_ZERO 0x100,
        /// __GFP_DIRECT_RECLAIM 0x400, __GFP_KSWAPD_RECLAIM 0x800, __GFP_COMP 0x40000, __GFP_HARDWALL 0x100000, so
        /// GFP_HIGHUSER_MOVABLE = 0x100cca. 4.11 bits: __GFP_ZERO 0x8000, __GFP_HARDWALL 0x20000, __GFP_DIRECT_RECLAIM
        /// 0x400000, __GFP_KSWAPD_RECLAIM 0x2000000, so GFP_HIGHUSER_MOVABLE = 0x24200ca. An anonymous fault allocates
        /// GFP_HIGHUSER_MOVABLE | __GFP_ZERO (alloc_zeroed_user_highpage_movable), a page-cache read or a COW copy
        /// GFP_HIGHUSER_MOVABLE; 6.1 allocates folios, and __folio_alloc adds __GFP_COMP (real 6.x reports:
        /// 0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), 0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP)).
        /// </summary>
        private (uint Mask, string Names) GfpMask(OomAllocation allocation)
        {
            bool zero = allocation == OomAllocation.AnonymousPage;
            if (Profile.LegacyOopsLayout)
                return zero ? (0x24280cau, "GFP_HIGHUSER_MOVABLE|__GFP_ZERO") : (0x24200cau, "GFP_HIGHUSER_MOVABLE");
            bool comp = Profile.PrintkSymbol == "_printk";
            uint mask = 0x100cca | (zero ? 0x100u : 0) | (comp ? 0x40000u : 0);
            var names = new List<string> { "GFP_HIGHUSER_MOVABLE" };
            if (comp) names.Add("__GFP_COMP");
            if (zero) names.Add("__GFP_ZERO");
            return (mask, string.Join("|", names));
        }
    }
}
