using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using KDsl.Image;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Processes
{
    /// <summary>Compiles and runs process experiments (examples/*.kdsl or inline `process` blocks).</summary>
    internal static class ProcessRun
    {
        public static string ExamplePath(string name) => Path.Combine(AppContext.BaseDirectory, "examples", name);

        public static ModuleImage Image(string path, string text, IReadOnlyDictionary<string, string>? overrides = null, string? scenario = null)
        {
            var result = Compiler.Compile(path, text, overrides);
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            return scenario is null ? result.Image! : result.Scenarios.Single(s => s.Name == scenario).Image;
        }

        public static RunResult Example(string file, string profile = "linux-6.1", string? scenario = null) =>
            Machine.Run(Image(file, File.ReadAllText(ExamplePath(file)), new Dictionary<string, string> { ["profile"] = profile }, scenario));

        /// <summary>A file with one `process p { body }` and no init.</summary>
        public static ProcessResult Inline(string body, string profile = "linux-6.1", long budget = 50_000_000)
        {
            string source = $"module proc \"inline\";\nconfig {{ profile = {profile}; }}\nprocess p {{\n{body}\n}}\n";
            var image = Image("proc.kdsl", source);
            var run = Machine.Run(image, null, KDsl.Runtime.Kernel.Layout.PhysicalMemorySize, budget);
            Assert.That(run.Processes, Has.Count.EqualTo(1));
            return run.Processes[0];
        }

        public static void AssertMet(ModuleImage image, RunResult run)
        {
            var failures = ExpectationCheck.Check(image.Expectations, run);
            Assert.That(failures, Is.Empty, string.Join("\n", failures.Select(f => f.ToString())) + "\n" + string.Join("\n", run.Processes.SelectMany(p => p.Syscalls.Append(p.ToString()))));
        }
    }
}
