using System;
using System.Collections.Generic;
using KDsl.Generator.Helpers;
using KDsl.Generator.Model;
using Microsoft.CodeAnalysis.CSharp;

namespace KDsl.Generator
{
    public sealed partial class KDslGenerator
    {
        /// <summary>
        /// Writes the NUnit fixture of one module (when the compilation references NUnit): class <c>Step5Tests</c> with a
        /// test per scenario that states expectations, its method named after the scenario and its test name "FILE: SCENARIO". The test runs the scenario's image,
        /// checks it with KDsl.Runtime.ExpectationCheck and fails with its report; a #line directive maps each
        /// Assert.Fail to its expect line in the .kdsl file, so the stack trace of a failure leads to the experiment.
        /// </summary>
        internal static class TestFixtureEmitter
        {
            private const string NUnit = "global::NUnit.Framework.";
            private const string Runtime = "global::KDsl.Runtime.";

            public static string FixtureName(ModuleSpec module) => module.ClassName + "Tests";

            /// <param name="sourcePath">The file relative to the project (the #line directives keep the full path, for the debugger).</param>
            public static void Write(SourceWriter w, ModuleSpec module, string sourcePath, string generatorVersion)
            {
                string fixture = FixtureName(module);
                bool mapLines = CanMapLines(module.FilePath);
                w.WriteLine("/// <summary>");
                w.WriteLine($"/// The expectations of {Emitter.XmlEscape(sourcePath)} as NUnit tests: one per scenario.");
                w.WriteLine("/// </summary>");
                w.WriteLine($"[global::System.CodeDom.Compiler.GeneratedCode(\"KDsl.Generator\", \"{generatorVersion}\")]");
                w.WriteLine($"[{NUnit}TestFixture]");
                w.WriteLine($"public sealed partial class {fixture}");
                w.OpenBlock();

                // object's members too: a scenario named ToString or GetType would hide them (CS0114/CS0108)
                var used = new HashSet<string>(StringComparer.Ordinal)
                    { fixture, "ToString", "GetHashCode", "GetType", "Equals", "ReferenceEquals", "Finalize", "MemberwiseClone" };
                bool first = true;
                for (int i = 0; i < module.Scenarios.Count; i++)
                {
                    ScenarioSpec scenario = module.Scenarios[i];
                    var expectations = scenario.Expectations ?? (scenario.Image ?? module.Image).Expectations;
                    if (expectations.Count == 0) continue;
                    string method = MethodName(scenario.Name, used);
                    if (!first) w.WriteLine();
                    first = false;

                    w.WriteLine($"/// <summary>Scenario {Emitter.XmlEscape(scenario.Name)}: runs the module and checks its {Emitter.Int(expectations.Count)} expectation(s).</summary>");
                    // named with the file, so a test run's list reads "step5.kdsl: default", not a bare scenario name
                    string testName = System.IO.Path.GetFileName(module.FilePath) + ": " + scenario.Name;
                    w.WriteLine($"[{NUnit}TestCase(TestName = {Emitter.Literal(testName)})]");
                    w.WriteLine($"public void {method}()");
                    w.OpenBlock();
                    w.WriteLine($"global::KDsl.Image.Scenario scenario = {module.ClassName}.Scenarios[{Emitter.Int(i)}];");
                    w.WriteLine($"{Runtime}RunResult result = {Runtime}Machine.Run(scenario.Image);");
                    w.WriteLine($"global::System.Collections.Generic.IReadOnlyList<{Runtime}ExpectationFailure> failures = {Runtime}ExpectationCheck.Check(scenario.Image.Expectations, result);");
                    w.WriteLine("if (failures.Count == 0) return;");
                    w.WriteLine($"string report = {Runtime}ExpectationCheck.Report({module.ClassName}.SourcePath, scenario.Name, scenario.Image.Config, failures);");
                    w.WriteLine("switch (failures[0].Index)");
                    w.OpenBlock();
                    for (int e = 0; e < expectations.Count; e++)
                    {
                        int line = expectations[e].Line;
                        if (mapLines && line > 0) w.WriteLine($"#line {Emitter.Int(line)} \"{module.FilePath}\"");
                        w.WriteLine($"case {Emitter.Int(e)}: {NUnit}Assert.Fail(report); break;");
                    }
                    if (mapLines) w.WriteLine("#line default");
                    w.WriteLine($"default: {NUnit}Assert.Fail(report); break;");
                    w.CloseBlock();
                    w.CloseBlock();
                }

                w.CloseBlock();
            }

            /// <summary>A #line file name is taken verbatim up to the next quote: a path with a quote or any line terminator cannot be one.</summary>
            private static bool CanMapLines(string path) =>
                path.Length > 0 && path.IndexOfAny(new[] { '"', '\n', '\r', '\u0085', '\u2028', '\u2029' }) < 0;

            /// <summary>The scenario's name as a method name: @-escaped when a C# keyword, made unique within the fixture.</summary>
            private static string MethodName(string scenario, HashSet<string> used)
            {
                string name = SyntaxFacts.IsValidIdentifier(scenario) ? scenario : "Scenario_" + Sanitize(scenario);
                while (!used.Add(name)) name += "_";
                return SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
            }

            private static string Sanitize(string text)
            {
                var chars = text.ToCharArray();
                for (int i = 0; i < chars.Length; i++)
                    if (!char.IsLetterOrDigit(chars[i])) chars[i] = '_';
                return new string(chars);
            }
        }
    }
}
