using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using KDsl.Image;

namespace KDsl.Runtime.Tests.StackModels
{
    /// <summary>Compiles an example (or inline source) with settings and runs it.</summary>
    internal static class StackModelRun
    {
        public static string Example(string name) =>
            File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", name));

        public static RunResult Run(string source, params (string Key, string Value)[] settings) => Run(source, KDsl.Runtime.Kernel.Layout.InstructionBudget, settings);

        public static RunResult Run(string source, long instructionBudget, params (string Key, string Value)[] settings)
        {
            var overrides = settings.ToDictionary(s => s.Key, s => s.Value);
            var result = Compiler.Compile("experiment.kdsl", source, overrides);
            if (result.Image is null || result.Diagnostics.Any(d => d.IsError))
                throw new InvalidOperationException("did not compile: " + string.Join("; ", result.Diagnostics));
            return Machine.Run(result.Image, null, KDsl.Runtime.Kernel.Layout.PhysicalMemorySize, instructionBudget);
        }

        public static IEnumerable<string> Messages(RunResult run) => run.Log.Select(l => l.Substring(l.IndexOf(']') + 2));
    }
}
