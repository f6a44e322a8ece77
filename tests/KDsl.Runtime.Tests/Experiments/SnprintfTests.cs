using System.Linq;
using KDsl.Runtime;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Experiments
{
    /// <summary>
    /// snprintf and sprintf (lib/vsprintf.c) into module buffers: the kernel's formatting, C's contract (at most size - 1
    /// characters and a NUL, the result the length the whole text has), the arguments taken from the va_list GCC's
    /// va_start builds (registers, then the caller's stack), and vsnprintf's stack as the real one used it for the format.
    /// </summary>
    [TestFixture]
    public class SnprintfTests
    {
        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        public void TheTextAndTheResult_AreCs(string profile)
        {
            var result = Compiler.Compile("f.kdsl", $@"module f ""f"";
config {{ profile = {profile}; }}
init {{
    char buf[32];
    char small[8];
    memset(small, 'x', sizeof small);
    int n = snprintf(buf, sizeof buf, ""x=%d s=%s"", 42, ""hi"");
    printk(""[%s] %d\n"", buf, n);
    n = snprintf(small, sizeof small, ""%d-%d-%d-%d"", 1000, 2000, 3000, 4000);
    printk(""[%s] %d %d\n"", small, n, small[7]);
    n = sprintf(buf, ""%lu %c %5d|%-4x|"", 123456789012UL, 'z', 7, 255);
    printk(""[%s] %d\n"", buf, n);
    buf[0] = 'q';
    n = snprintf(buf, 0, ""abc"");                   // nothing written, the length still returned
    printk(""zero %d %c\n"", n, buf[0]);
    n = sprintf(buf, ""%d %d %d %d %d %d %d"", 1, 2, 3, 4, 5, 6, 7);   // the last three from the stack
    printk(""[%s] %d\n"", buf, n);
}}
");
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            string dmesg = Machine.Run(result.Image!).Dmesg;
            Assert.That(dmesg, Does.Contain("] [x=42 s=hi] 9\n"));
            Assert.That(dmesg, Does.Contain("] [1000-20] 19 0\n"));
            Assert.That(dmesg, Does.Contain("] [123456789012 z     7|ff  |] 26\n"));
            Assert.That(dmesg, Does.Contain("] zero 3 q\n"));
            Assert.That(dmesg, Does.Contain("] [1 2 3 4 5 6 7] 13\n"));
        }

        [Test]
        public void TheFormatIsChecked_AsPrintksIs()
        {
            var result = Compiler.Compile("f.kdsl", "module f \"f\";\ninit { char b[8]; snprintf(b, 8, \"%d %d\", 1); sprintf(b, \"%s\", \"a\", 2); }\n");
            Assert.That(result.Diagnostics.Where(d => d.Id == "KDSL0129").Count(), Is.EqualTo(2), string.Join("\n", result.Diagnostics));
        }

        [Test]
        public void TheAnalysisCharges_VsnprintfsRecordedDepthForTheFormat()
        {
            // 6.1's recorded printks: vsnprintf went 208 bytes below vprintk_store for integers and strings, 1192 for %pS
            // (sprint_symbol's kallsyms lookup); snprintf's own frame at its call is 96 bytes
            static long WorstCase(string call) => Compiler.Compile("a.kdsl",
                "module a \"a\";\nconfig { profile = linux-6.1; }\nchar d[64];\n" +
                $"init {{ {call}; }}\n").Image!.Stack!.Entries.Single(e => e.Entry == "a_init").WorstCase;
            long integers = WorstCase("snprintf(d, 64, \"%d\", 1)");
            Assert.That(WorstCase("snprintf(d, 64, \"%pS\", d)") - integers, Is.EqualTo(1192 - 208));
            Assert.That(WorstCase("sprintf(d, \"%d\", 1)"), Is.EqualTo(integers));
            Assert.That(integers - WorstCase("strlen(d)"), Is.EqualTo(96 + 208 - 8));
        }

        [Test]
        public void TheOverflowIsWhereTheAnalysisPutsIt()
        {
            // examples/snprintf-recursion.kdsl's numbers: 1020-byte frames, the 15th call of walk dies in vsnprintf
            var result = Compiler.Compile("r.kdsl", @"module r ""r"";
config { profile = linux-6.1; }
void walk(int n) {
    char name[1020];
    snprintf(name, sizeof name, ""level %d of %s"", n, ""walk"");
    if (n > 0) walk(n - 1);
    name[0] = 0;
}
init { walk(40); }
expect { oops stack_guard in vsnprintf depth 15 of walk; }
");
            var entry = result.Image!.Stack!.Entries.Single(e => e.Entry == "r_init");
            Assert.That(entry.Overflow!.Function, Is.EqualTo("walk"));
            Assert.That(entry.Overflow.Depth, Is.EqualTo(15));
            Assert.That(entry.Overflow.KernelFunction, Is.EqualTo("snprintf"));
            var run = Machine.Run(result.Image!);
            Assert.That(run.Dmesg, Does.Contain("BUG: TASK stack guard page was hit"));
            Assert.That(ExpectationCheck.Check(result.Image!.Expectations, run), Is.Empty);
        }

        /// <summary>
        /// vsnprintf starts with the real prologue (six pushes, sub $0x20,%rsp), so a stack that runs out there faults
        /// where the real kernels fault: examples/snprintf-recursion.kdsl on the real 6.1 kernel hits the guard page at
        /// vsnprintf+0x2/0x550 (its second push, CR2 8 bytes below the stack), on 5.10 at vsnprintf+0x9/0x4f0 (docs/oracle.md).
        /// </summary>
        [TestCase("linux-6.1", "vsnprintf+0x2/0x550")]
        [TestCase("linux-5.10", "vsnprintf+0x9/0x4f0")]
        public void AStackThatRunsOutInVsnprintfsPrologue_FaultsAtTheRealPush(string profile, string rip)
        {
            var result = Compiler.Compile("r.kdsl", $@"module r ""r"";
config {{ profile = {profile}; }}
void walk(int n) {{
    char name[1020];
    snprintf(name, sizeof name, ""level %d of %s"", n, ""walk"");
    if (n > 0) walk(n - 1);
    name[0] = 0;
}}
init {{ walk(40); }}
");
            string dmesg = Machine.Run(result.Image!).Dmesg;
            Assert.That(dmesg, Does.Contain("RIP: 0010:" + rip));
            if (profile != "linux-6.1") return; // 5.10's guard-page line hashes no address to compare
            var hit = System.Text.RegularExpressions.Regex.Match(dmesg, @"stack guard page was hit at ([0-9a-f]+) \(stack is ([0-9a-f]+)\.\.");
            Assert.That(hit.Success, Is.True, dmesg);
            ulong fault = System.Convert.ToUInt64(hit.Groups[1].Value, 16), begin = System.Convert.ToUInt64(hit.Groups[2].Value, 16);
            Assert.That(begin - fault, Is.EqualTo(8), "CR2 base-0x8, as on the real 6.1 kernel");
        }
    }
}
