using System;

namespace KDsl.Profiles
{
    /// <summary>
    /// Report details that changed between kernel releases, derived from the profile's release number (its
    /// <see cref="Name"/>, "linux-MAJOR.MINOR") and flags rather than stored per instance. Each says which change in
    /// the kernel sources decides it.
    /// </summary>
    public sealed partial class KernelProfile
    {
        /// <summary>The release the profile models, from its name: linux-4.11 → (4, 11).</summary>
        public (int Major, int Minor) KernelVersion
        {
            get
            {
                string version = Name.StartsWith("linux-", StringComparison.Ordinal) ? Name.Substring("linux-".Length) : Name;
                string[] parts = version.Split('.');
                return (int.Parse(parts[0]), parts.Length > 1 ? int.Parse(parts[1]) : 0);
            }
        }

        private bool AtLeast(int major, int minor) =>
            KernelVersion.Major > major || (KernelVersion.Major == major && KernelVersion.Minor >= minor);

        /// <summary>
        /// __show_regs (4.19+, arch/x86/kernel/process_64.c) starts with show_iret_regs → show_ip → show_opcodes and
        /// only then does <c>cr2 = read_cr2();</c> for its "CR2:" line, so a code copy that faulted has already
        /// overwritten CR2 with the address of its failed load. 4.x's show_regs (dumpstack_64.c) calls
        /// <c>__show_regs(regs, 1)</c> first and probes the code bytes after the call trace: its CR2 line is unaffected.
        /// </summary>
        public bool ShowOpcodesBeforeCr2 => !LegacyOopsLayout;

        /// <summary>
        /// The lines of __vunmap's two WARNs in mm/vmalloc.c ("Trying to vfree() bad address (%p)" and "Trying to vfree()
        /// nonexistent vm area (%p)"), as __LINE__ gives them (GCC: the line the WARN( invocation starts on): 2251 and
        /// 2257 at 5.10.262, 2752 and 2758 at 6.1.192. Null for 4.11, whose WARN goes through warn_slowpath_fmt
        /// (not modelled: its vfree of an unknown address is ignored).
        /// </summary>
        public (int BadAddress, int Nonexistent)? VunmapWarnLines =>
            AtLeast(6, 1) ? (2752, 2758) : AtLeast(5, 10) ? (2251, 2257) : null;

        /// <summary>
        /// The #PF path's stack-overflow test (CONFIG_VMAP_STACK, arch/x86/mm/fault.c from 4.9 to 5.15): a vmalloc address in
        /// the page below the task stack <em>or in the page above it</em>
        /// (<c>address - ((unsigned long)tsk->stack + THREAD_SIZE) &lt; PAGE_SIZE</c>) calls handle_stack_overflow. 5.16's
        /// get_stack_guard_info (page_fault_oops) tests only the page below. The real 5.10 kernel reports a memset running
        /// off the stack's top as "BUG: stack guard page was hit" (examples/memset-overflow.kdsl, docs/oracle.md).
        /// </summary>
        public bool GuardPageAboveTheStack => !AtLeast(5, 16);

        /// <summary>
        /// free_pages() follows __free_pages' reference count and free_pages_prepare's checks, with bad_page()'s report
        /// (mm/page_alloc.c, read at 5.10.262 and 6.1.192); 4.11's model only takes back blocks it handed out.
        /// </summary>
        public bool ChecksPagesAtFree => AtLeast(5, 10);

        /// <summary>
        /// free_the_page: whether a free of this order goes to the per-CPU lists (free_unref_page, whose free_pcp_prepare
        /// checks only the tail pages without CONFIG_DEBUG_VM) rather than __free_pages_ok (every page checked).
        /// 6.1's pcp_allowed_order: order &lt;= PAGE_ALLOC_COSTLY_ORDER (3), or pageblock_order (9) with THP; 5.10: order 0.
        /// </summary>
        public bool FreesThroughPerCpuLists(int order) => AtLeast(6, 1) ? order <= 3 || order == 9 : order == 0;

        /// <summary>
        /// dump_page's flags line: 6.1 prints "flags: %pGp", whose format_page_flags adds the node, zone and last-cpupid
        /// fields after the flag names; 5.10 prints "flags: %#lx(%pGp)", the names only (mm/debug.c, lib/vsprintf.c).
        /// </summary>
        public bool PageFlagsShowFields => AtLeast(6, 1);

        /// <summary>
        /// make_task_dead (kernel/exit.c): <c>if (unlikely(irqs_disabled())) { pr_info("note: %s[%d] exited with irqs
        /// disabled\n", current->comm, task_pid_nr(current)); local_irq_enable(); }</c>. Upstream commit 001c28e57187
        /// ("exit: Detect and fix irq disabled state in oops", 6.3), backported to 6.1.y (AUTOSEL 6.1, Feb 2023), so the
        /// 6.1.192 kernel of the profile prints it; 5.10's do_exit only has the preempt_count note.
        /// </summary>
        public bool NotesIrqsDisabledAtExit => AtLeast(6, 1);

        /// <summary>
        /// alloc_thread_stack_node (kernel/fork.c) clears a stack it takes from cached_stacks: <c>/* Clear stale pointers
        /// from reused stack. */ memset(s->addr, 0, THREAD_SIZE);</c>. Only under CONFIG_DEBUG_KMEMLEAK at first (≈4.15),
        /// unconditional since "fork: unconditionally clear stack on fork" (e01e80634ecd, 4.18). 4.9–4.14 return
        /// <c>s->addr</c> as it is, so a reused stack keeps the dead task's data.
        /// </summary>
        public bool ClearsReusedThreadStack => AtLeast(4, 18);

        /// <summary>
        /// CONFIG_DOUBLEFAULT's df_debug (arch/x86/kernel/doublefault.c, x86-64, default y): do_double_fault calls it
        /// when CR2 is not in the task stack's guard page, and it prints <c>pr_emerg("PANIC: double fault, error_code:
        /// 0x%lx\n", error_code); show_regs(regs); panic("Machine halted.");</c> (the file has no pr_fmt, so no
        /// "traps: " prefix). The 64-bit df_debug was removed in 5.5; since then exc_double_fault does
        /// <c>pr_emerg(...)</c> (traps.c, "traps: " prefix), die("double fault") and panic.
        /// </summary>
        public bool DoubleFaultDebug => !AtLeast(5, 5);
    }
}
