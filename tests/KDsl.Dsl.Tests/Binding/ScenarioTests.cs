using System.Collections.Generic;
using System.Linq;
using KDsl.Binding;
using KDsl.Diagnostics;
using KDsl.Image;
using KDsl.Syntax;
using KDsl.Text;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.Binding
{
    /// <summary>`scenario NAME { config { ... } expect { ... } }` and the expect items added with it.</summary>
    public class ScenarioTests
    {
        private const string Module = @"module m ""d"";
config { profile = linux-6.1; thread_size = 16K; }
const BUF = 4096;
void rstack(int n) { char buf[BUF]; buf[0] = 0; if (n > 0) rstack(n - 1); }
init { rstack(100); }
expect { oops stack_guard in rstack depth 4; }
";

        private static BoundProgram BindScenario(string text, string? scenario, out IReadOnlyList<Diagnostic> diagnostics)
        {
            var source = new SourceText("t.kdsl", text);
            var tree = SyntaxTree.Parse(source);
            var bag = new DiagnosticBag(source);
            var program = Binder.BindProgram(tree, null, bag, scenario);
            diagnostics = tree.Diagnostics.Concat(bag).ToList();
            return program;
        }

        private static long BufSize(BoundProgram program) =>
            program.Functions.Single(f => f.Symbol.Name == "rstack").Locals.Single(l => l.Name == "buf").Type.Size;

        [Test]
        public void NewItems_Bind_WithTheirLines()
        {
            var program = Support.BindClean(@"module m ""d"";
void f(void) { }
init { f(); }
expect {
    printk line ""m LOADED."";
    printk match ""^done \\d+$"" count 3;
    oops page_fault in f depth 2;
    oops bug depth 1 of init;
    stack max 12000;
}
");
            Assert.That(program.Expectations, Is.EqualTo(new[]
            {
                new Expectation(ExpectationKind.PrintkLine, "m LOADED.", -1, null, 5),
                new Expectation(ExpectationKind.PrintkPattern, @"^done \d+$", 3, null, 6),
                new Expectation(ExpectationKind.Oops, "page_fault", -1, "f", 7, 2, "f"),
                new Expectation(ExpectationKind.Oops, "bug", -1, null, 8, 1, "m_init"),
                new Expectation(ExpectationKind.StackMax, "", 12000, null, 9),
            }));
        }

        [TestCase("stack_guard")]
        [TestCase("page_fault")]
        [TestCase("bug")]
        [TestCase("stack_protector")]
        [TestCase("soft_lockup")]
        [TestCase("double_fault")]
        [TestCase("invalid_opcode")]
        [TestCase("general_protection")]
        [TestCase("divide_error")]
        public void OopsKinds_AreKnown(string kind)
        {
            var program = Support.BindClean(Support.InInit("") + $"expect {{ oops {kind}; }}\n");
            Assert.That(program.Expectations.Single().Text, Is.EqualTo(kind));
        }

        [Test]
        public void DepthWithoutFunction_IsError()
        {
            Support.AssertDiagnostics(Support.InInit("") + "expect { oops stack_guard [depth] 3; }\n", "KDSL0184");
        }

        [Test]
        public void InvalidPattern_IsError()
        {
            Support.AssertDiagnostics(Support.InInit("") + "expect { printk match [\"(unclosed\"]; }\n", "KDSL0183");
        }

        [Test]
        public void StackWithoutMax_IsSyntaxError()
        {
            Support.AssertDiagnostics(Support.InInit("") + "expect { stack [12000]; }\n", "KDSL0008");
        }

        [Test]
        public void Scenarios_AreListed_DefaultFirst()
        {
            var program = Support.BindClean(Module + "scenario old {\n config { profile = linux-4.11; }\n}\nscenario small { config { BUF = 992; } }\n");
            Assert.That(program.Scenarios.Select(s => (s.Name, s.Line)), Is.EqualTo(new[] { ("default", 6), ("old", 7), ("small", 10) }));
            Assert.That(program.ScenarioName, Is.EqualTo("default"));
            Assert.That(program.Config.Profile, Is.EqualTo("linux-6.1"));
            Assert.That(BufSize(program), Is.EqualTo(4096));
        }

        [Test]
        public void Scenario_LayersItsConfigOverTheFile_AndKeepsTheFileExpect()
        {
            var program = BindScenario(Module + "scenario old { config { profile = linux-4.11; } }\n", "old", out var diagnostics);
            Assert.That(diagnostics, Is.Empty);
            Assert.That(program.ScenarioName, Is.EqualTo("old"));
            Assert.That(program.Config, Is.EqualTo(new ExperimentConfig("linux-4.11", 16384)));
            Assert.That(program.Expectations.Single().Line, Is.EqualTo(6));
        }

        [Test]
        public void Scenario_OverridesAConstant_AndReplacesTheExpect()
        {
            var program = BindScenario(Module + "scenario small {\n config { BUF = 992; thread_size = 8K; }\n expect { printk \"x\" count 14; }\n}\n",
                "small", out var diagnostics);
            Assert.That(diagnostics, Is.Empty);
            Assert.That(BufSize(program), Is.EqualTo(992));
            Assert.That(program.Config.ThreadSize, Is.EqualTo(8192));
            Assert.That(program.Expectations, Is.EqualTo(new[] { new Expectation(ExpectationKind.Printk, "x", 14, null, 9) }));
        }

        [Test]
        public void Compile_GivesAnImagePerScenario()
        {
            var result = Compiler.Compile("t.kdsl", Module + "scenario old { config { profile = linux-4.11; } }\nscenario small { config { BUF = 992; } }\n");
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            Assert.That(result.Scenarios.Select(s => s.Name), Is.EqualTo(new[] { "default", "old", "small" }));
            Assert.That(result.Scenarios[0].Image, Is.SameAs(result.Image));
            Assert.That(result.Scenarios[1].Image.Config.Profile, Is.EqualTo("linux-4.11"));
            // 4.11 links printk, 6.1 _printk: the scenario's code is compiled for its profile.
            Assert.That(result.Scenarios[1].Image.Relocations.Select(r => r.Target), Has.Member("printk").Or.Not.Member("_printk"));
            Assert.That(result.Scenarios[2].Image.Text, Is.Not.EqualTo(result.Image!.Text), "BUF = 992 changes rstack's frame");
        }

        [Test]
        public void DuplicateScenario_AndDefault_AreErrors()
        {
            Support.AssertDiagnostics(Support.InInit("") + "scenario a { }\nscenario [a] { }\nscenario [default] { }\n", "KDSL0185", "KDSL0185");
        }

        [Test]
        public void BadConstOverride_AndBadConfigInAScenario_AreErrors()
        {
            Support.AssertDiagnostics(Support.Header + "const BUF = 1;\ninit { }\nscenario a { config { BUF = [x1]; profile = [linux-9]; } }\n",
                "KDSL0186", "KDSL0162");
        }

        [Test]
        public void ScenarioExpect_IsCheckedInTheDefaultBind()
        {
            Support.AssertDiagnostics(Support.InInit("") + "scenario a { expect { oops [nope]; } }\n", "KDSL0180");
        }

        [Test]
        public void ScenarioIsContextual_AnIdentifierStillWorks()
        {
            Support.BindClean(Support.Header + "int scenario(int x) { return x; }\ninit { scenario(1); }\n");
        }
    
        [Test]
        public void AScenarioThatOnlyChangesRuntimeSettings_SharesTheDefaultsCode()
        {
            var result = Compiler.Compile("t.kdsl", Module +
                "scenario off { config { vmap_stack = off; panic_on_oops = on; } expect { no fault; } }\n" +
                "scenario small { config { BUF = 2048; } }\n" +
                "scenario old { config { profile = linux-5.10; } }\n" +
                "scenario tiny_stack { config { thread_size = 8K; } }\n");
            Assert.That(result.Diagnostics.Where(d => d.IsError), Is.Empty);
            var byName = result.Scenarios.ToDictionary(s => s.Name, s => s.Image);
            var image = byName["default"];

            // vmap_stack and panic_on_oops only change what the runtime does: the same code and stack analysis.
            Assert.That(byName["off"].Text, Is.SameAs(image.Text));
            Assert.That(byName["off"].Stack, Is.SameAs(image.Stack));
            Assert.That(byName["off"].Config.VmapStack, Is.False);
            Assert.That(byName["off"].Expectations.Single().Kind, Is.EqualTo(ExpectationKind.NoFault));
            // A constant, the profile (code shape) and THREAD_SIZE (the stack analysis) each need a compilation of their own.
            Assert.That(byName["small"].Text, Is.Not.SameAs(image.Text));
            Assert.That(byName["old"].Text, Is.Not.SameAs(image.Text));
            Assert.That(byName["tiny_stack"].Stack, Is.Not.SameAs(image.Stack));
            Assert.That(byName["tiny_stack"].Stack!.ThreadSize, Is.EqualTo(8192));
        }

        [Test]
        public void CompileScenario_CompilesTheDefaultAndOnlyTheOneAskedFor()
        {
            string text = Module + "scenario small { config { BUF = 64; } }\nscenario big { config { BUF = 8192; } }\n";
            Assert.That(Compiler.Compile("t.kdsl", text).Scenarios.Select(s => s.Name), Is.EqualTo(new[] { "default", "small", "big" }));
            Assert.That(Compiler.CompileScenario("t.kdsl", text, null, "big").Scenarios.Select(s => s.Name), Is.EqualTo(new[] { "default", "big" }));
            Assert.That(Compiler.CompileScenario("t.kdsl", text, null, null).Scenarios.Select(s => s.Name), Is.EqualTo(new[] { "default" }));
            // the one compiled is the same image as in the whole file's compilation
            Assert.That(Compiler.CompileScenario("t.kdsl", text, null, "small").Scenarios[1].Image.Text,
                Is.EqualTo(Compiler.Compile("t.kdsl", text).Scenarios[1].Image.Text));
        }

        [Test]
        public void ABadValueGivenToTheRun_IsReportedAtTheConstant()
        {
            var result = Compiler.Compile("t.kdsl", Module, new Dictionary<string, string> { ["BUF"] = "abc" });
            var d = result.Diagnostics.Single(x => x.IsError);
            Assert.That(d.Id, Is.EqualTo("KDSL0186"));
            Assert.That(d.Location.Line, Is.EqualTo(3), d.ToString()); // const BUF = 4096;
            Assert.That(d.Message, Does.Contain("--set BUF=abc"));
        }

        [TestCase("thread_size", "abc", "KDSL0161", 2, 45)] // at the file's own `16K`, which the run replaces
        [TestCase("profile", "linux-9", "KDSL0162", 2, 20)]  // at `linux-6.1`
        [TestCase("vmap_stack", "maybe", "KDSL0161", 2, 1)]  // the file does not set it: at the config block
        [TestCase("nosuch", "1", "KDSL0160", 2, 1)]
        [TestCase("severity.KDSL1001", "loud", "KDSL0161", 2, 1)]
        public void ABadSettingGivenToTheRun_IsReportedAtTheSettingItReplaces_AndSaysSo(string key, string value, string id, int line, int column)
        {
            var result = Compiler.Compile("t.kdsl", Module, new Dictionary<string, string> { [key] = value });
            var d = result.Diagnostics.Single(x => x.IsError);
            Assert.Multiple(() =>
            {
                Assert.That(d.Id, Is.EqualTo(id));
                Assert.That((d.Location.Line, d.Location.Column), Is.EqualTo((line, column)), d.ToString());
                Assert.That(d.Message, Does.EndWith($"(--set {key}={value})"));
            });
        }

        [Test]
        public void ABadSettingGivenToTheRun_WithoutAConfigBlock_IsReportedAtTheFileStart()
        {
            string text = Module.Replace("config { profile = linux-6.1; thread_size = 16K; }\n", "");
            var d = Compiler.Compile("t.kdsl", text, new Dictionary<string, string> { ["thread_size"] = "abc" }).Diagnostics.Single(x => x.IsError);
            Assert.That((d.Location.Line, d.Location.Column), Is.EqualTo((1, 1)), d.ToString());
            Assert.That(d.Message, Does.EndWith("(--set thread_size=abc)"));
        }
    }
}
