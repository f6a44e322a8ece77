using System.Linq;
using KDsl.Image;
using NUnit.Framework;
using static KDsl.Runtime.Tests.Experiments.LanguageSemanticsTests;

namespace KDsl.Runtime.Tests.Experiments
{
    /// <summary>
    /// File-level variables, static locals and initializers, run as C runs them. The expected lines are what the same C
    /// program prints built with gcc 12.2 -O2 on x86-64 (the C is in each test's comment, printk → printf), and the
    /// sections and alignments are where gcc -O2 -mcmodel=kernel puts the same declarations (gcc -S).
    /// </summary>
    [TestFixture]
    public class GlobalsTests
    {
        private const string Declarations = @"
struct hdr { char tag; int len; short kind; };
struct point { int x; long y; char name[8]; };
static int counter;
int limit = 3;
const char banner[] = ""hello"";
static const char *names[] = { ""zero"", ""one"", ""two"" };
struct point origin = { .name = ""org"", .x = 2, 7 };
long grid[2][3] = { { 1, 2, 3 }, { 4 } };
short sparse[8] = { [5] = -2, 9, [1] = 4 };
struct hdr hs[2] = { { 'a', 1, 2 }, [1].len = 300 };
unsigned char bytes[] = { 255, 256, -1 };
long *gp = &grid[1][1];
int bump(void) { static int calls = 10; calls++; counter += 2; return calls; }
int other(void) { static int calls; return ++calls; }
";

        // The same declarations in C, and main():
        //   int local[4] = { 9, 8 }; struct point p = { 1, 2, "pt" }; char s[] = "abc"; long m[2][2] = { { 1 }, { [1] = 5 } };
        //   for (int i = 0; i < limit; i++) bump(); int b = bump();
        //   printf("%d %d %s %s %d %ld %s\n", counter, b, banner, names[2], origin.x, origin.y, origin.name);
        //   printf("%ld %ld %ld %d %d %d %ld %s\n", grid[1][2], grid[1][0], sizeof grid, local[0], local[1], local[3], p.y, p.name);
        //   printf("%d %d %d %d %d %d %d\n", sparse[0], sparse[1], sparse[5], sparse[6], sparse[7], hs[0].kind, hs[1].len);
        //   int o1 = other(); int o2 = other();
        //   printf("%ld %d %d %d %ld %ld %ld %ld %d %d\n", sizeof bytes, bytes[0], bytes[1], bytes[2], sizeof s, m[0][0] + m[0][1], m[1][0], m[1][1], o1, o2);
        //   *gp += 10; printf("%ld %ld\n", grid[1][1], *gp);
        [TestCase("linux-6.1")]
        [TestCase("linux-4.11")]
        public void GlobalsStaticLocalsAndInitializers_AreCs(string profile)
        {
            var lines = Printed(@"
                int local[4] = { 9, 8 }; struct point p = { 1, 2, ""pt"" }; char s[] = ""abc""; long m[2][2] = { { 1 }, { [1] = 5 } };
                for (int i = 0; i < limit; i++) bump();
                int b = bump();
                printk(""%d %d %s %s %d %ld %s\n"", counter, b, banner, names[2], origin.x, origin.y, origin.name);
                printk(""%ld %ld %ld %d %d %d %ld %s\n"", grid[1][2], grid[1][0], sizeof grid, local[0], local[1], local[3], p.y, p.name);
                printk(""%d %d %d %d %d %d %d\n"", sparse[0], sparse[1], sparse[5], sparse[6], sparse[7], hs[0].kind, hs[1].len);
                int o1 = other(); int o2 = other();
                printk(""%ld %d %d %d %ld %ld %ld %ld %d %d\n"", sizeof bytes, bytes[0], bytes[1], bytes[2], sizeof s, m[0][0] + m[0][1], m[1][0], m[1][1], o1, o2);
                *gp += 10; printk(""%ld %ld\n"", grid[1][1], *gp);", Declarations, profile);
            Assert.That(lines, Is.EqualTo(new[]
            {
                "8 14 hello two 2 7 org",
                "0 4 48 9 8 0 2 pt",
                "0 4 -2 9 0 2 300",
                "3 255 0 255 4 1 0 5 1 2",
                "10 10",
            }));
        }

        [Test]
        public void Objects_LieInGccsSectionsAtGccsAlignment()
        {
            var result = Compiler.Compile("sem.kdsl", "module sem \"s\";\n" + Declarations + "int zero_init = 0;\nchar small16[16] = {1};\ninit { }\n");
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            var symbols = result.Image!.Symbols.ToDictionary(s => s.Name);
            // gcc -S: counter, zero_init and other()'s static calls in .bss (.comm / .bss), banner in .rodata, the rest in .data
            // (KDsl numbers static locals in source order: bump's is calls.0; gcc 12 happened to number them the other way)
            foreach (var name in new[] { "counter", "zero_init", "calls.1" })
                Assert.That(symbols[name].Section, Is.EqualTo(Section.Bss), name);
            Assert.That(symbols["banner"].Section, Is.EqualTo(Section.RoData));
            foreach (var name in new[] { "limit", "names", "origin", "grid", "calls.0", "small16", "gp" })
                Assert.That(symbols[name].Section, Is.EqualTo(Section.Data), name);
            // .align 32 for grid (48 bytes), 16 for origin (24) and small16 (16), 8 for names' pointers
            Assert.That(symbols["grid"].Offset % 32, Is.Zero);
            Assert.That(symbols["origin"].Offset % 16, Is.Zero);
            Assert.That(symbols["small16"].Offset % 16, Is.Zero);
            Assert.That((symbols["grid"].Size, symbols["origin"].Size, symbols["bytes"].Size, symbols["sparse"].Size), Is.EqualTo((48, 24, 3, 16)));
            // names holds three string addresses and gp &grid[1][1] (grid + 32): R_X86_64_64 relocations of .data
            var data = result.Image.Relocations.Where(r => r.Section == Section.Data).ToList();
            Assert.That(data.Count(r => r.Offset >= symbols["names"].Offset && r.Offset < symbols["names"].Offset + 24), Is.EqualTo(3));
            var gp = data.Single(r => r.Offset == symbols["gp"].Offset);
            Assert.That((gp.Kind, gp.Target, gp.Addend), Is.EqualTo((RelocationKind.Abs64, "grid", 32L)));
        }

        [Test]
        public void AStaticObject_IsNamedByPercentPS_AndWritableDataIsNotExecutable()
        {
            var lines = Printed(@"
                printk(""%pS %pS %pS\n"", &counter, &names[1], &grid[1][2]);
                printk(""%px %px %px\n"", &counter, &names[0], &grid[0][0]);", Declarations);
            // sprint_symbol: name+offset/size [module], where find_kallsyms_symbol looks for the next symbol only below the
            // end of the module's text, so each variable's size is that one end minus its address, wrapped (the real 6.1
            // kernel: scratch+0x40/0xffffffffffffec40): address + size is the same for all three, and past every one
            var symbols = System.Text.RegularExpressions.Regex.Matches(lines[0], @"(\w+)\+0x([0-9a-f]+)/0x([0-9a-f]+) \[sem\]");
            Assert.That(symbols.Select(m => (m.Groups[1].Value, m.Groups[2].Value)),
                Is.EqualTo(new[] { ("counter", "0"), ("names", "8"), ("grid", "28") }), lines[0]);
            var addresses = lines[1].Split(' ').Select(a => ulong.Parse(a, System.Globalization.NumberStyles.HexNumber)).ToArray();
            var ends = symbols.Select((m, i) => unchecked(addresses[i] + ulong.Parse(m.Groups[3].Value, System.Globalization.NumberStyles.HexNumber))).ToArray();
            Assert.That(ends.Distinct().Count(), Is.EqualTo(1), lines[0]);
            Assert.That(addresses.All(a => a > ends[0]), Is.True, "the variables lie past the module's text: their sizes wrap");
        }

        /// <summary>
        /// examples/globals.kdsl's %pS line as the real kernels print it for the .ko `kdsl ko` builds from the same image
        /// (`kdsl oracle examples/globals.kdsl [--profile linux-5.10]`, 2026-12-07): the size is the module text's end minus
        /// scratch's address, and scratch lies past .rodata's page, .data, the struct module (0x380 bytes on 6.1,
        /// 0x3c0 on 5.10) and nothing else of .bss. The 5.10 value was KDsl's prediction before that run.
        /// </summary>
        [TestCase("linux-6.1", "scratch+0x40/0xffffffffffffec40 [globals]")]
        [TestCase("linux-5.10", "scratch+0x40/0xffffffffffffec00 [globals]")]
        public void GlobalsExample_PrintsTheRealKernelsPercentPS(string profile, string expected)
        {
            string path = Step5.ExamplePath("globals.kdsl");
            var result = Compiler.Compile(path, System.IO.File.ReadAllText(path),
                new System.Collections.Generic.Dictionary<string, string> { ["profile"] = profile });
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            var run = Machine.Run(result.Image!);
            Assert.That(run.Dmesg, Does.Contain("calls 163, scratch[64] at " + expected));
        }

        [Test]
        public void WritingAConstGlobalThroughACast_FaultsAsOnLinux()
        {
            // .rodata is mapped read-only (module_enable_ro): the store is a kernel page fault, error_code 0x3
            var result = Compiler.Compile("ro.kdsl", "module ro \"r\";\nconst int limit = 5;\ninit { int *p = (int *)&limit; *p = 6; }\n");
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            var run = Machine.Run(result.Image!);
            Assert.That(run.Dmesg, Does.Contain("#PF: error_code(0x0003) - permissions violation"));
        }

        [Test]
        public void AGlobalMayPointToItself_AndNullPointersAreZeros()
        {
            // C: a declarator's scope starts before its initializer (a list head that points to itself, as LIST_HEAD_INIT
            // makes it); a null pointer constant is zero. Prints 1 5 1 16.
            var lines = Printed(@"
                printk(""%d %d %d %ld\n"", head.next == &head, head.next->v, v == 0, (long)q);",
                "struct node { struct node *next; int v; };\nstruct node head = { &head, 5 };\nvoid *v = 0;\nchar *q = (char *)0x10;\n");
            Assert.That(lines, Is.EqualTo(new[] { "1 5 1 16" }));
        }
    }
}
