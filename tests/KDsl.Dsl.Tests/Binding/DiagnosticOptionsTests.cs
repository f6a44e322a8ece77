using System.Collections.Generic;
using System.Linq;
using KDsl.Diagnostics;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.Binding
{
    /// <summary>`frame_warn = N;`, `severity ID = ...;` in the config block, and `max_depth N` on a function.</summary>
    public class DiagnosticOptionsTests
    {
        private static string WithConfig(string entries, string functions = "") =>
            Support.Header + "config {\n" + entries + "\n}\n" + functions + "init { }\n";

        /// <summary>A function whose locals take 3000 bytes (a char[3000]), over the default FRAME_WARN of 2048.</summary>
        private const string BigFrame = "void big() {\n    char buf[3000];\n    buf[0] = 1;\n}\n";

        [Test]
        public void Defaults()
        {
            var program = Support.BindClean(Support.InInit(""));
            Assert.That(program.DiagnosticOptions.FrameWarn, Is.EqualTo(2048));
            Assert.That(program.DiagnosticOptions.Severities, Is.Empty);
        }

        [Test]
        public void SeverityEntries_Bind()
        {
            var program = Support.BindClean(WithConfig("severity KDSL1001 = error;\nseverity kdsl1004 = none;\nseverity KDSL0129 = hidden;\nframe_warn = 4096;"));
            Assert.That(program.DiagnosticOptions.FrameWarn, Is.EqualTo(4096));
            Assert.That(program.DiagnosticOptions.Severities, Is.EquivalentTo(new Dictionary<string, DiagnosticSeverity?>
            {
                ["KDSL1001"] = DiagnosticSeverity.Error,
                ["KDSL1004"] = null,
                ["KDSL0129"] = DiagnosticSeverity.Hidden,
            }));
        }

        [TestCase("severity KDSL0100 = none;", "KDSL0100")]      // an error is not configurable
        [TestCase("severity KDSL4242 = none;", "KDSL4242")]      // no such diagnostic
        [TestCase("severity KDSL1001 = loud;", "loud")]          // not a severity
        [TestCase("frame_warn = -1;", "-1")]
        [TestCase("frame_warn = big;", "big")]
        public void InvalidEntries_AreReportedAtTheWrongPart(string entry, string wrong)
        {
            string text = WithConfig(entry);
            Support.BindAll(text, out var diagnostics);
            var d = diagnostics.Single();
            Assert.That(d.Id, Is.EqualTo("KDSL0161"), d.ToString());
            Assert.That(d.Location.Span.Start, Is.EqualTo(text.IndexOf(wrong, System.StringComparison.Ordinal)), d.ToString());
        }

        [Test]
        public void SameSeverityTwice_IsADuplicateKey_ButTwoIdsAreNot()
        {
            Support.BindAll(WithConfig("severity KDSL1001 = none;\nseverity KDSL1002 = none;\nseverity KDSL1001 = error;"), out var diagnostics);
            Assert.That(diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "KDSL0164" }));
        }

        [Test]
        public void FrameWarn_IsTheKdsl1001Threshold()
        {
            int Count(string config, IReadOnlyDictionary<string, string>? overrides = null) =>
                Compiler.Compile("t.kdsl", WithConfig(config, BigFrame), overrides).Diagnostics.Count(d => d.Id == "KDSL1001");

            Assert.That(Count(""), Is.EqualTo(1), "3000 > 2048");
            Assert.That(Count("frame_warn = 4096;"), Is.EqualTo(0), "the frame (3000 bytes, a canary, alignment) is under 4096");
            Assert.That(Count("frame_warn = 2999;"), Is.EqualTo(1));
            // The threshold is exclusive, as GCC's -Wframe-larger-than: a frame of exactly frame_warn bytes is not reported.
            int frame = Compiler.Compile("t.kdsl", WithConfig("", BigFrame)).Image!.Stack!.Functions.Single(f => f.Name == "big").LocalSize;
            Assert.That(Count("frame_warn = " + frame + ";"), Is.EqualTo(0));
            Assert.That(Count("frame_warn = " + (frame - 1) + ";"), Is.EqualTo(1));
            Assert.That(Count("frame_warn = 0;"), Is.EqualTo(0), "0 disables it");
            Assert.That(Count("", new Dictionary<string, string> { ["frame_warn"] = "0" }), Is.EqualTo(0), "--set frame_warn=0");
        }

        [Test]
        public void FrameWarn_IsTheKernelsFlag_NotAUserProgramsOne()
        {
            // CONFIG_FRAME_WARN sets -Wframe-larger-than for the kernel's build; a `process` block is a user program.
            string text = Support.Header + "process big {\n    char buf[3000];\n    buf[0] = 1;\n    exit(0);\n}\n";
            var result = Compiler.Compile("t.kdsl", text);
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            Assert.That(result.Diagnostics.Count(d => d.Id == "KDSL1001"), Is.EqualTo(0));
        }

        [Test]
        public void Severity_ChangesOrSuppressesTheDiagnostic()
        {
            var asError = Compiler.Compile("t.kdsl", WithConfig("severity KDSL1001 = error;", BigFrame));
            Assert.That(asError.Diagnostics.Single(d => d.Id == "KDSL1001").Severity, Is.EqualTo(DiagnosticSeverity.Error));
            Assert.That(asError.Image, Is.Null, "an error: no image");

            var none = Compiler.Compile("t.kdsl", WithConfig("severity KDSL1001 = none;\nseverity KDSL1004 = none;", BigFrame));
            Assert.That(none.Diagnostics, Is.Empty, string.Join("\n", none.Diagnostics));
            Assert.That(none.Image, Is.Not.Null);

            var fromCommandLine = Compiler.Compile("t.kdsl", WithConfig("", BigFrame), new Dictionary<string, string> { ["severity.KDSL1001"] = "info" });
            Assert.That(fromCommandLine.Diagnostics.Single(d => d.Id == "KDSL1001").Severity, Is.EqualTo(DiagnosticSeverity.Info));
        }

        [Test]
        public void ScenarioSeverity_AppliesToThatScenario()
        {
            // The scenario's bigger frame overflows 8K only with its own constant; its config makes the prediction an error.
            string text = Support.Header + "config { thread_size = 8K; }\nconst BUF = 16;\n" +
                "void f() {\n    char buf[BUF];\n    buf[0] = 1;\n}\ninit { f(); }\n" +
                "scenario huge {\n    config { BUF = 9000; severity KDSL1002 = error; }\n}\n";
            var result = Compiler.Compile("t.kdsl", text);
            Assert.That(result.Diagnostics.Where(d => d.IsError).Select(d => d.Id), Is.EqualTo(new[] { "KDSL1002" }), string.Join("\n", result.Diagnostics));
        }

        [Test]
        public void MaxDepth_BindsOnTheFunctionSymbol()
        {
            var program = Support.BindClean(Support.Header + "const D = 7;\nvoid walk(long n) max_depth D * 2 {\n    if (n > 0) walk(n - 1);\n}\ninit { walk(3); }\n");
            Assert.That(program.Functions.Single(f => f.Symbol.Name == "walk").Symbol.MaxDepth, Is.EqualTo(14));
            Assert.That(program.Functions.Single(f => f.Symbol.Kind == KDsl.Symbols.FunctionKind.Init).Symbol.MaxDepth, Is.Null);
        }

        [TestCase("max_depth 0", "KDSL0133", "0")]
        [TestCase("max_depth 5000", "KDSL0133", "5000")]
        [TestCase("max_depth n", "KDSL0100", "n")]
        public void MaxDepth_Invalid(string clause, string id, string at)
        {
            string text = Support.Header + "void walk(long n) " + clause + " {\n    if (n > 0) walk(n - 1);\n}\ninit { walk(3); }\n";
            Support.BindAll(text, out var diagnostics);
            var d = diagnostics.Single();
            Assert.That(d.Id, Is.EqualTo(id), d.ToString());
            Assert.That(d.Location.Span.Start, Is.EqualTo(text.IndexOf(clause, System.StringComparison.Ordinal) + "max_depth ".Length), d.ToString());
        }
    }
}
