using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using KDsl.Image;
using KDsl.Profiles;
using NUnit.Framework;

namespace KDsl.Cli.Tests
{
    /// <summary>
    /// `kdsl ko`: the module's refusals (no kernel needed), and the object Kbuild makes from step5 and bug-on read back
    /// with a small ELF reader and objdump (only where the linux-6.1 headers package is installed, as .ci/run installs it).
    /// Expected values come from the image KDsl emulates (the object must hold the same bytes), the x86-64 psABI's
    /// relocation numbers and include/asm-generic/bug.h's struct bug_entry.
    /// </summary>
    [NonParallelizable]
    public class KoTests : ScratchDirectory
    {
        private string Write(string name, string source)
        {
            Directory.CreateDirectory(Dir);
            string path = Path.Combine(Dir, name);
            File.WriteAllText(path, source);
            return path;
        }

        [Test]
        public void AKernelCallWhoseMeaningIsNotLinuxsIsRefused()
        {
            // KDsl's __get_free_pages(order) passes the order where Linux's takes the gfp mask
            string file = Write("gfp.kdsl", "module gfp \"pages\";\ninit {\n    long p = __get_free_pages(0);\n    free_pages(p, 0);\n}\n");
            var (exit, _, error) = CliRunner.Run("ko", file, "-o", Path.Combine(Dir, "out"));
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(error, Does.Contain("__get_free_pages(order) passes the order"));
        }

        [Test]
        public void AModuleWhoseProcessCallsSigactionIsRefused()
        {
            // the process's code is in the module's .text too, and its call to the program's sigaction wrapper has no
            // kernel symbol to go to (the executable links it in: UserElfTests)
            string file = Write("sa.kdsl", "module sa \"sa\";\nvoid h(int sig, long *info, char *uc) { exit(0); }\ninit {\n    printk(\"loaded\\n\");\n}\n" +
                "process p {\n    sigaction(SIGSEGV, h);\n    exit(1);\n}\n");
            var (exit, _, error) = CliRunner.Run("ko", file, "-o", Path.Combine(Dir, "out"));
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(error, Does.Contain("sigaction(sig, handler) is a process's library function, linked into its executable"));
        }

        [Test]
        public void AFunctionTheKernelDoesNotExportIsNamed()
        {
            // a build tree whose Module.symvers exports only kfree: step5's _printk and __stack_chk_fail are missing
            string tree = Path.Combine(Dir, "tree");
            Directory.CreateDirectory(tree);
            File.WriteAllText(Path.Combine(tree, "Module.symvers"), "0x12345678\tkfree\tvmlinux\tEXPORT_SYMBOL\t\n");
            var (exit, _, error) = CliRunner.Run("ko", CliRunner.Example("step5.kdsl"), "--headers", tree, "-o", Path.Combine(Dir, "out"));
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(error, Does.Contain("__stack_chk_fail, _printk: KDsl's kernel provides them, but Linux 6.1.0-56-amd64 does not export them"));
        }

        [Test]
        public void KthreadRunImportsWhatTheMacroCalls()
        {
            // include/linux/kthread.h: kthread_run is kthread_create_on_node, then wake_up_process; a tree that exports
            // the first (and _printk) but not the second leaves only wake_up_process missing
            string tree = Path.Combine(Dir, "tree");
            Directory.CreateDirectory(tree);
            File.WriteAllText(Path.Combine(tree, "Module.symvers"),
                "0x12345678\tkthread_create_on_node\tvmlinux\tEXPORT_SYMBOL\t\n0x12345679\t_printk\tvmlinux\tEXPORT_SYMBOL\t\n");
            var (exit, _, error) = CliRunner.Run("ko", CliRunner.Example("fork-exit-stack-cache.kdsl"), "--headers", tree, "-o", Path.Combine(Dir, "out"));
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(error, Does.Contain("wake_up_process: KDsl's kernel provides them, but Linux 6.1.0-56-amd64 does not export them"));
        }

        [Test]
        public void MissingHeadersAreAnErrorThatSaysWhere()
        {
            var (exit, _, error) = CliRunner.Run("ko", CliRunner.Example("step5.kdsl"), "--headers", Path.Combine(Dir, "none"));
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(error, Does.Contain("is not a kernel build tree (no Module.symvers)"));
            (exit, _, error) = CliRunner.Run("ko", CliRunner.Example("step5.kdsl"), "--profile", "linux-4.11");
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(error, Does.Contain("profile linux-4.11 has no kernel headers package"));
        }

        [Test]
        public void LaterBlocksAreRefused()
        {
            var (exit, _, error) = CliRunner.Run("ko", CliRunner.Example("oops-then-continue.kdsl"));
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(error, Does.Contain("the `later` block"));
            // a file of processes alone builds executables (UserElfTests); one with neither init nor processes does not compile
        }

        private static ModuleImage Image(string example)
        {
            var compiled = Compiler.Compile(CliRunner.Example(example), File.ReadAllText(CliRunner.Example(example)));
            return compiled.Image!;
        }

        private (ElfFile Elf, ModuleImage Image, string Ko) Build(string example)
        {
            RequireHeaders61();
            var (exit, output, error) = CliRunner.Run("ko", CliRunner.Example(example), "-o", Dir);
            Assert.That(exit, Is.EqualTo(0), error);
            string ko = output.Trim();
            return (new ElfFile(ko), Image(example), ko);
        }

        /// <summary>[start, end) of the image's init and core text: the init alone first, the rest after the gap.</summary>
        private static (int InitEnd, int CoreStart) Split(ModuleImage image)
        {
            var init = image.Symbols.Single(s => s.Name == image.InitSymbol);
            int core = image.Symbols.Where(s => s.Section == Section.Text && s.Name != image.InitSymbol).Min(s => s.Offset);
            return (init.Offset + init.Size, core);
        }

        [Test]
        public void Step5sObjectHoldsTheEmulatedBytesSymbolsAndRelocations()
        {
            var (elf, image, _) = Build("step5.kdsl");
            var (initEnd, core) = Split(image);
            Assert.That(elf.Bytes(".init.text"), Is.EqualTo(image.Text.Take(initEnd).ToArray()));
            Assert.That(elf.Bytes(".text"), Is.EqualTo(image.Text.Skip(core).ToArray()));
            Assert.That(elf.Bytes(".rodata").Take(image.RoData.Length), Is.EqualTo(image.RoData));

            foreach (var s in image.Symbols.Where(s => s.Section == Section.Text))
            {
                var sym = elf.Symbols.Single(x => x.Name == s.Name);
                bool isInit = s.Name == image.InitSymbol;
                Assert.That((sym.Type, sym.Bind, sym.Size), Is.EqualTo((ElfFile.SttFunc, ElfFile.StbLocal, (ulong)s.Size)), s.Name);
                Assert.That(elf.Sections[sym.Section].Name, Is.EqualTo(isInit ? ".init.text" : ".text"), s.Name);
                Assert.That(sym.Value, Is.EqualTo((ulong)(isInit ? s.Offset : s.Offset - core)), s.Name);
            }
            // module_init/module_exit's names, as modpost and struct module want them
            Assert.That(elf.Symbols.Single(x => x.Name == "init_module").Bind, Is.EqualTo(ElfFile.StbGlobal));
            Assert.That(elf.Symbols.Single(x => x.Name == "cleanup_module").Value,
                Is.EqualTo((ulong)(image.Symbols.Single(s => s.Name == image.ExitSymbol).Offset - core)));

            // every relocation of the image, in its section: R_X86_64_PLT32 (4) for calls, R_X86_64_32S (11) for a string's address
            var strings = image.Symbols.Where(s => s.Section == Section.RoData).ToDictionary(s => s.Name, s => s.Offset);
            var found = elf.Relocations(".init.text").Select(r => (Section: ".init.text", r))
                .Concat(elf.Relocations(".text").Select(r => (Section: ".text", r))).ToList();
            Assert.That(found, Has.Count.EqualTo(image.Relocations.Count));
            foreach (var r in image.Relocations)
            {
                bool inInit = r.Offset < initEnd;
                ulong offset = (ulong)(inInit ? r.Offset : r.Offset - core);
                var rela = found.Single(f => f.Section == (inInit ? ".init.text" : ".text") && f.r.Offset == offset).r;
                if (strings.TryGetValue(r.Target, out int at))
                    Assert.That((rela.Type, rela.Symbol.Name, rela.Addend), Is.EqualTo((11u, ".rodata", (long)at + r.Addend)), r.Target);
                else
                    Assert.That((rela.Type, rela.Symbol.Name, rela.Addend), Is.EqualTo((4u, r.Target, r.Addend)), r.Target);
                Assert.That(image.Text.Skip(r.Offset).Take(4), Is.All.EqualTo((byte)0), "a .ko's relocated field is zero (apply_relocate_add checks)");
            }
            // the init's call into .text is one of them: the two sections are placed apart
            Assert.That(image.Relocations.Any(r => r.Target == "rstack" && r.Offset < initEnd));

            var modinfo = elf.ModInfo();
            Assert.That(modinfo["license"], Is.EqualTo("GPL"));
            Assert.That(modinfo["name"], Is.EqualTo("step5"));
            Assert.That(modinfo["vermagic"], Does.StartWith(KernelProfile.Linux61.Release + " SMP"));
        }

        [Test]
        public void GlobalsObjectLaysItsVariablesIntoDataBssAndRodata()
        {
            var (elf, image, _) = Build("globals.kdsl");
            Assert.That(elf.Bytes(".data"), Is.EqualTo(image.Data));
            Assert.That(elf.Section(".bss").Size, Is.EqualTo((ulong)image.BssSize));
            Assert.That(elf.Bytes(".rodata").Take(image.RoData.Length), Is.EqualTo(image.RoData));
            var sections = new Dictionary<Section, string> { [Section.Data] = ".data", [Section.Bss] = ".bss", [Section.RoData] = ".rodata" };
            foreach (var s in image.Symbols.Where(s => s.Section != Section.Text && !s.Name.StartsWith(".L")))
            {
                var sym = elf.Symbols.Single(x => x.Name == s.Name);
                const int SttObject = 1;
                Assert.That((sym.Type, sym.Size, sym.Value), Is.EqualTo((SttObject, (ulong)s.Size, (ulong)s.Offset)), s.Name);
                Assert.That(elf.Sections[sym.Section].Name, Is.EqualTo(sections[s.Section]), s.Name);
            }
            // the static local is GCC's NAME.N, 4 KB of scratch take no file bytes
            Assert.That(elf.Symbols.Any(x => x.Name == "entries.0"));
            // names[] holds three string addresses: R_X86_64_64 (1) relocations of .data against .rodata
            var names = image.Symbols.Single(s => s.Name == "names");
            var pointers = elf.Relocations(".data").Where(r => r.Offset >= (ulong)names.Offset && r.Offset < (ulong)(names.Offset + 24)).ToList();
            Assert.That(pointers.Select(r => (r.Type, r.Symbol.Name)), Is.EqualTo(Enumerable.Repeat((1u, ".rodata"), 3)));
            // code addresses the variables as gcc -mcmodel=kernel does: R_X86_64_32S against the object
            Assert.That(elf.Relocations(".text").Any(r => r.Type == 11 && r.Symbol.Name == "stats"));
        }

        [Test]
        public void AnOpsTableHoldsItsFunctionsAddresses()
        {
            // demo_ops (.rodata) and close_hooks (.data) hold function addresses: R_X86_64_64 (1) against each function's
            // symbol, at the member's offset (read at 8, write at 16), as GCC emits a static file_operations
            var (elf, image, _) = Build("ops-table.kdsl");
            var ops = image.Symbols.Single(s => s.Name == "demo_ops");
            var rodata = elf.Relocations(".rodata").Where(r => r.Offset >= (ulong)ops.Offset && r.Offset < (ulong)(ops.Offset + 24))
                .Select(r => (r.Offset - (ulong)ops.Offset, r.Type, r.Symbol.Name)).ToList();
            Assert.That(rodata, Does.Contain((8ul, 1u, "dev_read")).And.Contain((16ul, 1u, "dev_write")));
            var hooks = elf.Relocations(".data").Select(r => (r.Type, r.Symbol.Name)).ToList();
            Assert.That(hooks, Is.EqualTo(new[] { (1u, "dev_release"), (1u, "dev_log") }));
        }

        [Test]
        public void ObjdumpOfTheKoShowsTheInstructionsKdslDisasmShows()
        {
            var (_, image, ko) = Build("step5.kdsl");
            Assert.That(Oracle.KernelBuild.Run("objdump", new[] { "-d", ko }, out string objdump), Is.True, objdump);
            var theirs = Instructions(objdump);
            var ours = Instructions(DisasmCommand.Render(image, File.ReadAllLines(CliRunner.Example("step5.kdsl")), intel: false));
            // objdump names the init and exit by their global aliases, as for any module built with module_init()
            theirs["step5_init"] = theirs["init_module"];
            theirs["step5_exit"] = theirs["cleanup_module"];
            foreach (var (function, instructions) in ours)
                Assert.That(theirs[function].Take(instructions.Count), Is.EqualTo(instructions), function);
        }

        /// <summary>Each function's instructions as (offset in the function, bytes, mnemonic) from an objdump-style listing.</summary>
        private static Dictionary<string, List<string>> Instructions(string listing)
        {
            var functions = new Dictionary<string, List<string>>();
            List<string>? current = null;
            ulong start = 0;
            foreach (var line in listing.Split('\n'))
            {
                var head = Regex.Match(line, @"^([0-9a-f]+) <([^>]+)>:$");
                if (head.Success)
                {
                    functions[head.Groups[2].Value] = current = new List<string>();
                    start = Convert.ToUInt64(head.Groups[1].Value, 16);
                    continue;
                }
                var insn = Regex.Match(line, @"^\s+([0-9a-f]+):\t([0-9a-f ]+?)\s*(?:\t(\S+).*)?$");
                if (!insn.Success || current is null) continue;
                if (!insn.Groups[3].Success) current[^1] = current[^1].Replace(" |", " " + insn.Groups[2].Value + " |"); // continuation bytes
                else current.Add($"{Convert.ToUInt64(insn.Groups[1].Value, 16) - start:x}: {insn.Groups[2].Value} | {insn.Groups[3].Value}");
            }
            return functions;
        }

        [Test]
        public void BugOnsBugTableNamesItsUd2FileAndLine()
        {
            var (elf, image, _) = Build("bug-on.kdsl");
            var (initEnd, core) = Split(image);
            var table = elf.Bytes("__bug_table");
            var relocations = elf.Relocations("__bug_table");
            Assert.That(table.Length, Is.EqualTo(12 * image.Bugs.Count)); // struct bug_entry: 4 + 4 + 2 + 2
            for (int i = 0; i < image.Bugs.Count; i++)
            {
                var bug = image.Bugs[i];
                bool inInit = bug.Offset < initEnd;
                // bug_addr_disp = ud2 - &entry: R_X86_64_PC32 (2) to the section, its addend the ud2's offset there
                var addr = relocations.Single(r => r.Offset == (ulong)(12 * i));
                Assert.That((addr.Type, addr.Symbol.Name, addr.Addend), Is.EqualTo((2u, inInit ? ".init.text" : ".text", (long)(inInit ? bug.Offset : bug.Offset - core))));
                Assert.That(image.Text.Skip(bug.Offset).Take(2), Is.EqualTo(new byte[] { 0x0f, 0x0b }));
                Assert.That(BitConverter.ToUInt16(table, 12 * i + 8), Is.EqualTo(bug.Line));
                Assert.That(BitConverter.ToUInt16(table, 12 * i + 10), Is.EqualTo(bug.Warning ? 0x901 : 0)); // BUGFLAG_WARNING|BUGFLAG_TAINT(TAINT_WARN)
            }
        }
    }
}
