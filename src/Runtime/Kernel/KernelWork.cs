namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// What the kernel's own work costs the run: where KDsl does in C# what Linux does in kernel text (a system call, a
    /// trap, a signal frame, a page-table walk, vsnprintf's output), the run's instruction budget is charged the
    /// instructions the real kernel retires for it (and virtual time moves on by as many nanoseconds). So a process that
    /// only makes system calls or takes signals meets the soft-lockup budget as a loop does, and a run's host time stays
    /// bounded by its budget whatever the guest asks the kernel to do. The figures are the x86-64 paths' instructions
    /// counted from the sources (arch/x86/entry/entry_64.S, kernel/entry/common.c, kernel/signal.c,
    /// arch/x86/kernel/signal.c, mm/memory.c, lib/vsprintf.c), rounded, without mitigations; what KDsl runs as guest code
    /// (the module's own, recorded kernel text) pays its own instructions.
    /// </summary>
    public static class KernelWork
    {
        /// <summary>
        /// entry_SYSCALL_64 (swapgs, the stack switch, pt_regs' 6 pushes and PUSH_AND_CLEAR_REGS' 15 pushes and xors),
        /// do_syscall_64 (syscall_enter_from_user_mode, the table's bounds check and array_index_nospec, the indirect
        /// call), syscall_exit_to_user_mode's work checks, and the way back (the sysret eligibility checks, POP_REGS,
        /// swapgs, sysretq): about 150 instructions around the call's own body.
        /// </summary>
        public const long SyscallEntry = 150;

        /// <summary>
        /// A trap from user mode: the idtentry's error_entry (swapgs, PUSH_AND_CLEAR_REGS, the stack switch),
        /// irqentry_enter_from_user_mode, the handler's dispatch (exc_page_fault reads CR2 and takes the mmap lock;
        /// find_vma's few tree steps), irqentry_exit_to_user_mode's work checks and the iretq path: about 150.
        /// </summary>
        public const long TrapEntry = 150;

        /// <summary>
        /// force_sig_fault → send_signal (a sigqueue from its slab cache, the pending set, signal_wake_up), then on the
        /// way out get_signal (dequeue_signal, collect_signal, freeing the sigqueue) and handle_signal → setup_rt_frame
        /// (get_sigframe, the FPU state saved to the frame, some 40 unsafe_put_user stores of siginfo and ucontext,
        /// signal_setup_done's sigprocmask): about 1,000. The frame's bytes are charged besides, as a copy.
        /// </summary>
        public const long SignalDelivery = 1_000;

        /// <summary>
        /// One page-table entry a range walk looks at: zap_pte_range's and change_pte_range's loop bodies, and the
        /// p?d_none_or_clear_bad skips of the levels above (a few loads, a test and the increment): about 4.
        /// </summary>
        public const long PageTableEntry = 4;

        /// <summary>
        /// One character vsnprintf produces, stored or (past the buffer's end) only counted: number()'s and
        /// widen_string's loops (<c>if (buf &lt; end) *buf = c; ++buf;</c>), about 4. A field width is clamped to
        /// FIELD_WIDTH_MAX (8,388,607), which the loop still runs through: printk("%*d", INT_MAX, 1) costs some 33 million.
        /// The recorded printk text (5.10, 6.1) formats its own short message too; that overlap is a few hundred at most.
        /// </summary>
        public const long FormattedCharacter = 4;

        /// <summary>
        /// One printk record of a report the C# kernel prints line by line where the real kernel printk's each line (a
        /// WARN's or bad_page's report): vprintk_store's reservation, formatting and commit, then the console's output.
        /// Measured on the recorded 6.1 printk path KDsl runs for a module's printk: a loop of printk("line %ld\n", i)
        /// retires about 5,300 instructions a record (189 records in a million instructions).
        /// </summary>
        public const long PrintkRecord = 5_000;

        /// <summary>copy_user_generic's rep movsq retires one iteration per 8 bytes copied.</summary>
        public static long Copy(long bytes) => (bytes + 7) / 8;
    }
}
