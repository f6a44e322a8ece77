using System.Linq;
using KDsl.Runtime;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Experiments
{
    /// <summary>
    /// memset, memcpy, memmove, strlen, strcpy, strncpy and strscpy run as the kernel's own code (arch/x86/lib/mem*_64.S,
    /// lib/string.c) on the emulated CPU: the results are C's (include/linux/string.h's contracts), and their stores go
    /// through the MMU, so an overrun smashes what lies above a buffer or faults in memset_erms.
    /// </summary>
    [TestFixture]
    public class StringFunctionTests
    {
        private static string Dmesg(string source)
        {
            var result = Compiler.Compile("s.kdsl", source);
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            return Machine.Run(result.Image!).Dmesg;
        }

        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        [TestCase("linux-4.11")]
        public void MemoryFunctions_HaveCsResults(string profile)
        {
            // every byte is checked against the value C says it must hold; the module prints how many differ
            string dmesg = Dmesg($@"module s ""s"";
config {{ profile = {profile}; }}
char a[2048];
long differ(long from, long n, long shift) {{   // a[from + i] == (i + shift) * 7 mod 256 ?
    long bad = 0;
    for (long i = 0; i < n; i++) if ((u8)a[from + i] != (u8)((i + shift) * 7)) bad++;
    return bad;
}}
void pattern(void) {{ for (long i = 0; i < 2048; i++) a[i] = i * 7; }}
init {{
    char b[40];
    long n = 37;
    printk(""memset ret %d\n"", memset(b, 0x5a, n) == (void *)b);
    long bad = 0;
    for (int i = 0; i < 37; i++) bad += b[i] != 0x5a;
    printk(""memset bad %ld\n"", bad);
    pattern();
    printk(""memcpy ret %d\n"", memcpy(a + 1000, a, 300) == (void *)(a + 1000));
    printk(""memcpy bad %ld\n"", differ(1000, 300, 0));
    long sizes[6] = {{ 1, 3, 7, 15, 31, 900 }};
    for (int k = 0; k < 6; k++) {{
        pattern();
        memmove(a + 5, a, sizes[k]);             // backward: the source's end overlaps the destination
        long back = differ(5, sizes[k], 0);
        pattern();
        memmove(a, a + 5, sizes[k]);             // forward
        printk(""memmove %ld %ld %ld\n"", sizes[k], back, differ(0, sizes[k], 5));
    }}
    pattern();
    memmove(a + 256, a, 1024);                   // 680 bytes and more with equal low bytes: std; rep movsq
    printk(""memmove movsq %ld\n"", differ(256, 1024, 0));
}}
");
            Assert.That(dmesg, Does.Contain("] memset ret 1\n"));
            Assert.That(dmesg, Does.Contain("] memset bad 0\n"));
            Assert.That(dmesg, Does.Contain("] memcpy ret 1\n"));
            Assert.That(dmesg, Does.Contain("] memcpy bad 0\n"));
            foreach (int size in new[] { 1, 3, 7, 15, 31, 900 })
                Assert.That(dmesg, Does.Contain($"] memmove {size} 0 0\n"));
            Assert.That(dmesg, Does.Contain("] memmove movsq 0\n"));
        }

        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        [TestCase("linux-4.11")]
        public void StringFunctions_HaveLibStringsResults(string profile)
        {
            string dmesg = Dmesg($@"module s ""s"";
config {{ profile = {profile}; }}
char page[8192];
init {{
    char d[24];
    printk(""strlen %lu %lu\n"", strlen(""""), strlen(""kernel stack""));
    printk(""strcpy %d %s\n"", strcpy(d, ""guard page"") == d, d);
    memset(d, 'x', 24);
    strncpy(d, ""ab"", 6);                          // the rest up to n is zero-filled, past n untouched
    printk(""strncpy %d %d %d %d %d\n"", d[0], d[1], d[2], d[5], d[6]);
    memset(d, 'x', 24);
    strncpy(d, ""abcdefgh"", 4);                    // no NUL when the source is longer
    printk(""strncpy4 %d %d\n"", d[3], d[4]);
    memset(d, 'x', 24);
    printk(""strscpy %ld %s\n"", strscpy(d, ""0123456789"", 24), d);
    printk(""strscpy-full %ld %s\n"", strscpy(d, ""0123456789abcdefghijklmnop"", 16), d);
    printk(""strscpy-exact %ld %s\n"", strscpy(d, ""0123456"", 8), d);
    printk(""strscpy-zero %ld\n"", strscpy(d, ""a"", 0));
    memset(d, 'x', 24);
    strscpy(d, ""abc"", 24);                         // the word holding the NUL is stored masked: zeros after it
    printk(""strscpy-word %d %d %d\n"", d[3], d[7], d[8]);
    char *src = page + 4096 - 3;                    // unaligned, 3 bytes before a page end: read byte by byte there
    src[0] = 'p'; src[1] = 'q'; src[2] = 'r'; src[3] = 's'; src[4] = 0;
    printk(""strscpy-unaligned %ld %s\n"", strscpy(d, src, 24), d);
}}
");
            Assert.That(dmesg, Does.Contain("] strlen 0 12\n"));
            Assert.That(dmesg, Does.Contain("] strcpy 1 guard page\n"));
            Assert.That(dmesg, Does.Contain("] strncpy 97 98 0 0 120\n"));
            Assert.That(dmesg, Does.Contain("] strncpy4 100 120\n"));
            Assert.That(dmesg, Does.Contain("] strscpy 10 0123456789\n"));
            Assert.That(dmesg, Does.Contain("] strscpy-full -7 0123456789abcde\n"));    // -E2BIG, dest[count - 1] = 0
            Assert.That(dmesg, Does.Contain("] strscpy-exact 7 0123456\n"));
            Assert.That(dmesg, Does.Contain("] strscpy-zero -7\n"));
            Assert.That(dmesg, Does.Contain("] strscpy-word 0 0 120\n"));
            Assert.That(dmesg, Does.Contain("] strscpy-unaligned 4 pqrs\n"));
        }

        [Test]
        public void AMemsetPastAStackBuffer_SmashesTheCanary()
        {
            // C twin (wipe hides buf's size from CONFIG_FORTIFY_SOURCE, which would fortify_panic instead):
            //   noinline void wipe(char *p, long n) { memset(p, 0x41, n); }
            //   noinline void fill(long n) { char buf[64]; wipe(buf, n); pr_info("filled %ld at %px\n", n, buf); }
            const string Source = @"module smash ""s"";
config { profile = linux-6.1; }
void wipe(char *p, long n) { memset(p, 0x41, n); }
void fill(long n) {
    char buf[64];
    wipe(buf, n);
    printk(""filled %ld at %px\n"", n, buf);
}
init { fill(64); fill(LEN); }
const LEN = 72;
";
            string dmesg = Dmesg(Source);
            Assert.That(dmesg, Does.Contain("] filled 64 at "));
            Assert.That(dmesg, Does.Contain("Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: fill+"));
        }

        // 6.1 tests only the page below a stack for a guard-page hit: a page fault oops; 5.10 (4.9 to 5.15) also the page
        // above it: the guard-page BUG line and "kernel stack overflow (page fault)", as the real 5.10 kernel printed for
        // examples/memset-overflow.kdsl's linux_5_10 scenario (docs/oracle.md)
        [TestCase("linux-6.1", "memset_erms+0x9/0x20", @"BUG: unable to handle page fault for address: ffffc900001[0-9a-f]4000\n")]
        [TestCase("linux-5.10", "memset_erms+0x9/0x20",
            @"BUG: stack guard page was hit at ffffc900001[0-9a-f]4000 \(stack is [0-9a-f]+\.\.[0-9a-f]+\)\n.*kernel stack overflow \(page fault\): 0000 \[#1\]")]
        public void AMemsetOffTheStacksTop_FaultsInMemsetErms(string profile, string rip, string report)
        {
            // The vmalloc'd stack is followed by its area's guard page: rep stosb faults there, RIP at the real
            // memset_erms's rep stosb (+0x9 of 0x20 in the recorded text of both kernels).
            string dmesg = Dmesg($@"module top ""t"";
config {{ profile = {profile}; }}
void fill(long n) {{ char buf[64]; memset(buf, 0, n); printk(""%px\n"", buf); }}
init {{ fill(20000); }}
");
            Assert.That(dmesg, Does.Match(report));
            Assert.That(dmesg, Does.Contain("RIP: 0010:" + rip));
            Assert.That(dmesg, Does.Contain(" fill+"));
        }

        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        public void AConstantSizeMemsetOffTheStacksTop_FaultsInItsCaller(string profile)
        {
            // 8000 bytes is a constant GCC 12 expands in place (rep stos in the caller, measured up to 8000 bytes against
            // both kernels' headers): the fault's RIP is the module's, and no memset frame is on the stack
            string dmesg = Dmesg($@"module top ""t"";
config {{ profile = {profile}; }}
init {{ char buf[64]; memset(buf, 0, 8000); printk(""%px\n"", buf); }}
");
            Assert.That(dmesg, Does.Contain("RIP: 0010:top_init+"));
            Assert.That(dmesg, Does.Not.Contain("memset_erms"));
        }

        [Test]
        public void TheAnalysisCharges_TheReturnAddress_AndStrscpysSavedRbx()
        {
            // memset is a leaf without a frame: it costs what a call of an empty function costs (its return address);
            // strscpy's word loop pushes RBX (GCC 12's code for lib/string.c at 6.1's flags): 8 bytes more. The size is
            // the init's run-time n: a constant one GCC expands in place (InlinedStringCallsTests)
            static KDsl.Analysis.EntryStackUsage EntryOf(string call) => Compiler.Compile("a.kdsl",
                "module a \"a\";\nconfig { profile = linux-6.1; }\nchar d[32];\nchar src[32];\nlong n = 32;\n" +
                "void *empty(char *p, char *q, long n) { return p; }\n" +
                $"init {{ {call}; }}\n").Image!.Stack!.Entries.Single(e => e.Entry == "a_init");
            var memset = EntryOf("memset(d, 0, n)");
            var strscpy = EntryOf("strscpy(d, src, n)");
            Assert.That(memset.Path, Is.EqualTo("a_init → memset"));
            Assert.That(strscpy.Path, Is.EqualTo("a_init → strscpy"));
            Assert.That(memset.WorstCase, Is.EqualTo(EntryOf("empty(d, src, n)").WorstCase));
            Assert.That(strscpy.WorstCase - memset.WorstCase, Is.EqualTo(8));
        }
    }
}
