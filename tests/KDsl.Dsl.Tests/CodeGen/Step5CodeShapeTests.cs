using System.Collections.Generic;
using System.Linq;
using Iced.Intel;
using KDsl.Image;
using NUnit.Framework;
using IcedDecoder = Iced.Intel.Decoder;

namespace KDsl.Dsl.Tests.CodeGen
{
    /// <summary>
    /// The emitted code is checked by decoding it with Iced, against the shape the kernel's GCC gives step5's rstack
    /// (real-kernel/README objdump, seed 000's Code: line): the expected frames are the references' measurements.
    /// </summary>
    [TestFixture]
    public class Step5CodeShapeTests
    {
        private const string Step5 = @"module step5 ""recursion"";
config { profile = PROFILE; }
const BUF = 4096;
void rstack(int n) {
    char buf[BUF];
    for (int i = 0; i < BUF; i++)
        buf[i] = 0;
    printk(""[%px] finished initialized buf.\n"", buf);
    if (n > 0)
        rstack(n - 1);
}
init {
    printk(""step5 LOADED.\n"");
    rstack(100);
}
";

        private static ModuleImage Compile(string profile)
        {
            var result = Compiler.Compile("step5.kdsl", Step5.Replace("PROFILE", profile));
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            return result.Image!;
        }

        internal static List<Instruction> Decode(ModuleImage image, string function)
        {
            var symbol = image.Symbols.Single(s => s.Name == function);
            var decoder = IcedDecoder.Create(64, new ByteArrayCodeReader(image.Text, symbol.Offset, symbol.Size), (ulong)symbol.Offset);
            var list = new List<Instruction>();
            while (decoder.IP < (ulong)(symbol.Offset + symbol.Size))
            {
                var insn = decoder.Decode();
                Assert.That(insn.IsInvalid, Is.False, $"invalid instruction at {insn.IP:x}");
                list.Add(insn);
            }
            return list;
        }

        /// <summary>The frame (<see cref="FrameSize"/>) of <paramref name="function"/> compiled from <paramref name="source"/>.</summary>
        internal static long FrameOf(string source, string function, System.Collections.Generic.IReadOnlyCollection<string>? exported = null)
        {
            var result = Compiler.Compile("frame.kdsl", source, exported: exported);
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            return FrameSize(Decode(result.Image!, function));
        }

        /// <summary>Stack bytes one call costs, read off the prologue: return address + pushes + sub rsp.</summary>
        internal static long FrameSize(List<Instruction> code)
        {
            long size = 8;
            foreach (var insn in code)
            {
                if (insn.Mnemonic == Mnemonic.Push) size += 8;
                else if (insn.Mnemonic == Mnemonic.Sub && insn.Op0Register == Register.RSP) { size += (long)insn.GetImmediate(1); break; }
                else if (insn.Mnemonic is not (Mnemonic.Nop or Mnemonic.Mov)) break;
            }
            return size;
        }

        [TestCase("linux-4.11", 4096 + 32)] // seed: buffers 0x1020 apart
        [TestCase("linux-5.10", 4096 + 24)] // real 5.10: 0x1018
        [TestCase("linux-6.1", 4096 + 24)]  // real 6.1: push rbx; sub $0x1008,%rsp
        public void Rstack_FrameIsWhatTheReferenceMeasured(string profile, int frame)
        {
            Assert.That(FrameSize(Decode(Compile(profile), "rstack")), Is.EqualTo(frame));
        }

        [TestCase("linux-4.11", new byte[] { 0x0f, 0x1f, 0x44, 0x00, 0x00 })]
        [TestCase("linux-5.10", new byte[] { 0x66, 0x66, 0x66, 0x66, 0x90 })] // as the 5.10 Code: line shows
        [TestCase("linux-6.1", new byte[] { 0x0f, 0x1f, 0x44, 0x00, 0x00 })]
        public void EveryFunction_StartsWithTheFtraceNop(string profile, byte[] nop)
        {
            var image = Compile(profile);
            foreach (var f in image.Symbols.Where(s => s.Section == Section.Text))
                Assert.That(image.Text.Skip(f.Offset).Take(5), Is.EqualTo(nop), f.Name);
        }

        [Test]
        public void Linux411_KeepsAFramePointer_Linux61_DoesNot()
        {
            var old = Decode(Compile("linux-4.11"), "rstack");
            Assert.That(old[1].Mnemonic, Is.EqualTo(Mnemonic.Push));
            Assert.That(old[1].Op0Register, Is.EqualTo(Register.RBP));
            Assert.That(old[2].ToString(), Is.EqualTo("mov rbp,rsp"));

            var current = Decode(Compile("linux-6.1"), "rstack");
            Assert.That(current.Any(i => i.Op0Register == Register.RBP || i.Op1Register == Register.RBP), Is.False);
        }

        [TestCase("linux-4.11", false)]
        [TestCase("linux-6.1", true)]
        public void StackProtector_AndInitStackAllZero(string profile, bool zeroInit)
        {
            var code = Decode(Compile(profile), "rstack");
            // The canary comes from gs:0x28 and is checked again before returning.
            Assert.That(code.Count(i => i.SegmentPrefix == Register.GS && i.MemoryDisplacement64 == 0x28), Is.EqualTo(2));
            // CONFIG_INIT_STACK_ALL_ZERO: rep stosd of BUF / 4 dwords over the buffer before the loop.
            bool hasRepStos = code.Any(i => i.Mnemonic == Mnemonic.Stosd && i.HasRepPrefix);
            Assert.That(hasRepStos, Is.EqualTo(zeroInit));
        }

        [TestCase("linux-4.11", "printk")]
        [TestCase("linux-6.1", "_printk")]
        public void KernelCallsAndStrings_AreRelocations(string profile, string printk)
        {
            var image = Compile(profile);
            var calls = image.Relocations.Where(r => r.Target == printk).ToList();
            Assert.That(calls, Has.Count.EqualTo(2)); // one printk in rstack, one in init
            foreach (var r in calls)
            {
                Assert.That(r.Kind, Is.EqualTo(RelocationKind.Rel32));
                Assert.That(image.Text[r.Offset - 1], Is.EqualTo(0xE8), "the field is a call rel32's displacement");
            }
            var strings = image.Relocations.Where(r => r.Kind == RelocationKind.Abs32S).Select(r => r.Target).ToList();
            Assert.That(strings, Has.Count.EqualTo(2));
            var text = System.Text.Encoding.ASCII.GetString(image.RoData);
            Assert.That(text, Does.Contain("[%px] finished initialized buf.\n\0"));
            Assert.That(text, Does.Contain("step5 LOADED.\n\0"));
            Assert.That(image.InitSymbol, Is.EqualTo("step5_init"));
        }

        [Test]
        public void LineTable_PointsTheCallsAtTheirStatements()
        {
            var image = Compile("linux-6.1");
            int LineOf(int offset) => image.Lines.Where(l => l.Offset <= offset).OrderBy(l => l.Offset).Last().Line;
            int PrintkCallIn(string function)
            {
                var f = image.Symbols.Single(s => s.Name == function);
                return image.Relocations.Single(r => r.Target == "_printk" && r.Offset >= f.Offset && r.Offset < f.Offset + f.Size).Offset - 1;
            }
            Assert.That(LineOf(PrintkCallIn("rstack")), Is.EqualTo(8));
            Assert.That(LineOf(PrintkCallIn(image.InitSymbol)), Is.EqualTo(13));
        }

        [Test]
        public void UnwindRows_GiveTheFrameAtEveryInstruction()
        {
            var image = Compile("linux-6.1");
            var rstack = image.Symbols.Single(s => s.Name == "rstack");
            var code = Decode(image, "rstack");
            var sub = code.First(i => i.Mnemonic == Mnemonic.Sub && i.Op0Register == Register.RSP);
            int afterSub = (int)sub.NextIP;
            int cfa = image.Unwind.Where(u => u.Offset <= afterSub && u.Offset >= rstack.Offset).OrderBy(u => u.Offset).Last().CfaOffset;
            Assert.That(cfa, Is.EqualTo(4096 + 24));
            Assert.That(image.Unwind.Where(u => u.Offset == rstack.Offset).Select(u => u.CfaOffset), Does.Contain(8));
        }

        [Test]
        public void VmapStackOff_CompilesTheSameCode()
        {
            // CONFIG_VMAP_STACK only changes where the runtime puts stacks, never the module's code.
            var on = Compiler.Compile("s.kdsl", "module s \"s\";\nconfig { vmap_stack = on; }\ninit { }\n").Image!;
            var off = Compiler.Compile("s.kdsl", "module s \"s\";\nconfig { vmap_stack = off; }\ninit { }\n").Image!;
            Assert.That(off.Config.VmapStack, Is.False);
            Assert.That(off.Text, Is.EqualTo(on.Text));
        }
    }
}
