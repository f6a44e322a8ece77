using System.Linq;
using KDsl.Binding;
using KDsl.Image;
using KDsl.Symbols;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.Binding
{
    public class ExampleTests
    {
        public const string Step5 = @"// Recursion with a local buffer until the kernel stack overflows.
module step5 ""recursion with a 4 KB local buffer"";   // required first

config {
    profile = linux-6.1;
    thread_size = 16K;
    vmap_stack = on;
}
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
exit { printk(""step5 UNLOADED.\n""); }

expect {
    printk ""finished initialized buf"" count 3;
    oops stack_guard in rstack;
    no fault;
}
";

        [Test]
        public void Step5_BindsWithoutDiagnostics()
        {
            var program = Support.BindClean(Step5);
            Assert.That(program.ModuleName, Is.EqualTo("step5"));
            Assert.That(program.Description, Is.EqualTo("recursion with a 4 KB local buffer"));
            Assert.That(program.Config, Is.EqualTo(new ExperimentConfig("linux-6.1", 16384, true, false)));
            Assert.That(program.Functions.Select(f => f.Symbol.LinkName), Is.EqualTo(new[] { "rstack", "step5_init", "step5_exit" }));
            Assert.That(program.Functions.Select(f => f.Symbol.Kind), Is.EqualTo(new[] { FunctionKind.User, FunctionKind.Init, FunctionKind.Exit }));
            Assert.That(program.Functions[1].Symbol.ReturnType, Is.EqualTo(TypeSymbol.Int));
            Assert.That(program.Functions[2].Symbol.ReturnType, Is.EqualTo(TypeSymbol.Void));
            Assert.That(program.Expectations, Is.EqualTo(new[]
            {
                new Expectation(ExpectationKind.Printk, "finished initialized buf", 3, null, 27),
                new Expectation(ExpectationKind.Oops, "stack_guard", -1, "rstack", 28),
                new Expectation(ExpectationKind.NoFault, "", -1, null, 29),
            }));
        }

        [Test]
        public void Step5_RstackShape()
        {
            var program = Support.BindClean(Step5);
            var rstack = program.Functions[0];
            Assert.That(rstack.Symbol.Parameters.Single().Type, Is.EqualTo(TypeSymbol.Int));
            // Locals in declaration order: buf, then the for's i.
            Assert.That(rstack.Locals.Select(l => l.Name), Is.EqualTo(new[] { "buf", "i" }));
            Assert.That(rstack.Locals[0].Type, Is.EqualTo(TypeSymbol.ArrayOf(TypeSymbol.Char, 4096)));
            Assert.That(rstack.Locals[0].Type.Size, Is.EqualTo(4096));

            var statements = rstack.Body.Statements;
            Assert.That(statements.Length, Is.EqualTo(4));
            Assert.That(statements[0], Is.TypeOf<BoundVariableDeclaration>());
            var loop = (BoundFor)statements[1];
            // buf[i] = 0  =>  *(buf + (long)i) = (char)0, with buf decayed to &buf.
            var assignment = (BoundAssignment)((BoundExpressionStatement)loop.Body).Expression;
            var target = (BoundDereference)assignment.Target;
            Assert.That(target.Type, Is.EqualTo(TypeSymbol.Char));
            var add = (BoundBinary)target.Pointer;
            Assert.That(add.Operator, Is.EqualTo(BoundBinaryOperator.Add));
            Assert.That(add.Type, Is.EqualTo(TypeSymbol.PointerTo(TypeSymbol.Char)));
            var decayed = (BoundAddressOf)add.Left;
            Assert.That(decayed.Operand, Is.TypeOf<BoundArrayVariable>());
            var index = (BoundConversion)add.Right;
            Assert.That(index.Type, Is.EqualTo(TypeSymbol.Long));
            Assert.That(((BoundVariable)index.Operand).Variable.Name, Is.EqualTo("i"));
            var zero = (BoundLiteral)assignment.Value;
            Assert.That(zero.Type, Is.EqualTo(TypeSymbol.Char));
            Assert.That(zero.Value, Is.EqualTo(0));

            // printk(fmt, buf): the array argument decays; the callee is the kernel's printk (_printk on 6.1).
            var call = (BoundCall)((BoundExpressionStatement)statements[2]).Expression;
            Assert.That(call.Function.Kind, Is.EqualTo(FunctionKind.Kernel));
            Assert.That(call.Function.IsVariadic, Is.True);
            Assert.That(call.Function.LinkName, Is.EqualTo("_printk"));
            Assert.That(call.Arguments[0], Is.TypeOf<BoundStringLiteral>());
            Assert.That(System.Text.Encoding.ASCII.GetString(((BoundStringLiteral)call.Arguments[0]).Bytes.ToArray()),
                Is.EqualTo("[%px] finished initialized buf.\n"));
            Assert.That(call.Arguments[1], Is.TypeOf<BoundAddressOf>());

            // rstack(n - 1)
            var @if = (BoundIf)statements[3];
            var recursive = (BoundCall)((BoundExpressionStatement)@if.Then).Expression;
            Assert.That(recursive.Function, Is.SameAs(rstack.Symbol));
        }

        [Test]
        public void Step5_StatementSpansCoverStatements()
        {
            var program = Support.BindClean(Step5);
            var source = new KDsl.Text.SourceText("t", Step5);
            var rstack = program.Functions[0];
            Assert.That(source.ToString(rstack.Body.Statements[0].Span), Is.EqualTo("char buf[BUF];"));
            Assert.That(source.ToString(rstack.Body.Statements[2].Span), Is.EqualTo("printk(\"[%px] finished initialized buf.\\n\", buf);"));
            Assert.That(source.GetLineIndex(rstack.Body.Statements[1].Span.Start) + 1, Is.EqualTo(13));
            Assert.That(source.ToString(rstack.Span).StartsWith("void rstack(int n) {"), Is.True);
            Assert.That(source.ToString(rstack.Span).EndsWith("}"), Is.True);
            Assert.That(source.ToString(rstack.Symbol.NameSpan), Is.EqualTo("rstack"));
        }

        [Test]
        public void Compile_WithErrors_ReturnsDiagnosticsAndNoImage()
        {
            var result = Compiler.Compile("bad.kdsl", Step5.Replace("rstack(100);", "rstack(undefined_name);"));
            Assert.That(result.Image, Is.Null);
            Assert.That(result.Diagnostics.Single().Id, Is.EqualTo("KDSL0100"));
            Assert.That(result.Diagnostics.Single().Location.Path, Is.EqualTo("bad.kdsl"));
            Assert.That(result.Diagnostics.Single().ToString(), Does.StartWith("bad.kdsl(22,12): error KDSL0100: "));
        }

        public const string EveryFeature = @"module features ""every construct of the language"";
config { profile = linux-4.11; thread_size = 8K; vmap_stack = on; hash_pointers = on; }
const N = 16;
const BIG = N * 2 + (1 << 12);

long sum(long *p, int n) {
    long total = 0;
    int i;
    for (i = 0; i < n; ++i)
        total += p[i];
    return total;
}

char *advance(char *p, long k) { return p + k; }

int classify(int x) {
    if (x < 0) return -1;
    else if (x == 0) return 0;
    return 1;
}

void loops(void) {
    int a = 0, b = 10, *pa = &a;
    while (a < b) { a++; if (a == 3) continue; if (a > 7) break; }
    do { b--; } while (b > 5);
    for (;;) break;
    *pa = ~a ^ (b | 3) & 7;
    a <<= 2; a >>= 1; a %= 5; a /= 2; a *= 3; a -= 1; a &= 0xff; a |= 0x10; a ^= 1;
    a = !a || (b && a != b) || a >= b || a <= b;
    char c = 'x';
    c = '\n';
    long l = (long)c + sizeof(long) + sizeof a + sizeof(char *);
    char *s = ""adjacent "" ""strings"";
    long d = (s + 4) - s;
    long addr = (long)s;
    s = (char *)addr;
    s--;
    pa = 0;
}

init {
    long values[N];
    for (int i = 0; i < N; i++) values[i] = i * 2L;
    printk(""sum %ld, big %d, class %d %c %s %08lx %-5d %%\n"", sum(values, N), BIG, classify(-3), 'a', ""str"", 255L, 7);
    char buf[BIG];
    advance(buf, 1);
    loops();
    return 0;
}
";

        [Test]
        public void EveryFeature_BindsWithoutDiagnostics()
        {
            var program = Support.BindClean(EveryFeature);
            Assert.That(program.Config, Is.EqualTo(new ExperimentConfig("linux-4.11", 8192, true, true)));
            Assert.That(program.Functions.Select(f => f.Symbol.Name), Is.EqualTo(new[] { "sum", "advance", "classify", "loops", "init" }));
            var init = Support.Init(program);
            Assert.That(init.Locals.Select(l => l.Name), Is.EqualTo(new[] { "values", "i", "buf" }));
            Assert.That(init.Locals[2].Type.Length, Is.EqualTo(16 * 2 + 4096));
            var loops = program.Functions[3];
            Assert.That(loops.Locals.Select(l => l.Name), Is.EqualTo(new[] { "a", "b", "pa", "c", "l", "s", "d", "addr" }));
        }
    }
}
