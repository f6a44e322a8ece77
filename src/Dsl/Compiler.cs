using System;
using System.Collections.Generic;
using KDsl.Binding;
using KDsl.Diagnostics;
using KDsl.Image;
using KDsl.Syntax;
using KDsl.Text;

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
            var source = new SourceText(path ?? "", text ?? "");
            try
            {
                var program = BindCore(source, overrides, out var diagnostics);
                var all = new List<Diagnostic>(diagnostics);
                if (program is null) return new CompileResult(all, null);
                var (image, generated) = CodeGen.ModuleCompiler.Generate(program, source);
                if (generated != null) all.AddRange(generated);
                return new CompileResult(all, HasErrors(all) ? null : image);
            }
            catch (Exception ex)
            {
                return new CompileResult(new[] { InternalError(source, ex) }, null);
            }
        }

        /// <summary>
        /// Lex, parse and bind only (no code generation). Returns the bound program when there is no error, otherwise
        /// null; <paramref name="diagnostics"/> holds every diagnostic (warnings included), ordered by position. Never throws.
        /// </summary>
        public static BoundProgram? Bind(string path, string text, IReadOnlyDictionary<string, string>? overrides,
            out IReadOnlyList<Diagnostic> diagnostics)
        {
            var source = new SourceText(path ?? "", text ?? "");
            try
            {
                return BindCore(source, overrides, out diagnostics);
            }
            catch (Exception ex)
            {
                diagnostics = new[] { InternalError(source, ex) };
                return null;
            }
        }

        private static BoundProgram? BindCore(SourceText source, IReadOnlyDictionary<string, string>? overrides, out IReadOnlyList<Diagnostic> diagnostics)
        {
            var tree = SyntaxTree.Parse(source);
            var bag = new DiagnosticBag(source);
            var program = Binder.BindProgram(tree, overrides, bag);
            var all = new List<Diagnostic>(tree.Diagnostics);
            all.AddRange(bag);
            diagnostics = SortByPosition(all);
            return HasErrors(all) ? null : program;
        }

        private static IReadOnlyList<Diagnostic> SortByPosition(List<Diagnostic> diagnostics)
        {
            // Stable: equal positions keep their report order.
            var indexed = new List<(Diagnostic d, int i)>();
            for (int i = 0; i < diagnostics.Count; i++) indexed.Add((diagnostics[i], i));
            indexed.Sort((a, b) =>
            {
                int c = a.d.Location.Span.Start.CompareTo(b.d.Location.Span.Start);
                return c != 0 ? c : a.i.CompareTo(b.i);
            });
            var result = new Diagnostic[indexed.Count];
            for (int i = 0; i < result.Length; i++) result[i] = indexed[i].d;
            return result;
        }

        private static bool HasErrors(IEnumerable<Diagnostic> diagnostics)
        {
            foreach (var d in diagnostics)
                if (d.IsError) return true;
            return false;
        }

        private static Diagnostic InternalError(SourceText source, Exception ex)
        {
            var bag = new DiagnosticBag(source);
            bag.ReportInternalError($"{ex.GetType().Name}: {ex.Message}");
            return bag.ToList()[0];
        }
    }
}
