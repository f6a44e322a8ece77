using System;
using System.Collections.Generic;
using System.Linq;

namespace KDsl.Cli.Tests
{
    /// <summary>
    /// What the real kernel's %pS prints for an address in a module's core text, computed from the .ko alone:
    /// layout_sections (kernel/module/main.c on 6.1, kernel/module.c on 5.10) puts the SHF_ALLOC|SHF_EXECINSTR sections
    /// not named .init* first in the core allocation, in section order, each at its alignment, and page-aligns
    /// core_layout.text_size (STRICT_MODULE_RWX); find_kallsyms_symbol (kernel/module/kallsyms.c) takes the closest
    /// named symbol at or below the address and sizes it up to the next symbol above it, else up to that text end.
    /// </summary>
    internal static class ModuleKallsyms
    {
        private const ulong ShfAlloc = 2, ShfExecInstr = 4, PageSize = 4096;

        /// <summary>NAME+0xOFF/0xSIZE for <paramref name="offset"/> in <paramref name="section"/> of the .ko.</summary>
        public static string Describe(ElfFile ko, string section, ulong offset)
        {
            var coreText = new Dictionary<int, ulong>();
            ulong size = 0;
            foreach (var s in ko.Sections)
            {
                if ((s.Flags & (ShfAlloc | ShfExecInstr)) != (ShfAlloc | ShfExecInstr) || s.Name.StartsWith(".init", StringComparison.Ordinal)) continue;
                size = Align(size, Math.Max(s.AddrAlign, 1));
                coreText[s.Index] = size;
                size += s.Size;
            }
            ulong address = coreText[ko.Section(section).Index] + offset;
            // "At worse, next value is at end of module"
            ulong nextval = Align(size, PageSize);
            string? best = null;
            ulong bestval = 0;
            foreach (var sym in ko.Symbols)
            {
                // undefined, section symbols (no name of their own), the init's and data's: none lies in the core text
                // below its end (the init is another allocation, the data come after text_size)
                if (sym.Type == ElfFile.SttSection || !coreText.TryGetValue(sym.Section, out ulong sectionBase)) continue;
                // "We ignore unnamed symbols" and mapping symbols (.L labels; $a/$x/$t/$d)
                if (sym.Name.Length == 0 || sym.Name.StartsWith(".L", StringComparison.Ordinal) ||
                    (sym.Name.Length >= 2 && sym.Name[0] == '$' && "axtd".Contains(sym.Name[1]) && (sym.Name.Length == 2 || sym.Name[2] == '.'))) continue;
                ulong value = sectionBase + sym.Value;
                if (value <= address && (best is null || value > bestval))
                {
                    best = sym.Name;
                    bestval = value;
                }
                if (value > address && value < nextval) nextval = value;
            }
            if (best is null) throw new InvalidOperationException($"no symbol at or below {section}+0x{offset:x}");
            return $"{best}+0x{address - bestval:x}/0x{nextval - bestval:x}";
        }

        private static ulong Align(ulong value, ulong alignment) => (value + alignment - 1) / alignment * alignment;
    }
}
