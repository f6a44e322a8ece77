using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace KDsl.Image
{
    /// <summary>
    /// A <see cref="UserProgram"/> as a static x86-64 ELF executable (ET_EXEC, no libc, no interpreter) for the real
    /// kernel: one PT_LOAD a page range, each with the permissions KDsl maps it with, the file's bytes page-sized so
    /// every page holds what KDsl's holds, and a section table with the functions' symbols for objdump, readelf and
    /// gdb. What only the real kernel needs is a start stub on a page of its own past the program (KDsl's kernel does
    /// it when it starts the process): %gs at the TLS page (arch_prctl(ARCH_SET_GS)), a random canary at %gs:0x28 with
    /// its low byte zero (getrandom, as glibc's AT_RANDOM one), the registers KDsl starts with zeroed, then
    /// call main; main's return goes to the program's own exit stub.
    /// </summary>
    public static class UserElf
    {
        private const int ElfHeaderSize = 64, ProgramHeaderSize = 56, SectionHeaderSize = 64, SymbolSize = 24;
        private const uint PT_LOAD = 1, PT_GNU_STACK = 0x6474e551;
        private const uint PF_X = 1, PF_W = 2, PF_R = 4;
        private const uint SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3;
        private const ulong SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4;
        private const int ArchSetGs = 0x1001, SysArchPrctl = 158, SysGetrandom = 318, GrndInsecure = 4;

        /// <summary>The start stub's address: the page after the program's TLS page.</summary>
        public static ulong StartAddress(UserProgram program) => program.DataEnd;

        /// <summary>The executable's bytes.</summary>
        public static byte[] Create(UserProgram program, ModuleImage image)
        {
            byte[] start = StartStub(program);
            // (vaddr, bytes, flags, section name, section flags): each page-sized, so file offsets stay page-aligned
            var header = new byte[UserProgram.PageSize];
            var segments = new List<(ulong Address, byte[] Bytes, uint Flags, string Section, ulong SectionFlags)>
            {
                (UserProgram.ElfBase, header, PF_R, "", 0),
                (UserProgram.TextBase, Pad(program.Text, program.TextEnd - UserProgram.TextBase), PF_R | PF_X, ".text", SHF_ALLOC | SHF_EXECINSTR),
                (program.RoBase, Pad(program.RoData, program.RoEnd - program.RoBase), PF_R, ".rodata", SHF_ALLOC),
            };
            // the module's variables (.data and .bss, as the loader maps them), then the TLS page
            if (program.Variables.Length > 0)
                segments.Add((program.VarBase, program.Variables, PF_R | PF_W, ".kdsl.vars", SHF_ALLOC | SHF_WRITE));
            segments.Add((program.DataBase, new byte[UserProgram.PageSize], PF_R | PF_W, ".data", SHF_ALLOC | SHF_WRITE));
            segments.Add((StartAddress(program), Pad(start, UserProgram.PageSize), PF_R | PF_X, ".kdsl.start", SHF_ALLOC | SHF_EXECINSTR));
            int startSection = segments.Count - 1; // section i is segment i (the header page has none: index 0 is SHN_UNDEF)

            // the symbol table: the image's functions in .text (its strings are compiler-made labels) and the program's
            // runtime after them, then _start
            var strtab = new StringTable();
            var symtab = new List<byte>(new byte[SymbolSize]);
            foreach (var f in image.Symbols.Where(s => s.Section == Section.Text).Concat(program.Runtime).OrderBy(s => s.Offset))
                symtab.AddRange(Symbol(strtab.Add(f.Name), 1, UserProgram.TextBase + (ulong)f.Offset, (ulong)f.Size, global: false));
            int firstGlobal = symtab.Count / SymbolSize;
            symtab.AddRange(Symbol(strtab.Add("_start"), startSection, StartAddress(program), (ulong)start.Length, global: true));
            var shstrtab = new StringTable();

            var file = new List<byte>();
            var offsets = new List<long>();
            foreach (var s in segments)
            {
                offsets.Add(file.Count);
                file.AddRange(s.Bytes);
            }
            long symtabOffset = file.Count;
            file.AddRange(symtab);
            long strtabOffset = file.Count;
            file.AddRange(strtab.Bytes);
            var sections = new List<byte[]> { new byte[SectionHeaderSize] };
            for (int i = 1; i < segments.Count; i++)
            {
                var s = segments[i];
                int size = s.Section == ".kdsl.start" ? start.Length : s.Bytes.Length;
                sections.Add(SectionHeader(shstrtab.Add(s.Section), SHT_PROGBITS, s.SectionFlags, s.Address, (ulong)offsets[i], (ulong)size, 0, 0, 16, 0));
            }
            int symtabIndex = sections.Count;
            sections.Add(SectionHeader(shstrtab.Add(".symtab"), SHT_SYMTAB, 0, 0, (ulong)symtabOffset, (ulong)symtab.Count, (uint)symtabIndex + 1, (uint)firstGlobal, 8, SymbolSize));
            sections.Add(SectionHeader(shstrtab.Add(".strtab"), SHT_STRTAB, 0, 0, (ulong)strtabOffset, (ulong)strtab.Bytes.Length, 0, 0, 1, 0));
            int shstrtabName = shstrtab.Add(".shstrtab");
            long shstrtabOffset = file.Count;
            file.AddRange(shstrtab.Bytes);
            sections.Add(SectionHeader(shstrtabName, SHT_STRTAB, 0, 0, (ulong)shstrtabOffset, (ulong)shstrtab.Bytes.Length, 0, 0, 1, 0));
            while (file.Count % 8 != 0) file.Add(0);
            long sectionsOffset = file.Count;
            foreach (var sh in sections) file.AddRange(sh);

            var bytes = file.ToArray();
            int phnum = segments.Count + 1;
            WriteElfHeader(bytes, StartAddress(program), phnum, sectionsOffset, sections.Count, sections.Count - 1);
            for (int i = 0; i < segments.Count; i++)
            {
                var s = segments[i];
                ulong size = i == 0 ? (ulong)(ElfHeaderSize + phnum * ProgramHeaderSize) : (ulong)s.Bytes.Length;
                WriteProgramHeader(bytes, i, PT_LOAD, s.Flags, (ulong)offsets[i], s.Address, size, UserProgram.PageSize);
            }
            WriteProgramHeader(bytes, segments.Count, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 16);
            return bytes;
        }

        /// <summary>
        /// arch_prctl(ARCH_SET_GS, tls); getrandom(tls + 0x28, 8, GRND_INSECURE); the canary's low byte zeroed;
        /// rax, rcx, rdx, rsi, rdi, r11 zeroed (the syscalls' leftovers); call main; jmp to the exit stub.
        /// </summary>
        public static byte[] StartStub(UserProgram program)
        {
            ulong at = StartAddress(program);
            uint tls = checked((uint)program.DataBase), canary = tls + UserProgram.CanaryOffset;
            var code = new List<byte>();
            void Mov32(byte opcode, uint value) { code.Add(opcode); code.AddRange(BitConverter.GetBytes(value)); }
            Mov32(0xBF, ArchSetGs);                        // mov edi, ARCH_SET_GS
            Mov32(0xBE, tls);                              // mov esi, tls
            Mov32(0xB8, SysArchPrctl);                     // mov eax, __NR_arch_prctl
            code.AddRange(new byte[] { 0x0F, 0x05 });      // syscall
            Mov32(0xBF, canary);                           // mov edi, tls + 0x28
            Mov32(0xBE, 8);                                // mov esi, 8
            Mov32(0xBA, GrndInsecure);                     // mov edx, GRND_INSECURE
            Mov32(0xB8, SysGetrandom);                     // mov eax, __NR_getrandom
            code.AddRange(new byte[] { 0x0F, 0x05 });      // syscall
            code.AddRange(new byte[] { 0xC6, 0x04, 0x25 }); // mov byte ptr [canary], 0
            code.AddRange(BitConverter.GetBytes(canary));
            code.Add(0x00);
            code.AddRange(new byte[] { 0x31, 0xC0, 0x31, 0xC9, 0x31, 0xD2, 0x31, 0xF6, 0x31, 0xFF, 0x45, 0x31, 0xDB }); // xor eax..edi, r11d
            code.Add(0xE8);                                // call main
            code.AddRange(BitConverter.GetBytes(checked((int)((long)program.Entry - (long)(at + (ulong)code.Count + 4)))));
            code.Add(0xE9);                                // jmp exit stub: exit(main's return value)
            code.AddRange(BitConverter.GetBytes(checked((int)((long)program.ExitStub - (long)(at + (ulong)code.Count + 4)))));
            return code.ToArray();
        }

        private static byte[] Pad(byte[] bytes, ulong size)
        {
            var padded = new byte[size];
            Array.Copy(bytes, padded, bytes.Length);
            return padded;
        }

        private static void WriteElfHeader(byte[] b, ulong entry, int phnum, long shoff, int shnum, int shstrndx)
        {
            new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F', 2 /* ELFCLASS64 */, 1 /* little-endian */, 1 /* EV_CURRENT */, 0 /* SYSV */ }.CopyTo(b, 0);
            UserProgram.Write(b, 16, 2, 2);            // e_type ET_EXEC
            UserProgram.Write(b, 18, 62, 2);           // e_machine EM_X86_64
            UserProgram.Write(b, 20, 1, 4);            // e_version
            UserProgram.Write(b, 24, (long)entry, 8);  // e_entry
            UserProgram.Write(b, 32, ElfHeaderSize, 8); // e_phoff
            UserProgram.Write(b, 40, shoff, 8);        // e_shoff
            UserProgram.Write(b, 48, 0, 4);            // e_flags
            UserProgram.Write(b, 52, ElfHeaderSize, 2);
            UserProgram.Write(b, 54, ProgramHeaderSize, 2);
            UserProgram.Write(b, 56, phnum, 2);
            UserProgram.Write(b, 58, SectionHeaderSize, 2);
            UserProgram.Write(b, 60, shnum, 2);
            UserProgram.Write(b, 62, shstrndx, 2);
        }

        private static void WriteProgramHeader(byte[] b, int index, uint type, uint flags, ulong offset, ulong address, ulong size, ulong align)
        {
            int at = ElfHeaderSize + index * ProgramHeaderSize;
            UserProgram.Write(b, at, type, 4);
            UserProgram.Write(b, at + 4, flags, 4);
            UserProgram.Write(b, at + 8, (long)offset, 8);
            UserProgram.Write(b, at + 16, (long)address, 8); // p_vaddr
            UserProgram.Write(b, at + 24, (long)address, 8); // p_paddr
            UserProgram.Write(b, at + 32, (long)size, 8);    // p_filesz
            UserProgram.Write(b, at + 40, (long)size, 8);    // p_memsz
            UserProgram.Write(b, at + 48, (long)align, 8);
        }

        private static byte[] SectionHeader(int name, uint type, ulong flags, ulong address, ulong offset, ulong size, uint link, uint info, ulong align, ulong entsize)
        {
            var h = new byte[SectionHeaderSize];
            UserProgram.Write(h, 0, name, 4);
            UserProgram.Write(h, 4, type, 4);
            UserProgram.Write(h, 8, (long)flags, 8);
            UserProgram.Write(h, 16, (long)address, 8);
            UserProgram.Write(h, 24, (long)offset, 8);
            UserProgram.Write(h, 32, (long)size, 8);
            UserProgram.Write(h, 40, link, 4);
            UserProgram.Write(h, 44, info, 4);
            UserProgram.Write(h, 48, (long)align, 8);
            UserProgram.Write(h, 56, (long)entsize, 8);
            return h;
        }

        /// <summary>An Elf64_Sym: STT_FUNC, local or global, defined in section <paramref name="section"/>.</summary>
        private static byte[] Symbol(int name, int section, ulong value, ulong size, bool global)
        {
            var s = new byte[SymbolSize];
            UserProgram.Write(s, 0, name, 4);
            s[4] = (byte)((global ? 1 : 0) << 4 | 2); // st_info: bind, STT_FUNC
            UserProgram.Write(s, 6, section, 2);
            UserProgram.Write(s, 8, (long)value, 8);
            UserProgram.Write(s, 16, (long)size, 8);
            return s;
        }

        private sealed class StringTable
        {
            private readonly List<byte> _bytes = new List<byte> { 0 };

            public byte[] Bytes => _bytes.ToArray();

            public int Add(string name)
            {
                if (name.Length == 0) return 0;
                int at = _bytes.Count;
                _bytes.AddRange(Encoding.UTF8.GetBytes(name));
                _bytes.Add(0);
                return at;
            }
        }
    }
}
