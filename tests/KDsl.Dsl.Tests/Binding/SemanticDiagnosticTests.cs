using System.Linq;
using KDsl.Diagnostics;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.Binding
{
    public class SemanticDiagnosticTests
    {
        private static void InInit(string annotatedStatements, params string[] ids) =>
            Support.AssertDiagnostics(Support.InInit(annotatedStatements), ids);

        [Test] public void UndefinedName() => InInit("int a = [b];", "KDSL0100");
        [Test] public void UndefinedFunction() => InInit("[nope](1, 2);", "KDSL0101");
        [Test] public void Redeclaration_SameScope() => InInit("int a; long [a];", "KDSL0102");
        [Test] public void Redeclaration_ParameterInBody() => Support.AssertDiagnostics(Support.Header + "void f(int a) { int [a]; }\ninit { }\n", "KDSL0102");
        [Test] public void Redeclaration_Function() => Support.AssertDiagnostics(Support.Header + "void f(void) { }\nint [f](void) { return 0; }\ninit { }\n", "KDSL0102");
        [Test] public void Redeclaration_Printk() => Support.AssertDiagnostics(Support.Header + "void [printk](void) { }\ninit { }\n", "KDSL0102");
        [Test] public void NotAFunction() => InInit("int a; [a](1);", "KDSL0103");
        [Test] public void FunctionUsedAsValue() => Support.AssertDiagnostics(Support.Header + "init { long x = [printk]; }\n", "KDSL0131");

        [Test]
        public void WrongArgumentCount() =>
            Support.AssertDiagnostics(Support.Header + "void f(int a, int b) { }\ninit { [f(1)]; [printk()]; }\n", "KDSL0104", "KDSL0104");

        [Test]
        public void WrongArgumentType() =>
            Support.AssertDiagnostics(Support.Header + "void f(char *p) { }\ninit { long x = 5; f([x]); long *q = 0; f([q]); }\n", "KDSL0105", "KDSL0105");

        [Test] public void PointerToIntegerWithoutCast() => InInit("char *p = 0; long a = [p];", "KDSL0105");
        [Test] public void AssignToNonLvalue() => InInit("int a; [a + 1] = 2; [3]++;", "KDSL0107", "KDSL0107");
        [Test] public void AssignToArray() => InInit("char buf[4]; char *p = 0; ⟦buf⟧ = p;", "KDSL0107");
        [Test] public void AddressOfRvalue() => InInit("int a; long *p = (long *)&[(a + 1)];", "KDSL0108");
        [Test] public void DereferenceNonPointer() => InInit("int a; int b = *[a];", "KDSL0109");
        [Test] public void DereferenceVoidPointer() => InInit("void *v = 0; int b = [*v];", "KDSL0132");
        [Test] public void IndexNonPointer() => InInit("int a; int b = ⟦a⟧[0];", "KDSL0110");

        [Test]
        public void VoidValueUsed() =>
            Support.AssertDiagnostics(Support.Header + "void f(void) { }\ninit { int x = [f()]; }\n", "KDSL0111");

        [Test] public void BreakOutsideLoop() => InInit("[break];", "KDSL0112");
        [Test] public void ContinueOutsideLoop() => InInit("if (1) { [continue]; }", "KDSL0113");
        [Test] public void BreakInsideLoop_IsFine() => InInit("while (1) { if (1) break; continue; }");

        [Test]
        public void ReturnValueInVoidFunction() =>
            Support.AssertDiagnostics(Support.Header + "void f(void) { return [1]; }\ninit { }\nexit { return [2]; }\n", "KDSL0114", "KDSL0114");

        [Test]
        public void MissingReturnValue() =>
            Support.AssertDiagnostics(Support.Header + "int f(void) { [return;] }\ninit { }\n", "KDSL0115");

        [Test] public void ArraySizeNotConstant() => InInit("int n = 4; char buf[⟦n⟧];", "KDSL0116");
        [Test] public void ArraySizeNotPositive() => InInit("char a[⟦0⟧]; char b[⟦-4⟧];", "KDSL0117", "KDSL0117");
        [Test] public void ArrayTooLarge() => InInit("long a[⟦1L << 40⟧];", "KDSL0123");
        [Test] public void ArrayInitializer() => InInit("char a[4] = ⟦0⟧;", "KDSL0121");
        // GCC's words for the same declarations (gcc -c: "error: both 'long' and 'short' in declaration specifiers", ...).
        [Test] public void ShortLong_IsInvalid() => InInit("⟦short long⟧ x;", "KDSL0134");
        [Test] public void SignedUnsigned_IsInvalid() => InInit("⟦unsigned signed int⟧ x;", "KDSL0134");
        [Test] public void TypeNameWithKeyword_IsInvalid() => InInit("long *p = (⟦u32 long⟧ *)0;", "KDSL0134");
        [Test] public void KernelC_SpecifierOrders_AreValid() =>
            InInit("long unsigned int a; int long b; const char *s = \"x\"; unsigned c; signed short d; long long e; volatile u64 f;");
        [Test] public void AssignToConst() => InInit("const int k = 3; ⟦k⟧ = 4; ⟦k⟧++; const char *s = 0; s = 0;", "KDSL0135", "KDSL0135");
        private const string Records = "struct s { int a; char name[8]; };\n";
        [Test] public void NoSuchMember() => Support.AssertDiagnostics(Support.Header + Records + "init { struct s x; x.⟦b⟧ = 1; }\n", "KDSL0138");
        [Test] public void MemberOfNonRecord() => InInit("int i = 0; int j = i.⟦a⟧;", "KDSL0138");
        [Test] public void ArrowOnNonPointer() => InInit("int i = 0; int j = i⟦->⟧a;", "KDSL0138");
        [Test] public void IncompleteRecordVariable() => InInit("struct nope *p = 0; struct nope ⟦x⟧;", "KDSL0137");
        [Test] public void IncompleteRecordMember() => InInit("struct nope *p = 0; int j = ⟦p⟧->a;", "KDSL0137");
        [Test] public void DuplicateMember() => Support.AssertDiagnostics(Support.Header + "struct d { int a; long ⟦a⟧; };\ninit { }\n", "KDSL0102");
        [Test] public void RecordRedefinition() => Support.AssertDiagnostics(Support.Header + Records + "struct ⟦s⟧ { int b; };\ninit { }\n", "KDSL0102");
        [Test] public void WrongKindOfTag() => Support.AssertDiagnostics(Support.Header + Records + "init { union ⟦s⟧ *u = 0; }\n", "KDSL0102");
        [Test] public void WholeStructAssignment_IsOneNotSupportedError() =>
            Support.AssertDiagnostics(Support.Header + Records + "init { struct s x; struct s y; ⟦x⟧ = y; }\n", "KDSL0136");
        [Test] public void StructByValueParameter_IsNotSupported() =>
            Support.AssertDiagnostics(Support.Header + Records + "void f(⟦struct s⟧ v) { }\ninit { struct s x; x.a = 1; f(0); }\n", "KDSL0136");
        [Test] public void StructPassedAsArgument_IsNotSupported() =>
            Support.AssertDiagnostics(Support.Header + Records + "void f(long v) { }\ninit { struct s x; f(⟦x⟧); }\n", "KDSL0136");
        [Test] public void RecordsOfKernelC_Bind() =>
            Support.BindClean(Support.Header + Records +
                "struct list { struct list *next, *prev; };\nunion u { long l; struct s inner; };\n" +
                "struct s *get(struct s *p) { return p; }\ninit { struct s x; union u v; struct list l; l.next = &l; v.inner.name[1] = 'a'; get(&x)->a = sizeof(struct s) + sizeof v; }\n");
        [Test] public void EnumeratorRedeclared() => Support.AssertDiagnostics(Support.Header + "enum a { X, Y };\nenum b { ⟦X⟧ };\ninit { }\n", "KDSL0102");
        [Test] public void TypedefRedefinedToAnotherType() =>
            Support.AssertDiagnostics(Support.Header + "typedef int t;\ntypedef int t;\ntypedef long ⟦t⟧;\ninit { t x = 1; }\n", "KDSL0102");
        [Test] public void OffsetofUnknownMember() => Support.AssertDiagnostics(Support.Header + Records + "init { long o = offsetof(struct s, ⟦zz⟧); }\n", "KDSL0138");
        [Test] public void IncludeOfAKernelHeader_IsANoOp_OthersAreNotSupported() =>
            Support.AssertDiagnostics(Support.Header + "#include <linux/module.h>\n  #include <asm/page.h> // ok\n⟦#include <stdio.h>⟧\ninit { }\n", "KDSL0136");
        [Test] public void FunctionLikeMacroAndConditionals_AreNotSupported() =>
            Support.AssertDiagnostics(Support.Header + "⟦#define SQ(x) ((x) * (x))⟧\n⟦#ifdef CONFIG_X⟧\n#define N 4\ninit { char b[N]; }\n", "KDSL0136", "KDSL0136");
        // switch and goto compile; their errors are gcc's (gcc -c on the same C).
        [Test] public void SwitchAndGoto_Compile() =>
            InInit("int x = 1; switch (x) { case 1: x++; break; default: { x--; } } goto out; x = 3; out: x++;");
        [Test] public void CaseOutsideSwitch() => InInit("int x = 1; ⟦case⟧ 1: x++;", "KDSL0150");
        [Test] public void DuplicateCaseValue() => InInit("int x = 1; switch (x) { case 1: case ⟦2 - 1⟧: break; }", "KDSL0150");
        [Test] public void NonConstantCase() => InInit("int x = 1, y = 2; switch (x) { case ⟦y⟧: break; }", "KDSL0150");
        [Test] public void MultipleDefaults() => InInit("int x = 1; switch (x) { default: break; ⟦default⟧: break; }", "KDSL0150");
        [Test] public void SwitchOnAPointer() => InInit("char *p = 0; switch (⟦p⟧) { default: break; }", "KDSL0150");
        [Test] public void UndefinedLabel() => InInit("goto ⟦nowhere⟧;", "KDSL0151");
        [Test] public void DuplicateLabel() => InInit("out: ; ⟦out⟧: ;", "KDSL0151");
        [Test] public void ContinueInASwitchOutsideALoop() => InInit("int x = 1; switch (x) { default: ⟦continue⟧; }", "KDSL0113");
        [Test] public void ReturnLocalAddress_WarnsAsGcc() =>
            Support.AssertDiagnostics(Support.Header + "char *f(void) { char buf[16]; return ⟦buf⟧; }\nint *g(int x) { return ⟦&x⟧; }\nchar *h(char *p) { return p; }\ninit { }\n",
                "KDSL0139", "KDSL0139");
        [Test] public void VoidVariable() => InInit("void [v];", "KDSL0122");
        [Test] public void VoidParameter() => Support.AssertDiagnostics(Support.Header + "void f([void] x) { }\ninit { }\n", "KDSL0127");
        [Test] public void InvalidOperands() => InInit("char *p = 0; char *q = 0; long x = (long)(p [+] q);", "KDSL0118");
        [Test] public void InvalidUnaryOperand() => InInit("char *p = 0; long x = (long)[-]p;", "KDSL0119");
        [Test] public void ConditionNotScalar() => Support.AssertDiagnostics(Support.Header + "void f(void) { }\ninit { if ([f()]) { } }\n", "KDSL0111");
        [Test] public void InvalidCast() => InInit("int a; long b = [(void)a];", "KDSL0106");

        [Test]
        public void PrintkFormatMustBeLiteral() => InInit("char *fmt = \"x\"; printk([fmt]);", "KDSL0128");

        [Test]
        public void PrintkArgumentCountMismatch_IsWarning()
        {
            InInit("[printk(\"%d %s\\n\", 1)];", "KDSL0129");
            var program = Compiler.Bind("t.kdsl", Support.InInit("printk(\"%d\\n\", 1, 2);"), null, out var diagnostics);
            Assert.That(program, Is.Not.Null, "a warning does not fail binding");
            Assert.That(diagnostics.Single().Severity, Is.EqualTo(DiagnosticSeverity.Warning));
            Assert.That(diagnostics.Single().Message, Is.EqualTo("the printk format uses 1 argument, but 2 were given"));
        }

        [TestCase("\"%d %i %u %x %X %c\\n\", 1, 2, 3, 4, 5, 'c'")]
        [TestCase("\"%lx %ld %lu %llx %lld %llu %zu %zd\\n\", 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L")]
        [TestCase("\"%s %p %px %pS %%\\n\", \"s\", 0L, 0L, 0L")]
        [TestCase("\"%08lx %-5d %*d %.3s\\n\", 1L, 2, 8, 3, \"abcd\"")]
        [TestCase("\"no conversions, 100%% sure\\n\"")]
        public void PrintkFormats_Accepted(string arguments) => InInit("printk(" + arguments + ");");

        [Test]
        public void PrintkUnknownConversion_IsWarning() => InInit("printk([\"%q\\n\"], 1);", "KDSL0130");

        [Test]
        public void ConstantIndexOutsideArray_IsWarning()
        {
            InInit("char buf[16]; buf[⟦16⟧] = 1; buf[⟦-1⟧] = 2; buf[15] = 3;", "KDSL0125", "KDSL0125");
            var program = Compiler.Bind("t.kdsl", Support.Header + "const BUF = 8;\ninit { char buf[BUF]; buf[BUF] = 0; }\n", null, out var diagnostics);
            Assert.That(program, Is.Not.Null);
            Assert.That(diagnostics.Single().Severity, Is.EqualTo(DiagnosticSeverity.Warning));
        }

        [Test] public void MissingModuleHeader() => Support.AssertDiagnostics("[]init { }\n", "KDSL0140");
        [Test] public void ModuleHeaderNotFirst() => Support.AssertDiagnostics("const A = 1;\n[module] m \"d\";\ninit { }\n", "KDSL0141");
        [Test] public void DuplicateModuleHeader() => Support.AssertDiagnostics(Support.Header + "[module] n \"e\";\ninit { }\n", "KDSL0142");
        [Test] public void MissingInit() => Support.AssertDiagnostics("module [m] \"d\";\nvoid f(void) { }\n", "KDSL0143");
        [Test] public void DuplicateInit() => Support.AssertDiagnostics(Support.Header + "init { }\n[init] { }\n", "KDSL0144");
        [Test] public void DuplicateExit() => Support.AssertDiagnostics(Support.Header + "init { }\nexit { }\n[exit] { }\n", "KDSL0145");
        [Test] public void DuplicateConfig() => Support.AssertDiagnostics(Support.Header + "config { }\n[config] { }\ninit { }\n", "KDSL0146");
        [Test] public void SymbolConflict() => Support.AssertDiagnostics("module m \"d\";\nvoid [m_init](void) { }\ninit { }\n", "KDSL0148");

        [Test]
        public void SeveralSemanticErrors_AllReported()
        {
            Support.AssertDiagnostics(Support.Header + @"int f(int a) {
    [b] = a;
    [break];
    return [g](a);
}
init { f(1, [2]); }
".Replace("f(1, [2])", "[f(1, 2)]"), "KDSL0100", "KDSL0112", "KDSL0101", "KDSL0104");
        }

        [Test]
        public void Descriptors_AreUniqueAndCoverReportedIds()
        {
            var ids = DiagnosticDescriptors.All.Select(d => d.Id).ToList();
            Assert.That(ids, Is.Unique);
            Assert.That(ids, Has.All.Match("^KDSL[0-9]{4}$"));
            Assert.That(DiagnosticDescriptors.Find("KDSL0161")!.Title, Does.Contain("config value"));
            Assert.That(DiagnosticDescriptors.Find("KDSL0163"), Is.Null, "retired: vmap_stack = off is modelled");
            Assert.That(DiagnosticDescriptors.Find("KDSL0125")!.DefaultSeverity, Is.EqualTo(DiagnosticSeverity.Warning));
        }
    }
}
