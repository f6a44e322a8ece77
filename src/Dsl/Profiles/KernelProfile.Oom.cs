using System.Collections.Generic;
using static KDsl.Profiles.KernelFunctionShape;

namespace KDsl.Profiles
{
    public sealed partial class KernelProfile
    {
        /// <summary>
        /// The OOM killer's path from a user page fault, as real traces name it (mm/oom_kill.c dump_header calls
        /// dump_stack, so the trace it prints is this chain): the exception entry calls the fault handler, the fault
        /// handler the page allocator, whose slow path calls out_of_memory → oom_kill_process → dump_header. The C#
        /// kernel starts it after handle_mm_fault found no free frame (Kernel/Mm/OomKill.cs); dump_header's entry
        /// service prints the "invoked oom-killer" line, its body service Mem-Info and the task list, and
        /// oom_kill_process's body service the "Killed process" line and the SIGKILL. 4.11 (seed era):
        /// page_fault → do_page_fault → __do_page_fault; 5.10: exc_page_fault → do_user_addr_fault and
        /// alloc_pages_vma → __alloc_pages_nodemask; 6.1: vma_alloc_folio → __folio_alloc → __alloc_pages.
        /// Frame sizes are KDsl's, not calibrated. Where the footprint recorded the #PF entry, exc_page_fault and (6.1)
        /// do_user_addr_fault on the oops path, those are the real ones, and the chain starts after them (OutOfMemory lays
        /// their frames).
        /// </summary>
        private static IEnumerable<KernelFunctionShape> OomText(string release, string dumpStack, KernelFootprint? footprint = null)
        {
            bool legacy = release == "4.11";
            var text = new List<KernelFunctionShape>();
            if (legacy)
            {
                text.Add(F("do_page_fault", 16, Call("__do_page_fault")));
                text.Add(F("__do_page_fault", 64, Call("handle_mm_fault")));
            }
            else
            {
                bool recorded = footprint?.Oops != null;
                if (!recorded || !footprint!.Records("exc_page_fault")) text.Add(F("exc_page_fault", 32, Call("do_user_addr_fault")));
                if (!recorded || !footprint!.Records("do_user_addr_fault")) text.Add(F("do_user_addr_fault", 64, Call("handle_mm_fault")));
            }
            text.Add(F("handle_mm_fault", 48, Call("__handle_mm_fault")));
            if (release == "6.1")
            {
                text.Add(F("__handle_mm_fault", 96, Call("vma_alloc_folio")));
                text.Add(F("vma_alloc_folio", 48, Call("__folio_alloc")));
                text.Add(F("__folio_alloc", 16, Call("__alloc_pages")));
                text.Add(F("__alloc_pages", 80, Call("__alloc_pages_slowpath.constprop.0")));
            }
            else
            {
                text.Add(F("__handle_mm_fault", 96, Call("alloc_pages_vma")));
                text.Add(F("alloc_pages_vma", 48, Call("__alloc_pages_nodemask")));
                text.Add(F("__alloc_pages_nodemask", 80, Call(legacy ? "__alloc_pages_slowpath" : "__alloc_pages_slowpath.constprop.0")));
            }
            // The page allocator's entry is recorded on the allocator calls' fast path (get_page_from_freelist found a page):
            // the OOM chain's own frame for it, which calls the slow path, stands in beside the real one.
            string allocator = release == "6.1" ? "__alloc_pages" : "__alloc_pages_nodemask";
            int at = text.FindIndex(f => f.Name == allocator);
            if (at >= 0 && footprint?.Records(allocator) == true) text[at] = text[at].AsStandIn();
            text.Add(F(legacy ? "__alloc_pages_slowpath" : "__alloc_pages_slowpath.constprop.0", 160, Call("out_of_memory")));
            text.Add(F("out_of_memory", 48, Call("oom_kill_process")));
            text.Add(F("oom_kill_process", 40, Call("dump_header"), Service()));
            text.Add(Entry("dump_header", 32, Call(dumpStack), Service()));
            return text;
        }
    }
}
