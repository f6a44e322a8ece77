using System.Collections.Generic;
using System.Linq;
using KDsl.Binding;
using KDsl.Diagnostics;
using KDsl.Dsl.Tests.Syntax;
using KDsl.Syntax;
using KDsl.Text;
using NUnit.Framework;

namespace KDsl.Dsl.Tests
{
    internal static class Support
    {
        public const string Header = "module t \"test\";\n";

        /// <summary>Binds a complete file; returns the program even when there are errors (for inspection).</summary>
        public static BoundProgram BindAll(string text, out IReadOnlyList<Diagnostic> diagnostics, IReadOnlyDictionary<string, string>? overrides = null)
        {
            var source = new SourceText("t.kdsl", text);
            var tree = SyntaxTree.Parse(source);
            var bag = new DiagnosticBag(source);
            var program = Binder.BindProgram(tree, overrides, bag);
            diagnostics = tree.Diagnostics.Concat(bag).OrderBy(d => d.Location.Span.Start).ToList();
            return program;
        }

        /// <summary>Binds a file that must have no diagnostic at all.</summary>
        public static BoundProgram BindClean(string text, IReadOnlyDictionary<string, string>? overrides = null)
        {
            var program = Compiler.Bind("t.kdsl", text, overrides, out var diagnostics);
            Assert.That(diagnostics, Is.Empty, string.Join("\n", diagnostics));
            Assert.That(program, Is.Not.Null);
            return program!;
        }

        /// <summary>Wraps statements in a module with an init block that declares nothing else.</summary>
        public static string InInit(string statements) => Header + "init {\n" + statements + "\n}\n";

        /// <summary>The init function's statements of a clean program.</summary>
        public static BoundFunction Init(BoundProgram program) => program.Functions.Single(f => f.Symbol.Kind == KDsl.Symbols.FunctionKind.Init);

        /// <summary>
        /// Checks the diagnostics of an annotated file: one (id, span) per [ ] in order of position. Every diagnostic
        /// must be expected: nothing more, nothing less.
        /// </summary>
        public static void AssertDiagnostics(string annotated, params string[] ids)
        {
            var text = AnnotatedText.Parse(annotated);
            Compiler.Bind("t.kdsl", text.Text, null, out var diagnostics);
            var actual = string.Join("\n", diagnostics);
            Assert.That(diagnostics.Count, Is.EqualTo(ids.Length), "diagnostics:\n" + actual);
            Assert.That(text.Spans.Length, Is.EqualTo(ids.Length), "annotations vs ids");
            var expected = text.Spans.Zip(ids).OrderBy(p => p.First.Start).ToList();
            for (int i = 0; i < ids.Length; i++)
            {
                Assert.That(diagnostics[i].Id, Is.EqualTo(expected[i].Second), $"diagnostic {i}:\n" + actual);
                Assert.That(diagnostics[i].Location.Span, Is.EqualTo(expected[i].First), $"span of diagnostic {i}:\n" + actual);
            }
        }
    }
}
