using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Text;
using KDsl.Text;

namespace KDsl.Dsl.Tests.Syntax
{
    /// <summary>
    /// Text with [ ] marking expected spans, as in minsk: "int [x] = 1;" is "int x = 1;" with span (4,1).
    /// KDsl itself uses square brackets, so a text that contains ⟦ marks its spans with ⟦ ⟧ instead and keeps [ ] literal.
    /// </summary>
    public sealed class AnnotatedText
    {
        private AnnotatedText(string text, ImmutableArray<TextSpan> spans)
        {
            Text = text;
            Spans = spans;
        }

        public string Text { get; }
        /// <summary>Spans in the order of their opening brackets.</summary>
        public ImmutableArray<TextSpan> Spans { get; }

        public static AnnotatedText Parse(string text)
        {
            var sb = new StringBuilder();
            var spans = new List<(int order, TextSpan span)>();
            var open = new Stack<(int order, int start)>();
            int order = 0;
            bool alternate = text.IndexOf('\u27E6') >= 0;
            char opening = alternate ? '\u27E6' : '[', closing = alternate ? '\u27E7' : ']';
            foreach (char c in text)
            {
                if (c == opening) open.Push((order++, sb.Length));
                else if (c == closing)
                {
                    if (open.Count == 0) throw new ArgumentException("too many closing markers", nameof(text));
                    var (o, start) = open.Pop();
                    spans.Add((o, TextSpan.FromBounds(start, sb.Length)));
                }
                else sb.Append(c);
            }
            if (open.Count != 0) throw new ArgumentException("missing closing marker", nameof(text));
            spans.Sort((a, b) => a.order.CompareTo(b.order));
            var result = ImmutableArray.CreateBuilder<TextSpan>();
            foreach (var s in spans) result.Add(s.span);
            return new AnnotatedText(sb.ToString(), result.ToImmutable());
        }
    }
}
