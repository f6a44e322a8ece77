using System;
using System.Collections.Generic;
using KDsl.Image;
using KDsl.Profiles;
using KDsl.Runtime.Memory;

namespace KDsl.Runtime.Kernel
{
    /// <summary>A module after load_module: where its sections landed.</summary>
    public sealed class Module
    {
        public Module(ModuleImage image, ulong textBase, ulong roDataBase, ulong dataBase = 0, ulong bssBase = 0)
        {
            Image = image;
            TextBase = textBase;
            RoDataBase = roDataBase;
            DataBase = dataBase;
            BssBase = bssBase;
        }

        public ModuleImage Image { get; }
        public string Name => Image.Name;
        public ulong TextBase { get; }
        public ulong RoDataBase { get; }
        public ulong DataBase { get; }
        public ulong BssBase { get; }

        public ulong BaseOf(Section section) => section switch
        {
            Section.Text => TextBase,
            Section.RoData => RoDataBase,
            Section.Data => DataBase,
            _ => BssBase,
        };

        public ulong AddressOf(ModuleSymbol symbol) => BaseOf(symbol.Section) + (ulong)symbol.Offset;
    }

    /// <summary>kernel/module/main.c: module_alloc, section layout and apply_relocate_add, reduced to KDsl's sections.</summary>
    public static class ModuleLoader
    {
        /// <summary>
        /// Copies .text (RX), .rodata (RO, NX) and the writable region (RW, NX) into the module area as layout_sections
        /// groups them: text, read-only data and the writable sections each from a page boundary, and in the writable
        /// region, in the .ko's section order at their alignments, `__bug_table`, `.data`, the struct module of
        /// `.gnu.linkonce.this_module` (<see cref="KernelProfile.ThisModuleSize"/>) and `.bss`, zeroed. Adds the
        /// module's symbols to kallsyms and resolves every relocation against the module's own symbols, then the
        /// kernel's. An unknown symbol fails the load with the kernel's message (the caller prints it), as "Unknown
        /// symbol" does in the real kernel.
        /// </summary>
        public static Module? Load(ModuleImage image, KernelProfile profile, PhysicalMemory memory, PageTables tables, ulong root,
            ref ulong moduleCursor, KernelSymbols kallsyms, out string? error)
        {
            ulong textBase = moduleCursor;
            ulong textSize = PageAlign((ulong)image.Text.Length);
            ulong roBase = textBase + Math.Max(textSize, PhysicalMemory.PageSize);
            ulong roSize = PageAlign((ulong)Math.Max(image.RoData.Length, 1));
            ulong rwBase = roBase + roSize;
            ulong cursor = rwBase + (ulong)(BugEntrySize * image.Bugs.Count);
            ulong dataBase = Align(cursor, SectionAlignment);
            if (image.Data.Length > 0) cursor = dataBase + (ulong)image.Data.Length;
            cursor = Align(cursor, ThisModuleAlignment) + (ulong)profile.ThisModuleSize;
            ulong bssBase = Align(cursor, SectionAlignment);
            ulong end = PageAlign(bssBase + (ulong)image.BssSize);
            moduleCursor = end + PhysicalMemory.PageSize;

            var sections = new Dictionary<Section, byte[]>
            {
                [Section.Text] = (byte[])image.Text.Clone(),
                [Section.RoData] = (byte[])image.RoData.Clone(),
                [Section.Data] = (byte[])image.Data.Clone(),
            };
            var module = new Module(image, textBase, roBase, dataBase, bssBase);
            var local = new Dictionary<string, ulong>();
            foreach (var s in image.Symbols) local[s.Name] = module.AddressOf(s);

            foreach (var r in image.Relocations)
            {
                if (!local.TryGetValue(r.Target, out ulong target) && !kallsyms.TryGetAddress(r.Target, out target))
                {
                    error = $"{image.Name}: Unknown symbol {r.Target} (err -2)";
                    return null;
                }
                var bytes = sections[r.Section];
                ulong place = module.BaseOf(r.Section) + (ulong)r.Offset;
                long value = unchecked((long)target + r.Addend);
                switch (r.Kind)
                {
                    case RelocationKind.Rel32:
                        long displacement = unchecked(value - (long)place);
                        if (displacement != (int)displacement)
                        {
                            error = $"{image.Name}: overflow in relocation type 4 val {(ulong)value:x}";
                            return null;
                        }
                        WriteInt32(bytes, r.Offset, (int)displacement);
                        break;
                    case RelocationKind.Abs32S:
                        if (value != (int)value)
                        {
                            error = $"{image.Name}: overflow in relocation type 11 val {(ulong)value:x}";
                            return null;
                        }
                        WriteInt32(bytes, r.Offset, (int)value);
                        break;
                    default:
                        BitConverter.GetBytes(value).CopyTo(bytes, r.Offset);
                        break;
                }
            }

            // one writable region: .data's bytes where they go, zeroes for the rest (the bug table and struct module are
            // the real kernel's business); .bss is the fresh pages' zeros, with no host bytes behind them
            var writable = new byte[bssBase - rwBase];
            sections[Section.Data].CopyTo(writable, (int)(dataBase - rwBase));
            if (!MapCopyPages(sections[Section.Text], CodePages(image), textBase, PteFlags.KernelRx, memory, tables, root) ||
                !MapCopy(sections[Section.RoData], roBase, PteFlags.KernelReadOnly, memory, tables, root) ||
                !MapCopy(writable, end - rwBase, rwBase, PteFlags.Kernel, memory, tables, root))
            {
                error = $"{image.Name}: out of memory loading the module";
                return null;
            }

            kallsyms.AddText(textBase, image.Symbols, image.Unwind, image.Name, (long)textSize);
            kallsyms.AddObjects(module, image.Symbols, textBase + textSize);
            error = null;
            return module;
        }

        /// <summary>struct bug_entry with CONFIG_GENERIC_BUG_RELATIVE_POINTERS: bug_addr_disp, file_disp, line, flags.</summary>
        private const int BugEntrySize = 12;
        /// <summary>What KDsl's .ko gives `.data` and `.bss` (ModuleAssembly's .p2align 5).</summary>
        private const ulong SectionAlignment = 32;
        /// <summary>struct module is ____cacheline_aligned.</summary>
        private const ulong ThisModuleAlignment = 64;

        private static ulong Align(ulong value, ulong alignment) => (value + alignment - 1) & ~(alignment - 1);

        /// <summary>Backs [va, va + bytes) with fresh pages, copies the bytes in and maps them with the given protection.</summary>
        public static bool MapCopy(byte[] bytes, ulong va, PteFlags protection, PhysicalMemory memory, PageTables tables, ulong root) =>
            MapCopy(bytes, (ulong)bytes.Length, va, protection, memory, tables, root);

        /// <summary>As <see cref="MapCopy(byte[], ulong, PteFlags, PhysicalMemory, PageTables, ulong)"/> for <paramref name="length"/> bytes, zeros after <paramref name="bytes"/>.</summary>
        public static bool MapCopy(byte[] bytes, ulong length, ulong va, PteFlags protection, PhysicalMemory memory, PageTables tables, ulong root)
        {
            ulong size = PageAlign(Math.Max(Math.Max(length, (ulong)bytes.Length), 1));
            for (ulong off = 0; off < size; off += PhysicalMemory.PageSize)
            {
                if (!memory.TryAllocPage(out ulong pa)) return false;
                int chunk = (int)Math.Min(PhysicalMemory.PageSize, (ulong)bytes.Length - Math.Min(off, (ulong)bytes.Length));
                if (chunk > 0) memory.Write(pa, new ReadOnlySpan<byte>(bytes, (int)off, chunk));
                if (!tables.Map4K(root, va + off, pa, protection)) return false;
            }
            return true;
        }

        /// <summary>As <see cref="MapCopy(byte[], ulong, PteFlags, PhysicalMemory, PageTables, ulong)"/> for the listed 4 KiB pages of <paramref name="bytes"/> only (a sparse text).</summary>
        public static bool MapCopyPages(byte[] bytes, IReadOnlyList<int> pages, ulong va, PteFlags protection, PhysicalMemory memory, PageTables tables, ulong root)
        {
            foreach (int page in pages)
            {
                int off = page * (int)PhysicalMemory.PageSize;
                if (!memory.TryAllocPage(out ulong pa)) return false;
                int chunk = Math.Min((int)PhysicalMemory.PageSize, bytes.Length - off);
                if (chunk > 0) memory.Write(pa, new ReadOnlySpan<byte>(bytes, off, chunk));
                if (!tables.Map4K(root, va + (ulong)off, pa, protection)) return false;
            }
            return true;
        }

        /// <summary>
        /// As <see cref="MapCopyPages"/> for pages every machine starts with the same (the kernel text): the same frames,
        /// page tables and bytes, but the frames map the host pages all machines share, copy-on-write, instead of each
        /// holding a copy (<see cref="SharedPages"/>).
        /// </summary>
        public static bool MapShared(SharedPages pages, ulong va, PteFlags protection, PhysicalMemory memory, PageTables tables, ulong root) =>
            memory.TryAllocShared(pages, (index, pa) =>
                tables.Map4K(root, va + (ulong)pages.PageNumber(index) * PhysicalMemory.PageSize, pa, protection));

        /// <summary>The text pages that hold code: the page between .init.text and .text (ModuleCompiler) stays unmapped.</summary>
        private static List<int> CodePages(ModuleImage image)
        {
            var pages = new SortedSet<int>();
            foreach (var s in image.Symbols)
            {
                if (s.Section != Section.Text) continue;
                for (int page = s.Offset / (int)PhysicalMemory.PageSize; page <= (s.Offset + System.Math.Max(s.Size, 1) - 1) / (int)PhysicalMemory.PageSize; page++)
                    pages.Add(page);
            }
            return new List<int>(pages);
        }

        public static ulong PageAlign(ulong size) => (size + PhysicalMemory.PageMask) & ~PhysicalMemory.PageMask;

        private static void WriteInt32(byte[] bytes, int offset, int value) => BitConverter.GetBytes(value).CopyTo(bytes, offset);
    }
}
