using System.Linq;
using Iced.Intel;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.CodeGen
{
    /// <summary>
    /// Arguments that are a variable plus or minus a constant go straight into their registers with one lea, as GCC
    /// compiles them, and take no spill slot in the frame. Expected values from objdump of the real experiments' modules
    /// (experiments/manyargs_BUF.c at BUF=700, GCC 12 for 6.1): rec is push rbx; sub $0x2c8,%rsp, the same frame as
    /// fmt_d's rec with one argument, and its printk arguments are lea 0x6(%rbx),%eax ... lea 0x4(%rbx),%r9d; the
    /// recursive call's argument is lea -0x1(%rbx),%edi.
    /// </summary>
    [TestFixture]
    public class ArgumentFrameTests
    {
        private const string Source = "module m \"m\";\nconfig { profile = linux-6.1; }\n" +
            "void rec(int n) {\n char buf[700];\n char *vp = buf;\n for (int i = 0; i < 700; i++) vp[i] = (char)n;\n" +
            " printk(\"args %d %d %d %d %d %d %d\\n\", n, n + 1, n + 2, n + 3, n + 4, n + 5, n + 6);\n" +
            " if (n > 0) rec(n - 1);\n vp[0] = 0;\n}\ninit { rec(100); }\n";

        private static Instruction[] Decode(string function)
        {
            var result = Compiler.Compile("m.kdsl", Source);
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            return Step5CodeShapeTests.Decode(result.Image!, function).ToArray();
        }

        [Test]
        public void SevenPrintkArguments_NoSpillSlots_GccsFrame()
        {
            var code = Decode("rec");
            var sub = code.First(i => i.Mnemonic == Mnemonic.Sub && i.Op0Register == Register.RSP);
            Assert.That(sub.GetImmediate(1), Is.EqualTo(0x2c8));
            Assert.That(code.Count(i => i.Mnemonic == Mnemonic.Push), Is.EqualTo(3), "rbx, then the two stack arguments");
        }

        /// <summary>
        /// Stack arguments that compute something (-n, a ?: of two strings) are computed where they are pushed: GCC 12's
        /// rec of the held-out experiments/mixpk_BUF.c at BUF=750 is push rbx; sub $0x2f8,%rsp against both the 6.1 and
        /// the 5.10 headers, then test $0x1,%bl; ...; cmove; push %rax; mov %ebx,%eax; neg %eax; push %rax; call _printk.
        /// </summary>
        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        public void ComputedStackArguments_NoSlots_GccsFrame(string profile)
        {
            string source = $"module mixpk \"m\";\nconfig {{ profile = {profile}; }}\n" +
                "int rec(int n) {\n char buf[750];\n char *vp = buf;\n for (int i = 0; i < 750; i++) vp[i] = 'A' + n % 26;\n" +
                " printk(\"mixpk %c%c %u %lx |%5d|%-5d| %s\\n\", vp[0], vp[1], (unsigned int)n * 3u, (unsigned long)n << 20, n, -n, n % 2 ? \"odd\" : \"even\");\n" +
                " if (n > 0) return rec(n - 1) + vp[8];\n return vp[2];\n}\ninit { printk(\"%d\\n\", rec(100)); }\n";
            var result = Compiler.Compile("mixpk.kdsl", source);
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            var code = Step5CodeShapeTests.Decode(result.Image!, "rec").ToArray();
            var sub = code.First(i => i.Mnemonic == Mnemonic.Sub && i.Op0Register == Register.RSP);
            Assert.That(sub.GetImmediate(1), Is.EqualTo(0x2f8));
            Assert.That(code.Count(i => i.Mnemonic == Mnemonic.Push), Is.EqualTo(3), "rbx, then the two stack arguments");
        }

        [Test]
        public void VariablePlusConstant_IsOneLeaIntoTheArgumentRegister()
        {
            var leas = Decode("rec").Where(i => i.Mnemonic == Mnemonic.Lea && i.MemoryBase == Register.RBX)
                .Select(i => (i.Op0Register, (long)i.MemoryDisplacement64)).ToArray();
            Assert.That(leas, Is.SupersetOf(new[]
            {
                (Register.EDX, 1L), (Register.ECX, 2L), (Register.R8D, 3L), (Register.R9D, 4L), (Register.EDI, -1L),
            }));
        }
    }
}
