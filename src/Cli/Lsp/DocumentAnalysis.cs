using System.Collections.Generic;
using KDsl.Analysis;
using KDsl.Binding;
using KDsl.Diagnostics;
using KDsl.Image;
using KDsl.Profiles;
using KDsl.Symbols;
using KDsl.Syntax;
using KDsl.Text;

namespace KDsl.Cli.Lsp
{
    /// <summary>
    /// Everything the server knows about one version of a document, made once per change: the compiler's diagnostics
    /// (Compiler.Compile, as the generator and `kdsl check` call it), the syntax tree, the bound program and module
    /// image when the file compiles, and the symbol index.
    /// </summary>
    internal sealed class DocumentAnalysis
    {
        private Dictionary<string, FunctionFrame>? _frames;

        private DocumentAnalysis(SourceText source, CompileResult compiled, SyntaxTree tree, IReadOnlyList<SyntaxToken> tokens,
            BoundProgram? program, KernelProfile profile, SymbolIndex index)
        {
            Source = source;
            Compiled = compiled;
            Tree = tree;
            Tokens = tokens;
            Program = program;
            Profile = profile;
            Index = index;
        }

        public SourceText Source { get; }
        public CompileResult Compiled { get; }
        public IReadOnlyList<Diagnostic> Diagnostics => Compiled.Diagnostics;
        public SyntaxTree Tree { get; }
        public IReadOnlyList<SyntaxToken> Tokens { get; }
        /// <summary>The default scenario's bound program; null while the file has errors.</summary>
        public BoundProgram? Program { get; }
        /// <summary>The default scenario's image; null while the file has errors.</summary>
        public ModuleImage? Image => Compiled.Image;
        public KernelProfile Profile { get; }
        public SymbolIndex Index { get; }

        public static DocumentAnalysis Analyze(string path, string text)
        {
            var source = new SourceText(path, text);
            var compiled = Compiler.Compile(path, text);
            var tree = SyntaxTree.Parse(source);
            var tokens = SyntaxTree.ParseTokens(text, out _);
            var program = compiled.Image is null ? null : Compiler.Bind(path, text, null, out _);
            var profile = KernelProfile.Find(compiled.Image?.Config.Profile ?? ConfiguredProfile(tree)) ?? KernelProfile.Linux61;
            var index = SymbolIndex.Build(tree, program, tokens, Binder.KernelFunctions(profile));
            return new DocumentAnalysis(source, compiled, tree, tokens, program, profile, index);
        }

        /// <summary>The frame of each function of the image, read off its machine code (by link name).</summary>
        public IReadOnlyDictionary<string, FunctionFrame> Frames
        {
            get
            {
                if (_frames != null) return _frames;
                _frames = new Dictionary<string, FunctionFrame>();
                if (Image is null) return _frames;
                var imageIndex = new FrameReader.ImageIndex(Image);
                foreach (var symbol in Image.Symbols)
                    if (symbol.Section == Section.Text) _frames[symbol.Name] = FrameReader.Read(Image, symbol, imageIndex);
                return _frames;
            }
        }

        public ModuleSymbol? ImageSymbol(string linkName)
        {
            if (Image is null) return null;
            foreach (var s in Image.Symbols)
                if (s.Section == Section.Text && s.Name == linkName) return s;
            return null;
        }

        /// <summary>The bound function whose span holds the offset (user functions, init, exit, later, processes).</summary>
        public BoundFunction? FunctionAt(int offset)
        {
            if (Program is null) return null;
            foreach (var f in Program.Functions)
                if (offset >= f.Span.Start && offset <= f.Span.End) return f;
            return null;
        }

        /// <summary>The 1-based .kdsl line of the code at a .text offset (the image's line table).</summary>
        public int LineOfCode(int offset)
        {
            int line = 0, best = -1;
            if (Image is null) return line;
            foreach (var entry in Image.Lines)
                if (entry.Offset <= offset && entry.Offset >= best) (best, line) = (entry.Offset, entry.Line);
            return line;
        }

        /// <summary>The top-level config block's profile, for a file that does not compile (so hover still names the right kernel).</summary>
        private static string ConfiguredProfile(SyntaxTree tree)
        {
            foreach (var member in tree.Root.Members)
                if (member is ConfigBlockSyntax config)
                    foreach (var entry in config.Entries)
                        if (entry.FullKey == "profile") return entry.Value;
            return KernelProfile.Linux61.Name;
        }
    }
}
