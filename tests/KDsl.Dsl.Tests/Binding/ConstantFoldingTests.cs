using System.Linq;
using KDsl.Binding;
using KDsl.Symbols;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.Binding
{
    public class ConstantFoldingTests
    {
        private static BoundLiteral Fold(string expression)
        {
            var program = Support.BindClean(Support.InInit("long x = 0;\nx = " + expression + ";"));
            var assignment = (BoundAssignment)((BoundExpressionStatement)Support.Init(program).Body.Statements.Last()).Expression;
            var value = assignment.Value is BoundLiteral l ? l : null;
            Assert.That(value, Is.Not.Null, "not folded: " + assignment.Value.GetType().Name);
            return value!;
        }

        [TestCase("1 + 2 * 3", 7L)]
        [TestCase("(1 + 2) * 3", 9L)]
        [TestCase("1 << 12", 4096L)]
        [TestCase("4096 >> 3", 512L)]
        [TestCase("7 / 2", 3L)]
        [TestCase("-7 / 2", -3L)]
        [TestCase("-7 % 2", -1L)]
        [TestCase("0xf0 | 0x0f", 255L)]
        [TestCase("0xff & ~0x0f", 240L)]
        [TestCase("5 ^ 3", 6L)]
        [TestCase("3 < 5", 1L)]
        [TestCase("3 >= 5", 0L)]
        [TestCase("2 == 2", 1L)]
        [TestCase("2 != 2", 0L)]
        [TestCase("!0", 1L)]
        [TestCase("!7", 0L)]
        [TestCase("1 && 0", 0L)]
        [TestCase("0 || 3", 1L)]
        [TestCase("-(-5)", 5L)]
        [TestCase("sizeof(long) * 2", 16L)]
        [TestCase("(char)255", -1L)]
        [TestCase("'A' + 1", 66L)]
        public void Folds(string expression, long expected)
        {
            Assert.That(Fold(expression).Value, Is.EqualTo(expected));
        }

        [Test]
        public void IntArithmetic_WrapsAt32Bits()
        {
            // Folded in int (both operands int), then converted to long for the assignment.
            Assert.That(Fold("2147483647 + 1").Value, Is.EqualTo(-2147483648L));
            Assert.That(Fold("65536 * 65536").Value, Is.EqualTo(0L));
            Assert.That(Fold("65536L * 65536").Value, Is.EqualTo(4294967296L));
        }

        [Test]
        public void NegatedLargeLiteral_IsLong()
        {
            Assert.That(Fold("-2147483648").Value, Is.EqualTo(-2147483648L));
        }

        [Test]
        public void Const_FoldsAndTypes()
        {
            var program = Support.BindClean(Support.Header + "const A = 1 << 12;\nconst B = A * 2;\nconst C = 0x100000000;\ninit { long x = B; long y = C; char buf[A + B]; }\n");
            var init = Support.Init(program);
            var x = (BoundLiteral)((BoundVariableDeclaration)init.Body.Statements[0]).Initializer!;
            Assert.That(x.Value, Is.EqualTo(8192));
            Assert.That(x.Type, Is.EqualTo(TypeSymbol.Long)); // the int constant converted for the long variable
            var y = (BoundLiteral)((BoundVariableDeclaration)init.Body.Statements[1]).Initializer!;
            Assert.That(y.Value, Is.EqualTo(4294967296L));
            Assert.That(init.Locals[2].Type, Is.EqualTo(TypeSymbol.ArrayOf(TypeSymbol.Char, 4096 + 8192)));
        }

        [Test]
        public void ConstantUse_IsLiteralOfConstType()
        {
            var program = Support.BindClean(Support.Header + "const N = 10;\ninit { printk(\"%d\\n\", N); }\n");
            var call = (BoundCall)((BoundExpressionStatement)Support.Init(program).Body.Statements[0]).Expression;
            var n = (BoundLiteral)call.Arguments[1];
            Assert.That((n.Value, n.Type), Is.EqualTo((10L, TypeSymbol.Int)));
        }

        [Test]
        public void DivisionByConstantZero_IsWarningAndNotFolded()
        {
            var program = Compiler.Bind("t.kdsl", Support.InInit("int x = 1 / 0;"), null, out var diagnostics);
            Assert.That(program, Is.Not.Null);
            Assert.That(diagnostics.Single().Id, Is.EqualTo("KDSL0126"));
            Assert.That(diagnostics.Single().Severity, Is.EqualTo(KDsl.Diagnostics.DiagnosticSeverity.Warning));
            var init = (BoundVariableDeclaration)Support.Init(program!).Body.Statements[0];
            Assert.That(init.Initializer, Is.TypeOf<BoundBinary>());
        }

        [Test]
        public void ConstWithNonConstantValue_IsError()
        {
            Support.AssertDiagnostics(Support.Header + "int f(void) { return 1; }\nconst A = [f()];\ninit { }\n", "KDSL0124");
        }
    }
}
