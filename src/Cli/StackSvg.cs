using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using KDsl.Image;
using KDsl.Runtime;

namespace KDsl.Cli
{
    /// <summary>
    /// `kdsl run FILE --svg OUT.svg`: the kernel stack at the moment of the fault, high addresses at the top as the
    /// stack grows down: the task stack [StackBase, StackTop), the unmapped guard page below it, each frame of the
    /// oops' reliable call chain with its function (module frames sized by the image's unwind rows, from RSP at the
    /// fault up; the kernel's own frames above them as one block), each module frame's locals (the buffer, placed at
    /// the address the experiment printed when it did), the faulting address (CR2), RSP and the high-water mark.
    /// thread_info lives in task_struct on every current profile (CONFIG_THREAD_INFO_IN_TASK, 4.9 and later), so it is
    /// not drawn on the stack; STACK_END_MAGIC is not drawn because the runtime does not write it at the stack base.
    /// Without an oops only the stack and its high-water mark are drawn, in offsets from the top.
    /// </summary>
    internal static class StackSvg
    {
        private const int PageSize = 4096;
        private const double Width = 820, Top = 70, Height = 900, Left = 190, BoxWidth = 330;

        /// <summary>A drawn stack frame: [Low, High), the function, and whether the fault hit it.</summary>
        internal sealed record Frame(string Function, ulong Low, ulong High, bool Module, bool Faulting, int LocalSize);

        internal static string Render(ModuleImage image, RunResult result)
        {
            var svg = new StringBuilder();
            var o = result.Oops;
            ulong top = o is not null && o.StackTop != 0 ? o.StackTop : (ulong)image.Config.ThreadSize;
            ulong stackBase = o is not null && o.StackTop != 0 ? o.StackBase : 0;
            bool addresses = o is not null && o.StackTop != 0;
            ulong guardLow = stackBase >= PageSize ? stackBase - PageSize : 0;
            double scale = Height / (top - guardLow);
            double Y(ulong address) => Top + (double)(top - Math.Min(Math.Max(address, guardLow), top)) * scale;
            string Addr(ulong a) => addresses ? a.ToString("x16", CultureInfo.InvariantCulture) : "top-" + (top - a).ToString(CultureInfo.InvariantCulture);

            svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Top + Height + 110}\" viewBox=\"0 0 {Width} {Top + Height + 110}\" font-family=\"monospace\" font-size=\"12\">\n");
            svg.Append("<defs><pattern id=\"hatch\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" stroke=\"#c0392b\" stroke-width=\"3\"/></pattern></defs>\n");
            svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
            string what = o is null ? $"{result.Outcome}: no oops; the stack at its high-water mark"
                : $"{o.Kind} in {(o.Function.Length > 0 ? o.Function : "?")}" + (o.Depth > 0 ? $", {o.ModuleFunction} depth {o.Depth}" : "") + (o.Panicked ? ", panic" : "");
            Text(svg, 10, 22, $"{image.Name} ({image.Config.Profile}, THREAD_SIZE {image.Config.ThreadSize}): kernel stack at the fault", "title", 15, "bold");
            Text(svg, 10, 42, what, "summary", 12, null);

            // The task stack and the guard page below it.
            Rect(svg, Left, Y(top), BoxWidth, Y(stackBase) - Y(top), "stack", "#f4f6f8", "#34495e");
            Text(svg, 10, Y(top) + 4, Addr(top), "address", 11, null);
            Text(svg, 10, Y(top) + 18, "stack top", "label", 11, null);
            if (addresses)
            {
                Rect(svg, Left, Y(stackBase), BoxWidth, Y(guardLow) - Y(stackBase), "guard-page", "url(#hatch)", "#c0392b");
                Text(svg, 10, Y(stackBase) + 4, Addr(stackBase), "address", 11, null);
                Text(svg, Left + BoxWidth + 10, Y(guardLow) - 24, "guard page (unmapped, 4 KB)", "label guard-label", 12, "bold");
                Text(svg, Left + BoxWidth + 10, Y(guardLow) - 8, $"[{Addr(guardLow)}, {Addr(stackBase)})", "label", 11, null);
                Text(svg, 10, Y(guardLow) + 4, Addr(guardLow), "address", 11, null);
            }

            if (o is not null && addresses)
            {
                var frames = Frames(image, result);
                int index = 0;
                foreach (var f in frames)
                {
                    double y1 = Y(f.High), y2 = Y(f.Low);
                    string cls = f.Faulting ? "frame faulting" : f.Module ? "frame" : "kernel-frames";
                    string fill = f.Faulting ? "#f9d6d5" : f.Module ? "#d6eaf8" : "#e8e8e8";
                    svg.Append(CultureInfo.InvariantCulture, $"<g class=\"{cls}\" data-function=\"{Escape(f.Function)}\" data-low=\"{Addr(f.Low)}\" data-high=\"{Addr(f.High)}\">\n");
                    Rect(svg, Left + 4, y1, BoxWidth - 8, Math.Max(1, y2 - y1), "frame-box", fill, "#2c3e50");
                    string label = f.Module ? $"#{index} {f.Function}" + (f.Faulting ? " (faulting)" : "") + $"  {f.High - f.Low} bytes"
                        : $"kernel: {f.Function.Split(' ')[0]} and {f.Function.Split(" <- ").Length - 1} callers, {f.High - f.Low} bytes";
                    bool small = y2 - y1 < 34;
                    if (small) Text(svg, Left + BoxWidth + 10, (y1 + y2) / 2 + 4, label, "frame-label", 11, "bold");
                    else Text(svg, Left + 12, y1 + 15, label, "frame-label", 12, "bold");
                    if (f.Module && !small)
                    {
                        Text(svg, Left + 12, y1 + 30, "return address at " + Addr(f.High - 8), "frame-detail", 10, null);
                        var buffer = Buffer(result, f);
                        if (buffer is { } b)
                        {
                            double by1 = Y(b.High), by2 = Y(b.Low);
                            Rect(svg, Left + 40, by1, BoxWidth - 80, Math.Max(1, by2 - by1), "buffer", "#fdebd0", "#b9770e");
                            Text(svg, Left + 48, Math.Min(by1 + 14, by2 - 2), b.Label, "buffer-label", 11, null);
                        }
                    }
                    svg.Append("</g>\n");
                    Text(svg, 10, y1 + 4, Addr(f.High), "address", 11, null);
                    if (f.Module) index++;
                }

                double ry = Y(o.Rsp);
                Line(svg, Left - 20, ry, Left + BoxWidth + 20, ry, "rsp", "#2c3e50", "4 3");
                Text(svg, Left + BoxWidth + 10, ry - 18, "RSP " + Addr(o.Rsp), "label rsp-label", 11, null);
                double fy = Y(o.FaultAddress);
                Line(svg, Left - 20, fy, Left + BoxWidth + 20, fy, "fault", "#c0392b", null);
                Text(svg, Left + BoxWidth + 10, fy - 4, "fault address (CR2) " + Addr(o.FaultAddress), "label fault-label", 12, "bold");
            }

            if (result.StackHighWater > 0)
            {
                double hy = Y(top - (ulong)result.StackHighWater);
                Line(svg, Left - 20, hy, Left, hy, "high-water", "#27ae60", null);
                Text(svg, 10, hy + 16, $"high-water {result.StackHighWater} B", "label high-water-label", 11, null);
            }

            double ny = Top + Height + 30;
            Text(svg, 10, ny, "thread_info: in task_struct (CONFIG_THREAD_INFO_IN_TASK), not on the stack.", "note", 11, null);
            Text(svg, 10, ny + 16, "STACK_END_MAGIC: not drawn; the emulated kernel does not write it at the stack base.", "note", 11, null);
            if (o is not null)
                Text(svg, 10, ny + 32, "call chain (innermost first): " + string.Join(" <- ", o.CallChain), "note call-chain", 11, null);
            svg.Append("</svg>\n");
            return svg.ToString();
        }

        /// <summary>The frames at the fault, innermost (lowest) first: module frames sized by the unwind rows, then the kernel's.</summary>
        internal static IReadOnlyList<Frame> Frames(ModuleImage image, RunResult result)
        {
            var o = result.Oops!;
            var frames = new List<Frame>();
            var functions = image.Symbols.Where(s => s.Section == Section.Text).ToDictionary(s => s.Name, StringComparer.Ordinal);
            var locals = image.Stack?.Functions.ToDictionary(f => f.Name, f => f.LocalSize, StringComparer.Ordinal) ?? new Dictionary<string, int>();
            ulong cursor = o.Rsp;
            int i = 0;
            for (; i < o.CallChain.Count; i++)
            {
                string name = o.CallChain[i];
                if (!functions.TryGetValue(name, out var symbol)) break;
                int cfa;
                if (i == 0)
                {
                    var m = Regex.Match(o.RipSymbol, @"^([\w.]+)\+0x([0-9a-f]+)/0x[0-9a-f]+ \[");
                    if (!m.Success || m.Groups[1].Value != name) break;
                    int offset = symbol.Offset + int.Parse(m.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    cfa = CfaAt(image, offset);
                }
                else cfa = MaxCfa(image, symbol);
                if (cfa <= 0) break;
                frames.Add(new Frame(name, cursor, cursor + (ulong)cfa, true, i == 0 && o.FaultAddress < o.StackBase, locals.TryGetValue(name, out int l) ? l : 0));
                cursor += (ulong)cfa;
            }
            if (cursor < o.StackTop)
            {
                var rest = o.CallChain.Skip(i).ToList();
                frames.Add(new Frame(rest.Count > 0 ? string.Join(" <- ", rest) : "insmod path", cursor, o.StackTop, false, false, 0));
            }
            return frames;
        }

        /// <summary>The CFA offset in force at <paramref name="offset"/> (the last unwind row at or before it).</summary>
        private static int CfaAt(ModuleImage image, int offset)
        {
            int cfa = 0, best = -1;
            foreach (var row in image.Unwind)
                if (row.Offset <= offset && row.Offset > best) { best = row.Offset; cfa = row.CfaOffset; }
            return cfa;
        }

        /// <summary>The function's full frame: the largest CFA offset of its rows (what it has at every call it makes).</summary>
        private static int MaxCfa(ModuleImage image, ModuleSymbol symbol)
        {
            int cfa = 0;
            foreach (var row in image.Unwind)
                if (row.Offset >= symbol.Offset && row.Offset < symbol.Offset + symbol.Size) cfa = Math.Max(cfa, row.CfaOffset);
            return cfa;
        }

        /// <summary>
        /// The frame's locals (the buffer), just above its RSP: [Low, Low + LocalSize), below the saved registers and
        /// the return address. Labelled with the address the run printed inside them before the fault, if any.
        /// </summary>
        private static (ulong Low, ulong High, string Label)? Buffer(RunResult result, Frame f)
        {
            if (f.LocalSize <= 0) return null;
            ulong low = f.Low, high = Math.Min(f.Low + (ulong)f.LocalSize, f.High - 8);
            foreach (var line in result.Log)
            {
                if (line.Contains("BUG:") || line.Contains("stack guard page") || line.Contains("Oops")) break;
                foreach (Match m in Regex.Matches(line, @"\b[0-9a-f]{16}\b"))
                {
                    ulong a = ulong.Parse(m.Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    if (a >= low && a < high)
                        return (low, high, $"buffer (locals {f.LocalSize} B), printed as {m.Value}");
                }
            }
            return (low, high, $"buffer (locals {f.LocalSize} B)");
        }

        private static void Rect(StringBuilder svg, double x, double y, double w, double h, string cls, string fill, string stroke) =>
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"{cls}\" x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{w:0.#}\" height=\"{h:0.#}\" fill=\"{fill}\" stroke=\"{stroke}\"/>\n");

        private static void Line(StringBuilder svg, double x1, double y1, double x2, double y2, string cls, string stroke, string? dash) =>
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"{cls}\" x1=\"{x1:0.#}\" y1=\"{y1:0.#}\" x2=\"{x2:0.#}\" y2=\"{y2:0.#}\" stroke=\"{stroke}\" stroke-width=\"2\"{(dash is null ? "" : $" stroke-dasharray=\"{dash}\"")}/>\n");

        private static void Text(StringBuilder svg, double x, double y, string text, string cls, int size, string? weight) =>
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"{cls}\" x=\"{x:0.#}\" y=\"{y:0.#}\" font-size=\"{size}\"{(weight is null ? "" : $" font-weight=\"{weight}\"")}>{Escape(text)}</text>\n");

        private static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");
    }
}
