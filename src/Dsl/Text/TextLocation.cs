using System;

namespace KDsl.Text
{
    /// <summary>A 0-based line and character, the shape Roslyn's LinePosition has.</summary>
    public readonly struct LinePosition : IEquatable<LinePosition>
    {
        public LinePosition(int line, int character)
        {
            Line = line;
            Character = character;
        }

        public int Line { get; }
        public int Character { get; }

        public bool Equals(LinePosition other) => Line == other.Line && Character == other.Character;
        public override bool Equals(object? obj) => obj is LinePosition other && Equals(other);
        public override int GetHashCode() => (Line * 397) ^ Character;
        public override string ToString() => $"({Line + 1},{Character + 1})";
    }

    /// <summary>A span in a named file with its line positions: plain, equatable data (no Roslyn types).</summary>
    public readonly struct TextLocation : IEquatable<TextLocation>
    {
        public TextLocation(string path, TextSpan span, LinePosition start, LinePosition end)
        {
            Path = path;
            Span = span;
            Start = start;
            End = end;
        }

        public string Path { get; }
        public TextSpan Span { get; }
        public LinePosition Start { get; }
        public LinePosition End { get; }

        /// <summary>1-based line, as compilers print it.</summary>
        public int Line => Start.Line + 1;
        /// <summary>1-based column, as compilers print it.</summary>
        public int Column => Start.Character + 1;

        public bool Equals(TextLocation other) =>
            Path == other.Path && Span.Equals(other.Span) && Start.Equals(other.Start) && End.Equals(other.End);
        public override bool Equals(object? obj) => obj is TextLocation other && Equals(other);
        public override int GetHashCode() => ((Path?.GetHashCode() ?? 0) * 397) ^ Span.GetHashCode();
        public override string ToString() => $"{Path}({Line},{Column})";
    }
}
