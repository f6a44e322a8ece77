using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Fuzz
{
    /// <summary>
    /// Random bytes as guest code, wild jumps and wild writes: module init fills a stack buffer with seeded random bytes
    /// and calls into it (call_ptr), or jumps / writes to random addresses. The machine must end every run as the
    /// kernel would (an oops for #UD / #GP / #PF / #DE, a panic, a soft lockup), and never throw to the host.
    /// </summary>
    [TestFixture]
    public class WildCodeTests
    {
        private const long Budget = 2_000_000;

        /// <summary>The first oops line of each kind the kernel prints, one of which every oops must show.</summary>
        private static readonly Regex OopsHeader = new Regex(
            @"invalid opcode: 0000|general protection fault|BUG: unable to handle (kernel )?(page fault|paging request|NULL pointer dereference)|" +
            @"BUG: kernel NULL pointer dereference|divide error: 0000|BUG: stack guard page was hit|kernel stack overflow|double fault|Kernel panic|" +
            @"stack-protector|kernel BUG at|unable to execute userspace code|supervisor instruction fetch|" +
            // any other die(): __die_header's "STR: %04lx [#N]" (the runtime campaign met "unexpected #NM exception")
            @": [0-9a-f]{4} \[#\d+\]",
            RegexOptions.Compiled);

        private static string RandomCodeProgram(int seed, int entryOffset)
        {
            // A xorshift in the guest fills 256 bytes; the seed makes each test case different bytes.
            return $@"module wild ""random bytes as code"";
init {{
    char buf[256];
    long s = {(long)(uint)seed * 2654435761L + 1};
    int i;
    for (i = 0; i < 256; i++) {{
        s = s ^ (s << 13);
        s = s ^ (s >> 7);
        s = s ^ (s << 17);
        buf[i] = s >> 24;
    }}
    call_ptr((long)buf + {entryOffset});
    return 0;
}}
";
        }

        private static RunResult CompileAndRun(string text)
        {
            var result = Compiler.Compile("wild.kdsl", text);
            Assert.That(result.Image, Is.Not.Null, () => string.Join("\n", result.Diagnostics));
            RunResult r = null!;
            Assert.That(() => r = Machine.Run(result.Image!, null, KDsl.Runtime.Kernel.Layout.PhysicalMemorySize, Budget), Throws.Nothing);
            return r;
        }

        /// <summary>A program of the <see cref="RandomCodeJumpsAndWrites_EndAsTheKernelWould"/> kind: <paramref name="i"/> mod 3 picks it.</summary>
        internal static string JumpOrWriteProgram(Random rng, int i) => (i % 3) switch
        {
            0 => RandomCodeProgram(rng.Next(), rng.Next(0, 200)),
            1 => $"module wild \"jump\";\ninit {{ call_ptr({RandomAddress(rng)}); return 0; }}\n",
            _ => $"module wild \"write\";\ninit {{ *(long *)({RandomAddress(rng)}) = {rng.Next()}; return 1; }}\n",
        };

        /// <summary>Null when the run ended as the kernel would; otherwise what went wrong.</summary>
        internal static string? Problem(RunResult r) => r.Outcome switch
        {
            RunOutcome.Oops or RunOutcome.Panic when !OopsHeader.IsMatch(r.Dmesg) => $"{r.Outcome} without an oops report",
            RunOutcome.SoftLockup when !r.Dmesg.Contains("BUG: soft lockup - CPU#", StringComparison.Ordinal) => "soft lockup without the watchdog's report",
            RunOutcome.LoadFailed => "the module did not load",
            RunOutcome.InternalError => $"Machine.Run's internal-error boundary was reached: {r.InternalError}",
            RunOutcome.Unimplemented when r.InternalError is null || !r.InternalError.StartsWith("KDsl does not implement ", StringComparison.Ordinal) =>
                $"Unimplemented without naming the instruction: {r.InternalError}",
            _ => null,
        };

        private static void AssertKernelLikeEnd(RunResult r, string what) =>
            Assert.That(Problem(r), Is.Null, () => $"{what}\n{r.Dmesg}");

        [Test]
        public void StackIsNotExecutable_CallIntoABufferIsAnNxPageFault()
        {
            // vmalloc'd stacks are PAGE_KERNEL (NX): the first fetch from the buffer faults, as on a real kernel.
            var r = CompileAndRun(RandomCodeProgram(1, 0));
            Assert.That(r.Outcome, Is.EqualTo(RunOutcome.Oops), r.Dmesg);
            Assert.That(r.Dmesg, Does.Contain("kernel tried to execute NX-protected page"), r.Dmesg);
        }

        /// <summary>Seeded random programs: random bytes as code (reached through the direct map, which is executable
        /// here only if the profile maps it so), jumps to random addresses, writes through random pointers.</summary>
        [Test]
        public void RandomCodeJumpsAndWrites_EndAsTheKernelWould()
        {
            var rng = new Random(9);
            var outcomes = new Dictionary<RunOutcome, int>();
            for (int i = 0; i < 60; i++)
            {
                string text = JumpOrWriteProgram(rng, i);
                var r = CompileAndRun(text);
                outcomes[r.Outcome] = outcomes.TryGetValue(r.Outcome, out int n) ? n + 1 : 1;
                AssertKernelLikeEnd(r, text);
            }
            TestContext.Out.WriteLine(string.Join(", ", outcomes));
        }

        /// <summary>
        /// Random bytes in the module's own text (RX, as module_alloc maps it): init's code is replaced after compiling,
        /// so insmod's do_one_initcall runs them. Every instruction the decoder meets must end in a kernel-like way.
        /// </summary>
        [Test]
        public void RandomBytesAsModuleText_EndAsTheKernelWould()
        {
            var text = new RandomModuleText();
            var rng = new Random(9);
            var outcomes = new Dictionary<RunOutcome, int>();
            var notes = new HashSet<string>();
            for (int i = 0; i < 150; i++)
            {
                RunResult r = null!;
                Assert.That(() => r = text.Run(rng), Throws.Nothing, $"case {i}");
                outcomes[r.Outcome] = outcomes.TryGetValue(r.Outcome, out int n) ? n + 1 : 1;
                AssertKernelLikeEnd(r, $"random text case {i}");
                foreach (var line in r.Log)
                {
                    var m = Regex.Match(line, @"\] (invalid opcode|general protection fault|BUG: unable to handle page fault|divide error|BUG: kernel NULL pointer dereference|BUG: stack guard page was hit|int3|traps: .*)");
                    if (m.Success) notes.Add(m.Groups[1].Value);
                }
            }
            TestContext.Out.WriteLine(string.Join(", ", outcomes));
            TestContext.Out.WriteLine(string.Join(" | ", notes));
        }

        /// <summary>A module whose init's bytes (after the first 0-15, so execution also starts mid-function) are replaced by random ones before each run.</summary>
        internal sealed class RandomModuleText
        {
            private readonly KDsl.Image.ModuleImage _image;
            private readonly byte[] _original;
            private readonly ModuleSymbolInfo _init;

            public RandomModuleText()
            {
                var body = new System.Text.StringBuilder();
                for (int i = 0; i < 40; i++) body.Append($"    x = x * {i + 3} + {i};\n");
                var result = Compiler.Compile("wild.kdsl", $"module wild \"random text\";\ninit {{\n    long x = 1;\n{body}    return x;\n}}\n");
                _image = result.Image ?? throw new InvalidOperationException(string.Join("\n", result.Diagnostics));
                _init = FindInit(_image);
                _original = (byte[])_image.Text.Clone();
            }

            public RunResult Run(Random rng)
            {
                Array.Copy(_original, _image.Text, _original.Length);
                int from = _init.Offset + rng.Next(0, 16);
                for (int k = from; k < _init.Offset + _init.Size; k++) _image.Text[k] = (byte)rng.Next(256);
                return Machine.Run(_image, null, KDsl.Runtime.Kernel.Layout.PhysicalMemorySize, Budget);
            }
        }

        /// <summary>
        /// Kernel data corrupted through the direct map, then used by the kernel (issue 21): random page-table entries of
        /// the kernel's PML4 and of the tables below the vmalloc range rewritten (a frame past RAM, frame 0, a random
        /// value), random direct-map blocks passed to free_pages, then vmalloc, a touch of the area and a kernel thread.
        /// Every run ends as the kernel would, never at Machine.Run's internal-error boundary.
        /// </summary>
        [Test]
        public void CorruptedKernelDataThroughTheDirectMap_EndsAsTheKernelWould()
        {
            var rng = new Random(21);
            var outcomes = new Dictionary<RunOutcome, int>();
            for (int i = 0; i < 40; i++)
            {
                string text = CorruptingProgram(rng, i);
                var r = CompileAndRun(text);
                outcomes[r.Outcome] = outcomes.TryGetValue(r.Outcome, out int n) ? n + 1 : 1;
                AssertKernelLikeEnd(r, text);
            }
            TestContext.Out.WriteLine(string.Join(", ", outcomes));
        }

        /// <summary>One program of <see cref="CorruptedKernelDataThroughTheDirectMap_EndsAsTheKernelWould"/>: 1-3 corruptions, then the kernel uses the data.</summary>
        internal static string CorruptingProgram(Random rng, int i)
        {
            string[] values = { "0x7ffff063", "0x63", "0x1063", "0x8000000000000067", "0x3fff067" };
            var body = new System.Text.StringBuilder();
            body.Append("    long *pml4 = (long *)0xffff888000001000;\n");
            body.Append("    char *a = vmalloc(4194304);\n    long next = (long)a + 4194304 + 4096;\n");
            body.Append("    long *pud = (long *)(0xffff888000000000 + (pml4[(next >> 39) & 511] & 0xffffffffff000));\n");
            body.Append("    long *pmd = (long *)(0xffff888000000000 + (pud[(next >> 30) & 511] & 0xffffffffff000));\n");
            for (int k = rng.Next(1, 4); k > 0; k--)
            {
                string value = rng.Next(4) == 0 ? "0x" + ((ulong)rng.Next() << 32 | (uint)rng.Next()).ToString("x") : values[rng.Next(values.Length)];
                switch (rng.Next(4))
                {
                    case 0: body.Append($"    pml4[{rng.Next(256, 512)}] = {value};\n"); break;
                    case 1: body.Append($"    pud[(next >> 30) & 511] = {value};\n"); break;
                    case 2: body.Append($"    pmd[((next >> 21) + {rng.Next(0, 3)}) & 511] = {value};\n"); break;
                    default: body.Append($"    free_pages(0xffff888000000000 + {rng.Next(1, 16384) * 4096L}, {rng.Next(0, 3)});\n"); break;
                }
            }
            body.Append("    char *p = vmalloc(8192);\n    if (p) p[4096] = 1;\n    kthread_run(worker, 1);\n    printk(\"done\\n\");\n");
            return $"module wild \"corrupt\";\nconfig {{ profile = linux-6.1; stack_cache = {(i % 2 == 0 ? "on" : "off")}; }}\n" +
                $"void worker(long n) {{ char b[64]; b[0] = n; }}\ninit {{\n{body}    return 0;\n}}\n";
        }

        /// <summary>
        /// The runtime's long campaign (tests/fuzz-long.sh runtime): KDSL_RUNTIME_CASES programs (default 30000; at most
        /// KDSL_FUZZ_MINUTES, default 120) taking turns among the kinds above (random code, jumps and writes; random
        /// module text; corrupted kernel data) and <see cref="RandomBytesCpuTests"/>' random bytes on the bare CPU. Each
        /// case has its own seed (KDSL_RUNTIME_SEED * 1000003 + index), so a problem it reports reruns alone.
        /// </summary>
        [Test]
        [Explicit("long run: KDSL_RUNTIME_CASES programs (default 30000)")]
        public void LongRun()
        {
            int cases = LongRunSettings.Int("KDSL_RUNTIME_CASES", 30_000);
            int seed = LongRunSettings.Int("KDSL_RUNTIME_SEED", 20240);
            var timeCap = LongRunSettings.TimeCap();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var text = new RandomModuleText();
            using var guest = new KDsl.Runtime.Tests.Cpu.GuestFixture();
            var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
            int ran = 0, problems = 0;
            for (int i = 0; i < cases && clock.Elapsed < timeCap; i++, ran++)
            {
                int caseSeed = unchecked(seed * 1_000_003 + i);
                var rng = new Random(caseSeed);
                string kind = (i % 4) switch { 0 => "code/jump/write", 1 => "module text", 2 => "corrupted data", _ => "bare CPU" };
                string? input = null, problem;
                try
                {
                    RunResult? r = null;
                    switch (i % 4)
                    {
                        case 0: input = JumpOrWriteProgram(rng, rng.Next(3)); r = RunProgram(input, out problem); break;
                        case 1: r = text.Run(rng); problem = null; break;
                        case 2: input = CorruptingProgram(rng, rng.Next(2)); r = RunProgram(input, out problem); break;
                        default: problem = RandomBytesCpuTests.RunCase(guest, rng, out string stop); Count(outcomes, "cpu:" + stop); break;
                    }
                    if (r != null)
                    {
                        Count(outcomes, r.Outcome.ToString());
                        problem ??= Problem(r);
                        if (problem != null) problem += "\n" + r.Dmesg;
                    }
                }
                catch (Exception ex)
                {
                    problem = $"threw {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}";
                }
                if (problem is null) continue;
                if (++problems <= 20) TestContext.Out.WriteLine($"PROBLEM (case seed {caseSeed}, {kind}): {problem}\n--- input ---\n{input}\n-------------");
            }
            TestContext.Out.WriteLine($"runtime fuzz long run: seed {seed}, {ran} cases, {problems} problems, {clock.Elapsed.TotalSeconds:F0}s; outcomes: " +
                string.Join(" ", outcomes.Select(kv => $"{kv.Key}={kv.Value}")));
            Assert.That(problems, Is.Zero);
        }

        private static void Count(IDictionary<string, int> counts, string key) => counts[key] = counts.TryGetValue(key, out int n) ? n + 1 : 1;

        /// <summary>Compiles and runs <paramref name="text"/>; <paramref name="problem"/> says why it could not run.</summary>
        private static RunResult? RunProgram(string text, out string? problem)
        {
            var result = Compiler.Compile("wild.kdsl", text);
            problem = result.Image is null ? "did not compile: " + string.Join("\n", result.Diagnostics) : null;
            return result.Image is null ? null : Machine.Run(result.Image, null, KDsl.Runtime.Kernel.Layout.PhysicalMemorySize, Budget);
        }

        private readonly struct ModuleSymbolInfo
        {
            public ModuleSymbolInfo(int offset, int size) { Offset = offset; Size = size; }
            public int Offset { get; }
            public int Size { get; }
        }

        private static ModuleSymbolInfo FindInit(KDsl.Image.ModuleImage image)
        {
            foreach (var s in image.Symbols)
                if (s.Section == KDsl.Image.Section.Text && s.Name.EndsWith("_init", StringComparison.Ordinal))
                    return new ModuleSymbolInfo(s.Offset, s.Size);
            throw new InvalidOperationException("no init symbol");
        }

        private static string RandomAddress(Random rng)
        {
            ulong[] bases =
            {
                0, 0xffffffff81000000UL, 0xffff888000000000UL, 0xffffc90000000000UL, 0x00007f86ddd4b000UL, 0x8000000000000000UL,
                0xffffffffa0000000UL, 0xfffffe0000000000UL, 0x0000000000400000UL,
            };
            ulong a = bases[rng.Next(bases.Length)] + (ulong)rng.Next(0, 1 << 24);
            if (rng.Next(4) == 0) a = (ulong)rng.Next() << 33 ^ (ulong)rng.Next();
            return "0x" + a.ToString("x");
        }
    }
}
