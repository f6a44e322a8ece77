namespace KDsl.Runtime.Kernel.Printk
{
    /// <summary>One symbol as kallsyms_lookup returns it: the function containing an address, its size, its module.</summary>
    public readonly record struct KallsymsSymbol(string Name, ulong Start, ulong Size, string? Module);

    /// <summary>The kernel's symbol table (vmlinux plus loaded modules), as the kernel layer knows it.</summary>
    public interface IKallsyms
    {
        /// <summary>The symbol whose [Start, Start+Size) contains <paramref name="address"/>; false if none.</summary>
        bool TryLookup(ulong address, out KallsymsSymbol symbol);
    }

    /// <summary>The %pS / %ps / %pB texts (kernel/kallsyms.c __sprint_symbol).</summary>
    public static class Kallsyms
    {
        /// <summary>sprint_symbol (%pS): "name+0xoff/0xsize [module]", or "0x…" when no symbol covers the address.</summary>
        public static string SprintSymbol(IKallsyms? kallsyms, ulong address) =>
            Sprint(kallsyms, address, symbolOffset: 0, addOffset: true);

        /// <summary>sprint_symbol_no_offset (%ps): "name [module]".</summary>
        public static string SprintSymbolNoOffset(IKallsyms? kallsyms, ulong address) =>
            Sprint(kallsyms, address, symbolOffset: 0, addOffset: false);

        /// <summary>
        /// sprint_backtrace (%pB): looks up address-1 because a return address can sit just past the end of a
        /// noreturn caller, but prints the real offset, so a call at a function's very end reads "f+0x80/0x80".
        /// </summary>
        public static string SprintBacktrace(IKallsyms? kallsyms, ulong address) =>
            Sprint(kallsyms, address, symbolOffset: -1, addOffset: true);

        private static string Sprint(IKallsyms? kallsyms, ulong address, long symbolOffset, bool addOffset)
        {
            ulong lookup = unchecked(address + (ulong)symbolOffset);
            if (kallsyms == null || !kallsyms.TryLookup(lookup, out var sym))
                return "0x" + address.ToString("x");
            string text = sym.Name;
            if (addOffset)
            {
                ulong offset = unchecked(lookup - sym.Start - (ulong)symbolOffset);
                text += "+0x" + offset.ToString("x") + "/0x" + sym.Size.ToString("x");
            }
            if (sym.Module != null)
                text += " [" + sym.Module + "]";
            return text;
        }
    }
}
