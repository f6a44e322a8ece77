using System.Collections.Generic;
using KDsl.Image;
using KDsl.Symbols;

namespace KDsl.CodeGen
{
    /// <summary>
    /// Lays the module's static objects into sections as GCC does: const ones in .rodata (after the strings), initialized
    /// ones in .data, the rest (no initializer, or all zeros: -fzero-initialized-in-bss) in .bss; each at its alignment.
    /// A pointer in an initializer becomes an R_X86_64_64 relocation of its section.
    /// </summary>
    internal static class StaticData
    {
        public static (byte[] RoData, byte[] Data, int BssSize) Lay(IReadOnlyList<GlobalSymbol> globals, StringTable strings,
            List<ModuleSymbol> symbols, List<Relocation> relocations)
        {
            // Strings an initializer points to join the code's strings first: .rodata starts with all of them.
            var pointerTargets = new Dictionary<DataPointer, string>();
            foreach (var g in globals)
                foreach (var p in g.Data.Pointers)
                    pointerTargets[p] = p.Symbol ?? strings.Add(p.StringBytes);

            var roData = new List<byte>(strings.ToArray());
            var data = new List<byte>();
            int bss = 0;
            foreach (var g in globals)
            {
                int size = (int)g.Type.Size;
                int align = Alignment(g.Type);
                Section section = g.IsReadOnly ? Section.RoData : g.Data.IsZero ? Section.Bss : Section.Data;
                int offset;
                if (section == Section.Bss)
                {
                    bss = Align(bss, align);
                    offset = bss;
                    bss += size;
                }
                else
                {
                    var bytes = section == Section.RoData ? roData : data;
                    while (bytes.Count % align != 0) bytes.Add(0);
                    offset = bytes.Count;
                    if (g.Data.Bytes.IsEmpty) bytes.AddRange(new byte[size]);
                    else bytes.AddRange(g.Data.Bytes);
                    foreach (var p in g.Data.Pointers)
                        relocations.Add(new Relocation(offset + p.Offset, RelocationKind.Abs64, pointerTargets[p], p.Addend, section));
                }
                symbols.Add(new ModuleSymbol(g.LinkName, section, offset, size, 0));
            }
            return (roData.ToArray(), data.ToArray(), bss);
        }

        /// <summary>
        /// The object's alignment: its type's, but at least 16 for an array or struct of 16 bytes or more (x86-64 psABI
        /// 3.1.2) and 32 for one of 32 bytes or more (GCC's ix86_data_alignment at -O2).
        /// </summary>
        public static int Alignment(TypeSymbol type)
        {
            int align = type.Alignment;
            if (type.IsAggregate && type.Size >= 32) return System.Math.Max(align, 32);
            if (type.IsAggregate && type.Size >= 16) return System.Math.Max(align, 16);
            return align;
        }

        private static int Align(int value, int align) => (value + align - 1) / align * align;
    }
}
