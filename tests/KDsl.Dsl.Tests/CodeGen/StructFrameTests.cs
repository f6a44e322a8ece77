using System.Linq;
using Iced.Intel;
using NUnit.Framework;
using static KDsl.Dsl.Tests.CodeGen.Step5CodeShapeTests;

namespace KDsl.Dsl.Tests.CodeGen
{
    /// <summary>
    /// A struct on the stack is framed as the kernel's GCC frames it. The reference is gcc 12.2 on the same C
    /// (deep() marked noinline so one activation is compared; -O2 -mno-red-zone -fstack-protector-strong
    /// -mpreferred-stack-boundary=3 -mno-sse -mcmodel=kernel -fno-builtin):
    /// push %rbx; sub $1024,%rsp; canary at 1016(%rsp); r.id at 1000(%rsp), r.flags at 1008(%rsp).
    /// </summary>
    [TestFixture]
    public class StructFrameTests
    {
        private const string Source = @"module deep ""a struct on the stack"";
config { profile = PROFILE; }
struct req { char name[1000]; long id; int flags; };
void deep(int n) {
    struct req r;
    for (int i = 0; i < 1000; i++) r.name[i] = 0;
    r.id = n; r.flags = 1;
    printk(""%px %ld\n"", &r, r.id);
    if (n > 0) deep(n - 1);
}
init { deep(3); }
";

        private static System.Collections.Generic.List<Instruction> Deep(string profile)
        {
            var result = Compiler.Compile("deep.kdsl", Source.Replace("PROFILE", profile));
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            return Decode(result.Image!, "deep");
        }

        [TestCase("linux-6.1", 8 + 8 + 1024)]
        [TestCase("linux-5.10", 8 + 8 + 1024)]
        [TestCase("linux-4.11", 8 + 8 + 8 + 1024)] // 4.11 keeps the frame pointer
        public void Frame_IsGccs(string profile, int frame) => Assert.That(FrameSize(Deep(profile)), Is.EqualTo(frame));

        [Test]
        public void Members_AreAddressedAtGccsOffsets_UnderTheCanary()
        {
            var code = Deep("linux-6.1");
            bool StoreAt(int displacement, MemorySize size) => code.Any(i =>
                i.Mnemonic == Mnemonic.Mov && i.Op0Kind == OpKind.Memory && i.MemoryBase == Register.RSP &&
                (int)i.MemoryDisplacement64 == displacement && i.MemorySize == size);
            Assert.That(StoreAt(1000, MemorySize.UInt64), Is.True, "r.id = n at 1000(%rsp)");
            Assert.That(StoreAt(1008, MemorySize.UInt32), Is.True, "r.flags = 1 at 1008(%rsp)");
            Assert.That(StoreAt(1016, MemorySize.UInt64), Is.True, "the canary at 1016(%rsp)");
        }
    }
}
