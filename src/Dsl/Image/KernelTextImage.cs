using System.Collections.Generic;

namespace KDsl.Image
{
    /// <summary>A vmcall site in the kernel text: when the CPU stops after it, the C# kernel runs this service.</summary>
    public readonly struct ServiceSite
    {
        public ServiceSite(int offset, string function, bool atEntry)
        {
            Offset = offset;
            Function = function;
            AtEntry = atEntry;
        }

        /// <summary>Offset of the instruction after the vmcall (where RIP points when the CPU stops).</summary>
        public int Offset { get; }
        /// <summary>The modelled kernel function the site belongs to (_printk, vprintk_store, entry_SYSCALL_64…).</summary>
        public string Function { get; }
        /// <summary>True for the vmcall before the prologue (arguments still in the ABI's places).</summary>
        public bool AtEntry { get; }
    }

    /// <summary>The modelled kernel's text for one profile: machine code, symbols, unwind rows, vmcall sites and BUG sites.</summary>
    public sealed class KernelTextImage
    {
        public KernelTextImage(byte[] text, IReadOnlyList<ModuleSymbol> symbols, IReadOnlyList<UnwindEntry> unwind, IReadOnlyList<ServiceSite> services,
            IReadOnlyList<BugEntry>? bugs = null)
        {
            Bugs = bugs ?? new BugEntry[0];
            Text = text;
            Symbols = symbols;
            Unwind = unwind;
            Services = services;
        }

        public byte[] Text { get; }
        public IReadOnlyList<ModuleSymbol> Symbols { get; }
        public IReadOnlyList<UnwindEntry> Unwind { get; }
        public IReadOnlyList<ServiceSite> Services { get; }
        /// <summary>The kernel's own __bug_table: BUG_ON()s of modelled functions (sg_set_buf's CONFIG_DEBUG_SG check).</summary>
        public IReadOnlyList<BugEntry> Bugs { get; }
    }
}
