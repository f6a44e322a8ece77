using NUnit.Framework;
using static KDsl.Dsl.Tests.CodeGen.Step5CodeShapeTests;

namespace KDsl.Dsl.Tests.CodeGen
{
    /// <summary>
    /// A long sum after a call keeps one partial sum waiting at a time, in a caller-saved register: GCC 12's rec of
    /// Logs/experiments manyloc_BUF.c (eight values computed before the recursive call, summed with eight products
    /// after it) is push %r15 ... push %rbx (six); sub $0x278,%rsp at BUF=600 against the 6.1 and the 5.10 headers: the
    /// two values left without a callee-saved register and n in the frame, the buffer, the canary, and no slot for the
    /// sum. KDsl took a waiting register before each left side was computed, ran out of the four on the fifth product
    /// and put the rest in stack temporaries: $0x298.
    /// </summary>
    [TestFixture]
    public class OperandChainTests
    {
        private const string Source = @"module manyloc ""eight values live across the recursive call"";
config { profile = PROFILE; }
long rec(int n) {
    char buf[600];
    char *vp = buf;
    long a = n * 3, b = n * 5, c = n * 7, d = n * 11, e = n * 13, f = n * 17, g = n * 19, h = n * 23;
    for (int i = 0; i < 600; i++)
        vp[i] = (char)(a + i);
    printk(""manyloc %d\n"", n);
    if (n > 0)
        return rec(n - 1) + a * vp[1] + b * vp[2] + c * vp[3] + d * vp[4] + e * vp[5] + f * vp[6] + g * vp[7] + h * vp[8];
    return a + b + c + d + e + f + g + h;
}
init { printk(""%ld\n"", rec(100)); }
";

        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        public void ASumOfProductsAfterACall_NeedsNoStackTemporary(string profile) =>
            Assert.That(FrameOf(Source.Replace("PROFILE", profile), "rec"), Is.EqualTo(8 + 6 * 8 + 0x278));
    }
}
