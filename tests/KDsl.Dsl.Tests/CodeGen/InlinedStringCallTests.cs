using NUnit.Framework;
using static KDsl.Dsl.Tests.CodeGen.Step5CodeShapeTests;

namespace KDsl.Dsl.Tests.CodeGen
{
    /// <summary>
    /// GCC 12 expands memset and memcpy of a constant size and strcpy of a string literal in the calling function (moves up
    /// to 16 bytes, rep stos / rep movs beyond), measured on Kbuild modules against the 6.1 and the 5.10 headers for every
    /// size from 1 to 8000 bytes: no call, so nothing needs a callee-saved register across it. The frame of
    /// Logs/experiments strcp_BUF.c's rec at BUF=1000 (a fill loop, strcpy(buf, "strcp level"), printk("%s %d\n", buf, n),
    /// then rec(n - 1) + vp[40]): 6.1 push %rbx; sub $0x3f0,%rsp (the zeroing's start address, which printk's argument
    /// reuses, is still RSI: no call came between), and the same against the 5.10 headers. Were strcpy a call, 6.1 would
    /// keep buf's address in a callee-saved register across it (KeptAddressTests' passed_after) and push RBP too, as
    /// KDsl did before: 8 bytes a level, and the real run's printk went deeper than KDsl's at the same depth.
    /// </summary>
    [TestFixture]
    public class InlinedStringCallTests
    {
        private const string Source = @"module strcp ""strcpy into a level's buffer"";
config { profile = PROFILE; }
int rec(int n) {
    char buf[1000];
    char *vp = buf;
    for (int i = 32; i < 1000; i++)
        vp[i] = (char)n;
    CALL;
    printk(""%s %d\n"", buf, n);
    if (n > 0)
        return rec(n - 1) + vp[40];
    return vp[33];
}
init { printk(""%d\n"", rec(100)); }
";

        [TestCase("linux-6.1", "strcpy(buf, \"strcp level\")")]
        [TestCase("linux-5.10", "strcpy(buf, \"strcp level\")")]
        [TestCase("linux-6.1", "memcpy(buf, \"strcp level\", 12)")]
        [TestCase("linux-6.1", "memset(buf, 'x', 31)")]
        [TestCase("linux-5.10", "memset(buf, 'x', 31)")]
        public void AConstantStringCall_IsNoCall(string profile, string call) =>
            Assert.That(FrameOf(Source.Replace("PROFILE", profile).Replace("CALL", call), "rec"), Is.EqualTo(8 + 8 + 0x3f0));

        [Test]
        public void ASizeKnownOnlyAtRunTime_IsACall()
        {
            // memset(buf, 'x', n): GCC calls memset, and on 6.1 keeps buf's address in a callee-saved register across it
            Assert.That(FrameOf(Source.Replace("PROFILE", "linux-6.1").Replace("CALL", "memset(buf, 'x', n)"), "rec"), Is.EqualTo(8 + 16 + 0x3f0));
        }
    }
}
