using System.Linq;
using KDsl.Runtime;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Experiments
{
    /// <summary>
    /// Calls through function pointers run as C says they do (the values below are C's), and the stack analysis charges
    /// an indirect call the worst function whose address the file takes with the pointer's type: a big function of
    /// another type is not a target, unless its address is also used untyped (a cast, a long).
    /// </summary>
    [TestFixture]
    public class FunctionPointerTests
    {
        private static RunResult Run(string source, out KDsl.Analysis.StackReport stack)
        {
            var result = Compiler.Compile("fp.kdsl", source);
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            stack = result.Image!.Stack!;
            return Machine.Run(result.Image);
        }

        [Test]
        public void CallsThroughPointers_ReturnWhatTheTargetsReturn()
        {
            var run = Run(@"module fp ""function pointers"";
config { profile = linux-6.1; }
struct file;
struct ops { long (*read)(struct file *, char *, long); int (*release)(int); };
typedef int (*handler_t)(int);
long rd(struct file *f, char *buf, long n) { buf[0] = 'r'; return n * 3; }
int twice(int x) { return x + x; }
int neg(int x) { return -x; }
long sum7(long a, long b, long c, long d, long e, long f, long g) { return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g; }
static const struct ops fops = { .read = rd, .release = neg };
handler_t table[2] = { twice, neg };
handler_t pick(int i) { return table[i]; }
int apply(int (*cb)(int), int v) { return cb(v) + 1; }
init {
    char buf[4];
    int (*fp)(int) = &twice;
    long (*s)(long, long, long, long, long, long, long) = sum7;
    const struct ops *o = &fops;
    printk(""%d %d %d %d\n"", fp(3), (*fp)(-4), table[1](5), pick(0)(pick(1)(6)));
    printk(""%ld %c %d %d\n"", o->read(0, buf, 7), buf[0], o->release(10), apply(neg, 20));
    printk(""%ld %d\n"", s(1, 2, 3, 4, 5, 6, 7), fp == twice);
}
", out _);
            // twice(3), twice(-4), neg(5), twice(neg(6)); rd: 7 * 3, buf[0]; neg(10); neg(20) + 1;
            // 1 + 4 + 9 + 16 + 25 + 36 + 49 (the 7th argument on the stack); a pointer compares equal to its function
            Assert.That(run.Dmesg, Does.Contain("] 6 -8 -5 -12\n"));
            Assert.That(run.Dmesg, Does.Contain("] 21 r -10 -19\n"));
            Assert.That(run.Dmesg, Does.Contain("] 140 1\n"));
        }

        private const string Typed = @"module typed ""an indirect call's targets"";
config { profile = linux-6.1; thread_size = 16K; }
typedef int (*handler_t)(int);
int small(int x) { char b[32]; b[x & 31] = 1; printk(""small %d\n"", b[x & 31]); return x; }
void big(char *s) { char b[16000]; b[0] = s[0]; printk(""big %d\n"", b[0]); }
void (*sink)(char *) = big;
handler_t h = small;
init { h(1); }
";

        [Test]
        public void AFunctionOfAnotherType_IsNotATarget()
        {
            var run = Run(Typed, out var stack);
            var entry = stack.Entries.Single();
            Assert.That(entry.Path, Does.Contain("small (through a pointer)"));
            Assert.That(entry.Overflow, Is.Null);
            Assert.That(entry.WorstCase, Is.LessThan(16384));
            Assert.That(run.Dmesg, Does.Contain("small 1"));
            Assert.That(run.Dmesg, Does.Not.Contain("stack guard page"));
        }

        [Test]
        public void AFunctionWhoseAddressIsCast_IsATargetOfEveryPointer()
        {
            // h now may hold big (called as an int (*)(int), undefined behaviour in C, yet what the code does)
            var run = Run(Typed.Replace("init { h(1); }", "init { h = (handler_t)big; h(1); }"), out var stack);
            var entry = stack.Entries.Single();
            Assert.That(entry.Path, Does.Contain("big (through a pointer)"));
            Assert.That(entry.Overflow, Is.Not.Null);
            Assert.That(entry.Overflow!.Function, Is.EqualTo("big"));
            Assert.That(run.Dmesg, Does.Contain("BUG: TASK stack guard page was hit"));
            Assert.That(run.Dmesg, Does.Contain("RIP: 0010:big+"));
        }

        [Test]
        public void ACallThroughAnOpsTable_OverflowsWhereTheAnalysisSays()
        {
            var run = Run(@"module ops ""ops table"";
config { profile = linux-6.1; thread_size = 16K; }
struct file;
struct ops { long (*read)(struct file *, char *, long); long (*write)(struct file *, char *, long); };
long rd(struct file *f, char *buf, long n) { return n; }
long wr(struct file *f, char *buf, long n) { char copy[15000]; copy[0] = buf[0]; printk(""wr %d\n"", copy[0]); return n; }
static const struct ops fops = { .read = rd, .write = wr };
long dispatch(const struct ops *o, int w, char *buf, long n) { return w ? o->write(0, buf, n) : o->read(0, buf, n); }
init { char c = 1; dispatch(&fops, 0, &c, 1); dispatch(&fops, 1, &c, 1); }
", out var stack);
            var entry = stack.Entries.Single();
            Assert.That(entry.Path, Does.Contain("dispatch → wr (through a pointer)"));
            // wr's own frame fits; its printk is what runs past the stack's end, in the kernel's text below _printk
            Assert.That(entry.Overflow!.Function, Is.EqualTo("wr"));
            Assert.That(entry.Overflow.KernelFunction, Is.EqualTo("_printk"));
            Assert.That(run.Dmesg, Does.Contain("BUG: TASK stack guard page was hit"));
            Assert.That(run.Dmesg, Does.Not.Match(@"RIP: 0010:\S+ \[ops\]"), "RIP in the kernel's printk path, not in the module");
            Assert.That(run.Dmesg, Does.Match(@"\]  _printk\+0x[0-9a-f]+/0x[0-9a-f]+\n.*\]  wr\+0x[0-9a-f]+/0x[0-9a-f]+ \[ops\]"), "wr calling _printk in the Call Trace");
        }
    }
}
