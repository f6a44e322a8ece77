using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace KDsl.Cli.Tests
{
    /// <summary>
    /// Just enough of an ELF64 little-endian file to check a .ko or an executable (the System V gABI and the x86-64 psABI):
    /// section headers and names, the symbol table, RELA relocations, section bytes, program headers.
    /// </summary>
    internal sealed class ElfFile
    {
        /// <summary>A program header (an executable's segment): type (1 PT_LOAD), flags (4 R, 2 W, 1 X), where in the file and in memory.</summary>
        public sealed record ProgramHeader(uint Type, uint Flags, ulong Offset, ulong Address, ulong FileSize, ulong MemorySize);
        /// <summary>A section header: sh_flags (2 SHF_ALLOC, 4 SHF_EXECINSTR) and sh_addralign besides where its bytes are.</summary>
        public sealed record SectionHeader(int Index, string Name, uint Type, ulong Offset, ulong Size, uint Link, uint Info, ulong Flags, ulong AddrAlign);
        public sealed record Symbol(string Name, ulong Value, ulong Size, int Type, int Bind, int Section);
        /// <summary>A RELA entry: where in its section, the psABI type (4 PLT32, 11 32S…), the symbol and the addend.</summary>
        public sealed record Rela(ulong Offset, uint Type, Symbol Symbol, long Addend);

        public const int SttFunc = 2, SttSection = 3, StbLocal = 0, StbGlobal = 1;

        private readonly byte[] _bytes;

        public ElfFile(string path)
        {
            _bytes = File.ReadAllBytes(path);
            if (_bytes.Length < 64 || _bytes[0] != 0x7f || _bytes[1] != (byte)'E' || _bytes[4] != 2 || _bytes[5] != 1)
                throw new InvalidDataException($"{path}: not an ELF64 little-endian file");
            ulong shoff = U64(0x28);
            int shentsize = U16(0x3a), shnum = U16(0x3c), shstrndx = U16(0x3e);
            var raw = Enumerable.Range(0, shnum).Select(i => (int)shoff + i * shentsize).ToList();
            ulong strOffset = U64(raw[shstrndx] + 0x18);
            Sections = raw.Select((h, i) => new SectionHeader(i, CString(strOffset + U32(h)), U32(h + 4), U64(h + 0x18), U64(h + 0x20), U32(h + 0x28), U32(h + 0x2c), U64(h + 8), U64(h + 0x30))).ToList();
            var symtab = Sections.Single(s => s.Type == 2); // SHT_SYMTAB
            var strtab = Sections[(int)symtab.Link];
            var symbols = new List<Symbol>();
            for (ulong at = symtab.Offset; at < symtab.Offset + symtab.Size; at += 24)
            {
                int info = _bytes[at + 4];
                int shndx = U16((int)at + 6);
                string name = CString(strtab.Offset + U32((int)at));
                if ((info & 0xf) == SttSection && shndx < Sections.Count) name = Sections[shndx].Name;
                symbols.Add(new Symbol(name, U64((int)at + 8), U64((int)at + 16), info & 0xf, info >> 4, shndx));
            }
            Symbols = symbols;
            Type = U16(0x10);
            Entry = U64(0x18);
            ulong phoff = U64(0x20);
            ProgramHeaders = Enumerable.Range(0, U16(0x38)).Select(i => (int)phoff + i * U16(0x36))
                .Select(h => new ProgramHeader(U32(h), U32(h + 4), U64(h + 8), U64(h + 0x10), U64(h + 0x20), U64(h + 0x28))).ToList();
        }

        /// <summary>e_type: 1 ET_REL (a .ko), 2 ET_EXEC.</summary>
        public int Type { get; }
        public ulong Entry { get; }
        public IReadOnlyList<ProgramHeader> ProgramHeaders { get; }

        public IReadOnlyList<SectionHeader> Sections { get; }
        public IReadOnlyList<Symbol> Symbols { get; }

        public SectionHeader Section(string name) => Sections.Single(s => s.Name == name);

        public byte[] Bytes(string section)
        {
            var s = Section(section);
            return _bytes.AsSpan((int)s.Offset, (int)s.Size).ToArray();
        }

        /// <summary>The relocations that apply to <paramref name="section"/> (its SHT_RELA section).</summary>
        public IReadOnlyList<Rela> Relocations(string section)
        {
            int target = Section(section).Index;
            var list = new List<Rela>();
            foreach (var rela in Sections.Where(s => s.Type == 4 && s.Info == target)) // SHT_RELA
                for (ulong at = rela.Offset; at < rela.Offset + rela.Size; at += 24)
                {
                    ulong info = U64((int)at + 8);
                    list.Add(new Rela(U64((int)at), (uint)info, Symbols[(int)(info >> 32)], (long)U64((int)at + 16)));
                }
            return list;
        }

        /// <summary>.modinfo's key=value strings.</summary>
        public Dictionary<string, string> ModInfo() =>
            Encoding.ASCII.GetString(Bytes(".modinfo")).Split('\0', StringSplitOptions.RemoveEmptyEntries)
                .Select(kv => kv.Split('=', 2)).GroupBy(kv => kv[0]).ToDictionary(g => g.Key, g => g.First().ElementAtOrDefault(1) ?? "");

        private ushort U16(int at) => BitConverter.ToUInt16(_bytes, at);
        private uint U32(int at) => BitConverter.ToUInt32(_bytes, at);
        private ulong U64(int at) => BitConverter.ToUInt64(_bytes, at);

        private string CString(ulong at)
        {
            int end = (int)at;
            while (_bytes[end] != 0) end++;
            return Encoding.ASCII.GetString(_bytes, (int)at, end - (int)at);
        }
    }
}
