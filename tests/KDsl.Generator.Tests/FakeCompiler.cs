using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using KDsl.Diagnostics;
using KDsl.Text;

namespace KDsl.Generator.Tests
{
    /// <summary>
    /// A stand-in for Compiler.Compile, so the pipeline is tested whatever state src/Dsl is in. The image's .rodata
    /// is the text with trailing blanks trimmed (so blanks at line ends move text without changing the image);
    /// "WARN" gives a located warning, "ERROR" a located error, "THROW" an exception.
    /// </summary>
    internal static class FakeCompiler
    {
        public static CompileResult? Compile(string path, string text)
        {
            if (text.Contains("THROW", StringComparison.Ordinal)) throw new InvalidOperationException("fake compiler failure");

            var source = new SourceText(path, text);
            var diagnostics = new List<Diagnostic>();
            Report(source, "WARN", "KDSL1001", DiagnosticSeverity.Warning, diagnostics);
            Report(source, "ERROR", "KDSL0001", DiagnosticSeverity.Error, diagnostics);
            if (diagnostics.Any(d => d.IsError)) return new CompileResult(diagnostics, null);

            string trimmed = string.Join("\n", text.Split('\n').Select(l => l.TrimEnd()));
            var image = TestImages.Create(path);
            return new CompileResult(diagnostics, new KDsl.Image.ModuleImage(
                image.Name, image.Description, image.SourcePath, image.Config, image.Text, Encoding.UTF8.GetBytes(trimmed),
                image.Symbols, image.Relocations, image.Lines, image.Unwind, image.InitSymbol, image.ExitSymbol, image.Expectations));
        }

        private static void Report(SourceText source, string marker, string id, DiagnosticSeverity severity, List<Diagnostic> diagnostics)
        {
            int index = source.Text.IndexOf(marker, StringComparison.Ordinal);
            if (index >= 0)
            {
                diagnostics.Add(new Diagnostic(id, severity, source.GetLocation(new TextSpan(index, marker.Length)), $"fake {marker.ToLowerInvariant()}"));
            }
        }
    }
}
