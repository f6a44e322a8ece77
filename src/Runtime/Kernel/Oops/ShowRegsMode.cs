namespace KDsl.Runtime.Kernel.Oops
{
    /// <summary>enum show_regs_mode (arch/x86/include/asm/kdebug.h).</summary>
    public enum ShowRegsMode
    {
        /// <summary>Everything: selectors, bases, CR*, DR* (if not default), PKRU.</summary>
        All,
        /// <summary>Up to R15: pt_regs found on the stack mid-trace.</summary>
        Short,
        /// <summary>Up to R15 plus "FS: … GS: …" bases: an oops while in user mode.</summary>
        User,
    }
}
