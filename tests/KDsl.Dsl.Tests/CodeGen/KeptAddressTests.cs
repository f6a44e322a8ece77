using NUnit.Framework;
using static KDsl.Dsl.Tests.CodeGen.Step5CodeShapeTests;

namespace KDsl.Dsl.Tests.CodeGen
{
    /// <summary>
    /// CONFIG_INIT_STACK_ALL_ZERO (Debian's 6.1, not its 5.10): the address the compiler's zeroing rep stos starts from is
    /// a value of its own, and GCC keeps it in a callee-saved register where the aggregate's address is needed again
    /// after a call; without the zeroing the address is an lea at the use. Frames from GCC 12's objdump of the same C
    /// (Kbuild modules, noinline, called with a volatile int so no argument is a constant) against the 6.1 headers and
    /// against the 5.10 headers (tools/gcc-frames):
    ///   passed_after: char buf[200]; volatile char *vp = buf; vp[1] = n; printk(...); return sink((void *)vp, n);
    ///     6.1 push %rbp; push %rbx; sub $0xd0,%rsp    5.10 push %rbx; sub $0xd0,%rsp
    ///   member_after: struct { long a; long b[30]; } s; s.a = n; s.b[3] = n; printk(...); sink(&amp;s.b[2], n); return s.b[5];
    ///     both push %rbx; sub $0x100,%rsp (a member's address is an lea)
    ///   small_after: char buf[8], as passed_after: both push %rbx; sub $0x10,%rsp (one movq zeroes it)
    ///   direct_index: char buf[1000]; a fill loop; printk(...); if (n &gt; 0) return direct_index(n - 1) + buf[n % 1000];
    ///     both push %rbx; sub $0x3f0,%rsp (the element is addressed off RSP)
    ///   indexed_after: char buf[1000]; a fill loop through vp; printk(...); if (n &gt; 0) return indexed_after(n - 1) + vp[n % 1000];
    ///     both push %rbp; push %rbx; sub $0x3f0,%rsp (vp indexed by a variable after a call keeps the address: every profile)
    ///   self_indexed (Logs/experiments recurse.c's deep): a fill loop through vp; return self_indexed(n - 1) + vp[n % 1000];
    ///     6.1 push %rbp; push %rbx; sub $0x3f0,%rsp    5.10 push %rbx; sub $0x3f0,%rsp (after a call of itself only,
    ///     the element's address is computed from RSP again; the same for vp[n &amp; 511] and vp[m % 1000])
    ///   walk (Logs/experiments node_BUF.c at BUF=700: a struct node on the stack, long *vp = nd.data, walk(&amp;nd, ...)
    ///     after a printk): 6.1 push %rbp; push %rbx; sub $0x2e0,%rsp    5.10 push %rbx; sub $0x2e0,%rsp
    /// </summary>
    [TestFixture]
    public class KeptAddressTests
    {
        private const string Source = @"module kept ""kept addresses"";
config { profile = PROFILE; }
long sink(char *p, int n) { printk(""%px\n"", p); return n; }
long passed_after(int n) {
    char buf[200];
    char *vp = buf;
    vp[1] = n;
    printk(""v %d\n"", n);
    return sink(vp, n);
}
struct pair { long a; long b[30]; };
long member_after(int n) {
    struct pair s;
    s.a = n;
    s.b[3] = n;
    printk(""v %d\n"", n);
    sink((char *)&s.b[2], n);
    return s.b[5];
}
long small_after(int n) {
    char buf[8];
    char *vp = buf;
    vp[1] = n;
    printk(""v %d\n"", n);
    return sink(vp, n);
}
long direct_index(int n) {
    char buf[1000];
    for (int i = 0; i < 1000; i++)
        buf[i] = n;
    printk(""v %d\n"", n);
    if (n > 0)
        return direct_index(n - 1) + buf[n % 1000];
    return buf[0];
}
long indexed_after(int n) {
    char buf[1000];
    char *vp = buf;
    for (int i = 0; i < 1000; i++)
        vp[i] = n;
    printk(""v %d\n"", n);
    if (n > 0)
        return indexed_after(n - 1) + vp[n % 1000];
    return vp[0];
}
long self_indexed(int n) {
    char buf[1000];
    char *vp = buf;
    for (int i = 0; i < 1000; i++)
        vp[i] = (char)n;
    if (n > 0)
        return self_indexed(n - 1) + vp[n % 1000];
    return vp[0];
}
struct node { struct node *parent; int depth; char name[16]; long data[87]; };
long walk(struct node *parent, int depth) {
    struct node nd;
    long *vp = nd.data;
    nd.parent = parent;
    nd.depth = depth;
    for (int i = 0; i < 15; i++)
        nd.name[i] = 'a' + (depth + i) % 26;
    nd.name[15] = 0;
    for (int i = 0; i < 87; i++)
        vp[i] = depth;
    printk(""node %s depth %d parent %px\n"", nd.name, nd.depth, nd.parent);
    if (depth > 0)
        return walk(&nd, depth - 1) + vp[1];
    return vp[0];
}
init {
    volatile int k = 3;
    printk(""%ld %ld %ld %ld %ld\n"", passed_after(k), member_after(k), small_after(k), direct_index(k), walk(0, k));
    printk(""%ld %ld\n"", indexed_after(k), self_indexed(k));
}
";

        [TestCase("linux-6.1", "passed_after", 8 + 16 + 0xd0)]
        [TestCase("linux-5.10", "passed_after", 8 + 8 + 0xd0)]
        [TestCase("linux-6.1", "member_after", 8 + 8 + 0x100)]
        [TestCase("linux-5.10", "member_after", 8 + 8 + 0x100)]
        [TestCase("linux-6.1", "small_after", 8 + 8 + 0x10)]
        [TestCase("linux-5.10", "small_after", 8 + 8 + 0x10)]
        [TestCase("linux-6.1", "direct_index", 8 + 8 + 0x3f0)]
        [TestCase("linux-5.10", "direct_index", 8 + 8 + 0x3f0)]
        [TestCase("linux-6.1", "indexed_after", 8 + 16 + 0x3f0)]
        [TestCase("linux-5.10", "indexed_after", 8 + 16 + 0x3f0)]
        [TestCase("linux-6.1", "self_indexed", 8 + 16 + 0x3f0)]
        [TestCase("linux-5.10", "self_indexed", 8 + 8 + 0x3f0)]
        [TestCase("linux-6.1", "walk", 8 + 16 + 0x2e0)]
        [TestCase("linux-5.10", "walk", 8 + 8 + 0x2e0)]
        public void Frame_IsGccs(string profile, string function, int frame) =>
            Assert.That(FrameOf(Source.Replace("PROFILE", profile), function), Is.EqualTo(frame));
    }
}
