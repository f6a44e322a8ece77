using NUnit.Framework;
using static KDsl.Dsl.Tests.CodeGen.Step5CodeShapeTests;

namespace KDsl.Dsl.Tests.CodeGen
{
    /// <summary>
    /// A call's computed arguments wait in registers, not in stack slots: GCC's allocator keeps every one in a free
    /// caller-saved register until the call, so they cost the frame nothing. The frames are GCC 12's for the same C
    /// against the 6.1 headers (Kbuild module, noinline, <c>volatile</c> buffer pointers), read off objdump -d; both
    /// functions are twins of experiments the real 6.1 kernel ran (held out: fmtx_BUF.c and node_BUF.c at BUF=700),
    /// where a frame 16 bytes too deep moved the overflow from a hang in data_push_tail to an oops in vprintk_store:
    /// rec: push %rbx; sub $0x2c8,%rsp, with
    ///   printk(KERN_INFO "x %lx u %llu c %c h %hx pad %08x s %-6s|\n", (long)n * 0x10001, (unsigned long long)n * 1000003,
    ///          'a' + n % 26, n, n, "ab");
    /// walk: push %rbp; push %rbx; sub $0x2e0,%rsp, with a 728-byte struct node on the stack and
    ///   printk(KERN_INFO "node %s depth %d parent %px\n", nd.name, nd.depth, nd.parent);
    /// </summary>
    [TestFixture]
    public class ArgumentRegisterTests
    {
        private const string Source = @"module args ""arguments in registers"";
config { profile = linux-6.1; }
void rec(int n) {
    char buf[700];
    char *vp = buf;
    for (int i = 0; i < 700; i++)
        vp[i] = (char)n;
    printk(""x %lx u %llu c %c h %hx pad %08x s %-6s|\n"", (long)n * 0x10001, (unsigned long long)n * 1000003,
           'a' + n % 26, n, n, ""ab"");
    if (n > 0)
        rec(n - 1);
    vp[0] = 0;
}
struct node {
    struct node *parent;
    int depth;
    char name[16];
    long data[87];
};
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
init { rec(3); printk(""%ld\n"", walk(0, 3)); }
";

        [TestCase("rec", 8 + 8 + 0x2c8)]
        [TestCase("walk", 8 + 16 + 0x2e0)]
        public void Frame_IsGccs(string function, int frame) => Assert.That(FrameOf(Source, function), Is.EqualTo(frame));
    }
}
