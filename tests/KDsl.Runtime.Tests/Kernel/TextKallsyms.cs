using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;
using KDsl.Runtime.Kernel.Printk;

namespace KDsl.Runtime.Tests.Kernel
{
    /// <summary>
    /// A symbol table made up from the symbol texts of a reference log: "rstack+0x2d/0x7f [step5_4096]" defines
    /// rstack (size 0x7f, module step5_4096) at a fresh base and returns base+0x2d, so printing that address with
    /// %pS must give the same text back. "0x…" texts are raw addresses outside every symbol.
    /// </summary>
    internal sealed class TextKallsyms : IKallsyms
    {
        private static readonly Regex SymbolText = new(@"^(?<name>[\w.]+)\+0x(?<off>[0-9a-f]+)/0x(?<size>[0-9a-f]+)(?: \[(?<mod>\w+)\])?$");
        private readonly Dictionary<string, KallsymsSymbol> _byKey = new();
        private readonly List<KallsymsSymbol> _symbols = new();
        private ulong _nextBase = 0xffffffff81000000;

        public ulong Address(string text)
        {
            if (text.StartsWith("0x", StringComparison.Ordinal))
                return ulong.Parse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var m = SymbolText.Match(text);
            if (!m.Success) throw new ArgumentException("not a symbol text: " + text);
            string name = m.Groups["name"].Value;
            string? module = m.Groups["mod"].Success ? m.Groups["mod"].Value : null;
            ulong size = ulong.Parse(m.Groups["size"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            ulong off = ulong.Parse(m.Groups["off"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            string key = name + "|" + module;
            if (!_byKey.TryGetValue(key, out var sym))
            {
                sym = new KallsymsSymbol(name, _nextBase, size, module);
                _nextBase += 0x10000;
                _byKey[key] = sym;
                _symbols.Add(sym);
            }
            if (sym.Size != size) throw new ArgumentException("inconsistent size for " + name);
            return sym.Start + off;
        }

        public bool TryLookup(ulong address, out KallsymsSymbol symbol)
        {
            foreach (var s in _symbols)
            {
                if (address >= s.Start && address < s.Start + s.Size)
                {
                    symbol = s;
                    return true;
                }
            }
            symbol = default;
            return false;
        }
    }
}
