using System.Collections.Generic;
using System.Linq;
using Iced.Intel;
using KDsl.Analysis;
using KDsl.Image;
using NUnit.Framework;
using IcedDecoder = Iced.Intel.Decoder;

namespace KDsl.Dsl.Tests.CodeGen
{
    /// <summary>
    /// GCC's hot/cold partitioning of a function left in .text (<c>KDsl.CodeGen.ColdPart</c>): the blocks that never run
    /// (a printk's) go to NAME.cold in .text.unlikely. The shapes are GCC 12's, from objdump -d of the C twins built against
    /// the 6.1.0-56 headers: condpk_BUF.c's rec (a printk on even levels) branches to rec.cold with <c>je</c> and rec.cold
    /// jumps back after the printk, the epilogue staying in rec; pss_BUF.c's rec (an unconditional printk after the fill
    /// loop; its address taken by the printk's %pS, so it stays in .text) leaves its loop for rec.cold, which holds the
    /// printk, the recursive call, the canary check, the ret and the call of __stack_chk_fail. 4.11's GCC 6 does not
    /// partition (-freorder-blocks-and-partition is on at -O2 from GCC 8).
    /// </summary>
    [TestFixture]
    public class ColdPartTests
    {
        private const string CondPk = @"module c ""c"";
config { profile = PROFILE; }
void rec(int n) {
    char buf[800];
    char *vp = buf;
    for (int i = 0; i < 800; i++)
        vp[i] = (char)n;
    if (n % 2 == 0)
        printk(""even %d\n"", n);
    if (n > 0)
        rec(n - 1);
    vp[0] = 0;
}
init { rec(100); }
exit { }
";

        private const string Pss = @"module p ""p"";
config { profile = PROFILE; }
void rec(int n) {
    char buf[800];
    char *vp = buf;
    for (int i = 0; i < 800; i++)
        vp[i] = (char)n;
    printk(""level %d in %pS\n"", n, rec);
    if (n > 0)
        rec(n - 1);
    vp[0] = 0;
}
init { rec(100); }
exit { }
";

        private static ModuleImage Compile(string source, string profile)
        {
            var result = Compiler.Compile("c.kdsl", source.Replace("PROFILE", profile));
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            return result.Image!;
        }

        private static ModuleSymbol Symbol(ModuleImage image, string name) => image.Symbols.Single(s => s.Name == name && s.Section == Section.Text);

        private static List<Instruction> Decode(ModuleImage image, ModuleSymbol symbol)
        {
            var decoder = IcedDecoder.Create(64, new ByteArrayCodeReader(image.Text, symbol.Offset, symbol.Size), (ulong)symbol.Offset);
            var list = new List<Instruction>();
            while (decoder.IP < (ulong)(symbol.Offset + symbol.Size)) list.Add(decoder.Decode());
            return list;
        }

        private static bool Calls(ModuleImage image, IEnumerable<Instruction> code, string target) =>
            code.Any(i => i.Mnemonic == Mnemonic.Call && image.Relocations.Any(r => r.Offset == (int)i.IP + 1 && r.Target == target));

        private static bool BranchesTo(Instruction i, ModuleSymbol symbol) =>
            i.Mnemonic != Mnemonic.Call && i.Op0Kind == OpKind.NearBranch64 && i.NearBranch64 >= (ulong)symbol.Offset && i.NearBranch64 < (ulong)(symbol.Offset + symbol.Size);

        [TestCase("linux-6.1", "_printk")]
        [TestCase("linux-5.10", "printk")]
        public void AConditionalPrintk_GoesToNameCold_AndComesBack(string profile, string printk)
        {
            var image = Compile(CondPk, profile);
            var rec = Symbol(image, "rec");
            var cold = Symbol(image, "rec.cold");
            Assert.That((rec.TextSection, cold.TextSection), Is.EqualTo((TextSection.Text, TextSection.Unlikely)));
            var body = Decode(image, rec);
            var part = Decode(image, cold);
            Assert.Multiple(() =>
            {
                Assert.That(body.Where(i => BranchesTo(i, cold)).Select(i => i.Mnemonic), Is.EqualTo(new[] { Mnemonic.Je }), "je rec.cold");
                Assert.That(Calls(image, part, printk), Is.True, "the printk is in rec.cold");
                Assert.That(Calls(image, body, printk), Is.False);
                Assert.That(part[^1].Mnemonic == Mnemonic.Jmp && BranchesTo(part[^1], rec), Is.True, "rec.cold jumps back");
                Assert.That(body.Count(i => i.Mnemonic == Mnemonic.Ret), Is.EqualTo(1), "the epilogue stays in rec");
            });
        }

        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        public void AnUnconditionalPrintkAfterTheLoop_TakesTheRestAndTheExitToNameCold(string profile)
        {
            var image = Compile(Pss, profile);
            var rec = Symbol(image, "rec");
            var cold = Symbol(image, "rec.cold");
            var body = Decode(image, rec);
            var part = Decode(image, cold);
            Assert.Multiple(() =>
            {
                Assert.That(body.Any(i => i.Mnemonic is Mnemonic.Ret or Mnemonic.Call), Is.False, "rec keeps the prologue and the loop");
                Assert.That(part.Count(i => i.Mnemonic == Mnemonic.Ret), Is.EqualTo(1));
                Assert.That(part.Any(i => i.Mnemonic == Mnemonic.Call && i.NearBranch64 == (ulong)rec.Offset), Is.True, "the recursive call");
                Assert.That(Calls(image, part, "__stack_chk_fail"), Is.True);
            });
        }

        /// <summary>The stack analysis reads both parts: the frame, and the calls in evaluation order (the printk first).</summary>
        [Test]
        public void TheFrameReader_FollowsTheCodeIntoTheColdPart()
        {
            var image = Compile(CondPk, "linux-6.1");
            var frame = FrameReader.Read(image, Symbol(image, "rec"));
            Assert.That(frame.Calls.Select(c => c.Target), Is.EqualTo(new[] { "_printk", "rec", "__stack_chk_fail" }));
            Assert.That(frame.Calls.Select(c => c.Depth).Distinct(), Is.EqualTo(new[] { 8 + 8 + 0x328 }), "ret, push rbx, sub $0x328 (GCC's frame)");
        }

        [Test]
        public void Gcc6_SplitsNothing()
        {
            var image = Compile(CondPk, "linux-4.11");
            Assert.That(image.Symbols.Any(s => s.Name.EndsWith(".cold")), Is.False);
        }
    }
}
