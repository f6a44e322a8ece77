using System.Linq;
using System.Text;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.Binding
{
    public class RobustnessTests
    {
        [TestCase("")]
        [TestCase("@@@")]
        [TestCase("module")]
        [TestCase("module m")]
        [TestCase("module m \"")]
        [TestCase("init {")]
        [TestCase("}}}}")]
        [TestCase("\"unterminated")]
        [TestCase("/*")]
        [TestCase("int (((")]
        [TestCase("module m \"d\"; init { int x = (((((; }")]
        [TestCase("module m \"d\"; init { for (;;) for (;; for ( }")]
        [TestCase("module m \"d\"; int f(int int int) { return return; }")]
        [TestCase("module m \"d\"; config { = ; profile linux 6.1 ; } expect { oops ; printk ; count 3 ; }")]
        [TestCase("module m \"d\"; init { x[[[]]] = *&*&; sizeof sizeof ( ; (char *) ; }")]
        [TestCase("module m \"d\"; init { '\\\\ '' 'ab \"\\x\" 0x 09 1e5 }")]
        [TestCase("\0\u0001\uFFFD\uD800 module \uFFFD")]
        public void Garbage_NeverThrows_AndReportsErrors(string text)
        {
            var result = Compiler.Compile("g.kdsl", text);
            Assert.That(result.Diagnostics.Any(d => d.IsError), Is.True);
            Assert.That(result.Diagnostics.All(d => d.Id != "KDSL9999"), Is.True, string.Join("\n", result.Diagnostics));
            Assert.That(result.Image, Is.Null);
        }

        /// <summary>
        /// A cascade of errors is capped as a C compiler caps it: the first 100, then one KDSL0016 at the 101st (from
        /// first principles: DiagnosticBag.MaxErrors), so 20,000 bad calls cost a build 101 diagnostics.
        /// </summary>
        [Test]
        public void ErrorCascade_IsCappedAtAHundred_WithOneTooManyErrors()
        {
            var source = new StringBuilder("module m \"d\";\ninit {\n");
            for (int i = 0; i < 20000; i++) source.Append("    undefined_").Append(i).Append("();\n");
            source.Append("}\n");
            var errors = Compiler.Compile("many.kdsl", source.ToString()).Diagnostics.Where(d => d.IsError).ToList();
            Assert.That(errors, Has.Count.EqualTo(101));
            Assert.That(errors.Take(100).Select(d => d.Id), Is.All.EqualTo("KDSL0101"));
            Assert.That(errors[100].Id, Is.EqualTo("KDSL0016"));
            Assert.That(errors[100].Location.Line, Is.EqualTo(errors[99].Location.Line + 1), "reported where the 101st error is");
        }

        /// <summary>
        /// The cap stops the compilation as GCC's -fmax-errors does ("compilation terminated"): the parser reads nothing
        /// after the 101st error, so a function defined after it is not in the tree, and no error of its is reported.
        /// </summary>
        [Test]
        public void SyntaxErrorCascade_StopsTheParseAtTheHundredAndFirst()
        {
            var source = new StringBuilder("module m \"d\";\ninit {\n");
            for (int i = 0; i < 150; i++) source.Append("    f() 1;\n"); // each: expected ';', found number '1'
            source.Append("}\nint after(void) { return undefined_name; }\n");
            var tree = KDsl.Syntax.SyntaxTree.Parse(source.ToString());
            var errors = tree.Diagnostics.Where(d => d.IsError).ToList();
            Assert.That(errors, Has.Count.EqualTo(101));
            Assert.That(errors.Take(100).Select(d => d.Id), Is.All.EqualTo("KDSL0008"));
            Assert.That(errors[100].Id, Is.EqualTo("KDSL0016"));
            Assert.That(tree.Root.Members.OfType<KDsl.Syntax.FunctionDeclarationSyntax>(), Is.Empty, "parsed past the cap");
            var compiled = Compiler.Compile("", source.ToString()).Diagnostics.Where(d => d.IsError).ToList();
            Assert.That(compiled.Select(d => d.ToString()), Is.EqualTo(errors.Select(d => d.ToString())), "bound past the cap");
        }

        /// <summary>
        /// The binder stops at the cap too: of 20,000 calls of undefined functions it binds the first 101 (the 101st
        /// reports the KDSL0016) and no more, so their time is the cap's, not the file's.
        /// </summary>
        [Test]
        public void SemanticErrorCascade_StopsTheBinderAtTheHundredAndFirst()
        {
            var source = new StringBuilder("module m \"d\";\ninit {\n");
            for (int i = 0; i < 20000; i++) source.Append("    undefined_").Append(i).Append("();\n");
            source.Append("}\n");
            var tree = KDsl.Syntax.SyntaxTree.Parse(source.ToString());
            var bag = new KDsl.Diagnostics.DiagnosticBag(tree.Text);
            var program = KDsl.Binding.Binder.BindProgram(tree, null, bag);
            var init = program.Functions.Single(f => f.Symbol.Name == "init");
            Assert.That(init.Body.Statements, Has.Length.EqualTo(KDsl.Diagnostics.DiagnosticBag.MaxErrors + 1));
            Assert.That(bag.IsFull, Is.True);
        }

        /// <summary>
        /// The parse keeps no more than the binder reaches: of 20,000 calls of functions the file declares nowhere, the
        /// tree holds the first 101 (the 101st is where KDSL0016 goes) and leaves the rest out, so a million of them cost
        /// the memory of a hundred (tools/measure-hostile.sh); the diagnostics are the first 100 calls', in order.
        /// </summary>
        [Test]
        public void CallsOfUndefinedFunctionsPastTheCap_AreLeftOutOfTheTree()
        {
            var source = new StringBuilder("module m \"d\";\ninit {\n");
            for (int i = 0; i < 20000; i++) source.Append("    undefined_").Append(i).Append("(").Append(i).Append(");\n");
            source.Append("}\n");
            var tree = KDsl.Syntax.SyntaxTree.Parse(new KDsl.Text.SourceText("", source.ToString()), KDsl.Binding.Binder.PredeclaredNames);
            var init = tree.Root.Members.OfType<KDsl.Syntax.EntryBlockSyntax>().Single();
            Assert.That(init.Body.Statements, Has.Length.EqualTo(KDsl.Diagnostics.DiagnosticBag.MaxErrors + 1));
            Assert.That(tree.OmittedCalls, Is.EqualTo(20000 - 101));

            var errors = Compiler.Compile("many.kdsl", source.ToString()).Diagnostics.Where(d => d.IsError).ToList();
            Assert.That(errors, Has.Count.EqualTo(101));
            for (int i = 0; i < 100; i++)
                Assert.That(errors[i].ToString(), Is.EqualTo($"many.kdsl({i + 3},5): error KDSL0101: call to undefined function 'undefined_{i}'"));
            Assert.That(errors[100].ToString(), Does.StartWith("many.kdsl(103,5): error KDSL0016: too many errors"));
        }

        /// <summary>
        /// A function may be called before its definition, and through a pointer a block declares: neither is left out
        /// however many calls there are (the parse looks through the whole file before it leaves a call out).
        /// </summary>
        [Test]
        public void CallsOfFunctionsDeclaredLaterOrThroughPointers_AreKept()
        {
            var source = new StringBuilder("module m \"d\";\ninit {\n    void (*fp)(void) = after;\n");
            for (int i = 0; i < 300; i++) source.Append(i % 2 == 0 ? "    after();\n" : "    fp();\n");
            source.Append("    return 0;\n}\nvoid after(void) { }\n");
            var tree = KDsl.Syntax.SyntaxTree.Parse(new KDsl.Text.SourceText("", source.ToString()), KDsl.Binding.Binder.PredeclaredNames);
            Assert.That(tree.OmittedCalls, Is.Zero);
            var result = Compiler.Compile("later.kdsl", source.ToString());
            Assert.That(result.Diagnostics.Where(d => d.IsError), Is.Empty, () => string.Join("\n", result.Diagnostics));
        }

        /// <summary>
        /// Calls the binder never binds (a second init block is reported once and not bound) are no errors: past them the
        /// binder stops short of the cap, so the file is parsed again whole and the calls of a later function are
        /// reported after all: 1 + 5 errors, as the whole tree gives them.
        /// </summary>
        [Test]
        public void CallsTheBinderDoesNotReach_DoNotLoseDiagnostics()
        {
            var source = new StringBuilder("module m \"d\";\ninit { return 0; }\ninit {\n");
            for (int i = 0; i < 300; i++) source.Append("    undefined_").Append(i).Append("();\n");
            source.Append("}\nvoid g(void) {\n");
            for (int i = 0; i < 5; i++) source.Append("    missing_").Append(i).Append("();\n");
            source.Append("}\n");
            var tree = KDsl.Syntax.SyntaxTree.Parse(new KDsl.Text.SourceText("", source.ToString()), KDsl.Binding.Binder.PredeclaredNames);
            Assert.That(tree.OmittedCalls, Is.EqualTo(300 + 5 - 101));
            var errors = Compiler.Compile("twice.kdsl", source.ToString()).Diagnostics.Where(d => d.IsError).Select(d => d.ToString());
            var expected = new[] { "twice.kdsl(3,1): error KDSL0144: 'init' is declared more than once" }
                .Concat(Enumerable.Range(0, 5).Select(i => $"twice.kdsl({306 + i},5): error KDSL0101: call to undefined function 'missing_{i}'"));
            Assert.That(errors, Is.EqualTo(expected));
        }

        /// <summary>The cap is the file's, as -fmax-errors is the compilation's: 60 syntax errors and 60 semantic ones are 100, then KDSL0016.</summary>
        [Test]
        public void SyntaxAndSemanticErrors_ShareOneCap()
        {
            var source = new StringBuilder("module m \"d\";\ninit {\n");
            for (int i = 0; i < 60; i++) source.Append("    f() 1;\n");
            source.Append("}\nvoid g(void) {\n");
            for (int i = 0; i < 60; i++) source.Append("    undefined_").Append(i).Append("();\n");
            source.Append("}\n");
            var errors = Compiler.Compile("both.kdsl", source.ToString()).Diagnostics.Where(d => d.IsError).ToList();
            Assert.That(errors, Has.Count.EqualTo(101));
            Assert.That(errors.Count(d => d.Id == "KDSL0008"), Is.EqualTo(60));
            Assert.That(errors.Count(d => d.Id == "KDSL0101"), Is.EqualTo(40));
            Assert.That(errors[100].Id, Is.EqualTo("KDSL0016"));
        }

        /// <summary>
        /// A 1 GiB global with no initializer is .bss: the image holds its size, not its bytes (GCC's
        /// -fzero-initialized-in-bss), so the compiler never makes a gigabyte of zeros (tests/hostile/huge-global.kdsl).
        /// </summary>
        [Test]
        public void HugeZeroGlobal_IsBssWithNoBytes()
        {
            var result = Compiler.Compile("big.kdsl", "module m \"d\";\nstatic char big[1073741824];\nstatic long zero[1000] = { 0 };\ninit { big[1] = 1; return zero[0]; }\n");
            Assert.That(result.Image, Is.Not.Null, () => string.Join("\n", result.Diagnostics));
            Assert.That(result.Image!.Data, Is.Empty);
            Assert.That(result.Image.BssSize, Is.EqualTo(1073741824 + 8000));
        }

        /// <summary>
        /// Static objects that together pass 2 GB cannot be laid out (-mcmodel=kernel): one KDSL0123 at the object that
        /// crosses the limit, where the sum overflowed an int and the run ended at Machine.Run's internal-error boundary.
        /// </summary>
        [Test]
        public void StaticObjectsPastTwoGigabytes_AreOneError()
        {
            var result = Compiler.Compile("two.kdsl",
                "module m \"d\";\nstatic char a[1610612736];\nstatic char b[1610612736];\nstatic char c[1610612736];\ninit { a[0] = 1; return b[1] + c[2]; }\n");
            var errors = result.Diagnostics.Where(d => d.IsError).ToList();
            Assert.That(errors.Select(d => d.Id), Is.EqualTo(new[] { "KDSL0123" }), () => string.Join("\n", result.Diagnostics));
            Assert.That(errors[0].Location.Line, Is.EqualTo(3));
            Assert.That(errors[0].Message, Does.Contain("'b'"));
        }

        [Test]
        public void RandomBytes_NeverThrow()
        {
            var random = new System.Random(12345);
            const string alphabet = "module init exit config expect const int char long void if else for while do return break continue sizeof printk (){}[];,.+-*/%&|^~!<>=\"' \n\t0123456789abcxyz_@#$\\";
            for (int i = 0; i < 300; i++)
            {
                var sb = new StringBuilder("module m \"d\";\n");
                int n = random.Next(1, 200);
                for (int k = 0; k < n; k++) sb.Append(alphabet[random.Next(alphabet.Length)]);
                Assert.DoesNotThrow(() => Compiler.Compile("r.kdsl", sb.ToString()));
                Assert.DoesNotThrow(() => Compiler.Bind("r.kdsl", sb.ToString(), null, out _));
            }
        }

        private static void AssertTooDeep(string text)
        {
            var result = Compiler.Compile("deep.kdsl", text);
            Assert.That(result.Diagnostics.Count(d => d.Id == "KDSL0012"), Is.EqualTo(1), string.Join("\n", result.Diagnostics.Take(5)));
            Assert.That(result.Diagnostics.Count, Is.LessThan(5), "no cascade: " + string.Join("\n", result.Diagnostics.Take(10)));
            Assert.That(result.Image, Is.Null);
        }

        private static string Repeat(string s, int n) => string.Concat(Enumerable.Repeat(s, n));

        [Test]
        public void DeepParentheses() => AssertTooDeep("module m \"d\";\ninit { int x = " + Repeat("(", 10000) + "1" + Repeat(")", 10000) + "; }\n");

        [Test]
        public void DeepBlocks() => AssertTooDeep("module m \"d\";\ninit " + Repeat("{", 10000) + Repeat("}", 10000) + "\n");

        [Test]
        public void DeepUnary() => AssertTooDeep("module m \"d\";\ninit { int x = " + Repeat("-", 10000) + "1; }\n");

        [Test]
        public void LongBinaryChain() => AssertTooDeep("module m \"d\";\ninit { int x = 1" + Repeat(" + 1", 10000) + "; }\n");

        [Test]
        public void LongAssignmentChain() => AssertTooDeep("module m \"d\";\ninit { int x; x" + Repeat(" = x", 10000) + "; }\n");

        [Test]
        public void LongElseIfChain() => AssertTooDeep("module m \"d\";\ninit { int x = 0; " + Repeat("if (x) x = 1; else ", 10000) + "x = 2; }\n");

        [Test]
        public void LongIndexChain() => AssertTooDeep("module m \"d\";\ninit { char *p = 0; char c = p" + Repeat("[0]", 10000) + "; }\n");

        [Test]
        public void ModerateNesting_IsFine()
        {
            var program = Support.BindClean("module m \"d\";\ninit { int x = " + Repeat("(", 100) + "1" + Repeat(")", 100) + "; " + Repeat("{", 100) + Repeat("}", 100) + " }\n");
            Assert.That(program, Is.Not.Null);
        }
    }
}
