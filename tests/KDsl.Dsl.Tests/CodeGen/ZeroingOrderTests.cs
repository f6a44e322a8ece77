using System.Linq;
using Iced.Intel;
using NUnit.Framework;
using static KDsl.Dsl.Tests.CodeGen.Step5CodeShapeTests;

namespace KDsl.Dsl.Tests.CodeGen
{
    /// <summary>
    /// CONFIG_INIT_STACK_ALL_ZERO zeroes a function's arrays in the order they are declared: GCC 12's rec of
    /// Logs/experiments grid_BUF.c at BUF=700 on the 6.1 headers (char buf[700] declared before int m[8][8]; the stack
    /// protector places buf above m) is lea 0x104(%rsp),%rdx; ...; rep stos (buf's 700 bytes, 0xaf words), then
    /// mov $0x40,%ecx; rep stos (m's 256 bytes from 0x4(%rsp)).
    /// </summary>
    [TestFixture]
    public class ZeroingOrderTests
    {
        private const string Source = @"module grid ""grid"";
config { profile = linux-6.1; }
int rec(int n) {
    char buf[700];
    int m[8][8];
    char *vp = buf;
    for (int i = 0; i < 700; i++)
        vp[i] = (char)n;
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++)
            m[i][j] = n * i + j;
    printk(""grid %d row %d\n"", n, m[n % 8][1]);
    if (n > 0)
        return rec(n - 1) + vp[5] + m[1][2];
    return 0;
}
init { printk(""%d\n"", rec(100)); }
";

        [Test]
        public void ArraysAreZeroed_InDeclarationOrder()
        {
            var result = Compiler.Compile("grid.kdsl", Source);
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            var code = Decode(result.Image!, "rec");
            // the count loaded before each rep stos: buf's 700 bytes as 0xaf dwords, then m's 256 as 0x40
            var counts = code.Select((insn, i) => (insn, i))
                .Where(p => p.insn.Mnemonic == Mnemonic.Stosd && p.insn.HasRepPrefix)
                .Select(p => code.Take(p.i).Last(x => x.Mnemonic == Mnemonic.Mov && x.Op0Register == Register.ECX).GetImmediate(1))
                .ToList();
            Assert.That(counts, Is.EqualTo(new ulong[] { 0xaf, 0x40 }));
        }
    }
}
