using System;
using System.Text.Json.Nodes;
using KDsl.Text;

namespace KDsl.Cli.Lsp
{
    /// <summary>
    /// LSP positions (0-based line, UTF-16 character: the protocol's default encoding, and .NET strings' own) to and
    /// from offsets in a <see cref="SourceText"/>.
    /// </summary>
    internal static class Positions
    {
        public static JsonObject Position(SourceText source, int offset)
        {
            var p = source.GetLinePosition(Math.Max(0, Math.Min(offset, source.Length)));
            return new JsonObject { ["line"] = p.Line, ["character"] = p.Character };
        }

        public static JsonObject Range(SourceText source, TextSpan span) =>
            new JsonObject { ["start"] = Position(source, span.Start), ["end"] = Position(source, span.End) };

        public static JsonObject Location(string uri, SourceText source, TextSpan span) =>
            new JsonObject { ["uri"] = uri, ["range"] = Range(source, span) };

        /// <summary>The offset of an LSP position, clamped into the text (a client may name a line past the end).</summary>
        public static int ToOffset(SourceText source, JsonObject position)
        {
            int line = position["line"]?.GetValue<int>() ?? 0;
            int character = position["character"]?.GetValue<int>() ?? 0;
            if (line < 0) return 0;
            if (line >= source.LineCount) return source.Length;
            int start = source.GetLineStart(line);
            int end = line + 1 < source.LineCount ? source.GetLineStart(line + 1) : source.Length;
            while (end > start && (source[end - 1] == '\n' || source[end - 1] == '\r')) end--;
            return Math.Min(start + Math.Max(0, character), end);
        }
    }
}
