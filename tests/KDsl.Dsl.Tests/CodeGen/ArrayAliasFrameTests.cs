using System.Linq;
using Iced.Intel;
using NUnit.Framework;
using IcedDecoder = Iced.Intel.Decoder;

namespace KDsl.Dsl.Tests.CodeGen
{
    /// <summary>
    /// A pointer that only holds a local array's address (<c>char *vp = buf;</c>) has no register of its own when every
    /// use after a call is at a constant index, and keeps a callee-saved one when it is indexed by a variable there: the
    /// frames GCC gave the real-kernel experiments' modules (objdump of deref_deep.ko: push rbx; sub $0x3f0,%rsp, vp[0]
    /// after the call is movb $0,(%rsp); of recurse.ko: push rbp; push rbx; sub $0x3f0,%rsp, vp kept in RBP).
    /// </summary>
    [TestFixture]
    public class ArrayAliasFrameTests
    {
        private const string Header = "module m \"m\";\nconfig { profile = linux-6.1; }\n";

        private static long Frame(string source, string function)
        {
            var result = Compiler.Compile("m.kdsl", Header + source);
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            var image = result.Image!;
            var symbol = image.Symbols.Single(s => s.Name == function);
            var decoder = IcedDecoder.Create(64, new ByteArrayCodeReader(image.Text, symbol.Offset, symbol.Size), (ulong)symbol.Offset);
            long size = 8;
            while (decoder.IP < (ulong)(symbol.Offset + symbol.Size))
            {
                var insn = decoder.Decode();
                if (insn.Mnemonic == Mnemonic.Push) size += 8;
                else if (insn.Mnemonic == Mnemonic.Sub && insn.Op0Register == Register.RSP) return size + (long)insn.GetImmediate(1);
            }
            return size;
        }

        [Test]
        public void ConstantIndexAfterTheCall_NoRegisterForThePointer()
        {
            // deref_deep's rstack: n lives across printk (RBX), vp does not need a register
            const string source = "void rstack(int n) {\n char buf[1000];\n char *vp = buf;\n" +
                " for (int i = 0; i < 1000; i++) vp[i] = (char)n;\n printk(\"level %d at %px\\n\", n, buf);\n" +
                " if (n == 13) { int *p = (int *)0; *p = 1; } else { rstack(n + 1); }\n vp[0] = 0;\n}\ninit { rstack(0); }\n";
            Assert.That(Frame(source, "rstack"), Is.EqualTo(8 + 8 + 0x3f0)); // 1024 bytes a level, as GCC's
        }

        [Test]
        public void VariableIndexAfterTheCall_ThePointerKeepsARegister()
        {
            const string source = "int deep(int n) {\n char buf[1000];\n char *vp = buf;\n" +
                " for (int i = 0; i < 1000; i++) vp[i] = (char)n;\n" +
                " if (n > 0) return deep(n - 1) + vp[n % 1000];\n return vp[0];\n}\ninit { deep(3); }\n";
            Assert.That(Frame(source, "deep"), Is.EqualTo(8 + 16 + 0x3f0)); // 1032 bytes a level, as GCC's
        }

        [Test]
        public void AReassignedPointer_IsAVariable()
        {
            const string source = "void f(int n) {\n char buf[64];\n char *vp = buf;\n vp = vp + 1;\n" +
                " if (n > 0) f(n - 1);\n vp[0] = 0;\n}\ninit { f(3); }\n";
            // return address, vp's callee-saved register, buf, canary
            Assert.That(Frame(source, "f"), Is.EqualTo(8 + 8 + 64 + 8));
        }
    }
}
