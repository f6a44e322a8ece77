using NUnit.Framework;
using static KDsl.Dsl.Tests.CodeGen.Step5CodeShapeTests;

namespace KDsl.Dsl.Tests.CodeGen
{
    /// <summary>
    /// A call's computed arguments wait in registers, not in stack slots: GCC's allocator keeps every one in a free
    /// caller-saved register until the call, so they cost the frame nothing. The frames are GCC 12's for the same C
    /// against the 6.1 headers (Kbuild module, noinline, <c>volatile</c> buffer pointers), read off objdump -d. rec is
    /// the twin of an experiment the real kernels ran (held out: fmtx_BUF.c at BUF=700), where a frame 16 bytes too
    /// deep moved the overflow one level up (node_BUF.c's walk, the other case found that way, is in KeptAddressTests):
    /// rec: push %rbx; sub $0x2c8,%rsp, with
    ///   printk(KERN_INFO "x %lx u %llu c %c h %hx pad %08x s %-6s|\n", (long)n * 0x10001, (unsigned long long)n * 1000003,
    ///          'a' + n % 26, n, n, "ab");
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
init { rec(3); }
";

        [Test]
        public void Frame_IsGccs() => Assert.That(FrameOf(Source, "rec"), Is.EqualTo(8 + 8 + 0x2c8));
    }
}
