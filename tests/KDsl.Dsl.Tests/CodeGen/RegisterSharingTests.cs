using NUnit.Framework;
using static KDsl.Dsl.Tests.CodeGen.Step5CodeShapeTests;

namespace KDsl.Dsl.Tests.CodeGen
{
    /// <summary>
    /// Registers as GCC's allocator gives them, on live values rather than whole variables: a variable written on every
    /// path between a call and its next read is not kept across the call, and variables whose lives do not overlap
    /// share a register. The frames are GCC 12's for the same C against the 6.1 headers (Kbuild module, noinline,
    /// `volatile char *` for the buffers; tools/gcc-frames/fuzz.py found both shapes):
    /// later: sub $0x48,%rsp and no push (x is 0 or the call's result, n and a are dead after the call);
    /// three_loops: sub $0x838,%rsp and no push (n, a, b and three loop counters in caller-saved registers);
    /// fill_after_printk: push %rbp; push %rbx; sub $0x108,%rsp: n and a live across the calls, but not the two array
    /// pointers, which its loops after printk index by i (GCC walks them with induction pointers off RSP, and the
    /// stores after the recursive call are RSP-relative);
    /// zero_then_call: push %rbp; push %rbx; sub $0x3f0,%rsp: x is the constant 0 at the printk (GCC loads it again
    /// after the call, xor %eax,%eax), so only n and a are kept (Logs/experiments/live_BUF.c, BUF=1000, which the
    /// real 6.1 and 5.10 kernels ran).
    /// </summary>
    [TestFixture]
    public class RegisterSharingTests
    {
        private const string Source = @"module lv ""live values"";
config { profile = linux-6.1; }
long later(int n, long a) {
    long x = 0;
    char buf[64];
    char *vp = buf;
    vp[3] = (char)a;
    if (n > 0)
        x = later(n - 1, a + 1);
    vp[5] = 0;
    return x + 7;
}
long three_loops(int n, long a, int b) {
    char c[40];
    int d[512];
    char e[8];
    char *pc = c;
    int *pd = d;
    char *pe = e;
    for (int i = 0; i < 40; i++)
        pc[i] = (char)((b - n) - a);
    for (int i = 0; i < 512; i++)
        pd[i] = b;
    for (int i = 0; i < 8; i++)
        pe[i] = 5;
    pc[11] = 0;
    return 32;
}
void fill_after_printk(int n, long a0) {
    printk(""f0 %d %d %d\n"", (int)((a0 | 8) + 16), (int)a0, (int)29);
    long b0[8];
    long *pb0 = b0;
    for (int i = 0; i < 8; i++)
        pb0[i] = (long)(25 * (a0 ^ 1));
    long b1[24];
    long *pb1 = b1;
    for (int i = 0; i < 24; i++)
        pb1[i] = (long)(a0 + (a0 * n));
    if (n > 0)
        fill_after_printk(n - 1, 38);
    pb0[0] = 0;
    pb1[11] = 0;
}
long zero_then_call(int n, long a) {
    long x = 0;
    char buf[1000];
    char *vp = buf;
    for (int i = 0; i < 1000; i++)
        vp[i] = (char)a;
    printk(""later %d %px\n"", n, buf);
    if (n > 0)
        x = zero_then_call(n - 1, a + 1);
    vp[5] = 0;
    return x + 7;
}
init { volatile int k = 5; zero_then_call(k, k); printk(""%ld %ld\n"", later(5, 5), three_loops(5, 5, 5)); fill_after_printk(k, k); }
";

        [TestCase("later", 8 + 0x48)]
        [TestCase("three_loops", 8 + 0x838)]
        [TestCase("fill_after_printk", 8 + 16 + 0x108)]
        [TestCase("zero_then_call", 8 + 16 + 0x3f0)]
        public void Frame_IsGccs(string function, int frame) => Assert.That(FrameOf(Source, function), Is.EqualTo(frame));
    }
}
