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
            var relocs = Regex.Matches(module.Assembly, @"\.reloc [^,]+, R_X86_64_PLT32, (__kdsl_\w+)-4").Select(m => m.Groups[1].Value).ToList();
            string[] caches = { "8", "8", "16", "64", "96", "96", "128", "192", "256", "8192" };
            Assert.That(relocs, Is.EqualTo(caches.Select(c => $"__kdsl_{callee}_kmalloc_{c}")));
        }

        /// <summary>(callee, rdi/esi/edx immediates before it, and the kmalloc_caches relocation's addend loaded into rdi) per kmalloc call.</summary>
        private static List<string> Calls(string objdump)
        {
            var calls = new List<string>();
            var thunkCache = new Dictionary<string, string>();
            string? thunk = null;
            var regs = new Dictionary<string, string>();
            string? pendingLoad = null;
            foreach (var line in objdump.Split('\n'))
            {
                var head = Regex.Match(line, @"^[0-9a-f]+ <([^>]+)>:$");
                if (head.Success) { thunk = head.Groups[1].Value.StartsWith("__kdsl_") ? head.Groups[1].Value : null; regs.Clear(); continue; }
                var reloc = Regex.Match(line, @"R_X86_64_(\w+)\s+(\w+)([+-]0x[0-9a-f]+)?$");
                if (reloc.Success)
                {
                    string target = reloc.Groups[2].Value;
                    if (target == "kmalloc_caches")
                    {
                        if (thunk is not null) thunkCache[thunk] = reloc.Groups[3].Value;
                        else pendingLoad = reloc.Groups[3].Value;
                    }
                    else if (target is "kmalloc_trace" or "kmalloc_large" || target.StartsWith("__kdsl_"))
                    {
                        if (thunk is not null) continue;
                        string callee = target.StartsWith("__kdsl_") ? "kmalloc_trace" : target;
                        string cache = target.StartsWith("__kdsl_") ? "cache " + target : pendingLoad is null ? "" : "cache " + pendingLoad;
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
            // a thunk's call names its cache's relocation, as GCC's inline load does
            return calls.Select(c => thunkCache.Aggregate(c, (s, t) => s.Replace("cache " + t.Key, "cache " + t.Value))).ToList();
        }

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
    }
}
