using NUnit.Framework;
using static KDsl.Dsl.Tests.CodeGen.Step5CodeShapeTests;

namespace KDsl.Dsl.Tests.CodeGen
{
    /// <summary>
    /// What GCC -O2 takes for constants, and so keeps in no register across a call. The frames are GCC 12's for the same
    /// C against the 6.1 headers (Kbuild module, static noinline, `volatile char *` for the buffer):
    /// scaled: every call passes k = 3 (init's, and its own passing k on), so it is ipa-cp's scaled.constprop.0:
    /// push %rbp; push %rbx; sub $0x48,%rsp (n and a kept, k a constant; three pushes if k were a variable);
    /// local_const: x1 = 38 is never written again: no push, no sub (the recursion's n is dead after the call);
    /// kept: volatile int x1 = 38 stays a variable (GCC: sub $0x8,%rsp, x1 in memory; KDsl: a callee-saved register,
    /// the same 8 bytes).
    /// </summary>
    [TestFixture]
    public class ConstantPropagationTests
    {
        private const string Source = @"module cp ""constants"";
config { profile = linux-6.1; }
long scaled(int n, int k, long a) {
    char buf[64];
    char *vp = buf;
    vp[1] = (char)n;
    printk(""%d\n"", n * k);
    if (n > 0)
        scaled(n - 1, k, a + 1);
    vp[2] = (char)(k + a);
    return 0;
}
void local_const(int n) {
    int x1 = 38;
    if (n > 0)
        local_const(n - 1);
    printk(""%d\n"", x1);
}
void kept(int n) {
    volatile int x1 = 38;
    if (n > 0)
        kept(n - 1);
    printk(""%d\n"", x1);
}
init { scaled(5, 3, 1); local_const(4); kept(4); }
";

        [TestCase("scaled", 8 + 16 + 0x48)]
        [TestCase("local_const", 8)]
        [TestCase("kept", 8 + 8)]
        public void Frame_IsGccs(string function, int frame) => Assert.That(FrameOf(Source, function), Is.EqualTo(frame));

        [Test]
        public void AnExportedFunction_KeepsItsParameters()
        {
            // called from outside (kdsl build --emit-bin --entry scaled), k is not init's 3: it stays a variable
            Assert.That(FrameOf(Source, "scaled", exported: new[] { "scaled" }), Is.EqualTo(8 + 24 + 0x48));
        }
    }
}
