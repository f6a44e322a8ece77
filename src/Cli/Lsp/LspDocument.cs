using System;
using System.Text.Json.Nodes;
using KDsl.Text;

namespace KDsl.Cli.Lsp
{
    /// <summary>
    /// One open .kdsl document: its text as the editor has it (full and incremental changes applied), and its analysis,
    /// made on demand and kept until the next change.
    /// </summary>
    internal sealed class LspDocument
    {
        private DocumentAnalysis? _analysis;

        public LspDocument(string uri, int version, string text)
        {
            Uri = uri;
            Path = PathOf(uri);
            Version = version;
            Text = text;
        }

        public string Uri { get; }
        /// <summary>The file-system path of a file: URI (what diagnostics name, and what a run reads), else the URI itself.</summary>
        public string Path { get; }
        public int Version { get; private set; }
        public string Text { get; private set; }
        /// <summary>Changed since its diagnostics were last published.</summary>
        public bool Dirty { get; set; } = true;

        public DocumentAnalysis Analysis => _analysis ??= DocumentAnalysis.Analyze(Path, Text);

        /// <summary>Applies one TextDocumentContentChangeEvent: a whole new text, or a range and its replacement.</summary>
        public void Apply(int version, JsonObject change)
        {
            string text = change["text"]?.GetValue<string>() ?? "";
            if (change["range"] is JsonObject range)
            {
                var source = new SourceText(Path, Text);
                int start = Positions.ToOffset(source, range["start"]!.AsObject());
                int end = Math.Max(start, Positions.ToOffset(source, range["end"]!.AsObject()));
                text = Text.Substring(0, start) + text + Text.Substring(end);
            }
            Text = text;
            Version = version;
            Dirty = true;
            _analysis = null;
        }

        private static string PathOf(string uri) =>
            System.Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.IsFile ? parsed.LocalPath : uri;
    }
}
