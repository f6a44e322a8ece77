using System.Linq;
using Iced.Intel;
using KDsl.Image;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.CodeGen
{
    /// <summary>
    /// kthread_run(threadfn, data) as include/linux/kthread.h's macro expands it, so `kdsl ko` builds a module that runs on
    /// Linux: kthread_create(threadfn, data, namefmt) is kthread_create_on_node(threadfn, data, NUMA_NO_NODE, namefmt)
    /// (variadic: AL = 0), then <c>if (!IS_ERR(__k)) wake_up_process(__k);</c> with IS_ERR_VALUE's
    /// (unsigned long)x >= (unsigned long)-MAX_ERRNO (include/linux/err.h, MAX_ERRNO 4095).
    /// </summary>
    [TestFixture]
    public class KthreadRunCallTests
    {
        private const string Source = @"module t ""t"";
void worker(long n) { printk(""%ld\n"", n); }
init {
    long t = kthread_run(worker, 7);
    printk(""%ld\n"", IS_ERR(t));
}
";

        private static ModuleImage Compile()
        {
            var result = Compiler.Compile("t.kdsl", Source);
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            return result.Image!;
        }

        [Test]
        public void CallsKthreadCreateOnNode_ThenWakeUpProcess()
        {
            var image = Compile();
            var init = image.Symbols.Single(s => s.Name == image.InitSymbol);
            var calls = image.Relocations
                .Where(r => r.Kind == RelocationKind.Rel32 && r.Offset >= init.Offset && r.Offset < init.Offset + init.Size && r.Target != "__stack_chk_fail")
                .Select(r => r.Target).ToArray();
            Assert.That(calls, Is.EqualTo(new[] { "kthread_create_on_node", "wake_up_process", "_printk" }));
        }

        [Test]
        public void TheArguments_AreThreadfnDataNumaNoNodeAndTheName()
        {
            var image = Compile();
            var code = Step5CodeShapeTests.Decode(image, image.InitSymbol);
            int call = code.FindIndex(i => i.Mnemonic == Mnemonic.Call);
            var before = code.Take(call).ToList();
            long? Immediate(Register full) => before.LastOrDefault(i => i.Mnemonic == Mnemonic.Mov && i.Op0Kind == OpKind.Register &&
                i.Op0Register.GetFullRegister() == full && i.Op1Kind is OpKind.Immediate32 or OpKind.Immediate32to64 or OpKind.Immediate64) is { Mnemonic: Mnemonic.Mov } m
                ? (long)m.GetImmediate(1) : null;
            Assert.That(Immediate(Register.RSI), Is.EqualTo(7), "data");
            Assert.That((int)(Immediate(Register.RDX) ?? 0), Is.EqualTo(-1), "NUMA_NO_NODE, an int");
            Assert.That(before.Last(), Has.Property(nameof(Instruction.Mnemonic)).EqualTo(Mnemonic.Xor), "AL = 0 vector registers: a variadic call");

            // threadfn is worker's address, namefmt the string "worker" in .rodata: R_X86_64_32S relocations in init's code.
            var init = image.Symbols.Single(s => s.Name == image.InitSymbol);
            var fields = image.Relocations.Where(r => r.Kind == RelocationKind.Abs32S && r.Offset >= init.Offset && r.Offset < (int)code[call].IP).ToList();
            Assert.That(fields.Select(r => r.Target), Does.Contain("worker"));
            var name = fields.Single(r => r.Target != "worker");
            var label = image.Symbols.Single(s => s.Name == name.Target && s.Section == Section.RoData);
            var rodata = image.RoData.Skip(label.Offset + (int)name.Addend).TakeWhile(b => b != 0).ToArray();
            Assert.That(System.Text.Encoding.ASCII.GetString(rodata), Is.EqualTo("worker"));
        }

        [Test]
        public void WakesOnlyWhenNotAnErrPtr_AndKeepsTheTaskAsTheValue()
        {
            var image = Compile();
            var code = Step5CodeShapeTests.Decode(image, image.InitSymbol);
            int create = code.FindIndex(i => i.Mnemonic == Mnemonic.Call);
            var cmp = code[create + 1];
            var ja = code[create + 2];
            Assert.That(cmp.Mnemonic, Is.EqualTo(Mnemonic.Cmp));
            Assert.That(cmp.Op0Register, Is.EqualTo(Register.RAX));
            Assert.That(cmp.GetImmediate(1), Is.EqualTo(unchecked((ulong)-4096)), "IS_ERR: above -4096 unsigned");
            Assert.That(ja.Mnemonic, Is.EqualTo(Mnemonic.Ja));
            int wake = code.FindIndex(create + 1, i => i.Mnemonic == Mnemonic.Call);
            Assert.That(ja.NearBranchTarget, Is.GreaterThan(code[wake].IP), "an ERR_PTR skips wake_up_process");
            Assert.That(code.Skip(create + 3).Take(wake - create - 3).Any(i => i.Mnemonic == Mnemonic.Mov && i.Op0Register == Register.RDI && i.Op1Register == Register.RAX),
                "wake_up_process(__k)");
            // after the wake the value in RAX is __k again (reloaded from where it waited)
            Assert.That(code[wake + 1].Mnemonic, Is.EqualTo(Mnemonic.Mov));
            Assert.That(code[wake + 1].Op0Register, Is.EqualTo(Register.RAX));
        }

        [Test]
        public void IsErrOfAStruct_IsADiagnostic()
        {
            var result = Compiler.Compile("t.kdsl", "module t \"t\";\nstruct s { long a; };\ninit { struct s v; v.a = 1; printk(\"%d\\n\", IS_ERR(v)); }\n");
            Assert.That(result.Image, Is.Null);
            Assert.That(result.Diagnostics.Select(d => d.ToString()), Has.Some.Contains("t.kdsl(3,").And.Some.Contains("error"), "a located error, no exception");
        }

        [Test]
        public void AThreadFunctionInTailPosition_IsStillWoken()
        {
            var result = Compiler.Compile("t.kdsl", "module t \"t\";\nvoid worker(long n) { }\nvoid start(long n) { kthread_run(worker, n); }\ninit { start(1); }\n");
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            var code = Step5CodeShapeTests.Decode(result.Image!, "start");
            Assert.That(code.Count(i => i.Mnemonic == Mnemonic.Call), Is.EqualTo(2), "kthread_create_on_node is no tail call: the wake follows");
        }
    }
}
