using System.Linq;
using Iced.Intel;
using NUnit.Framework;
using static KDsl.Dsl.Tests.CodeGen.Step5CodeShapeTests;

namespace KDsl.Dsl.Tests.CodeGen
{
    /// <summary>
    /// More values live across a call than there are callee-saved registers: GCC colours by priority and leaves a
    /// stack parameter in the slot its caller wrote (its memory equivalent), so only the rest cost spill slots. The frame
    /// is GCC 12's for params8_BUF.c at BUF=800 against the 6.1 headers (the twin of a real-kernel run), read off objdump -d:
    /// push of r15, r14, r13, r12, rbp, rbx; sub $0x330,%rsp (buf at 0x8, canary at 0x328, one spill at 0x0), and f read
    /// from 0x368(%rsp), the first stack argument's slot above the 0x368-byte frame:
    ///   static noinline long rec(int n, long a, long b, long c, long d, long e, long f, long g) {
    ///       char buf[800]; volatile char *vp = buf; int i;
    ///       for (i = 0; i &lt; 800; i++) vp[i] = (char)(n + g);
    ///       printk(KERN_INFO "p8 %d %ld %ld\n", n, a + b + c, d ^ e ^ f ^ g);
    ///       if (n &gt; 0) return rec(n - 1, b, c, d, e, f, g, a + 1) + vp[1];
    ///       return vp[0]; }
    /// </summary>
    [TestFixture]
    public class StackParameterTests
    {
        private const string Source = @"module params8 ""eight parameters"";
config { profile = PROFILE; }
long rec(int n, long a, long b, long c, long d, long e, long f, long g) {
    char buf[800];
    char *vp = buf;
    for (int i = 0; i < 800; i++)
        vp[i] = (char)(n + g);
    printk(""p8 %d %ld %ld\n"", n, a + b + c, d ^ e ^ f ^ g);
    if (n > 0)
        return rec(n - 1, b, c, d, e, f, g, a + 1) + vp[1];
    return vp[0];
}
init { printk(""p8: %ld\n"", rec(100, 1, 2, 3, 4, 5, 6, 7)); }
";

        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        public void Frame_IsGccs(string profile) =>
            Assert.That(FrameOf(Source.Replace("PROFILE", profile), "rec"), Is.EqualTo(8 + 6 * 8 + 0x330));

        [Test]
        public void TheParameterWithoutARegister_IsReadFromItsIncomingSlot()
        {
            var result = Compiler.Compile("params8.kdsl", Source.Replace("PROFILE", "linux-6.1"));
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            var code = Decode(result.Image!, "rec");
            // the frame is 0x368 bytes below the caller's RSP, so f, the first stack argument, is at 0x368(%rsp) and g at 0x370
            bool ReadsAt(Instruction i, ulong displacement) =>
                i.OpCount == 2 && i.Op1Kind == OpKind.Memory && i.MemoryBase == Register.RSP && i.MemoryDisplacement64 == displacement;
            var loads = Enumerable.Range(0, code.Count).Where(k => ReadsAt(code[k], 0x368)).ToList();
            Assert.That(loads, Is.Not.Empty, "f is read where its caller put it");
            foreach (int k in loads) // and used from there, not copied into a slot of the frame
                Assert.That(code[k + 1] is { Op0Kind: OpKind.Memory, MemoryBase: Register.RSP } store && store.MemoryDisplacement64 < 0x330,
                    Is.False, $"{code[k]} is followed by {code[k + 1]}");
        }
    }
}
