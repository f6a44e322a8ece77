using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace KDsl.Cli
{
    /// <summary>SVG primitives for the stack picture, with numbers written the same way on every machine.</summary>
    internal static class Svg
    {
        public static void Rect(StringBuilder svg, double x, double y, double w, double h, string cls, string fill, string stroke, string? extra = null) =>
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"{cls}\" x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{w:0.#}\" height=\"{h:0.#}\" fill=\"{fill}\" stroke=\"{stroke}\"{extra ?? ""}/>\n");

        public static void Line(StringBuilder svg, double x1, double y1, double x2, double y2, string cls, string stroke, string? dash, double width = 2) =>
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"{cls}\" x1=\"{x1:0.#}\" y1=\"{y1:0.#}\" x2=\"{x2:0.#}\" y2=\"{y2:0.#}\" stroke=\"{stroke}\" stroke-width=\"{width:0.#}\"{(dash is null ? "" : $" stroke-dasharray=\"{dash}\"")}/>\n");

        public static void Text(StringBuilder svg, double x, double y, string text, string cls, int size, string? weight, string? fill = null, bool end = false) =>
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"{cls}\" x=\"{x:0.#}\" y=\"{y:0.#}\" font-size=\"{size}\"{(weight is null ? "" : $" font-weight=\"{weight}\"")}{(fill is null ? "" : $" fill=\"{fill}\"")}{(end ? " text-anchor=\"end\"" : "")}>{Escape(text)}</text>\n");

        public static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");

        /// <summary>Splits <paramref name="text"/> at spaces into lines of at most <paramref name="width"/> characters.</summary>
        public static IReadOnlyList<string> Wrap(string text, int width)
        {
            var lines = new List<string>();
            var line = new StringBuilder();
            foreach (var word in text.Split(' '))
            {
                if (line.Length > 0 && line.Length + 1 + word.Length > width)
                {
                    lines.Add(line.ToString());
                    line.Clear().Append("    ");
                }
                if (line.Length > 0 && line.ToString() != "    ") line.Append(' ');
                line.Append(word);
            }
            if (line.Length > 0) lines.Add(line.ToString());
            return lines;
        }
    }

    /// <summary>
    /// A column of labels beside the stack, each pointing at one address: labels that would overlap are moved apart
    /// (down, then back up at the bottom edge) and joined to their address by a thin leader line, so the frames of a
    /// few bytes near the stack top, or RSP and CR2 16 bytes apart, stay readable.
    /// </summary>
    internal sealed class SvgLabels
    {
        private const double LineHeight = 14;

        private sealed record Label(double Anchor, IReadOnlyList<(string Text, string Cls, int Size, string? Weight, string? Fill)> Lines)
        {
            public double Height => Lines.Count * LineHeight;
        }

        private readonly List<Label> _labels = new List<Label>();

        /// <summary>A label for the address drawn at <paramref name="anchor"/>; its lines stack downwards.</summary>
        public void Add(double anchor, params (string Text, string Cls, int Size, string? Weight, string? Fill)[] lines) =>
            _labels.Add(new Label(anchor, lines));

        /// <param name="textX">Where the text starts (or ends, for a right-aligned column).</param>
        /// <param name="edgeX">The box edge the leaders run to.</param>
        public void Draw(StringBuilder svg, double textX, double edgeX, bool rightAligned, double minY, double maxY)
        {
            var sorted = _labels.OrderBy(l => l.Anchor).ToList();
            var tops = new double[sorted.Count];
            // First pass: each label centred on its anchor, pushed below the previous one.
            double floor = minY;
            for (int i = 0; i < sorted.Count; i++)
            {
                tops[i] = Math.Max(sorted[i].Anchor - LineHeight / 2 - 2, floor);
                floor = tops[i] + sorted[i].Height + 2;
            }
            // Second pass: anything pushed past the bottom moves back up.
            double ceiling = maxY;
            for (int i = sorted.Count - 1; i >= 0; i--)
            {
                tops[i] = Math.Min(tops[i], ceiling - sorted[i].Height);
                ceiling = tops[i] - 2;
            }
            for (int i = 0; i < sorted.Count; i++)
            {
                var label = sorted[i];
                double first = tops[i] + LineHeight - 3;
                double middle = tops[i] + LineHeight / 2 + 1;
                double leaderX = rightAligned ? textX + 4 : textX - 4;
                if (Math.Abs(middle - label.Anchor) > 2)
                    Svg.Line(svg, edgeX, label.Anchor, leaderX, middle, "leader", "#95a5a6", null, 1);
                else
                    Svg.Line(svg, edgeX, label.Anchor, leaderX, label.Anchor, "leader", "#95a5a6", null, 1);
                for (int j = 0; j < label.Lines.Count; j++)
                {
                    var (text, cls, size, weight, fill) = label.Lines[j];
                    Svg.Text(svg, textX, first + j * LineHeight, text, cls, size, weight, fill, rightAligned);
                }
            }
        }
    }
}
