using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Iced.Intel;
using KDsl.Image;
using NUnit.Framework;

namespace KDsl.Cli.Tests
{
    /// <summary>
    /// `kdsl ko` on a file of processes: each `process` block as a static x86-64 executable (UserElf). Its layout is read
    /// back against the System V gABI (ET_EXEC, PT_LOAD, PT_GNU_STACK) and the image KDsl emulates; the start stub is
    /// decoded with Iced; and where the host is x86-64 Linux the executable runs on the host's own kernel, which must end
    /// it as C semantics and the kernel's filemap_fault say (a store to a page wholly past EOF: SIGBUS, status 135).
    /// </summary>
    [NonParallelizable]
    public class UserElfTests : ScratchDirectory
    {
        private const uint PtLoad = 1, PtGnuStack = 0x6474e551, PfX = 1, PfW = 2, PfR = 4;
        private static ModuleImage Image(string path) => Compiler.Compile(path, File.ReadAllText(path)).Image!;

        private string Build(string kdsl)
        {
            var (exit, output, error) = CliRunner.Run("ko", kdsl, "-o", Dir);
            Assert.That(exit, Is.EqualTo(0), error);
            return output.Trim();
        }

        [Test]
        public void AFileOfProcessesBuildsOneExecutableEachAndNoModule()
        {
            string path = Build(CliRunner.Example("sigbus-past-eof.kdsl"));
            Assert.That(path, Is.EqualTo(Path.Combine(Dir, "sigbus")));
            Assert.That(Directory.GetFiles(Dir, "*.ko"), Is.Empty);
            var image = Image(CliRunner.Example("sigbus-past-eof.kdsl"));
            var program = UserProgram.Create(image, "sigbus");
            var elf = new ElfFile(path);

            Assert.That(elf.Type, Is.EqualTo(2), "ET_EXEC");
            Assert.That(elf.Entry, Is.EqualTo(program.DataEnd), "_start is on the page after the TLS page");
            var loads = elf.ProgramHeaders.Where(p => p.Type == PtLoad).Select(p => (p.Address, p.Flags)).ToList();
            Assert.That(loads, Is.EqualTo(new[]
            {
                (0x400000UL, PfR), (0x401000UL, PfR | PfX), (program.RoBase, PfR), (program.DataBase, PfR | PfW), (program.DataEnd, PfR | PfX),
            }));
            Assert.That(elf.ProgramHeaders.Where(p => p.Type == PtGnuStack).Select(p => p.Flags), Is.EqualTo(new[] { PfR | PfW }), "a non-executable stack");
            foreach (var p in elf.ProgramHeaders.Where(p => p.Type == PtLoad))
                Assert.That((p.Offset % 4096, p.Address % 4096), Is.EqualTo((0UL, 0UL)), "every segment page-aligned in the file and in memory");

            // .text is the image's code at 0x401000: every byte but the relocated fields unchanged; a string's address
            // (R_X86_64_32S) is rodata's page plus the string's offset
            var text = elf.Bytes(".text");
            var fields = image.Relocations.SelectMany(r => Enumerable.Range(r.Offset, r.Kind == RelocationKind.Abs64 ? 8 : 4)).ToHashSet();
            for (int i = 0; i < image.Text.Length; i++)
                if (!fields.Contains(i)) Assert.That(text[i], Is.EqualTo(image.Text[i]), $"+0x{i:x}");
            foreach (var r in image.Relocations.Where(r => r.Kind == RelocationKind.Abs32S))
            {
                var target = image.Symbols.Single(s => s.Name == r.Target);
                Assert.That(target.Section, Is.EqualTo(Section.RoData));
                Assert.That(BitConverter.ToInt32(text, r.Offset), Is.EqualTo((long)program.RoBase + target.Offset + r.Addend));
            }
            Assert.That(elf.Bytes(".rodata").Take(image.RoData.Length), Is.EqualTo(image.RoData));
            var main = elf.Symbols.Single(s => s.Name == "__process_sigbus");
            var function = image.Symbols.Single(s => s.Name == "__process_sigbus");
            Assert.That((main.Value, main.Size), Is.EqualTo((0x401000UL + (ulong)function.Offset, (ulong)function.Size)));
        }

        [Test]
        public void SigactionIsLinkedIn_ItsCallAndItsRestorerResolvedToTheNamedSymbols()
        {
            // sigbus-handler's process calls sigaction: a call (e8 rel32) to kdsl_sigaction, whose lea (48 8d 05 rel32)
            // gives rt_sigaction __restore_rt's address; both are FUNC symbols in .text, where UserProgram laid them
            string path = Build(CliRunner.Example("sigbus-handler.kdsl"));
            var image = Image(CliRunner.Example("sigbus-handler.kdsl"));
            var program = UserProgram.Create(image, "caught");
            var elf = new ElfFile(path);
            var text = elf.Bytes(".text");
            var sigaction = elf.Symbols.Single(s => s.Name == UserProgram.SigactionSymbol);
            var restorer = elf.Symbols.Single(s => s.Name == UserProgram.RestorerSymbol);
            Assert.That(elf.Sections[sigaction.Section].Name, Is.EqualTo(".text"));
            Assert.That(sigaction.Value, Is.EqualTo(UserProgram.TextBase + (ulong)program.Runtime.Single(r => r.Name == UserProgram.SigactionSymbol).Offset));
            Assert.That(restorer.Value, Is.EqualTo(UserProgram.TextBase + (ulong)program.Runtime.Single(r => r.Name == UserProgram.RestorerSymbol).Offset));

            var call = image.Relocations.Single(r => r.Target == UserProgram.SigactionSymbol);
            Assert.That(text[call.Offset - 1], Is.EqualTo(0xE8), "call rel32");
            Assert.That(UserProgram.TextBase + (ulong)call.Offset + 4 + (ulong)BitConverter.ToInt32(text, call.Offset), Is.EqualTo(sigaction.Value));
            int lea = (int)(sigaction.Value - UserProgram.TextBase) + 17;
            Assert.That(text.Skip(lea).Take(3), Is.EqualTo(new byte[] { 0x48, 0x8D, 0x05 }), "lea rax, [rip + rel32]");
            Assert.That(UserProgram.TextBase + (ulong)lea + 7 + (ulong)BitConverter.ToInt32(text, lea + 3), Is.EqualTo(restorer.Value));
            Assert.That(text.Skip((int)(restorer.Value - UserProgram.TextBase)).Take(9), Is.EqualTo(new byte[] { 0x48, 0xC7, 0xC0, 0x0F, 0, 0, 0, 0x0F, 0x05 }),
                "mov rax, 15 (__NR_rt_sigreturn); syscall");
        }

        [Test]
        public void TheStartStubSetsGsToTheTlsPageAndCallsMainThenExit()
        {
            var image = Image(CliRunner.Example("sigbus-past-eof.kdsl"));
            var program = UserProgram.Create(image, "sigbus");
            var stub = UserElf.StartStub(program);
            var decoder = Decoder.Create(64, new ByteArrayCodeReader(stub));
            decoder.IP = program.DataEnd;
            var code = new System.Collections.Generic.List<Instruction>();
            while (decoder.IP < program.DataEnd + (ulong)stub.Length) code.Add(decoder.Decode());
            // arch_prctl(ARCH_SET_GS = 0x1001, tls): syscall 158 (arch/x86/entry/syscalls/syscall_64.tbl, asm/prctl.h)
            Assert.That(code.Take(4).Select(i => (i.Mnemonic, i.Immediate32)), Is.EqualTo(new[]
            {
                (Mnemonic.Mov, 0x1001u), (Mnemonic.Mov, (uint)program.DataBase), (Mnemonic.Mov, 158u), (Mnemonic.Syscall, 0u),
            }));
            // getrandom(tls + 0x28, 8, GRND_INSECURE = 4): syscall 318
            Assert.That(code.Skip(4).Take(5).Select(i => (i.Mnemonic, i.Immediate32)), Is.EqualTo(new[]
            {
                (Mnemonic.Mov, (uint)program.DataBase + 0x28), (Mnemonic.Mov, 8u), (Mnemonic.Mov, 4u), (Mnemonic.Mov, 318u), (Mnemonic.Syscall, 0u),
            }));
            var call = code.Single(i => i.Mnemonic == Mnemonic.Call);
            Assert.That(call.NearBranchTarget, Is.EqualTo(program.Entry));
            var jmp = code.Last();
            Assert.That(jmp.Mnemonic, Is.EqualTo(Mnemonic.Jmp));
            // the exit stub: mov edi, eax; mov eax, 60 (exit); syscall
            Assert.That(program.Text.Skip((int)(jmp.NearBranchTarget - UserProgram.TextBase)).Take(9),
                Is.EqualTo(new byte[] { 0x89, 0xC7, 0xB8, 0x3C, 0x00, 0x00, 0x00, 0x0F, 0x05 }));
        }

        [Test]
        public void TheHostKernelRunsTheExecutableAsKdslDoes()
        {
            if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
                Assert.Ignore("runs a Linux x86-64 executable on the host");
            Directory.CreateDirectory(Dir);
            // a buffer on the stack (the canary read through %gs), a string in rodata, then a store into an empty file's
            // shared mapping: the page is wholly past EOF, so filemap_fault gives VM_FAULT_SIGBUS
            string file = Path.Combine(Dir, "empty");
            string source = "module hostrun \"host\";\nprocess hostrun {\n    char buf[16];\n    buf[0] = 'o';\n    buf[1] = 'k';\n    buf[2] = '\\n';\n" +
                "    write(1, buf, 3);\n    write(1, \"str\\n\", 4);\n" +
                $"    int fd = open(\"{file}\", O_CREAT | O_RDWR | O_TRUNC, 0644);\n" +
                "    char *p = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);\n    p[0] = 'x';\n    exit(3);\n}\n";
            string kdsl = Path.Combine(Dir, "hostrun.kdsl");
            File.WriteAllText(kdsl, source);
            string executable = Build(kdsl);

            var info = new ProcessStartInfo(executable) { RedirectStandardOutput = true, UseShellExecute = false };
            using var process = Process.Start(info)!;
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            // .NET reports a child killed by signal N as 128 + N, as the shell does: SIGBUS is 7
            Assert.That((process.ExitCode, output), Is.EqualTo((135, "ok\nstr\n")));
            File.Delete(file);

            var run = KDsl.Runtime.Machine.Run(Image(kdsl));
            var p = run.Processes.Single();
            Assert.That((p.ExitStatus, p.Signal, p.Output), Is.EqualTo((135, 7, "ok\nstr\n")));
        }
    }
}
