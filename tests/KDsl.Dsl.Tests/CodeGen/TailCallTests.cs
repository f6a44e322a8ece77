using System.Collections.Generic;
using System.Linq;
using Iced.Intel;
using KDsl.Image;
using NUnit.Framework;
using IcedDecoder = Iced.Intel.Decoder;

namespace KDsl.Dsl.Tests.CodeGen
{
    /// <summary>
    /// GCC's sibling calls, as the real modules show them (tests/KDsl.Runtime.Tests/RealKernel/Logs/experiments): the
    /// 5.10/6.1 build of stack_protector.c checks overrun's canary, tears the frame down and jmps to _printk; a call whose
    /// frame must outlive it (a local's address passed on, step5's printk of buf) stays a call; 4.11 builds with frame
    /// pointers and -fno-optimize-sibling-calls, so it keeps every call.
    /// </summary>
    [TestFixture]
    public class TailCallTests
    {
        private const string Source = @"module t ""t"";
config { profile = PROFILE; }
void overrun(int n) {
    char buf[16];
    for (int i = 0; i < n; i++)
        buf[i] = 'A';
    printk(""wrote %d\n"", n);
}
void escapes(int n) {
    char buf[16];
    buf[0] = 1;
    printk(""at %px\n"", buf);
    if (n > 0)
        escapes(n - 1);
}
long twice(long n) { return n * 2; }
long returns(long n) { return twice(n + 1); }
void dispatch(int n) {
    if (n <= 0)
        return;
    switch (n % 3) {
    case 0:
        overrun(n);
        break;
    case 1:
        printk(""one %d\n"", n);
    default:
        overrun(n - 1);
        break;
    }
}
init { overrun(16); escapes(1); returns(2); dispatch(3); }
";

        private static ModuleImage _image = null!;

        private static List<Instruction> Decode(string profile, string function)
        {
            var result = Compiler.Compile("t.kdsl", Source.Replace("PROFILE", profile));
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            var image = _image = result.Image!;
            var symbol = image.Symbols.Single(s => s.Name == function && s.Section == Section.Text);
            var decoder = IcedDecoder.Create(64, new ByteArrayCodeReader(image.Text, symbol.Offset, symbol.Size), (ulong)symbol.Offset);
            var list = new List<Instruction>();
            while (decoder.IP < (ulong)(symbol.Offset + symbol.Size)) list.Add(decoder.Decode());
            return list;
        }

        /// <summary>Jumps that leave the function (to a module function, or relocated to a kernel one): the sibling calls.</summary>
        private static bool IsSiblingCall(Instruction i, ulong start, ulong end) =>
            i.Mnemonic == Mnemonic.Jmp && i.Op0Kind == OpKind.NearBranch64 &&
            (i.NearBranch64 < start || i.NearBranch64 >= end || _image.Relocations.Any(r => r.Offset == (int)i.IP + 1));

        private static int SiblingCalls(List<Instruction> code) => code.Count(i => IsSiblingCall(i, code[0].IP, code[^1].NextIP));

        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        public void AVoidFunctionsLastCall_IsAJmpAfterTheCanaryCheck(string profile)
        {
            var code = Decode(profile, "overrun");
            Assert.That(SiblingCalls(code), Is.EqualTo(1));
            var jmp = code.FindIndex(i => IsSiblingCall(i, code[0].IP, code[^1].NextIP));
            // the canary is compared (sub r11, gs:0x28; jne) before the frame goes: GCC's order, so the line is never printed
            Assert.That(code.Take(jmp).Any(i => i.Mnemonic == Mnemonic.Sub && i.Op0Register == Register.R11 && i.SegmentPrefix == Register.GS), Is.True);
            Assert.That(code.Take(jmp).Count(i => i.Mnemonic == Mnemonic.Call), Is.Zero, "printk is not called");
        }

        [TestCase("linux-6.1")]
        public void AReturnedCall_IsAJmp(string profile) =>
            Assert.That(SiblingCalls(Decode(profile, "returns")), Is.EqualTo(1));

        [TestCase("linux-6.1")]
        public void ACallAfterALocalsAddressWasPassedOn_StaysACall(string profile)
        {
            var code = Decode(profile, "escapes");
            Assert.That(SiblingCalls(code), Is.Zero);
            Assert.That(code.Count(i => i.Mnemonic == Mnemonic.Call), Is.GreaterThanOrEqualTo(2), "printk and the recursion");
        }

        /// <summary>
        /// A switch that ends the function: each case's call before its break is a sibling call, as GCC 12 makes them in the
        /// held-out tri_BUF.c (rec: jmp big, jmp mid, jmp small; no frame); case 1's printk falls through into the default's
        /// call, so it stays a call.
        /// </summary>
        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        public void ACallBeforeABreakOfATrailingSwitch_IsAJmp(string profile)
        {
            var code = Decode(profile, "dispatch");
            Assert.That(SiblingCalls(code), Is.EqualTo(2));
            Assert.That(code.Count(i => i.Mnemonic == Mnemonic.Call), Is.EqualTo(1), "the printk that falls through");
        }

        [Test]
        public void FramePointerKernels_KeepEveryCall()
        {
            Assert.That(SiblingCalls(Decode("linux-4.11", "overrun")), Is.Zero);
            Assert.That(SiblingCalls(Decode("linux-4.11", "returns")), Is.Zero);
        }
    }
}
