using System;
using System.Collections.Generic;
using System.IO;
using KDsl.Image;

namespace KDsl.Cli
{
    /// <summary>Reads and compiles a .kdsl file, printing its diagnostics in the compiler format to stderr.</summary>
    internal static class Compilation
    {
        public static bool TryCompile(FileInfo file, IReadOnlyDictionary<string, string>? settings, out ModuleImage? image)
        {
            image = null;
            string text;
            try
            {
                text = File.ReadAllText(file.FullName);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"kdsl: cannot read {file.FullName}: {e.Message}");
                return false;
            }

            var result = Compiler.Compile(file.FullName, text, settings);
            foreach (var diagnostic in result.Diagnostics)
                Console.Error.WriteLine(diagnostic.ToString());
            image = result.Image;
            return image is not null;
        }
    }
}
