using System.Linq;
using KDsl.Syntax;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.Syntax
{
    public class ParserTests
    {
        private static ExpressionSyntax ParseInitExpression(string expression)
        {
            var tree = SyntaxTree.Parse("module m \"d\"; init { " + expression + "; }");
            Assert.That(tree.Diagnostics, Is.Empty, string.Join("\n", tree.Diagnostics));
            var init = tree.Root.Members.OfType<EntryBlockSyntax>().Single();
            return ((ExpressionStatementSyntax)init.Body.Statements.Single()).Expression;
        }

        [Test]
        public void Precedence_MultiplicationBindsTighter()
        {
            var e = (BinaryExpressionSyntax)ParseInitExpression("1 + 2 * 3");
            Assert.That(e.OperatorToken.Kind, Is.EqualTo(SyntaxKind.PlusToken));
            Assert.That(((BinaryExpressionSyntax)e.Right).OperatorToken.Kind, Is.EqualTo(SyntaxKind.StarToken));
        }

        [Test]
        public void Precedence_LeftAssociative()
        {
            var e = (BinaryExpressionSyntax)ParseInitExpression("8 - 4 - 2");
            Assert.That(e.Left, Is.TypeOf<BinaryExpressionSyntax>());
            Assert.That(e.Right, Is.TypeOf<LiteralExpressionSyntax>());
        }

        [TestCase("a || b && c", SyntaxKind.PipePipeToken)]
        [TestCase("a & b == c", SyntaxKind.AmpersandToken)]
        [TestCase("a | b ^ c & d", SyntaxKind.PipeToken)]
        [TestCase("a << 1 < b", SyntaxKind.LessToken)]
        [TestCase("a + 1 << 2", SyntaxKind.LessLessToken)]
        [TestCase("a == b != c", SyntaxKind.BangEqualsToken)]
        public void Precedence_TopOperator(string text, SyntaxKind top)
        {
            Assert.That(((BinaryExpressionSyntax)ParseInitExpression(text)).OperatorToken.Kind, Is.EqualTo(top));
        }

        [Test]
        public void Assignment_IsRightAssociative()
        {
            var e = (AssignmentExpressionSyntax)ParseInitExpression("a = b += 3");
            Assert.That(((NameExpressionSyntax)e.Left).Identifier.Text, Is.EqualTo("a"));
            Assert.That(((AssignmentExpressionSyntax)e.Right).OperatorToken.Kind, Is.EqualTo(SyntaxKind.PlusEqualsToken));
        }

        [Test]
        public void Cast_VersusParenthesized()
        {
            var cast = (CastExpressionSyntax)ParseInitExpression("(char *)p");
            Assert.That(cast.Type.Keyword.Kind, Is.EqualTo(SyntaxKind.CharKeyword));
            Assert.That(cast.Type.Stars.Length, Is.EqualTo(1));
            Assert.That(ParseInitExpression("(p)"), Is.TypeOf<ParenthesizedExpressionSyntax>());
        }

        [Test]
        public void Sizeof_TypeAndExpression()
        {
            Assert.That(ParseInitExpression("sizeof(long *)"), Is.TypeOf<SizeofTypeExpressionSyntax>());
            Assert.That(ParseInitExpression("sizeof x"), Is.TypeOf<SizeofExpressionSyntax>());
            Assert.That(((SizeofExpressionSyntax)ParseInitExpression("sizeof(x)")).Operand, Is.TypeOf<ParenthesizedExpressionSyntax>());
        }

        [Test]
        public void Postfix_And_Prefix()
        {
            var e = (UnaryExpressionSyntax)ParseInitExpression("-p[1]++");
            Assert.That(e.OperatorToken.Kind, Is.EqualTo(SyntaxKind.MinusToken));
            var postfix = (PostfixExpressionSyntax)e.Operand;
            Assert.That(postfix.Operand, Is.TypeOf<IndexExpressionSyntax>());
        }

        [Test]
        public void AdjacentStrings_Concatenate()
        {
            var s = (StringExpressionSyntax)ParseInitExpression("\"ab\" \"c\"\n \"d\"");
            Assert.That(System.Text.Encoding.ASCII.GetString(s.Bytes.ToArray()), Is.EqualTo("abcd"));
        }

        [Test]
        public void Declaration_SeveralDeclarators()
        {
            var tree = SyntaxTree.Parse("module m \"d\"; init { int a = 1, *p, buf[4]; }");
            Assert.That(tree.Diagnostics, Is.Empty);
            var decl = (DeclarationStatementSyntax)tree.Root.Members.OfType<EntryBlockSyntax>().Single().Body.Statements.Single();
            Assert.That(decl.Declarators.Select(d => d.Identifier.Text), Is.EqualTo(new[] { "a", "p", "buf" }));
            Assert.That(decl.Declarators[1].Stars.Length, Is.EqualTo(1));
            Assert.That(decl.Declarators[2].Size, Is.Not.Null);
        }

        [Test]
        public void ConfigValue_IsRawText()
        {
            var tree = SyntaxTree.Parse("module m \"d\"; config { profile = linux-6.1; thread_size = 16K; }");
            Assert.That(tree.Diagnostics, Is.Empty);
            var config = tree.Root.Members.OfType<ConfigBlockSyntax>().Single();
            Assert.That(config.Entries.Select(e => e.Value), Is.EqualTo(new[] { "linux-6.1", "16K" }));
        }

        [Test]
        public void Recovery_SeveralErrorsInOnePass()
        {
            Support.AssertDiagnostics(@"module t ""x"";
init {
    int a = [;]
    a = a [1] 2;
    printk(""x""
[}]
", "KDSL0009", "KDSL0008", "KDSL0008");
        }

        [Test]
        public void Recovery_ErrorsHaveExactLineAndColumn()
        {
            var text = "module t \"x\";\ninit {\n    int a = ;\n    a = a 1;\n}\n";
            Compiler.Bind("t.kdsl", text, null, out var diagnostics);
            Assert.That(diagnostics.Select(d => (d.Location.Line, d.Location.Column)),
                Is.EqualTo(new[] { (3, 13), (4, 11) }));
            Assert.That(diagnostics[0].Message, Is.EqualTo("expected an expression, found ';'"));
            Assert.That(diagnostics[1].Message, Is.EqualTo("expected ';', found number '1'"));
        }

        [Test]
        public void Recovery_MissingSemicolonAtEndOfLine_DoesNotSwallowNextStatement()
        {
            Support.AssertDiagnostics(@"module t ""x"";
init {
    int a = 1
    [a] = 2;
    a = undefined_thing;
}
".Replace("undefined_thing", "[undefined_thing]"), "KDSL0008", "KDSL0100");
        }

        [Test]
        public void Recovery_TopLevelJunkReportedOnce()
        {
            Support.AssertDiagnostics(@"module t ""x"";
[garbage] tokens here ; 42 ) )
init { }
", "KDSL0011");
        }

        [Test]
        public void Recovery_MissingCloseParenInSignature()
        {
            Support.AssertDiagnostics(@"module t ""x"";
void f(int a [{]
}
init { f(1); }
", "KDSL0008");
        }

        [Test]
        public void Recovery_MissingCloseBraceBeforeInit()
        {
            Support.AssertDiagnostics(@"module t ""x"";
void f(int a) {
    a = 1;
[init] { f(1); }
", "KDSL0008");
        }

        [Test]
        public void Recovery_UnknownExpectationThenValidOne()
        {
            var text = AnnotatedText.Parse(@"module t ""x"";
init { }
expect {
    [blah] 1 2;
    no fault;
}
");
            var program = Support.BindAll(text.Text, out var diagnostics);
            Assert.That(diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "KDSL0014" }));
            Assert.That(diagnostics[0].Location.Span, Is.EqualTo(text.Spans[0]));
            Assert.That(program.Expectations.Single().Kind, Is.EqualTo(KDsl.Image.ExpectationKind.NoFault));
        }

        [Test]
        public void Recovery_ConfigWithoutValue()
        {
            Support.AssertDiagnostics(@"module t ""x"";
config { profile = [;] thread_size = 8K; }
init { }
", "KDSL0013");
        }

        [Test]
        public void InvalidNumberInExpression_IsReported()
        {
            Support.AssertDiagnostics(@"module t ""x"";
init { long a = [16K]; long b = [1.5]; long c = [99999999999999999999]; }
", "KDSL0006", "KDSL0006", "KDSL0007");
        }

        [Test]
        public void CallOfAValueThatIsNotAFunctionPointer_IsReported()
        {
            // GCC: "called object is not a function or function pointer"
            Support.AssertDiagnostics(@"module t ""x"";
init { int a = 0; [(a)](1); }
", "KDSL0103");
        }
    }
}
