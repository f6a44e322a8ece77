using System.Linq;
using Iced.Intel;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.CodeGen
{
    /// <summary>
    /// A call through a function pointer is framed as GCC frames it. The reference is gcc 12.2 on the 6.1 headers (a Kbuild
    /// module, -O2 with the kernel's flags) on the C twin:
    /// <code>
    /// noinline int apply(int (*cb)(int), int v) { return cb(v) + 1; }
    /// noinline long dispatch(const struct ops *o, int w, long n) { ... return o->read(0, buf, n); }
    /// </code>
    /// apply: mov %rdi,%rax; mov %esi,%edi; call __x86_indirect_thunk_rax; add $0x1,%eax: no push, no sub (the call's
    /// return address is its whole stack use). dispatch: the pointer loaded into RAX from the table before the last
    /// argument registers are set (mov (%r8),%rax; xor %edi,%edi; call), no spill slot for it.
    /// </summary>
    [TestFixture]
    public class IndirectCallFrameTests
    {
        private const string Source = @"module m ""m"";
config { profile = linux-6.1; }
struct file;
struct ops { long (*read)(struct file *, char *, long); };
long rd(struct file *f, char *buf, long n) { return n; }
static const struct ops fops = { .read = rd };
int apply(int (*cb)(int), int v) { return cb(v) + 1; }
int twice(int x) { return x + x; }
long dispatch(const struct ops *o, long n) { char buf[16]; buf[0] = 0; return o->read(0, buf, n); }
init { apply(twice, 1); dispatch(&fops, 2); }
";

        private static Instruction[] Decode(string function)
        {
            var result = Compiler.Compile("m.kdsl", Source);
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            return Step5CodeShapeTests.Decode(result.Image!, function).ToArray();
        }

        [Test]
        public void Apply_HasNoFrame_AndCallsThroughRax()
        {
            var code = Decode("apply");
            Assert.That(code.Any(i => i.Mnemonic == Mnemonic.Push || (i.Mnemonic == Mnemonic.Sub && i.Op0Register == Register.RSP)), Is.False);
            var call = code.Single(i => i.Mnemonic == Mnemonic.Call);
            Assert.That((call.Op0Kind, call.Op0Register), Is.EqualTo((OpKind.Register, Register.RAX)));
        }

        [Test]
        public void Dispatch_LoadsThePointerWithTheArguments_WithNoSpillSlot()
        {
            var code = Decode("dispatch").ToList();
            int call = code.FindIndex(i => i.Mnemonic == Mnemonic.Call && i.Op0Kind == OpKind.Register);
            // the last load into RAX before the call reads the table (a memory operand not on the stack)
            var load = code.Take(call).Last(i => i.Op0Kind == OpKind.Register && i.Op0Register == Register.RAX);
            Assert.That(load.Mnemonic, Is.EqualTo(Mnemonic.Mov));
            Assert.That(load.Op1Kind, Is.EqualTo(OpKind.Memory));
            Assert.That(load.MemoryBase, Is.Not.EqualTo(Register.RSP));
            Assert.That(code.Skip(code.IndexOf(load) + 1).Take(call - code.IndexOf(load) - 1).Select(i => i.Op0Register),
                Does.Contain(Register.EDI).Or.Contain(Register.RDI), "the argument registers are loaded between the pointer and the call");
        }
    }
}
