using System.Collections.Generic;
using System.Linq;
using KDsl.Syntax;
using KDsl.Text;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.Syntax
{
    public class LexerTests
    {
        private static List<SyntaxToken> Lex(string text, out IReadOnlyList<KDsl.Diagnostics.Diagnostic> diagnostics)
        {
            var tokens = SyntaxTree.ParseTokens(text, out diagnostics).ToList();
            Assert.That(tokens.Last().Kind, Is.EqualTo(SyntaxKind.EndOfFileToken));
            tokens.RemoveAt(tokens.Count - 1);
            return tokens;
        }

        private static SyntaxToken LexOne(string text)
        {
            var tokens = Lex(text, out var diagnostics);
            Assert.That(diagnostics, Is.Empty);
            Assert.That(tokens, Has.Count.EqualTo(1));
            return tokens[0];
        }

        [TestCase("(", SyntaxKind.OpenParenToken)]
        [TestCase(")", SyntaxKind.CloseParenToken)]
        [TestCase("{", SyntaxKind.OpenBraceToken)]
        [TestCase("}", SyntaxKind.CloseBraceToken)]
        [TestCase("[", SyntaxKind.OpenBracketToken)]
        [TestCase("]", SyntaxKind.CloseBracketToken)]
        [TestCase(";", SyntaxKind.SemicolonToken)]
        [TestCase(",", SyntaxKind.CommaToken)]
        [TestCase(".", SyntaxKind.DotToken)]
        [TestCase("+", SyntaxKind.PlusToken)]
        [TestCase("-", SyntaxKind.MinusToken)]
        [TestCase("*", SyntaxKind.StarToken)]
        [TestCase("/", SyntaxKind.SlashToken)]
        [TestCase("%", SyntaxKind.PercentToken)]
        [TestCase("&", SyntaxKind.AmpersandToken)]
        [TestCase("|", SyntaxKind.PipeToken)]
        [TestCase("^", SyntaxKind.CaretToken)]
        [TestCase("~", SyntaxKind.TildeToken)]
        [TestCase("!", SyntaxKind.BangToken)]
        [TestCase("<", SyntaxKind.LessToken)]
        [TestCase(">", SyntaxKind.GreaterToken)]
        [TestCase("<<", SyntaxKind.LessLessToken)]
        [TestCase(">>", SyntaxKind.GreaterGreaterToken)]
        [TestCase("<=", SyntaxKind.LessEqualsToken)]
        [TestCase(">=", SyntaxKind.GreaterEqualsToken)]
        [TestCase("==", SyntaxKind.EqualsEqualsToken)]
        [TestCase("!=", SyntaxKind.BangEqualsToken)]
        [TestCase("&&", SyntaxKind.AmpersandAmpersandToken)]
        [TestCase("||", SyntaxKind.PipePipeToken)]
        [TestCase("++", SyntaxKind.PlusPlusToken)]
        [TestCase("--", SyntaxKind.MinusMinusToken)]
        [TestCase("=", SyntaxKind.EqualsToken)]
        [TestCase("+=", SyntaxKind.PlusEqualsToken)]
        [TestCase("-=", SyntaxKind.MinusEqualsToken)]
        [TestCase("*=", SyntaxKind.StarEqualsToken)]
        [TestCase("/=", SyntaxKind.SlashEqualsToken)]
        [TestCase("%=", SyntaxKind.PercentEqualsToken)]
        [TestCase("&=", SyntaxKind.AmpersandEqualsToken)]
        [TestCase("|=", SyntaxKind.PipeEqualsToken)]
        [TestCase("^=", SyntaxKind.CaretEqualsToken)]
        [TestCase("<<=", SyntaxKind.LessLessEqualsToken)]
        [TestCase(">>=", SyntaxKind.GreaterGreaterEqualsToken)]
        [TestCase("module", SyntaxKind.ModuleKeyword)]
        [TestCase("config", SyntaxKind.ConfigKeyword)]
        [TestCase("const", SyntaxKind.ConstKeyword)]
        [TestCase("init", SyntaxKind.InitKeyword)]
        [TestCase("exit", SyntaxKind.ExitKeyword)]
        [TestCase("expect", SyntaxKind.ExpectKeyword)]
        [TestCase("void", SyntaxKind.VoidKeyword)]
        [TestCase("char", SyntaxKind.CharKeyword)]
        [TestCase("int", SyntaxKind.IntKeyword)]
        [TestCase("long", SyntaxKind.LongKeyword)]
        [TestCase("if", SyntaxKind.IfKeyword)]
        [TestCase("else", SyntaxKind.ElseKeyword)]
        [TestCase("while", SyntaxKind.WhileKeyword)]
        [TestCase("do", SyntaxKind.DoKeyword)]
        [TestCase("for", SyntaxKind.ForKeyword)]
        [TestCase("break", SyntaxKind.BreakKeyword)]
        [TestCase("continue", SyntaxKind.ContinueKeyword)]
        [TestCase("return", SyntaxKind.ReturnKeyword)]
        [TestCase("sizeof", SyntaxKind.SizeofKeyword)]
        [TestCase("printk", SyntaxKind.IdentifierToken)]
        [TestCase("_x9", SyntaxKind.IdentifierToken)]
        public void SingleToken(string text, SyntaxKind kind)
        {
            var token = LexOne(text);
            Assert.That(token.Kind, Is.EqualTo(kind));
            Assert.That(token.Text, Is.EqualTo(text));
            Assert.That(token.Span, Is.EqualTo(new TextSpan(0, text.Length)));
        }

        [TestCase("0", 0L)]
        [TestCase("4096", 4096L)]
        [TestCase("0x1F", 31L)]
        [TestCase("0XfF", 255L)]
        [TestCase("0600", 384L)]
        [TestCase("1L", 1L)]
        [TestCase("4096UL", 4096L)]
        [TestCase("0xffffffffffffffff", -1L)]
        [TestCase("9223372036854775807", long.MaxValue)]
        public void Number_HasValue(string text, long value)
        {
            var token = LexOne(text);
            Assert.That(token.Kind, Is.EqualTo(SyntaxKind.NumberToken));
            Assert.That(token.Value, Is.EqualTo(value));
        }

        [TestCase("16K")]
        [TestCase("6.1")]
        [TestCase("0x")]
        [TestCase("09")]
        [TestCase("1.5")]
        [TestCase("0x10000000000000000")]
        public void Number_PreprocessingNumberWithoutValue_IsOneTokenAndNoLexerError(string text)
        {
            var token = LexOne(text);
            Assert.That(token.Kind, Is.EqualTo(SyntaxKind.NumberToken));
            Assert.That(token.Value, Is.Null);
        }

        [Test]
        public void ProfileName_LexesAsIdentifierMinusNumber()
        {
            var tokens = Lex("linux-6.1", out var diagnostics);
            Assert.That(diagnostics, Is.Empty);
            Assert.That(tokens.Select(t => t.Kind), Is.EqualTo(new[] { SyntaxKind.IdentifierToken, SyntaxKind.MinusToken, SyntaxKind.NumberToken }));
            Assert.That(tokens.Select(t => t.Text), Is.EqualTo(new[] { "linux", "-", "6.1" }));
        }

        [Test]
        public void String_DecodesEscapes()
        {
            var token = LexOne("\"a\\n\\t\\0\\\\\\'\\\"\\x41\\101\"");
            Assert.That(token.Kind, Is.EqualTo(SyntaxKind.StringToken));
            var bytes = (System.Collections.Immutable.ImmutableArray<byte>)token.Value!;
            Assert.That(bytes.ToArray(), Is.EqualTo(new byte[] { (byte)'a', 10, 9, 0, (byte)'\\', (byte)'\'', (byte)'"', 0x41, 0x41 }));
        }

        [Test]
        public void String_NonAsciiIsUtf8()
        {
            var bytes = (System.Collections.Immutable.ImmutableArray<byte>)LexOne("\"é\"").Value!;
            Assert.That(bytes.ToArray(), Is.EqualTo(new byte[] { 0xC3, 0xA9 }));
        }

        [TestCase("'a'", 97L)]
        [TestCase("'\\n'", 10L)]
        [TestCase("'\\0'", 0L)]
        [TestCase("'\\''", 39L)]
        [TestCase("'\\\\'", 92L)]
        [TestCase("'\\xff'", -1L)]
        public void Character_HasSignedByteValue(string text, long value)
        {
            var token = LexOne(text);
            Assert.That(token.Kind, Is.EqualTo(SyntaxKind.CharacterToken));
            Assert.That(token.Value, Is.EqualTo(value));
        }

        [Test]
        public void Comments_AreSkipped()
        {
            var tokens = Lex("a // line comment\n/* block\n comment */ b", out var diagnostics);
            Assert.That(diagnostics, Is.Empty);
            Assert.That(tokens.Select(t => t.Text), Is.EqualTo(new[] { "a", "b" }));
            Assert.That(tokens[1].Position, Is.EqualTo(2 + 15 + 1 + 8 + 1 + 11 + 1)); // "a " "// line comment" \n "/* block" \n " comment */" " "
        }

        [Test]
        public void BadCharacter_IsBadTokenWithDiagnostic()
        {
            var tokens = Lex("a @ b", out var diagnostics);
            Assert.That(tokens.Select(t => t.Kind), Is.EqualTo(new[] { SyntaxKind.IdentifierToken, SyntaxKind.BadToken, SyntaxKind.IdentifierToken }));
            var d = diagnostics.Single();
            Assert.That(d.Id, Is.EqualTo("KDSL0001"));
            Assert.That(d.Location.Span, Is.EqualTo(new TextSpan(2, 1)));
            Assert.That(d.Location.Column, Is.EqualTo(3));
        }

        [Test]
        public void RunOfBadCharacters_IsOneDiagnostic()
        {
            Lex("x $#@` y", out var diagnostics);
            var d = diagnostics.Single();
            Assert.That(d.Id, Is.EqualTo("KDSL0001"));
            Assert.That(d.Location.Span, Is.EqualTo(new TextSpan(2, 4)));
        }

        [Test]
        public void ReplacementCharacter_IsBad()
        {
            Lex("x \uFFFD y", out var diagnostics);
            Assert.That(diagnostics.Single().Id, Is.EqualTo("KDSL0001"));
            Assert.That(diagnostics.Single().Location.Span, Is.EqualTo(new TextSpan(2, 1)));
        }

        [Test]
        public void UnterminatedString_ReportsUpToEndOfLine()
        {
            var tokens = Lex("x = \"abc\ny", out var diagnostics);
            var d = diagnostics.Single();
            Assert.That(d.Id, Is.EqualTo("KDSL0002"));
            Assert.That(d.Location.Span, Is.EqualTo(new TextSpan(4, 4)));
            Assert.That(tokens.Last().Text, Is.EqualTo("y"));
        }

        [Test]
        public void UnterminatedComment_ReportsTheOpening()
        {
            var tokens = Lex("a /* never closed", out var diagnostics);
            Assert.That(tokens.Select(t => t.Text), Is.EqualTo(new[] { "a" }));
            var d = diagnostics.Single();
            Assert.That(d.Id, Is.EqualTo("KDSL0003"));
            Assert.That(d.Location.Span, Is.EqualTo(new TextSpan(2, 2)));
        }

        [TestCase("''", "KDSL0004")]
        [TestCase("'ab'", "KDSL0004")]
        [TestCase("'a", "KDSL0004")]
        [TestCase("\"\\q\"", "KDSL0005")]
        public void InvalidLiterals_Report(string text, string id)
        {
            Lex(text, out var diagnostics);
            Assert.That(diagnostics.Single().Id, Is.EqualTo(id));
        }

        [Test]
        public void Positions_AreLineAndColumn()
        {
            var text = new SourceText("f.kdsl", "module m \"d\";\r\n  init @");
            var bag = new KDsl.Diagnostics.DiagnosticBag(text);
            new Lexer(text, bag).LexAll();
            var d = bag.Single();
            Assert.That(d.Location.Line, Is.EqualTo(2));
            Assert.That(d.Location.Column, Is.EqualTo(8));
            Assert.That(d.ToString(), Does.StartWith("f.kdsl(2,8): error KDSL0001:"));
        }
    }
}
