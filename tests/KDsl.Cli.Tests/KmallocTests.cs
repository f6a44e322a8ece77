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
    /// kmalloc(CONSTANT) in `kdsl ko`'s module: the cache argument GCC loads (kmalloc_caches[KMALLOC_NORMAL][index],
    /// include/linux/slab.h's __kmalloc_index) and the gfp flags, against include/linux/slab.h and, where the 6.1 headers
    /// are installed, against a module GCC built from the same calls in C on those headers (objdump -dr of both).
    /// </summary>
    [NonParallelizable]
    public class KmallocTests : ScratchDirectory
    {
        private static string Source(string profile, params long[] sizes) =>
            $"module km \"kmalloc\";\nconfig {{ profile = {profile}; }}\ninit {{\n" +
            string.Concat(sizes.Select((s, i) => $"    char *p{i} = kmalloc({s});\n    kfree(p{i});\n")) + "}\n";

        [TestCase("linux-6.1", "kmalloc_trace")]
        [TestCase("linux-5.10", "kmem_cache_alloc_trace")]
        public void EachSizeLoadsItsKmallocCache(string profile, string callee)
        {
            // __kmalloc_index with KMALLOC_MIN_SIZE 8: 8 → 3, 96 → 1 (kmalloc-96), 192 → 2 (kmalloc-192), 256 → 8, 8192 → 13;
            // kmalloc_caches[KMALLOC_NORMAL] is row 0, 8 bytes a pointer
            var sizes = new long[] { 1, 8, 9, 64, 65, 96, 97, 192, 200, 8192 };
            var expected = new[] { 3, 3, 4, 6, 1, 1, 7, 2, 8, 13 };
            var image = Compiler.Compile("km.kdsl", Source(profile, sizes)).Image!;
            var module = ModuleAssembly.Create(image, out string? error);
            Assert.That(module, Is.Not.Null, error);
            var loads = Regex.Matches(module!.Assembly, @"movq kmalloc_caches\+(\d+)\(%rip\), %rdi\n\tjmp (\w+)")
                .Select(m => (Offset: int.Parse(m.Groups[1].Value), Callee: m.Groups[2].Value)).ToList();
            Assert.That(loads.Select(l => l.Callee).Distinct(), Is.EqualTo(new[] { callee }));
            Assert.That(loads.Select(l => l.Offset).OrderBy(o => o), Is.EqualTo(expected.Distinct().Select(i => 8 * i).OrderBy(o => o)));
            Assert.That(module.Imports, Does.Contain("kmalloc_caches").And.Contain(callee));
            // every call site calls the thunk of its own size's cache
            var relocs = Regex.Matches(module.Assembly, @"\.reloc [^,]+, R_X86_64_PLT32, ([.\w]+_kmalloc_\d+)-4").Select(m => m.Groups[1].Value).ToList();
            string[] caches = { "8", "8", "16", "64", "96", "96", "128", "192", "256", "8192" };
            // .L labels: no symbol in the .ko, so module kallsyms sizes the code before them as KDsl does (below)
            Assert.That(relocs, Is.EqualTo(caches.Select(c => $".L__kdsl_{callee}_kmalloc_{c}")));
        }

        /// <summary>
        /// (callee, rdi/esi/edx immediates before it, and the kmalloc_caches relocation's addend loaded into rdi) per kmalloc
        /// call of the init (.init.text). A call into .text goes to a thunk there: a `mov kmalloc_caches+X(%rip),%rdi`
        /// whose relocation names the cache (the call's relocation is `.text+A-0x4` for the thunk at A).
        /// </summary>
        private static List<string> Calls(string objdump)
        {
            var calls = new List<string>();
            var thunkCache = new Dictionary<ulong, string>();
            string section = "";
            var regs = new Dictionary<string, string>();
            string? pendingLoad = null;
            var lines = objdump.Split('\n');
            foreach (var line in lines)
            {
                var head = Regex.Match(line, @"^Disassembly of section (\S+):$");
                if (head.Success) section = head.Groups[1].Value;
                // the thunk's load: the relocation is 3 bytes into `48 8b 3d disp32`
                var load = Regex.Match(line, @"^\s+([0-9a-f]+): R_X86_64_PC32\s+kmalloc_caches([+-]0x[0-9a-f]+)$");
                if (load.Success && section == ".text") thunkCache[Convert.ToUInt64(load.Groups[1].Value, 16) - 3] = load.Groups[2].Value;
            }
            section = "";
            foreach (var line in lines)
            {
                var head = Regex.Match(line, @"^Disassembly of section (\S+):$");
                if (head.Success) { section = head.Groups[1].Value; regs.Clear(); continue; }
                if (section != ".init.text") continue;
                var reloc = Regex.Match(line, @"R_X86_64_(\w+)\s+([\w.]+)([+-]0x[0-9a-f]+)?$");
                if (reloc.Success)
                {
                    string target = reloc.Groups[2].Value;
                    if (target == "kmalloc_caches") pendingLoad = reloc.Groups[3].Value;
                    else if (target is "kmalloc_trace" or "kmalloc_large" or ".text")
                    {
                        string callee = target == ".text" ? "kmalloc_trace" : target;
                        string cache = target == ".text" ? "cache " + thunkCache[(ulong)(Addend(reloc.Groups[3].Value) + 4)]
                            : pendingLoad is null ? "" : "cache " + pendingLoad;
                        regs.TryGetValue("esi", out var esi);
                        regs.TryGetValue("edx", out var edx);
                        regs.TryGetValue("edi", out var edi);
                        calls.Add($"{callee} {cache} flags={esi} edx={edx} edi={edi}".Replace("  ", " "));
                        regs.Clear();
                        pendingLoad = null;
                    }
                    continue;
                }
                var mov = Regex.Match(line, @"\tmov\s+\$(0x[0-9a-f]+),%(e?[a-z]+)");
                if (mov.Success) regs[mov.Groups[2].Value] = mov.Groups[1].Value;
            }
            return calls;
        }

        /// <summary>objdump's addend: "+0x9c", "-0x4".</summary>
        private static long Addend(string text) => (text[0] == '-' ? -1 : 1) * Convert.ToInt64(text.Substring(3), 16);

        [Test]
        public void TheCacheAndFlagsAreWhatGccPassesOnThe61Headers()
        {
            RequireHeaders61();
            var sizes = new long[] { 64, 200, 16384 };
            // the C twin, built by the same Kbuild
            string gcc = Path.Combine(Dir, "gcc");
            Directory.CreateDirectory(gcc);
            File.WriteAllText(Path.Combine(gcc, "gk.c"), "#include <linux/module.h>\n#include <linux/slab.h>\nstatic int __init gk_init(void)\n{\n" +
                string.Concat(sizes.Select((s, i) => $"\tvoid *p{i} = kmalloc({s}, GFP_KERNEL);\n\tkfree(p{i});\n")) +
                "\treturn 0;\n}\nmodule_init(gk_init);\nMODULE_LICENSE(\"GPL\");\n");
            File.WriteAllText(Path.Combine(gcc, "Kbuild"), "obj-m += gk.o\n");
            Assert.That(Oracle.KernelBuild.Run("make", new[] { "-C", Headers61, "M=" + gcc, "CC=gcc", "modules" }, out string log), Is.True, log);
            Assert.That(Oracle.KernelBuild.Run("objdump", new[] { "-dr", Path.Combine(gcc, "gk.o") }, out string theirs), Is.True, theirs);

            string kdsl = Path.Combine(Dir, "km.kdsl");
            File.WriteAllText(kdsl, Source("linux-6.1", sizes));
            var (exit, output, error) = CliRunner.Run("ko", kdsl, "-o", Path.Combine(Dir, "ko"));
            Assert.That(exit, Is.EqualTo(0), error);
            Assert.That(Oracle.KernelBuild.Run("objdump", new[] { "-dr", Path.Combine(Dir, "ko", "km.o") }, out string ours), Is.True, ours);

            // GCC: kmalloc_caches+0x2c (kmalloc-64) and +0x3c (kmalloc-256) with GFP_KERNEL 0xcc0; kmalloc_large(16384, 0xcc0)
            var expected = Calls(theirs);
            Assert.That(expected, Is.EqualTo(new[]
            {
                "kmalloc_trace cache +0x2c flags=0xcc0 edx=0x40 edi=",
                "kmalloc_trace cache +0x3c flags=0xcc0 edx=0xc8 edi=",
                "kmalloc_large flags=0xcc0 edx= edi=0x4000",
            }), theirs);
            Assert.That(Calls(ours), Is.EqualTo(expected), ours);
        }
        /// <summary>The RIP line of KDsl's emulated oops for <paramref name="args"/> (`kdsl run`): NAME+0xOFF/0xSIZE.</summary>
        private static string EmulatedRip(params string[] args)
        {
            var (_, output, error) = CliRunner.Run(new[] { "run" }.Concat(args).ToArray());
            var rip = Regex.Match(output, @"RIP: 0010:(\S+) \[");
            Assert.That(rip.Success, Is.True, output + error);
            return rip.Groups[1].Value;
        }

        [Test]
        public void TheThunksLeaveTheLastFunctionSizedAsKdslsKallsymsSizesIt()
        {
            // stack-overflow-no-vmap's vmap_on: kmalloc(4096) in the init, rstack the only (so last) function of .text, the
            // guard page hit in it. KDsl's module has no thunk: rstack runs to the end of its page (rstack+0x31/0x1000).
            // The real kernel's find_kallsyms_symbol sizes it up to the next named symbol, so the thunk after it must not be one.
            RequireHeaders61();
            string example = CliRunner.Example("stack-overflow-no-vmap.kdsl");
            var (exit, output, error) = CliRunner.Run("ko", example, "--scenario", "vmap_on", "-o", Dir);
            Assert.That(exit, Is.EqualTo(0), error);
            var ko = new ElfFile(output.Trim());
            Assert.That(ko.Symbols.Where(x => x.Name.Contains("kmalloc_trace_kmalloc")), Is.Empty);
            // objtool found the call's destination (a symbol in the object, stripped after) and wrote the ORC table the
            // real kernel unwinds the module with; without it every frame of the trace is a `?` guess
            Assert.That(ko.Sections.Select(x => x.Name), Does.Contain(".orc_unwind_ip"));
            var rip = Regex.Match(EmulatedRip(example, "--scenario", "vmap_on"), @"^rstack\+0x([0-9a-f]+)/0x1000$");
            Assert.That(rip.Success, Is.True, rip.Value);
            var rstack = ko.Symbols.Single(x => x.Name == "rstack");
            ulong off = Convert.ToUInt64(rip.Groups[1].Value, 16);
            Assert.That(ModuleKallsyms.Describe(ko, ".text", rstack.Value + off), Is.EqualTo(rip.Value));
        }

        [Test]
        public void ThunksPastTheLastPageStartTheNextPageUnderTheirNames()
        {
            // A .text whose code ends in the last 15 bytes of a page (4081..4095 of it) leaves no room for the 12-byte thunk
            // at its 16-byte alignment: as a .L label it would grow core_layout.text_size by a page and poke, the last
            // function, with it. Search pad's printk count and poke's statements for such a text.
            RequireHeaders61();
            string? source = null;
            for (int n = 220; n < 260 && source is null; n++)
                for (int m = 0; m < 4 && source is null; m++)
                {
                    string candidate = "module cross \"kmalloc thunks past the last page\";\nvoid pad(int k) {\n" +
                        string.Concat(Enumerable.Repeat("    printk(\"p\\n\");\n", n)) + "}\nvoid poke(long *p, long k) {\n" +
                        string.Concat(Enumerable.Repeat("    k = k + 1;\n", m)) + "    *p = k;\n}\n" +
                        "init {\n    char *q = kmalloc(64);\n    kfree(q);\n    pad(1);\n    poke((long *)0, 1);\n}\n";
                    var image = Compiler.Compile("cross.kdsl", candidate).Image!;
                    int core = image.Symbols.Where(x => x.Section == Section.Text && x.Name != image.InitSymbol).Min(x => x.Offset);
                    if ((image.Text.Length - core) % 4096 > 4080) source = candidate;
                }
            Assert.That(source, Is.Not.Null, "no pad/poke sizes put .text's end in a page's last 15 bytes");
            string file = Path.Combine(Dir, "cross.kdsl");
            Directory.CreateDirectory(Dir);
            File.WriteAllText(file, source);
            var (exit, output, error) = CliRunner.Run("ko", file, "-o", Path.Combine(Dir, "ko"));
            Assert.That(exit, Is.EqualTo(0), error);
            var ko = new ElfFile(output.Trim());
            var thunk = ko.Symbols.Single(x => x.Name == "__kdsl_kmalloc_trace_kmalloc_64");
            Assert.That(thunk.Value % 4096, Is.EqualTo(0ul));
            Assert.That(ko.Sections.Select(x => x.Name), Does.Contain(".orc_unwind_ip"));
            // KDsl's NULL-pointer oops in poke, at the same +off/size on the .ko's symbols
            var rip = Regex.Match(EmulatedRip(file), @"^poke\+0x([0-9a-f]+)/0x([0-9a-f]+)$");
            Assert.That(rip.Success, Is.True, rip.Value);
            var poke = ko.Symbols.Single(x => x.Name == "poke");
            Assert.That(poke.Value + Convert.ToUInt64(rip.Groups[2].Value, 16), Is.EqualTo(thunk.Value), "poke runs to its page's end");
            Assert.That(ModuleKallsyms.Describe(ko, ".text", poke.Value + Convert.ToUInt64(rip.Groups[1].Value, 16)), Is.EqualTo(rip.Value));
        }
    }
}
