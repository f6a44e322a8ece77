using System;
using System.Collections.Generic;
using System.IO;
using KDsl.Image;

namespace KDsl.Cli
{
    /// <summary>Reads and compiles a .kdsl file, printing its diagnostics in the compiler format to stderr.</summary>
    internal static class Compilation
    {
        /// <param name="exported">Functions the caller will call from outside the module (<see cref="Compiler.Compile"/>).</param>
        public static bool TryCompile(FileInfo file, IReadOnlyDictionary<string, string>? settings, out ModuleImage? image, bool showInfo = true,
            IReadOnlyCollection<string>? exported = null)
        {
            bool ok = TryCompile(file, settings, out CompileResult? result, showInfo, exported);
            image = result?.Image;
            return ok;
        }

        /// <summary>As above, with the whole result: every scenario's image (`kdsl run` runs them).</summary>
        /// <param name="showInfo">Print info-level diagnostics too (`kdsl check` does; `kdsl run` keeps to warnings and errors).</param>
        public static bool TryCompile(FileInfo file, IReadOnlyDictionary<string, string>? settings, out CompileResult? compiled, bool showInfo = true,
            IReadOnlyCollection<string>? exported = null)
        {
            compiled = null;
            if (!TryRead(file, out string text)) return false;
            var result = Compiler.Compile(file.FullName, text, settings, exported);
            foreach (var diagnostic in result.Diagnostics)
                if (showInfo || diagnostic.Severity > KDsl.Diagnostics.DiagnosticSeverity.Info)
                    Console.Error.WriteLine(diagnostic.ToString());
            compiled = result;
            return result.Image is not null;
        }

        /// <summary>The file's text, or false after saying on stderr why it cannot be read.</summary>
        public static bool TryRead(FileInfo file, out string text)
        {
            try
            {
                text = File.ReadAllText(file.FullName);
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"kdsl: cannot read {file.FullName}: {e.Message}");
                text = "";
                return false;
            }
        }

        /// <summary>Says on stderr that the file has no scenario of that name, and which it has.</summary>
        public static void ReportNoScenario(FileInfo file, string name, IEnumerable<Scenario> scenarios)
        {
            var names = new List<string>();
            foreach (var s in scenarios) names.Add(s.Name);
            Console.Error.WriteLine($"kdsl: {file.Name} has no scenario '{name}'; its scenarios: {string.Join(", ", names)}");
        }
    }
}
