using System;
using System.IO;

namespace KDsl.Cli.Lsp
{
    /// <summary>
    /// A diagnostic's help link: its section of docs/diagnostics.md, which the tool carries beside kdsl.dll, as an
    /// absolute file: URI (an editor opens it; a relative path would lead nowhere in the user's project).
    /// </summary>
    internal static class HelpLinks
    {
        private static readonly string? Base = Find();

        public static string? For(string id) => Base is null ? null : Base + "#" + id.ToLowerInvariant();

        private static string? Find()
        {
            string path = Path.Combine(AppContext.BaseDirectory, "docs", "diagnostics.md");
            return File.Exists(path) ? new Uri(path).AbsoluteUri : null;
        }
    }
}
