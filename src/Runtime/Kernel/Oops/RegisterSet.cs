namespace KDsl.Runtime.Kernel.Oops
{
    /// <summary>
    /// What __show_regs prints: the saved pt_regs (RIP..R15, CS, SS, RFLAGS, ORIG_RAX) plus the live CPU state it
    /// reads itself when it prints everything (segment selectors, FS/GS bases, control and debug registers, PKRU).
    /// The kernel layer fills the live part from the emulated CPU at die() time.
    /// </summary>
    public sealed class RegisterSet
    {
        /// <summary>orig_ax of a frame with nothing to restart (exceptions, interrupts): not printed.</summary>
        public const ulong NoOrigRax = ulong.MaxValue;

        public ulong Rip { get; set; }
        public ulong Rsp { get; set; }
        public ulong Rflags { get; set; }
        public ulong Rax { get; set; }
        public ulong Rbx { get; set; }
        public ulong Rcx { get; set; }
        public ulong Rdx { get; set; }
        public ulong Rsi { get; set; }
        public ulong Rdi { get; set; }
        public ulong Rbp { get; set; }
        public ulong R8 { get; set; }
        public ulong R9 { get; set; }
        public ulong R10 { get; set; }
        public ulong R11 { get; set; }
        public ulong R12 { get; set; }
        public ulong R13 { get; set; }
        public ulong R14 { get; set; }
        public ulong R15 { get; set; }
        /// <summary>Syscall number of a syscall frame; <see cref="NoOrigRax"/> (-1) otherwise.</summary>
        public ulong OrigRax { get; set; } = NoOrigRax;

        /// <summary>regs->cs: 0x10 kernel, 0x33 user.</summary>
        public ushort Cs { get; set; } = 0x10;
        /// <summary>regs->ss: 0x18 kernel, 0x2b user.</summary>
        public ushort Ss { get; set; } = 0x18;

        // Live state read by __show_regs(SHOW_REGS_ALL).
        public ushort Ds { get; set; }
        public ushort Es { get; set; }
        public ushort Fs { get; set; }
        public ushort Gs { get; set; }
        public ulong FsBase { get; set; }
        public ulong GsBase { get; set; }
        public ulong KernelGsBase { get; set; }
        public ulong Cr0 { get; set; }
        public ulong Cr2 { get; set; }
        public ulong Cr3 { get; set; }
        public ulong Cr4 { get; set; }
        public ulong Dr0 { get; set; }
        public ulong Dr1 { get; set; }
        public ulong Dr2 { get; set; }
        public ulong Dr3 { get; set; }
        /// <summary>DR6; DR6_RESERVED (0xffff0ff0) with the other debug registers at their defaults is not printed.</summary>
        public ulong Dr6 { get; set; } = 0xffff0ff0;
        public ulong Dr7 { get; set; } = 0x400;
        public uint Pkru { get; set; }

        /// <summary>user_mode(regs): the saved CS has a non-zero privilege level.</summary>
        public bool IsUserMode => (Cs & 3) != 0;

        public RegisterSet Clone() => (RegisterSet)MemberwiseClone();
    }
}
