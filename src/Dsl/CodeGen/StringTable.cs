using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;

namespace KDsl.CodeGen
{
    /// <summary>The module's .rodata: NUL-terminated string literals, each stored once, named .LC0, .LC1, … as GCC names them.</summary>
    internal sealed class StringTable
    {
        private readonly Dictionary<string, string> _byContent = new Dictionary<string, string>();
        private readonly List<byte> _bytes = new List<byte>();

        public List<Image.ModuleSymbol> Symbols { get; } = new List<Image.ModuleSymbol>();

        public byte[] ToArray() => _bytes.ToArray();

        public string Add(ImmutableArray<byte> bytes)
        {
            string key = Encoding.UTF8.GetString(bytes.ToArray()) + "\u0000" + bytes.Length;
            if (_byContent.TryGetValue(key, out string? name)) return name;
            name = ".LC" + Symbols.Count;
            Symbols.Add(new Image.ModuleSymbol(name, Image.Section.RoData, _bytes.Count, bytes.Length + 1, 0));
            _bytes.AddRange(bytes);
            _bytes.Add(0);
            _byContent[key] = name;
            return name;
        }
    }
}
