namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// Fixed addresses of the emulated machine (4-level paging, KASLR and stack randomisation off), so every run
    /// lays out the same way. Regions follow Documentation/arch/x86/x86_64/mm.rst; the profile gives the direct
    /// map and vmalloc bases of its era.
    /// </summary>
    public static class Layout
    {
        /// <summary>Where vmalloc hands out its first area (the early-boot areas of a real kernel sit below).</summary>
        public const ulong VmallocFirstAreaOffset = 0x0010_0000;
        /// <summary>cpu_entry_area: per-CPU IST stacks, each with an unmapped guard page below (cpu_entry_area.h).</summary>
        public const ulong CpuEntryArea = 0xfffffe0000000000;
        public const ulong DoubleFaultStackGuard = CpuEntryArea + 0x8000;
        public const ulong DoubleFaultStackBottom = CpuEntryArea + 0x9000;
        /// <summary>EXCEPTION_STKSZ is 8 KiB since 2021.</summary>
        public const ulong DoubleFaultStackTop = CpuEntryArea + 0xb000;
        /// <summary>Modules load from MODULES_VADDR on (module_alloc).</summary>
        public const ulong ModuleAreaStart = Profiles.KernelProfile.ModulesBase + 0x0052_9000;

        /// <summary>The insmod process's user space: the libc-style syscall stub it entered the kernel from, and its stack.</summary>
        public const ulong InsmodCode = 0x00007f86ddd4b000;
        /// <summary>Where in its page the stub sits (libc's syscall() is not at a page start, so Code: can show the bytes before RIP).</summary>
        public const ulong InsmodStubOffset = 0x800;
        public const ulong InsmodStackPage = 0x00007fffb8ac3000;
        public const ulong InsmodRsp = 0x00007fffb8ac3468;
        public const ulong FinitModuleSyscall = 313;
        public const int InsmodModuleFd = 3;

        /// <summary>Guest physical memory of the machine.</summary>
        public const ulong PhysicalMemorySize = 64UL << 20;
        /// <summary>The most guest RAM one machine may have: host memory backs only touched guest frames, so this caps the host memory a run can take.</summary>
        public const ulong MaxPhysicalMemorySize = 4UL << 30;
        /// <summary>Instructions one experiment may run before the watchdog reports a soft lockup.</summary>
        public const long InstructionBudget = 400_000_000;
    }
}
