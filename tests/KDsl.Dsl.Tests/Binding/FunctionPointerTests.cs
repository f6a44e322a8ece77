using System.Collections.Immutable;
using System.Linq;
using KDsl.Binding;
using KDsl.Symbols;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.Binding
{
    /// <summary>
    /// Function pointers as C declares and calls them (C11 6.7.6.3, 6.5.2.2): `R (*name)(params)` in every place a
    /// declarator goes, a function's name or `&amp;f` as its address, calls through any expression of pointer-to-function
    /// type, and the type checks GCC makes (argument count, incompatible pointer types).
    /// </summary>
    [TestFixture]
    public class FunctionPointerTests
    {
        private const string Functions = @"struct file;
long rd(struct file *f, char *buf, long n) { return n; }
int twice(int x) { return x + x; }
";

        private static TypeSymbol FunctionPointer(TypeSymbol result, params TypeSymbol[] parameters) =>
            TypeSymbol.PointerTo(TypeSymbol.FunctionOf(result, parameters.ToImmutableArray()));

        private static VariableSymbol Local(BoundProgram program, string name) =>
            Support.Init(program).Body.Statements.OfType<BoundVariableDeclaration>().Single(d => d.Variable.Name == name).Variable;

        [Test]
        public void Declarators_HaveCsTypes()
        {
            var program = Support.BindClean(Support.Header + Functions + @"typedef int (*handler_t)(int);
init {
    int (*fp)(int) = twice;
    handler_t h = &twice;
    int (*table[4])(int);
    char *(*get)(long);
    int (**pp)(int) = &fp;
}
");
            var intToInt = FunctionPointer(TypeSymbol.Int, TypeSymbol.Int);
            Assert.That(Local(program, "fp").Type, Is.EqualTo(intToInt));
            Assert.That(Local(program, "fp").Type.ToString(), Is.EqualTo("int (*)(int)"));
            Assert.That(Local(program, "h").Type, Is.EqualTo(intToInt));
            Assert.That(Local(program, "table").Type, Is.EqualTo(TypeSymbol.ArrayOf(intToInt, 4)));
            Assert.That(Local(program, "table").Type.Size, Is.EqualTo(32));
            Assert.That(Local(program, "get").Type, Is.EqualTo(FunctionPointer(TypeSymbol.PointerTo(TypeSymbol.Char), TypeSymbol.Long)));
            Assert.That(Local(program, "pp").Type, Is.EqualTo(TypeSymbol.PointerTo(intToInt)));
        }

        [Test]
        public void AnOpsStruct_LaysOutItsPointersAsGccDoes()
        {
            // struct ops { char tag; long (*read)(struct file *, char *, long); int (*release)(int); }: gcc -O2 puts read at 8,
            // release at 16, size 24 (a pointer's alignment is 8 whatever it points to)
            var program = Support.BindClean(Support.Header + Functions + @"struct ops { char tag; long (*read)(struct file *, char *, long); int (*release)(int); };
init { printk(""%ld %ld %ld\n"", offsetof(struct ops, read), offsetof(struct ops, release), sizeof(struct ops)); }
");
            var args = ((BoundCall)((BoundExpressionStatement)Support.Init(program).Body.Statements[0]).Expression).Arguments;
            Assert.That(args.Skip(1).Select(a => ((BoundLiteral)a).Value), Is.EqualTo(new long[] { 8, 16, 24 }));
        }

        [Test]
        public void ACallThroughAPointer_IsIndirect_WithArgumentsConvertedToItsParameters()
        {
            var program = Support.BindClean(Support.Header + Functions + @"struct ops { long (*read)(struct file *, char *, long); };
struct ops o = { .read = rd };
init { char c; int (*fp)(int) = twice; fp('a'); (*fp)(1); o.read(0, &c, 1); }
");
            var calls = Support.Init(program).Body.Statements.OfType<BoundExpressionStatement>().Select(s => (BoundCall)s.Expression).ToList();
            Assert.That(calls, Has.Count.EqualTo(3));
            Assert.That(calls.All(c => c.Function.Kind == FunctionKind.Pointer && c.Callee is not null), Is.True);
            Assert.That(calls[0].Arguments[0].Type, Is.EqualTo(TypeSymbol.Int), "the char argument converts to the parameter's int");
            Assert.That(calls[0].Type, Is.EqualTo(TypeSymbol.Int));
            Assert.That(calls[2].Type, Is.EqualTo(TypeSymbol.Long));
        }

        [Test]
        public void AFunctionAsAParameter()
        {
            var program = Support.BindClean(Support.Header + Functions + @"int apply(int (*cb)(int), int v) { return cb(v); }
init { apply(twice, 2); }
");
            var apply = program.Functions.Single(f => f.Symbol.Name == "apply");
            Assert.That(apply.Symbol.Parameters[0].Type, Is.EqualTo(FunctionPointer(TypeSymbol.Int, TypeSymbol.Int)));
        }

        [Test]
        public void AnUnnamedFunctionPointerType_CastsAndSizes()
        {
            var program = Support.BindClean(Support.Header + Functions + @"
init { long raw = (long)twice; int (*fp)(int) = (int (*)(int))raw; printk(""%ld %d\n"", sizeof(int (*)(int)), fp(1)); }
");
            var declaration = Support.Init(program).Body.Statements.OfType<BoundVariableDeclaration>().Single(d => d.Variable.Name == "fp");
            Assert.That(declaration.Initializer!.Type, Is.EqualTo(FunctionPointer(TypeSymbol.Int, TypeSymbol.Int)));
            var printk = (BoundCall)((BoundExpressionStatement)Support.Init(program).Body.Statements.Last()).Expression;
            Assert.That(((BoundLiteral)printk.Arguments[1]).Value, Is.EqualTo(8));
        }

        [TestCase("int (*pick(int i))(int) { return twice; }\ninit { }\n", "(*pick(int i))(")] // GCC accepts it; KDsl asks for a typedef
        [TestCase("init { int (*fp)(int, ...) = 0; }\n", "...")]
        public void UnsupportedFunctionPointerForms_AreOneErrorEach(string code, string at)
        {
            string text = Support.Header + Functions + code;
            Support.BindAll(text, out var diagnostics);
            var d = diagnostics.Single();
            Assert.That(d.Id, Is.EqualTo("KDSL0136"), d.ToString());
            Assert.That(d.Location.Span.Start, Is.EqualTo(text.IndexOf(at, System.StringComparison.Ordinal)), d.ToString());
        }

        [Test]
        public void TheFunctionAPointerDesignates_IsNotAssignable() =>
            // GCC: "lvalue required as left operand of assignment"
            Support.AssertDiagnostics(Support.Header + Functions + "init { int (*fp)(int) = twice; [*fp] = 0; }\n", "KDSL0107");

        [Test]
        public void WrongArgumentCount_ThroughAPointer_IsReported() =>
            Support.AssertDiagnostics(Support.Header + Functions + "init { int (*fp)(int) = twice; [fp(1, 2)]; }\n", "KDSL0104");

        [Test]
        public void AnIncompatibleFunctionPointer_NeedsACast() =>
            // GCC: "initialization of 'int (*)(int)' from incompatible pointer type 'long int (*)(struct file *, char *, long int)'"
            Support.AssertDiagnostics(Support.Header + Functions + "init { int (*fp)(int) = [rd]; int (*null)(int) = 0; }\n", "KDSL0105");

        [Test]
        public void ANonPointerCalled_IsReported() =>
            Support.AssertDiagnostics(Support.Header + "init { long p = 0; [p](1); [(p + 1)](2); }\n", "KDSL0103", "KDSL0103");

        [Test]
        public void ByValueStructReturn_InAFunctionPointerType_IsNotSupported() =>
            Support.AssertDiagnostics(Support.Header + "struct s { int a; };\ninit { struct s [(*fp)(void)]; }\n", "KDSL0136");
    }
}
