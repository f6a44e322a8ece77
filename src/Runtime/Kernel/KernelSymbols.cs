using System;
using System.Collections.Generic;
using KDsl.Image;
using KDsl.Runtime.Kernel.Printk;

namespace KDsl.Runtime.Kernel
{
    /// <summary>A function the unwinder knows: its address range and ORC-style CFA rows.</summary>
    public sealed class TextFunction
    {
        public TextFunction(string name, ulong start, ulong size, string? module, ulong rowBase, IReadOnlyList<UnwindEntry> rows)
        {
            Name = name;
            Start = start;
            Size = size;
            Module = module;
            _rowBase = rowBase;
            _rows = rows;
        }

        private readonly ulong _rowBase;
        private readonly IReadOnlyList<UnwindEntry> _rows;

        public string Name { get; }

        /// <summary>
        /// The source function the symbol is code of: a module's NAME.cold (the blocks GCC moved to .text.unlikely) is
        /// NAME's; every other symbol is its own.
        /// </summary>
        public string SourceName => Module is not null && Name.EndsWith(ModuleSymbol.ColdSuffix, StringComparison.Ordinal)
            ? Name.Substring(0, Name.Length - ModuleSymbol.ColdSuffix.Length) : Name;

        public ulong Start { get; }
        public ulong Size { get; }
        public string? Module { get; }

        /// <summary>CFA offset (caller's RSP = RSP + it) at an address inside the function, from the last row at or before it.</summary>
        public int CfaAt(ulong address) => RowAt(address)?.CfaOffset ?? 8;

        /// <summary>How far below the CFA the caller's RBP is saved at an address inside the function (0: not saved).</summary>
        public int RbpSavedAt(ulong address) => RowAt(address)?.RbpSaved ?? 0;

        private UnwindEntry? RowAt(ulong address)
        {
            UnwindEntry? found = null;
            foreach (var row in _rows)
            {
                ulong at = _rowBase + (ulong)row.Offset;
                if (at < Start) continue;
                if (at > address || at >= Start + Size) break;
                found = row;
            }
            return found;
        }
    }

    /// <summary>kallsyms: the modelled vmlinux text plus the loaded module's functions, sorted by address.</summary>
    public sealed class KernelSymbols : IKallsyms
    {
        private const long PageMask = 4095;
        private readonly List<TextFunction> _functions = new List<TextFunction>();
        private readonly Dictionary<string, ulong> _byName = new Dictionary<string, ulong>();

        /// <summary>
        /// Adds text symbols. A module's are sized as the kernel sizes them (kernel/module kallsyms, get_ksymbol): up to the
        /// next symbol, the last of a section up to the end of its page (<paramref name="textEnd"/> caps the whole text), so
        /// an address in the padding between two functions still names the one before it.
        /// </summary>
        public void AddText(ulong baseAddress, IReadOnlyList<ModuleSymbol> symbols, IReadOnlyList<UnwindEntry> unwind, string? module,
            long textEnd = -1)
        {
            var text = new List<ModuleSymbol>();
            foreach (var s in symbols)
                if (s.Section == Section.Text) text.Add(s);
            if (textEnd >= 0) text.Sort((a, b) => a.Offset.CompareTo(b.Offset));
            for (int i = 0; i < text.Count; i++)
            {
                var s = text[i];
                // up to the next symbol, but not past the page the function ends in (the section's end)
                long pageEnd = (s.Offset + Math.Max(s.Size, 1) + PageMask) & ~PageMask;
                long size = textEnd < 0 ? s.Size : Math.Min(i + 1 < text.Count ? text[i + 1].Offset : textEnd, pageEnd) - s.Offset;
                _functions.Add(new TextFunction(s.Name, baseAddress + (ulong)s.Offset, (ulong)size, module, baseAddress, unwind));
                _byName[s.Name] = baseAddress + (ulong)s.Offset;
            }
            _functions.Sort((a, b) => a.Start.CompareTo(b.Start));
        }

        public void AddData(string name, ulong address) => _byName[name] = address;

        /// <summary>
        /// A loaded module's variables (.rodata, .data, .bss objects; not the compiler's .LC string labels, which are no
        /// symbols): their names resolve, and %pS of an address inside one names it, with the size find_kallsyms_symbol
        /// gives it: it looks for the next symbol only below the end of the core text (<paramref name="coreTextEnd"/>),
        /// so every variable's "size" is that end minus its address, wrapped (real 6.1: scratch+0x40/0xffffffffffffec40).
        /// </summary>
        public void AddObjects(Module module, IReadOnlyList<ModuleSymbol> symbols, ulong coreTextEnd)
        {
            foreach (var s in symbols)
            {
                if (s.Section == Section.Text || s.Name.StartsWith(".L", StringComparison.Ordinal)) continue;
                ulong address = module.AddressOf(s);
                _byName[s.Name] = address;
                _objects.Add((new KallsymsSymbol(s.Name, address, unchecked(coreTextEnd - address), module.Name), (ulong)Math.Max(s.Size, 1)));
            }
            _objects.Sort((a, b) => a.Symbol.Start.CompareTo(b.Symbol.Start));
        }

        /// <summary>The variables as %pS prints them, each with the bytes it really spans (what an address must fall in).</summary>
        private readonly List<(KallsymsSymbol Symbol, ulong Bytes)> _objects = new List<(KallsymsSymbol, ulong)>();

        public bool TryGetAddress(string name, out ulong address) => _byName.TryGetValue(name, out address);

        public ulong AddressOf(string name) => _byName[name];

        public bool TryFindFunction(ulong address, out TextFunction function)
        {
            int lo = 0, hi = _functions.Count - 1;
            while (lo <= hi)
            {
                int mid = (lo + hi) / 2;
                var f = _functions[mid];
                if (address < f.Start) hi = mid - 1;
                else if (address >= f.Start + f.Size) lo = mid + 1;
                else
                {
                    function = f;
                    return true;
                }
            }
            function = null!;
            return false;
        }

        /// <summary>__kernel_text_address: inside some function of vmlinux or a module.</summary>
        public bool IsTextAddress(ulong address) => TryFindFunction(address, out _);

        public bool TryLookup(ulong address, out KallsymsSymbol symbol)
        {
            if (TryFindFunction(address, out var f))
            {
                symbol = new KallsymsSymbol(f.Name, f.Start, f.Size, f.Module);
                return true;
            }
            foreach (var (o, bytes) in _objects)
                if (address >= o.Start && address - o.Start < bytes)
                {
                    symbol = o;
                    return true;
                }
            symbol = default;
            return false;
        }
    }
}
