using KDsl.Text;

namespace KDsl.Syntax
{
    /// <summary>
    /// A token. <see cref="Value"/> is a long for valid number and character tokens (null for an invalid number such as
    /// 16K, which only a config value accepts), and an ImmutableArray&lt;byte&gt; (escapes decoded, UTF-8) for strings.
    /// </summary>
    public sealed class SyntaxToken
    {
        public SyntaxToken(SyntaxKind kind, int position, string text, object? value, bool isMissing = false)
        {
            Kind = kind;
            Position = position;
            Text = text;
            Value = value;
            IsMissing = isMissing;
        }

        public SyntaxKind Kind { get; }
        public int Position { get; }
        public string Text { get; }
        public object? Value { get; }
        /// <summary>Fabricated by the parser's recovery: not in the source.</summary>
        public bool IsMissing { get; }
        public TextSpan Span => new TextSpan(Position, Text.Length);

        public override string ToString() => $"{Kind} '{Text}'";
    }
}
