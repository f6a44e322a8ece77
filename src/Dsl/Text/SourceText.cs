using System.Collections.Generic;

namespace KDsl.Text
{
    /// <summary>The text of one .kdsl file with a line index, so spans map to line/column.</summary>
    public sealed class SourceText
    {
        private readonly int[] _lineStarts;

        public SourceText(string path, string text)
        {
            Path = path;
            Text = text;
            _lineStarts = ComputeLineStarts(text);
        }

        public string Path { get; }
        public string Text { get; }
        public int LineCount => _lineStarts.Length;
        public char this[int index] => Text[index];
        public int Length => Text.Length;

        /// <summary>0-based line index of a character position.</summary>
        public int GetLineIndex(int position)
        {
            int lower = 0, upper = _lineStarts.Length - 1;
            while (lower <= upper)
            {
                int mid = lower + (upper - lower) / 2;
                int start = _lineStarts[mid];
                if (start == position) return mid;
                if (start > position) upper = mid - 1;
                else lower = mid + 1;
            }
            return lower - 1;
        }

        public int GetLineStart(int lineIndex) => _lineStarts[lineIndex];

        /// <summary>0-based (line, character) of a position, as Roslyn's LinePosition.</summary>
        public LinePosition GetLinePosition(int position)
        {
            if (position > Text.Length) position = Text.Length;
            int line = GetLineIndex(position);
            return new LinePosition(line, position - _lineStarts[line]);
        }

        public TextLocation GetLocation(TextSpan span) =>
            new TextLocation(Path, span, GetLinePosition(span.Start), GetLinePosition(span.End));

        public string ToString(TextSpan span) => Text.Substring(span.Start, span.Length);

        private static int[] ComputeLineStarts(string text)
        {
            var starts = new List<int> { 0 };
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') { i++; starts.Add(i + 1); }
                else if (c == '\r' || c == '\n') starts.Add(i + 1);
            }
            return starts.ToArray();
        }
    }
}
