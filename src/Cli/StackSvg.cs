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
    /// `kdsl run FILE --svg OUT.svg`: the kernel stack at the moment of the fault (or of the high-water mark), high addresses at the top as the
    /// stack grows down, to scale: the task stack [StackBase, StackTop), the unmapped guard page below it (hatched, drawn
    /// over any frame that reached into it), each frame of the oops' reliable call chain (<see cref="StackFrames"/>),
    /// each module frame's variables that live on the stack, by name (an array labelled with the address the experiment printed inside it), the
    /// faulting address (CR2), RSP and the high-water mark. Addresses are in a column on the left and names on the right,
    /// moved apart and joined by leader lines where they would overlap. thread_info lives in task_struct on every
    /// current profile (CONFIG_THREAD_INFO_IN_TASK, 4.9 and later), so it is not drawn on the stack; STACK_END_MAGIC is
    /// not drawn because the runtime does not write it at the stack base. Without an oops the picture is of the moment
    /// the stack was deepest (<see cref="StackAtHighWater"/>): the frames then, their variables, and the deepest RSP.
    /// </summary>
    internal static class StackSvg
    {
        private const int PageSize = 4096;
        private const double Width = 1000, Top = 80, Height = 900, Left = 180, BoxWidth = 400, BufferX = Left + 170;
        private const string Fault = "#c0392b";

        /// <param name="replayed">The stack replayed to the fault (<see cref="StackAtHighWater.AtOops"/>: its frames' exact
        /// ends) or, when nothing oopsed, to the high-water mark (<see cref="StackAtHighWater.Replay"/>: the picture is of
        /// that moment); or null.</param>
        internal static string Render(ModuleImage image, RunResult result, StackAtHighWater? replayed = null)
        {
            var svg = new StringBuilder();
            var o = result.Oops;
            var deepest = o is null ? replayed : null;
            bool oopsAddresses = o is not null && o.StackTop != 0;
            bool addresses = oopsAddresses || deepest is not null;
            ulong top = oopsAddresses ? o!.StackTop : deepest?.StackTop ?? (ulong)image.Config.ThreadSize;
            ulong stackBase = oopsAddresses ? o!.StackBase : deepest?.StackBase ?? 0;
            ulong guardLow = stackBase >= PageSize ? stackBase - PageSize : 0;
            double scale = Height / (top - guardLow);
            double Y(ulong address) => Top + (double)(top - Math.Min(Math.Max(address, guardLow), top)) * scale;
            string Addr(ulong a) => addresses ? a.ToString("x16", CultureInfo.InvariantCulture) : "top-" + (top - a).ToString(CultureInfo.InvariantCulture);
            bool faultOnPicture = oopsAddresses && o!.FaultAddress >= guardLow && o.FaultAddress < top;

            var notes = new List<string>
            {
                image.Config.ThreadInfoOnStack
                    ? "thread_info: the stack's lowest 40 bytes (thread_info = stack, as before 4.9); STACK_END_MAGIC (0x57ac6e9d) right above it."
                    : "thread_info: in task_struct (CONFIG_THREAD_INFO_IN_TASK); STACK_END_MAGIC (0x57ac6e9d) is the stack's lowest word.",
            };
            if (o is not null) notes.AddRange(Svg.Wrap("call chain (innermost first): " + Chain(o.CallChain), 140));
            else if (deepest is not null) notes.AddRange(Svg.Wrap("call chain at the high-water mark (innermost first): " + Chain(deepest.CallChain), 140));
            double notesY = Top + Height + 36;
            double total = notesY + notes.Count * 16 + 12;

            svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{total:0}\" viewBox=\"0 0 {Width} {total:0}\" font-family=\"monospace\" font-size=\"12\">\n");
            svg.Append("<defs><pattern id=\"hatch\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
                + $"<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" stroke=\"{Fault}\" stroke-width=\"2.5\"/></pattern></defs>\n");
            svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
            string what = o is not null
                ? $"{o.Kind} in {(o.Function.Length > 0 ? o.Function : "?")}" + (o.Depth > 0 ? $", {o.ModuleFunction} depth {o.Depth}" : "") + (o.Panicked ? ", panic" : "")
                : $"{result.Outcome}: no oops; the stack at its high-water mark" + (deepest is null ? ""
                    : $", in {(deepest.Function.Length > 0 ? deepest.Function : "?")}" + (deepest.Depth > 0 ? $", {deepest.ModuleFunction} depth {deepest.Depth}" : ""));
            Svg.Text(svg, 10, 22, $"{image.Name} ({image.Config.Profile}, THREAD_SIZE {image.Config.ThreadSize}): kernel stack at the " + (o is null ? "high-water mark" : "fault"), "title", 15, "bold");
            Svg.Text(svg, 10, 42, what, "summary", 12, null);
            if (oopsAddresses && !faultOnPicture)
                Svg.Text(svg, 10, 60, $"fault address (CR2) {Addr(o!.FaultAddress)}: not on this stack, so not drawn", "label fault-label", 12, "bold", Fault);

            var left = new SvgLabels();
            var right = new SvgLabels();
            Svg.Rect(svg, Left, Y(top), BoxWidth, Y(stackBase) - Y(top), "stack", "#f4f6f8", "#34495e");
            left.Add(Y(top), (Addr(top), "address", 11, null, null), ("stack top", "label", 11, null, "#566573"));

            var frames = oopsAddresses ? StackFrames.Of(image, o!, replayed) : deepest is not null ? StackFrames.Of(image, deepest) : null;
            if (frames is not null)
            {
                int index = 0, shade = 0;
                for (int k = 0; k < frames.Count;)
                {
                    // A recursion whose frames are too thin to label one by one gets one label for the run, and the
                    // addresses of its ends: a hundred 88-byte levels would otherwise push a hundred labels off the picture.
                    int run = RecursionRun(frames, k, Y);
                    for (int j = k; j < k + run; j++)
                    {
                        var f = frames[j];
                        DrawFrame(svg, result, f, f.Block ? -1 : index, shade, oopsAddresses, run == 1, Y, Addr, right);
                        if (!f.Block) index++;
                        if (f.Module) shade++;
                    }
                    var first = frames[k];
                    var last = frames[k + run - 1];
                    if (last.High != top) left.Add(Y(last.High), (Addr(last.High), "address", 11, null, null));
                    if (run > 1)
                        right.Add((Y(last.High) + Y(first.Low)) / 2, ($"#{index - run}..#{index - 1} {first.Function} \u00d7{run}, {first.High - first.Low} bytes each", "frame-label", 11, "bold", null));
                    k += run;
                }
            }

            if (addresses)
            {
                // Drawn over the frames: the part of a frame that reached below the stack base is visibly in the guard page.
                Svg.Rect(svg, Left, Y(stackBase), BoxWidth, Y(guardLow) - Y(stackBase), "guard-page", "url(#hatch)", Fault, " fill-opacity=\"0.9\"");
                Svg.Line(svg, Left - 8, Y(stackBase), Left + BoxWidth + 8, Y(stackBase), "stack-base", "#7b241c", null, 3);
                left.Add(Y(stackBase), (Addr(stackBase), "address", 11, "bold", null), ("stack base", "label", 11, null, "#566573"));
                left.Add(Y(guardLow), (Addr(guardLow), "address", 11, null, null));
                right.Add((Y(stackBase) + Y(guardLow)) / 2,
                    ("guard page (unmapped, 4 KB)", "label guard-label", 12, "bold", Fault),
                    ($"[{Addr(guardLow)}, {Addr(stackBase)})", "label", 11, null, null));
            }

            if (oopsAddresses || deepest is not null)
            {
                ulong rsp = oopsAddresses ? o!.Rsp : deepest!.Rsp;
                double ry = Y(rsp);
                Svg.Line(svg, Left - 16, ry, Left + BoxWidth + 16, ry, "rsp", "#1b2631", "6 3");
                right.Add(ry, ((deepest is null ? "RSP " : "deepest RSP ") + Addr(rsp), "label rsp-label", 11, null, null));
                if (faultOnPicture)
                {
                    double fy = Y(o!.FaultAddress);
                    Svg.Line(svg, Left - 16, fy, Left + BoxWidth + 16, fy, "fault", Fault, null, 2.5);
                    svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"fault-marker\" cx=\"{Left + BoxWidth:0.#}\" cy=\"{fy:0.#}\" r=\"5\" fill=\"{Fault}\"/>\n");
                    var lines = new List<(string, string, int, string?, string?)> { ("fault address (CR2) " + Addr(o.FaultAddress), "label fault-label", 12, "bold", Fault) };
                    if (o.FaultAddress < stackBase)
                        lines.Add(($"{stackBase - o.FaultAddress} bytes below the stack base", "label", 11, null, Fault));
                    right.Add(fy, lines.ToArray());
                }
            }

            if (!addresses)
            {
                // Nothing faulted and the deepest point was not replayed: how deep the stack went is known. Shade that part.
                left.Add(Y(0), ("top-" + top.ToString(CultureInfo.InvariantCulture), "address", 11, null, null), ("stack base", "label", 11, null, "#566573"));
                if (result.StackHighWater > 0)
                {
                    ulong deepestAt = top - (ulong)Math.Min(result.StackHighWater, (long)top);
                    Svg.Rect(svg, Left + 4, Y(top), BoxWidth - 8, Y(deepestAt) - Y(top), "used", "#d5f5e3", "#1e8449");
                    right.Add((Y(top) + Y(deepestAt)) / 2, ($"used at the deepest point: {result.StackHighWater} of {top} bytes", "label", 11, "bold", "#1e8449"));
                }
            }

            if (result.StackHighWater > 0)
            {
                double hy = Y(top - (ulong)result.StackHighWater);
                Svg.Line(svg, Left - 30, hy, Left, hy, "high-water", "#1e8449", null, 3);
                left.Add(hy, ($"high-water {result.StackHighWater} B", "label high-water-label", 11, "bold", "#1e8449"));
            }

            left.Draw(svg, Left - 34, Left - 30, rightAligned: true, Top - 6, Top + Height + 14);
            right.Draw(svg, Left + BoxWidth + 30, Left + BoxWidth, rightAligned: false, Top - 6, Top + Height + 14);
            for (int i = 0; i < notes.Count; i++)
                Svg.Text(svg, 10, notesY + i * 16, notes[i], i >= 1 ? "note call-chain" : "note", 11, null);
            svg.Append("</svg>\n");
            return svg.ToString();
        }

        /// <summary>The call chain with each recursion written once: "rstack ×101 &lt;- step5_init".</summary>
        private static string Chain(IReadOnlyList<string> chain)
        {
            var parts = new List<string>();
            for (int i = 0; i < chain.Count;)
            {
                int n = 1;
                while (i + n < chain.Count && chain[i + n] == chain[i]) n++;
                parts.Add(n == 1 ? chain[i] : $"{chain[i]} \u00d7{n}");
                i += n;
            }
            return string.Join(" <- ", parts);
        }

        /// <summary>
        /// How many frames from <paramref name="k"/> up are one recursion to label together: the same function at the same
        /// size, none of them RIP's, each too thin for its own label (runs of fewer than three are labelled frame by frame).
        /// </summary>
        private static int RecursionRun(IReadOnlyList<StackFrames.Frame> frames, int k, Func<ulong, double> y)
        {
            static bool Thin(StackFrames.Frame f, Func<ulong, double> y) => !f.Block && !f.HasRip && y(f.Low) - y(f.High) < InsideLabelHeight;
            var first = frames[k];
            if (!Thin(first, y)) return 1;
            int n = 1;
            while (k + n < frames.Count && Thin(frames[k + n], y) && frames[k + n].Function == first.Function &&
                   frames[k + n].High - frames[k + n].Low == first.High - first.Low)
                n++;
            return n >= 3 ? n : 1;
        }

        /// <summary>The height a frame needs for its name and size inside its box.</summary>
        private const double InsideLabelHeight = 2 * 14 + 6;

        /// <param name="fault">The picture is of a fault (RIP's frame is the faulting one), not of the high-water mark.</param>
        /// <param name="label">Label a frame too thin for its name inside beside the stack (false: its run is labelled as a whole).</param>
        private static void DrawFrame(StringBuilder svg, RunResult result, StackFrames.Frame f, int index, int shade, bool fault, bool label,
            Func<ulong, double> y, Func<ulong, string> addr, SvgLabels right)
        {
            double y1 = y(f.High), y2 = y(f.Low), h = Math.Max(1, y2 - y1);
            bool faulting = f.HasRip && fault;
            string cls = (f.Module ? "frame" : f.Block ? "kernel-frames" : "kernel-frame") + (faulting ? " faulting" : f.HasRip ? " deepest" : "");
            // Neighbouring frames alternate shades so their boundaries show even where a frame is a few pixels tall.
            string fill = faulting ? "#f5b7b1" : f.Module ? (shade % 2 == 0 ? "#aed6f1" : "#d6eaf8") : f.Block ? "#e5e7e9" : (index % 2 == 0 ? "#d5d8dc" : "#eaecee");
            ulong size = f.High - f.Low;
            string name = f.Block ? $"kernel: {f.Function}" + (f.Callers is { Count: > 1 } c ? $" and {c.Count - 1} callers" : "") : $"#{index} {f.Function}";
            string rip = f.HasRip ? " (RIP here)" : "";
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"{cls}\" data-function=\"{Svg.Escape(f.Function)}\" data-low=\"{addr(f.Low)}\" data-high=\"{addr(f.High)}\">\n");
            string tooltip = $"{name}: [{addr(f.Low)}, {addr(f.High)}), {size} bytes" + (f.Callers is { Count: > 0 } cs ? "; " + string.Join(" <- ", cs) : "");
            svg.Append("<title>").Append(Svg.Escape(tooltip)).Append("</title>\n");
            Svg.Rect(svg, Left + 4, y1, BoxWidth - 8, h, "frame-box", fill, "#2c3e50");

            var lines = new List<(string Text, string Cls, int Size, string? Weight)> { (name + rip, "frame-label", 12, "bold"), ($"{size} bytes", "frame-detail", 11, null) };
            if (f.Module)
            {
                lines.Add(("return address at", "frame-detail", 10, null));
                lines.Add((addr(f.High - 8), "frame-detail", 10, null));
            }
            if (h >= InsideLabelHeight)
            {
                for (int i = 0; i < lines.Count && (i + 1) * 14 + 4 <= h; i++)
                    Svg.Text(svg, Left + 12, y1 + 15 + i * 14, lines[i].Text, lines[i].Cls, lines[i].Size, lines[i].Weight);
            }
            else if (label) right.Add((y1 + y2) / 2, ($"{name}{rip}, {size} bytes", "frame-label", 11, "bold", faulting ? Fault : null));

            foreach (var v in f.Variables) DrawVariable(svg, result, f, v, y);
            svg.Append("</g>\n");
        }

        /// <summary>
        /// One variable of a module frame, by its name, where the compiler put it; an array is labelled with the address the
        /// run printed inside it before the fault, if any (the experiment's `printk("%px", buf)`).
        /// </summary>
        private static void DrawVariable(StringBuilder svg, RunResult result, StackFrames.Frame f, FrameVariable v, Func<ulong, double> y)
        {
            ulong low = f.Body + (ulong)v.Offset, high = low + (ulong)v.Size;
            double y1 = y(high), y2 = y(low), h = Math.Max(1, y2 - y1);
            bool canary = v.Name == FrameVariable.CanaryName;
            Svg.Rect(svg, BufferX, y1, Left + BoxWidth - 12 - BufferX, h, v.IsArray ? "variable array" : "variable", canary ? "#f9e79f" : "#fdebd0", "#b9770e",
                $" data-name=\"{Svg.Escape(v.Name)}\" data-low=\"{low:x16}\" data-size=\"{v.Size}\"");
            if (h >= 18) Svg.Text(svg, BufferX + 8, y1 + 14, $"{v.Name}: {v.Size} bytes", "variable-label", 11, null);
            if (v.IsArray && h >= 32 && Printed(result, low, high) is { } printed)
                Svg.Text(svg, BufferX + 8, y1 + 28, "printed as " + printed, "variable-label", 11, null);
        }

        /// <summary>An address in [low, high) that the log printed before the oops, as printed.</summary>
        private static string? Printed(RunResult result, ulong low, ulong high)
        {
            foreach (var line in result.Log)
            {
                if (line.Contains("BUG:") || line.Contains("stack guard page") || line.Contains("Oops")) break;
                foreach (Match m in Regex.Matches(line, @"\b[0-9a-f]{16}\b"))
                {
                    ulong a = ulong.Parse(m.Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    if (a >= low && a < high) return m.Value;
                }
            }
            return null;
        }
    }
}
