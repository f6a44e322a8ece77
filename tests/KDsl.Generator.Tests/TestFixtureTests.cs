using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Emit;
using NUnit.Framework;
using NUnit.Framework.Internal;

namespace KDsl.Generator.Tests
{
    /// <summary>`expect` blocks as generated NUnit fixtures: one [Test] per scenario, failures that lead back to the .kdsl line.</summary>
    [TestFixture]
    public sealed class TestFixtureTests
    {
        // Line 5 holds the wrong expectation: init prints its greeting once, the file says twice.
        private const string Wrong =
            "module hello \"prints once\";\n" +     // 1
            "init { printk(\"greetings from init\\n\"); }\n" +     // 2
            "expect {\n" +                          // 3
            "    no fault;\n" +                     // 4
            "    printk \"greetings\" count 2;\n" +     // 5
            "}\n" +                                 // 6
            "scenario right {\n" +                  // 7
            "    expect { printk line \"greetings from init\" count 1; no fault; }\n" + // 8
            "}\n" +                                 // 9
            "scenario silent { config { profile = linux-5.10; } }\n"; // 10: inherits the top-level expect

        private const string WrongPath = GeneratorHarness.TestDirectory + "/wrong-hello.kdsl";

        private static (GeneratorRun Run, Type Fixture) Generate(string assemblyName)
        {
            GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(withNUnit: true, assemblyName: assemblyName),
                new InMemoryAdditionalText(WrongPath, Wrong));
            Assert.That(run.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error), Is.Empty);
            Type fixture = GeneratorHarness.LoadGeneratedType(EmitWithPdb(run.Output), "KDsl.Experiments.Wrong_HelloTests");
            return (run, fixture);
        }

        [Test]
        public void WithNUnit_OneTestPerScenarioWithExpectations()
        {
            var (_, fixture) = Generate("FixtureShape");

            Assert.That(fixture.GetCustomAttributes(typeof(TestFixtureAttribute), false), Has.Length.EqualTo(1));
            var tests = fixture.GetMethods().Where(m => m.GetCustomAttributes(typeof(TestCaseAttribute), false).Length == 1).ToList();
            Assert.That(tests.Select(m => m.Name), Is.EquivalentTo(new[] { "default", "right", "silent" }));
            // each named with its file, so a test run's list says which experiment it is
            var names = tests.Select(m => ((TestCaseAttribute)m.GetCustomAttributes(typeof(TestCaseAttribute), false)[0]).TestName);
            Assert.That(names, Is.EquivalentTo(new[] { "wrong-hello.kdsl: default", "wrong-hello.kdsl: right", "wrong-hello.kdsl: silent" }));
        }

        [Test]
        public void AScenarioWithTheDefaultsCode_IsEmittedAsForScenario()
        {
            // "right" changes only the expectations: its image is the default's code with its own expect block, emitted
            // as Image.ForScenario (no second copy of the code); "silent" changes the profile, so it has its own image.
            var (run, fixture) = Generate("FixtureShared");
            string source = run.Result.GeneratedSources.Single().SourceText.ToString();
            Assert.That(source.Split("Image.ForScenario(").Length - 1, Is.EqualTo(1));
            Assert.That(source.Split("HexBytes.Parse(").Length - 1, Is.EqualTo(4), "text and rodata of the default and of silent");
            Assert.That(Invoke(fixture, "right"), Is.Null, "right's own two expectations hold");
        }

        [Test]
        public void WrongExpectation_FailsWithFileLineExpectedAndActual()
        {
            var (run, fixture) = Generate("FixtureWrong");
            string source = run.Result.GeneratedSources.Single().SourceText.ToString();
            Assert.That(source, Does.Contain($"#line 5 \"{WrongPath}\""));

            var failure = Invoke(fixture, "default");

            Assert.That(failure, Is.Not.Null, "the wrong expectation did not fail");
            Assert.That(failure!.Message, Does.Contain(WrongPath + "(5): expected 2 lines with \"greetings\", but the log has 1"));
            Assert.That(failure.Message, Does.Contain("expected: 2 lines with \"greetings\""));
            Assert.That(failure.Message, Does.Contain("actual:   the log has 1"));
            Assert.That(failure.Message, Does.Match(@"\| \[ *[0-9]+\.[0-9]{6}\] greetings from init"), "the log excerpt shows the line");
            Assert.That(failure.Message, Does.Not.Contain("(4):"), "no fault held");
            // The #line directive puts the .kdsl expect line in the stack trace.
            Assert.That(failure.StackTrace, Does.Contain("wrong-hello.kdsl:line 5"));
        }

        [Test]
        public void RightScenario_Passes_AndAnInheritingScenarioFailsLikeTheDefault()
        {
            var (_, fixture) = Generate("FixtureRight");

            Assert.That(Invoke(fixture, "right"), Is.Null);
            var silent = Invoke(fixture, "silent");
            Assert.That(silent?.Message, Does.Contain(WrongPath + "(5):").And.Contain("scenario silent: profile=linux-5.10"));
        }

        [Test]
        public void WithoutNUnit_NoFixture_AndNoError()
        {
            GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(assemblyName: "NoNUnit"),
                new InMemoryAdditionalText(WrongPath, Wrong));

            Assert.That(run.Result.Exception, Is.Null);
            Assert.That(run.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning), Is.Empty);
            string source = run.Result.GeneratedSources.Single().SourceText.ToString();
            Assert.That(source, Does.Not.Contain("NUnit"));
            Type type = GeneratorHarness.LoadGeneratedType(GeneratorHarness.EmitOrFail(run.Output), "KDsl.Experiments.Wrong_Hello");
            Assert.That(type.Assembly.GetType("KDsl.Experiments.Wrong_HelloTests"), Is.Null);
            Assert.That(type.GetProperty("Scenarios"), Is.Not.Null);
        }

        /// <summary>
        /// Runs a generated test method in an isolated NUnit context (so its Assert.Fail does not fail this test) and
        /// returns the assertion it failed with, or null when it passed.
        /// </summary>
        private static AssertionException? Invoke(Type fixture, string method)
        {
            object instance = Activator.CreateInstance(fixture)!;
            using (new TestExecutionContext.IsolatedContext())
            {
                try
                {
                    fixture.GetMethod(method)!.Invoke(instance, null);
                    return null;
                }
                catch (TargetInvocationException e) when (e.InnerException is AssertionException assertion)
                {
                    return assertion;
                }
            }
        }

        private static byte[] EmitWithPdb(Compilation compilation)
        {
            using var pe = new MemoryStream();
            var result = compilation.Emit(pe, options: new EmitOptions(debugInformationFormat: DebugInformationFormat.Embedded));
            Assert.That(result.Success, Is.True, () => string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
            return pe.ToArray();
        }

        [Test]
        public void ScenariosNamedAfterObjectsMembers_StillBuild()
        {
            string text = "module m \"m\";\ninit { }\nexpect { no fault; }\n" +
                string.Concat(new[] { "ToString", "GetHashCode", "GetType", "Finalize", "MemberwiseClone", "Equals" }
                    .Select(n => "scenario " + n + " { expect { no fault; } }\n"));
            GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(withNUnit: true, assemblyName: "ObjectMembers"),
                new InMemoryAdditionalText(GeneratorHarness.TestDirectory + "/members.kdsl", text));
            Assert.That(run.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error), Is.Empty);
            Assert.That(run.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning), Is.Empty,
                "no CS0114/CS0108 from a test method hiding object's member");
            GeneratorHarness.EmitOrFail(run.Output);
        }

        [Test]
        public void AFileNamedLikeAnothersFixture_GetsKDSL9998_AndTheOutputBuilds()
        {
            // a.kdsl's fixture is ATests: aTests.kdsl would be class ATests too
            GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(withNUnit: true, assemblyName: "FixtureClash"),
                new InMemoryAdditionalText(GeneratorHarness.TestDirectory + "/a.kdsl", "module a \"a\";\ninit { }\nexpect { no fault; }\n"),
                new InMemoryAdditionalText(GeneratorHarness.TestDirectory + "/aTests.kdsl", "module b \"b\";\ninit { }\nexpect { no fault; }\n"));
            Assert.That(run.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => (d.Id, Path.GetFileName(d.Location.GetLineSpan().Path))),
                Is.EqualTo(new[] { ("KDSL9998", "aTests.kdsl") }));
            GeneratorHarness.EmitOrFail(run.Output);
        }
    }
}
