using System.Collections.Generic;
using System.Linq;
using static KDsl.Profiles.KernelFunctionShape;

namespace KDsl.Profiles
{
    /// <summary>
    /// The modelled kernel text of each profile. For 5.10 and 6.1 the syscall path down to the module's init and printk
    /// are the real kernels' code as recorded instruction by instruction (<see cref="KernelFootprint"/>); what is written
    /// here are KDsl's own models (traps, faults, threads, allocators), and linux-4.11, whose kernel is known only from
    /// the seed's log, with frame sizes calibrated:
    /// - the syscall path up to do_one_initcall's call of init uses <see cref="StackInUseAtInitCall"/> bytes
    ///   (pt_regs 168 + return addresses + frames);
    /// - 4.11's printk needs 640 bytes below its caller at its deepest (the recorded 6.1 one: 896, 5.10: 832).
    /// </summary>
    public sealed partial class KernelProfile
    {
        /// <summary>Size of struct pt_regs, saved by the syscall entry at the top of the task stack.</summary>
        public const int PtRegsSize = 168;

        /// <summary>
        /// The modelled syscall entry of a profile without a recorded footprint (4.11): the C# kernel builds pt_regs and
        /// starts here with RDI = init. A recorded kernel enters the init directly (LinuxKernel.Recorded).
        /// </summary>
        public string SyscallEntry { get; private set; } = "";
        /// <summary>The services a vmcall can ask for are named after the function that issues them.</summary>
        public IReadOnlyList<KernelFunctionShape> KernelFunctions { get; private set; } = new KernelFunctionShape[0];

        /// <summary>The IDT entry points by vector (#DE 0, #UD 6, #DF 8, #GP 13, #PF 14): 4.x names them divide_error…, 5.8+ asm_exc_….</summary>
        public string ExceptionEntry(int vector)
        {
            string name = vector switch
            {
                0 => "divide_error",
                6 => "invalid_op",
                8 => "double_fault",
                13 => "general_protection",
                _ => "page_fault",
            };
            return LegacyOopsLayout ? name : "asm_exc_" + name;
        }

        private static KernelFunctionShape F(string name, int frame, params KernelStepEntry[] steps) => new KernelFunctionShape(name, frame, false, steps);
        private static KernelFunctionShape Entry(string name, int frame, params KernelStepEntry[] steps) => new KernelFunctionShape(name, frame, true, steps);

        // 168 + 6 return addresses (entry..do_one_initcall's callers) + 640 of frames = 848.
        private static KernelFunctionShape[] Linux411Text => new[]
        {
            F("entry_SYSCALL_64_fastpath", 0, Call("SyS_finit_module"), Service()),
            F("SyS_finit_module", 16, Call("SYSC_finit_module")),
            F("SYSC_finit_module", 48, Call("load_module")),
            F("load_module", 480, Call("do_init_module")),
            F("do_init_module", 40, Call("do_one_initcall")),
            F("do_one_initcall", 56, CallRdi()),
            Entry("printk", 80, Call("vprintk_func")),
            F("vprintk_func", 8, Call("vprintk_default")),
            F("vprintk_default", 8, Call("vprintk_emit")),
            F("vprintk_emit", 312, Call("vscnprintf"), Call("log_store"), Call("console_unlock")),
            F("vscnprintf", 8, Call("vsnprintf")),
            F("vsnprintf", 40, Call("pointer")),
            F("pointer", 48, Call("number")),
            F("number", 24),
            F("log_store", 40, Call("sched_clock"), Service()),
            F("sched_clock", 8, Call("kvm_sched_clock_read")),
            F("kvm_sched_clock_read", 8),
            F("console_unlock", 80, Call("up")),
            F("up", 16),
            Entry("__stack_chk_fail", 8, Call("panic")),
            Entry("divide_error", 0), Entry("invalid_op", 0), Entry("double_fault", 0),
            Entry("general_protection", 0), Entry("page_fault", 0, Call("do_page_fault")),
            // WARN() in 4.11: warn_slowpath_null → __warn → dump_stack → show_stack (frame sizes KDsl's, UNVERIFIED).
            Entry("warn_slowpath_null", 8, Call("__warn")),
            F("__warn", 40, Call("dump_stack")),
        }.Concat(ThreadEntryText("linux-4.11")).Concat(FaultsText("linux-4.11", "dump_stack", SgSetBufBug411)).Concat(OomText("4.11", "dump_stack")).Concat(StringText("linux-4.11")).Concat(MightSleepText("linux-4.11")).Concat(DriverText("linux-4.11")).ToArray();

        // The syscall path and printk of 5.10 and 6.1 are the real kernels' own, recorded (Footprints/*.ktrace): only
        // the trap entries and KDsl's fault, thread and allocator models are written here.
        // panic's path down to show_stack is recorded too where the footprint has it: the OOM report then calls the real
        // dump_stack (6.1's dump_stack_lvl(KERN_DEFAULT), a tail call that leaves no frame).
        private static KernelFunctionShape[] Linux510Text =>
            TrapEntries("linux-5.10").Concat(ThreadEntryText("linux-5.10")).Concat(FaultsText("linux-5.10", "dump_stack", SgSetBufBug510))
                .Concat(OomText("5.10", "dump_stack", KernelFootprint.For("linux-5.10"))).Concat(StringText("linux-5.10")).Concat(MightSleepText("linux-5.10")).Concat(DriverText("linux-5.10")).ToArray();

        private static KernelFunctionShape[] Linux61Text =>
            TrapEntries("linux-6.1").Concat(ThreadEntryText("linux-6.1")).Concat(FaultsText("linux-6.1", "dump_stack_lvl", SgSetBufBug61))
                .Concat(OomText("6.1", PanicRecorded("linux-6.1") ? "dump_stack" : "dump_stack_lvl", KernelFootprint.For("linux-6.1")))
                .Concat(StringText("linux-6.1")).Concat(MightSleepText("linux-6.1")).Concat(DriverText("linux-6.1")).ToArray();

        /// <summary>
        /// The string and memory functions a module calls, written as the real ones (KernelStep.Body,
        /// CodeGen/KernelStringFunctions): leaf functions without a frame, but for the RBX strscpy's word loop pushes (GCC 12
        /// at 6.1's flags). The recorded text has some of them (printk's path runs strlen and memcpy): those run there as
        /// the footprint's stack replay, NOPs for their loads and stores, so a module's call reaches a copy of its own
        /// beside them under the same name, which does the work.
        /// </summary>
        private static IEnumerable<KernelFunctionShape> StringText(string profile) =>
            StringFunctions.Concat(KernelFootprint.For(profile) != null ? FormattingFunctions : Enumerable.Empty<string>())
                .Select(name => new KernelFunctionShape(name, name == "strscpy" ? 8 : 0, false, Body(name)))
                .Select(f => KernelFootprint.For(profile)?.Records(f.Name) == true ? f.AsStandIn() : f);

        /// <summary>
        /// What might_sleep() calls without CONFIG_DEBUG_ATOMIC_SLEEP (include/linux/kernel.h: might_resched()): on 6.1
        /// Debian's CONFIG_PREEMPT_DYNAMIC with HAVE_PREEMPT_DYNAMIC_CALL makes it the static call might_resched, a call
        /// of its trampoline __SCT__might_resched (GCC 12 on the 6.1 headers); before PREEMPT_DYNAMIC (5.12), with
        /// CONFIG_PREEMPT_VOLUNTARY, it is _cond_resched() (5.10's config; 4.11's taken to be Fedora's voluntary too).
        /// </summary>
        public string MightSleepSymbol => MightSleepCall(Name);

        private static string MightSleepCall(string profile) => profile == "linux-6.1" ? "__SCT__might_resched" : "_cond_resched";

        /// <summary>
        /// What might_sleep() calls (<see cref="MightSleepSymbol"/>) when no other task needs the CPU, as the recorded text
        /// has it: 6.1's static call trampoline jumps to __cond_resched, which finds no reschedule pending (PREEMPT_RCU: no
        /// rcu_all_qs) and returns 0, a leaf; 5.10's _cond_resched saves RBX and calls rcu_all_qs (a leaf) first.
        /// </summary>
        private static IEnumerable<KernelFunctionShape> MightSleepText(string profile) =>
            (MightSleepCall(profile) == "__SCT__might_resched"
                ? new[] { new KernelFunctionShape("__SCT__might_resched", 0, false, Body("__SCT__might_resched")),
                          new KernelFunctionShape("__cond_resched", 0, false, Body("__cond_resched")) }
                : new[] { new KernelFunctionShape("_cond_resched", 8, false, Body("_cond_resched"), Call("rcu_all_qs")),
                          new KernelFunctionShape("rcu_all_qs", 0, false, Body("rcu_all_qs")) })
            .Select(f => KernelFootprint.For(profile)?.Records(f.Name) == true ? f.AsStandIn() : f);

        /// <summary>
        /// snprintf and sprintf (lib/vsprintf.c) and the vsnprintf they call, on the kernels whose vsnprintf was measured
        /// (5.10 and 6.1: its depth per format, <see cref="KernelFootprint.VsnprintfDepths"/>).
        /// </summary>
        public static IReadOnlyList<string> FormattingFunctions => new[] { "snprintf", "sprintf", KernelFootprint.Vsnprintf, "__warn_printk" };

        /// <summary>
        /// snprintf's and sprintf's frame where they call vsnprintf, their return address included: push %rbp, sub
        /// $0x50,%rsp (the recorded CFA of that call on 5.10 and 6.1 alike).
        /// </summary>
        public const int SnprintfFrame = 96;

        /// <summary>The functions of <see cref="StringText"/>, memset's and memcpy's ERMS bodies after the entry that jumps to them.</summary>
        public static IReadOnlyList<string> StringFunctions =>
            new[] { "memset", "memset_erms", "memcpy", "memcpy_erms", "memmove", "strlen", "strcpy", "strncpy", "strscpy" };

        /// <summary>Whether the profile's footprint has panic's path (__stack_chk_fail → panic → dump_stack → show_stack).</summary>
        private static bool PanicRecorded(string profile) => KernelFootprint.For(profile)?.Panic != null;

        /// <summary>
        /// Whether the profile's footprint has an oops path from the exception entry <paramref name="entry"/> (asm_exc_* →
        /// its handler → … → the call trace): then the entry is the real one, not modelled.
        /// </summary>
        private static bool OopsRecorded(string profile, string entry) => KernelFootprint.For(profile)?.OopsPaths.ContainsKey(entry) == true;

        /// <summary>
        /// How a new kernel thread reaches its function: ret_from_fork → kthread → threadfn(data), then do_exit. Recorded
        /// on the real kernel where the footprint has it (KernelFootprint.ThreadWords: the thread starts on those words and
        /// returns into kthread's real return site); KDsl's own frames otherwise (4.11, uncalibrated).
        /// </summary>
        private static IEnumerable<KernelFunctionShape> ThreadEntryText(string profile) =>
            KernelFootprint.For(profile) is { ThreadWords.Count: > 0 } ? Enumerable.Empty<KernelFunctionShape>() : new[]
            {
                F("ret_from_fork", 0, Call("kthread")),
                // kthread(): threadfn(data), then do_exit; the `later` kworker's threadfn is worker_thread (never returns).
                F("kthread", 40, CallRdiWithRsi(), Call("do_exit")),
            };

        // Where sg_set_buf's CONFIG_DEBUG_SG BUG_ON(!virt_addr_valid(buf)) sits in include/linux/scatterlist.h: line 143
        // in the v5.10-era file (0-day build warnings quoting it), 160 after the 5.17 reshuffle and 163 in the 4.x
        // file (a 0-day report's blame of sg_set_buf); 6.1 taken as 160 and 4.11 as 163: UNVERIFIED against those tags.
        private const string SgSetBufBug411 = "include/linux/scatterlist.h:163";
        private const string SgSetBufBug510 = "include/linux/scatterlist.h:143";
        private const string SgSetBufBug61 = "include/linux/scatterlist.h:160";

        /// <summary>The 5.x/6.x IDT entry points (asm_exc_*, 5.8+; those an oops path was recorded from are the real ones) and __stack_chk_fail (unless recorded).</summary>
        private static IEnumerable<KernelFunctionShape> TrapEntries(string profile) =>
            (PanicRecorded(profile) ? Enumerable.Empty<KernelFunctionShape>() : new[] { Entry("__stack_chk_fail", 8, Call("panic")) })
            .Concat(new[]
            {
                Entry("asm_exc_divide_error", 0), Entry("asm_exc_invalid_op", 0), Entry("asm_exc_double_fault", 0),
                Entry("asm_exc_general_protection", 0), Entry("asm_exc_page_fault", 0, Call("exc_page_fault")),
            }.Where(entry => !OopsRecorded(profile, entry.Name)));

        /// <summary>
        /// What every profile adds for the fault experiments: panic() (its entry service takes the message, then it
        /// calls dump_stack, whose show_stack service prints the trace from the real stack; dump_stack_lvl since 5.13;
        /// the real ones where the footprint recorded them), and the kernel thread that runs an experiment's `later` block (kthread → worker_thread → process_one_work → the
        /// block, its address in RDI); worker_thread's service marks the work done.
        /// Frame sizes are KDsl's, not calibrated.
        /// </summary>
        private static IEnumerable<KernelFunctionShape> FaultsText(string profile, string dumpStack, string sgSetBufBug) =>
            (PanicRecorded(profile) ? Enumerable.Empty<KernelFunctionShape>() : new[]
            {
                Entry("panic", 40, Call(dumpStack)),
                F(dumpStack, 16, Call("show_stack")),
                Entry("show_stack", 0),
            }).Concat(FaultsTextRest(sgSetBufBug, ConstantKmalloc(profile)).Where(f => !CallRecorded(profile, f.Name)));

        /// <summary>Whether the profile's footprint has the allocator <paramref name="function"/>'s path: then its text is the real one.</summary>
        private static bool CallRecorded(string profile, string function) => KernelFootprint.For(profile)?.Calls.ContainsKey(function) == true;

        private static IEnumerable<KernelFunctionShape> FaultsTextRest(string sgSetBufBug, (string Slab, string Large) constantKmalloc) => new[]
        {
            F("worker_thread", 48, Call("process_one_work"), Service()),
            F("process_one_work", 56, CallRdi()),
            // A task's end: do_exit → do_task_dead → __schedule, whose entry service runs schedule_debug's
            // CONFIG_SCHED_STACK_END_CHECK and then never returns to the dead task.
            F("do_exit", 56, Call("do_task_dead")),
            F("do_task_dead", 8, Call("__schedule")),
            Entry("__schedule", 64),
            // kthread_run(): kthread_create_on_node's entry service creates the task (alloc_thread_stack_node; the creator
            // sleeps meanwhile, so woken threads run) and returns it; wake_up_process's makes it runnable. KDsl's frames:
            // the footprints recorded neither path.
            Entry("kthread_create_on_node", 8),
            Entry("wake_up_process", 8),
            // The page and slab allocators' entry services (Kernel/Mm/PageAlloc): pages from the top of memory down.
            Entry("__get_free_pages", 8),
            Entry("free_pages", 8),
            // sg_init_one(&sg, buf, len) and a simulated device reading the entry by DMA: the body service checks
            // virt_addr_valid (CONFIG_DEBUG_SG) and steps over the BUG_ON's ud2 unless it fails, then the device reads
            // sg_phys() = __pa(buf) (virt_to_page's arithmetic, wrong for a vmalloc address) and returns the byte sum.
            F("sg_init_one", 24, Service(), Bug(sgSetBufBug)),
            Entry("__kmalloc", 8),
            Entry(constantKmalloc.Slab, 8),
            Entry(constantKmalloc.Large, 8),
            Entry("kfree", 8),
            // vmalloc(size): the entry service maps fresh zeroed pages (Kernel/Mm/Vmalloc) and returns the area in RAX.
            Entry("vmalloc", 8),
            // vfree(addr) → __vunmap(addr, 1), whose entry service finds the area (find_vm_area) and frees it, or WARNs
            // as mm/vmalloc.c does for an address no area holds. KDsl's frames: neither is recorded.
            F("vfree", 8, Call("__vunmap")),
            Entry("__vunmap", 24),
            // A user process's `syscall` lands here (MSR_LSTAR); the entry service dispatches by RAX to the C# sys_*
            // implementations (Kernel/Process/LinuxKernel.Syscalls.cs) and returns with sysretq's semantics.
            Entry(UserSyscallEntry, 0),
        };

        /// <summary>The user processes' MSR_LSTAR target: one name in every profile (arch/x86/entry/entry_64.S).</summary>
        public const string UserSyscallEntry = "entry_SYSCALL_64";

        /// <summary>show_signal_msg appends " likely on CPU N (core N, socket N)" (≈6.1+; real-kernel/logs-6.1/sigbus.log).</summary>
        public bool SegfaultCpuSuffix => !LegacyOopsLayout && PrintkSymbol == "_printk";
    }
}
