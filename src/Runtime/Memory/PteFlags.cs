using System;

namespace KDsl.Runtime.Memory
{
    /// <summary>x86-64 page-table entry bits (arch/x86/include/asm/pgtable_types.h).</summary>
    [Flags]
    public enum PteFlags : ulong
    {
        None = 0,
        Present = 1UL << 0,
        Writable = 1UL << 1,
        User = 1UL << 2,
        WriteThrough = 1UL << 3,
        CacheDisable = 1UL << 4,
        Accessed = 1UL << 5,
        Dirty = 1UL << 6,
        /// <summary>PSE: 2 MiB page in a PMD entry (1 GiB in a PUD entry).</summary>
        Huge = 1UL << 7,
        Global = 1UL << 8,
        NoExecute = 1UL << 63,

        /// <summary>_PAGE_TABLE: intermediate table reachable from user mode.</summary>
        PageTable = Present | Writable | User | Accessed | Dirty,
        /// <summary>_KERNPG_TABLE: intermediate table for kernel-only mappings.</summary>
        KernelPageTable = Present | Writable | Accessed | Dirty,
        /// <summary>__PAGE_KERNEL: P|RW|A|D|G|NX.</summary>
        Kernel = Present | Writable | Accessed | Dirty | Global | NoExecute,
        /// <summary>__PAGE_KERNEL_EXEC: P|RW|A|D|G.</summary>
        KernelExec = Present | Writable | Accessed | Dirty | Global,
        /// <summary>__PAGE_KERNEL_RO: P|A|D|G|NX.</summary>
        KernelReadOnly = Present | Accessed | Dirty | Global | NoExecute,
        /// <summary>__PAGE_KERNEL_RX: P|A|D|G.</summary>
        KernelRx = Present | Accessed | Dirty | Global,
    }

    /// <summary>#PF error-code bits (arch/x86/include/asm/trap_pf.h).</summary>
    public static class PfError
    {
        public const uint Prot = 1 << 0;
        public const uint Write = 1 << 1;
        public const uint User = 1 << 2;
        public const uint Rsvd = 1 << 3;
        public const uint Instr = 1 << 4;
    }

    /// <summary>The kind of a memory access.</summary>
    public enum Access
    {
        Read = 0,
        Write = 1,
        Execute = 2,
    }

    /// <summary>Result of an address translation.</summary>
    public enum TranslateStatus
    {
        Ok = 0,
        /// <summary>#PF: the error code says why; CR2 should receive the address.</summary>
        PageFault = 1,
        /// <summary>Non-canonical address: #GP(0) (or #SS(0) for stack accesses).</summary>
        NonCanonical = 2,
    }
}
