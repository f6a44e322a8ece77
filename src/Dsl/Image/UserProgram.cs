using System;
using System.Collections.Generic;

namespace KDsl.Image
{
    /// <summary>
    /// One `process NAME { }` block as a static x86-64 executable lays it out (no libc): an r-- header page at 0x400000,
    /// r-x text at 0x401000 (the image's whole .text relocated for user space, then the exit, trap and signal-return
    /// stubs), r-- rodata on the next page, and an rw- page whose +0x28 holds the stack canary (KDsl's code reads it
    /// through %gs). KDsl's kernel maps exactly these bytes (LinuxKernel.LoadProgram), and `kdsl oracle` writes them into
    /// an ELF file for the real kernel (<see cref="UserElf"/>), so both run the same instructions at the same addresses.
    /// </summary>
    public sealed class UserProgram
    {
        public const ulong PageSize = 4096;
        /// <summary>The ELF header's page: where ld puts a static executable's first segment on x86-64.</summary>
        public const ulong ElfBase = 0x400000;
        public const ulong TextBase = 0x401000;
        /// <summary>The TLS canary's offset: the kernel's and glibc's stack protector read it at %gs:0x28 / %fs:0x28.</summary>
        public const int CanaryOffset = 0x28;

        /// <summary>exit(main's return value), where main returns to (as __libc_start_main does): mov edi,eax; mov eax,60; syscall; ud2.</summary>
        private static readonly byte[] ExitStubBytes = { 0x89, 0xC7, 0xB8, 0x3C, 0x00, 0x00, 0x00, 0x0F, 0x05, 0x0F, 0x0B };
        /// <summary>ud2: where a call to a kernel function lands (printk is not for processes): SIGILL.</summary>
        private static readonly byte[] TrapStubBytes = { 0x0F, 0x0B };
        /// <summary>glibc's __restore_rt, the handlers' return address: mov eax,15 (rt_sigreturn); syscall; ud2.</summary>
        private static readonly byte[] RestorerStubBytes = { 0xB8, 0x0F, 0x00, 0x00, 0x00, 0x0F, 0x05, 0x0F, 0x0B };

        private UserProgram(string name, byte[] text, byte[] roData, byte[] variables, ulong entry, ulong exitStub, ulong restorer)
        {
            Name = name;
            Text = text;
            RoData = roData;
            Variables = variables;
            Entry = entry;
            ExitStub = exitStub;
            Restorer = restorer;
        }

        /// <summary>The process's name (its comm, and the file's name in the real run).</summary>
        public string Name { get; }
        /// <summary>The text segment's bytes at <see cref="TextBase"/>, relocations applied.</summary>
        public byte[] Text { get; }
        /// <summary>The rodata segment's bytes at <see cref="RoBase"/>.</summary>
        public byte[] RoData { get; }
        /// <summary>The module's variables at <see cref="VarBase"/>: .data, then .bss from the next page (empty without any).</summary>
        public byte[] Variables { get; }
        /// <summary>The process block's function: where main starts.</summary>
        public ulong Entry { get; }
        public ulong ExitStub { get; }
        public ulong Restorer { get; }

        public ulong TextEnd => TextBase + PageAlign((ulong)Text.Length);
        public ulong RoBase => TextEnd;
        public ulong RoEnd => RoBase + PageAlign((ulong)Math.Max(RoData.Length, 1));
        /// <summary>The module's variables, as a static ELF's .data and .bss: rw- pages after .rodata.</summary>
        public ulong VarBase => RoEnd;
        /// <summary>The rw- page holding the TLS (the canary at +<see cref="CanaryOffset"/>); %gs points at it.</summary>
        public ulong DataBase => VarBase + (ulong)Variables.Length;
        public ulong DataEnd => DataBase + PageSize;

        public static ulong PageAlign(ulong size) => (size + PageSize - 1) & ~(PageSize - 1);

        /// <summary>The program of the process block <paramref name="name"/> of <paramref name="image"/>.</summary>
        public static UserProgram Create(ModuleImage image, string name)
        {
            var text = new List<byte>(image.Text);
            while (text.Count % 16 != 0) text.Add(0xCC);
            int exitOffset = text.Count;
            text.AddRange(ExitStubBytes);
            int trapOffset = text.Count;
            text.AddRange(TrapStubBytes);
            int restorerOffset = text.Count;
            text.AddRange(RestorerStubBytes);
            var bytes = text.ToArray();
            ulong roBase = TextBase + PageAlign((ulong)bytes.Length);
            ulong varBase = roBase + PageAlign((ulong)Math.Max(image.RoData.Length, 1));
            ulong bssBase = varBase + PageAlign((ulong)image.Data.Length);
            var variables = new byte[PageAlign((ulong)image.Data.Length) + PageAlign((ulong)image.BssSize)];
            image.Data.CopyTo(variables, 0);
            var roData = (byte[])image.RoData.Clone();

            ulong BaseOf(Section section) => section switch
            {
                Section.Text => TextBase,
                Section.RoData => roBase,
                Section.Data => varBase,
                _ => bssBase,
            };
            var local = new Dictionary<string, ulong>(StringComparer.Ordinal);
            foreach (var s in image.Symbols) local[s.Name] = BaseOf(s.Section) + (ulong)s.Offset;
            foreach (var r in image.Relocations)
            {
                bool known = local.TryGetValue(r.Target, out ulong target);
                if (r.Section != Section.Text)
                {
                    // a pointer in an initialized object (R_X86_64_64); one to a kernel symbol stays null in user space
                    Write(r.Section == Section.Data ? variables : roData, r.Offset, known ? unchecked((long)target + r.Addend) : 0, 8);
                    continue;
                }
                ulong place = TextBase + (ulong)r.Offset;
                long value = unchecked((long)target + r.Addend);
                switch (r.Kind)
                {
                    case RelocationKind.Rel32:
                        if (!known) value = unchecked((long)(TextBase + (ulong)trapOffset) + r.Addend);
                        Write(bytes, r.Offset, (int)unchecked(value - (long)place), 4);
                        break;
                    case RelocationKind.Abs32S:
                        Write(bytes, r.Offset, known ? (int)value : 0, 4);
                        break;
                    default:
                        Write(bytes, r.Offset, known ? value : 0, 8);
                        break;
                }
            }
            ulong entry = local.TryGetValue(ModuleImage.ProcessSymbolPrefix + name, out ulong e) ? e : TextBase;
            return new UserProgram(name, bytes, roData, variables, entry, TextBase + (ulong)exitOffset, TextBase + (ulong)restorerOffset);
        }

        /// <summary>Little-endian, as x86-64 stores it.</summary>
        internal static void Write(byte[] bytes, int offset, long value, int size)
        {
            for (int i = 0; i < size; i++) bytes[offset + i] = (byte)(value >> (8 * i));
        }
    }
}
