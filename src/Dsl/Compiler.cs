using System.Collections.Generic;
using KDsl.Diagnostics;
using KDsl.Image;

namespace KDsl
{
    /// <summary>The result of compiling one .kdsl file: every diagnostic, and the module image when there was no error.</summary>
    public sealed class CompileResult
    {
        public CompileResult(IReadOnlyList<Diagnostic> diagnostics, ModuleImage? image)
        {
            Diagnostics = diagnostics;
            Image = image;
        }

        public IReadOnlyList<Diagnostic> Diagnostics { get; }
        public ModuleImage? Image { get; }
    }

    /// <summary>The one entry point the generator, the CLI and the tests use: .kdsl text in, diagnostics and an image out. Never throws.</summary>
    public static class Compiler
    {
        /// <param name="path">The file's path, used in every diagnostic's location.</param>
        /// <param name="text">The file's text.</param>
        /// <param name="overrides">Settings that win over the file's config block (the CLI's --set), or null.</param>
        public static CompileResult Compile(string path, string text, IReadOnlyDictionary<string, string>? overrides = null)
        {
            // Filled in by the front end (lexer, parser, binder) and code generation.
            return new CompileResult(new List<Diagnostic>(), null);
        }
    }
}
