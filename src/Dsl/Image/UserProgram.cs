using System;
using System.Collections.Generic;

namespace KDsl.Image
{
    /// <summary>
    /// One `process NAME { }` block as a static x86-64 executable lays it out (no libc): an r-- header page at 0x400000,
    /// r-x text at 0x401000 (the image's whole .text relocated for user space, then the <see cref="Runtime"/>: exit and
    /// trap stubs, KDsl's sigaction and its rt_sigreturn trampoline), r-- rodata on the next page, and an rw- page whose +0x28 holds the stack canary (KDsl's code reads it
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

        /// <summary>The call target of KDsl's sigaction(sig, handler) in a process (<see cref="SigactionBytes"/>).</summary>
        public const string SigactionSymbol = "kdsl_sigaction";
        /// <summary>The rt_sigreturn trampoline every handler returns to, as glibc and musl name theirs.</summary>
        public const string RestorerSymbol = "__restore_rt";

        /// <summary>exit(main's return value), where main returns to (as __libc_start_main does): mov edi,eax; mov eax,60; syscall; ud2.</summary>
        private static readonly byte[] ExitStubBytes = { 0x89, 0xC7, 0xB8, 0x3C, 0x00, 0x00, 0x00, 0x0F, 0x05, 0x0F, 0x0B };
        /// <summary>ud2: where a call to a kernel function lands (printk is not for processes): SIGILL.</summary>
        private static readonly byte[] TrapStubBytes = { 0x0F, 0x0B };

        /// <summary>
        /// sigaction(sig, handler) as glibc's and musl's wrappers make it for x86-64, where the kernel insists on
        /// SA_RESTORER: a struct sigaction on the stack (arch/x86/include/uapi/asm/signal.h: sa_handler @0, sa_flags @8,
        /// sa_restorer @16, sa_mask @24), then rt_sigaction(sig, &amp;act, NULL, sizeof(sigset_t)). The result is the
        /// system call's (0 or -errno: there is no errno).
        /// </summary>
        private static readonly byte[] SigactionBytes =
        {
            0x48, 0x83, 0xEC, 0x28,                                     // sub    rsp, 0x28
            0x48, 0x89, 0x34, 0x24,                                     // mov    [rsp], rsi           sa_handler
            0x48, 0xC7, 0x44, 0x24, 0x08, 0x04, 0x00, 0x00, 0x04,       // mov    qword [rsp+8], SA_SIGINFO | SA_RESTORER
            0x48, 0x8D, 0x05, 0x00, 0x00, 0x00, 0x00,                   // lea    rax, [rip + __restore_rt]
            0x48, 0x89, 0x44, 0x24, 0x10,                               // mov    [rsp+0x10], rax      sa_restorer
            0x48, 0xC7, 0x44, 0x24, 0x18, 0x00, 0x00, 0x00, 0x00,       // mov    qword [rsp+0x18], 0  sa_mask: none besides the signal
            0x48, 0x89, 0xE6,                                           // mov    rsi, rsp             act
            0x31, 0xD2,                                                 // xor    edx, edx             oact = NULL
            0x41, 0xBA, 0x08, 0x00, 0x00, 0x00,                         // mov    r10d, 8              sigsetsize
            0xB8, 0x0D, 0x00, 0x00, 0x00,                               // mov    eax, __NR_rt_sigaction
            0x0F, 0x05,                                                 // syscall
            0x48, 0x83, 0xC4, 0x28,                                     // add    rsp, 0x28
            0xC3,                                                       // ret
        };
        /// <summary>Where the lea's rel32 to <see cref="RestorerSymbol"/> is in <see cref="SigactionBytes"/>.</summary>
        private const int SigactionRestorerDisplacement = 20;

        /// <summary>glibc's and musl's __restore_rt: mov rax, 15 (__NR_rt_sigreturn); syscall; then ud2 (it does not return).</summary>
        private static readonly byte[] RestorerBytes = { 0x48, 0xC7, 0xC0, 0x0F, 0x00, 0x00, 0x00, 0x0F, 0x05, 0x0F, 0x0B };

        private UserProgram(string name, byte[] text, byte[] roData, byte[] variables, ulong entry, ulong exitStub, IReadOnlyList<ModuleSymbol> runtime)
        {
            Name = name;
            Text = text;
            RoData = roData;
            Variables = variables;
            Entry = entry;
            ExitStub = exitStub;
            Runtime = runtime;
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
        /// <summary>
        /// What the program links in after the image's code, as a static executable links crt and libc: the exit and
        /// trap stubs, <see cref="SigactionSymbol"/> and <see cref="RestorerSymbol"/> (offsets into <see cref="Text"/>).
        /// </summary>
        public IReadOnlyList<ModuleSymbol> Runtime { get; }

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
            var runtime = new List<ModuleSymbol>();
            void Link(string symbol, byte[] code, bool align = true)
            {
                while (align && text.Count % 16 != 0) text.Add(0xCC);
                runtime.Add(new ModuleSymbol(symbol, Section.Text, text.Count, code.Length, 0));
                text.AddRange(code);
            }
            Link("__kdsl_exit", ExitStubBytes);
            Link("__kdsl_trap", TrapStubBytes, align: false);
            Link(SigactionSymbol, SigactionBytes);
            Link(RestorerSymbol, RestorerBytes);
            int exitOffset = runtime[0].Offset, trapOffset = runtime[1].Offset;
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
            foreach (var s in runtime) local[s.Name] = TextBase + (ulong)s.Offset;
            int lea = runtime[2].Offset + SigactionRestorerDisplacement;
            Write(bytes, lea, runtime[3].Offset - (lea + 4), 4);
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
            return new UserProgram(name, bytes, roData, variables, entry, TextBase + (ulong)exitOffset, runtime);
        }

        /// <summary>Little-endian, as x86-64 stores it.</summary>
        internal static void Write(byte[] bytes, int offset, long value, int size)
        {
            for (int i = 0; i < size; i++) bytes[offset + i] = (byte)(value >> (8 * i));
        }
    }
}
