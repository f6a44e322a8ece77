using System.Linq;
using Iced.Intel;
using NUnit.Framework;
using static KDsl.Dsl.Tests.CodeGen.Step5CodeShapeTests;

namespace KDsl.Dsl.Tests.CodeGen
{
    /// <summary>
    /// <c>long sum = 0;</c> followed by <c>sum += rec(n - 1) + i</c> (unrolled) gives sum no value before the first call in
    /// GCC's code: SSA folds 0 + x to x, and the store of 0 is dead (ConstantInitializers). The register GCC gives sum,
    /// pushed by rec, still holds the caller's value through that call: the real 5.10 run of loop2_BUF.c (BUF=900,
    /// Logs/linux-5.10/loop2_900-norand.log) shows the init's address "? 0xffffffffc0007000" saved in every rec frame.
    /// </summary>
    [TestFixture]
    public class ConstantInitializerTests
    {
        private const string Source = @"module loop2 ""two calls a level"";
config { profile = linux-5.10; }
long rec(int n) {
    char buf[900];
    char *vp = buf;
    long sum = 0;
    for (int i = 0; i < 900; i++)
        vp[i] = (char)n;
    printk(""loop2 %d\n"", n);
    if (n <= 0)
        return vp[1];
    for (int i = 0; i < 2; i++)
        sum += rec(n - 1) + i;
    return sum + vp[2];
}
init { printk(""loop2: %ld\n"", rec(100)); }
";

        [Test]
        public void TheAccumulatorsRegister_IsNotWrittenBeforeTheFirstAccumulation()
        {
            var result = Compiler.Compile("loop2.kdsl", Source);
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            var code = Decode(result.Image!, "rec");
            var saved = code.Where(i => i.Mnemonic == Mnemonic.Push).Select(i => i.Op0Register).ToList();
            Assert.That(saved, Is.EqualTo(new[] { Register.RBP, Register.RBX }), "GCC's push %rbp; push %rbx");
            int firstSelfCall = code.FindIndex(i => i.Mnemonic == Mnemonic.Call && i.NearBranchTarget == code[0].IP);
            Assert.That(firstSelfCall, Is.GreaterThan(0));
            var writes = code.Take(firstSelfCall).Where(i => i.Mnemonic != Mnemonic.Push && i.OpCount > 0 &&
                                                             i.Op0Kind == OpKind.Register && i.Op0Register.GetFullRegister() == Register.RBP);
            Assert.That(writes, Is.Empty, "sum's register is written before the first call");
        }
    }
}
