using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using KDsl.CodeGen;
using KDsl.Image;
using KDsl.Profiles;
using KDsl.Runtime;
using KDsl.Runtime.Kernel;

namespace KDsl.Cli
{
    /// <summary>
    /// The frames on the task stack at an oops (or at the high-water mark of a run that did not fault), innermost (lowest) first, as the ORC unwinder sees them: from RSP up,
    /// each function of the reliable call chain holds its CFA offset of bytes (RIP's function: the offset in force at
    /// RIP; a caller: its full frame, what it has at every call it makes). Module functions are sized by the image's
    /// unwind rows, kernel functions by the profile's kernel text (the same rows the runtime's unwinder reads), so an
    /// overflow inside printk shows printk's frames below the module's. The kernel's frames above the module (the
    /// insmod path) are one block up to the stack top.
    /// </summary>
    internal static class StackFrames
    {
        /// <summary>
        /// A stack frame: [Low, High), its function, whether it is a module function and whether RIP is in it; a module
        /// frame's variables that live on the stack, at <see cref="Body"/> (RSP once its prologue ran) + their offsets. A
        /// block is the kernel's frames above the module's: Callers lists them, innermost first.
        /// </summary>
        internal sealed record Frame(string Function, ulong Low, ulong High, bool Module, bool HasRip, ulong Body,
            IReadOnlyList<FrameVariable> Variables, bool Block = false, IReadOnlyList<string>? Callers = null);

        private sealed record Text(IReadOnlyDictionary<string, ModuleSymbol> Symbols, IReadOnlyList<UnwindEntry> Unwind);

        /// <summary>The frames at an oops: ending where <paramref name="replayed"/> (<see cref="StackAtHighWater.AtOops"/>)
        /// found them end, or, without it, sized by the CFA rows (a kernel caller by its largest).</summary>
        internal static IReadOnlyList<Frame> Of(ModuleImage image, OopsFacts o, StackAtHighWater? replayed = null) =>
            Of(image, o.Rsp, o.RipSymbol, o.CallChain, replayed?.FrameTops, o.StackTop);

        /// <summary>The frames at the high-water mark of a run in which nothing faulted, ending where the unwinder found them end.</summary>
        internal static IReadOnlyList<Frame> Of(ModuleImage image, StackAtHighWater s) => Of(image, s.Rsp, s.RipSymbol, s.CallChain, s.FrameTops, s.StackTop);

        /// <param name="ripSymbol">RIP as %pS prints it: the innermost frame holds what its function had pushed there.</param>
        /// <param name="callChain">The reliable call chain, innermost first.</param>
        /// <param name="tops">Each frame's CFA as the unwinder found it, or null: the CFA rows' sizes are taken instead.</param>
        private static IReadOnlyList<Frame> Of(ModuleImage image, ulong rsp, string ripSymbol, IReadOnlyList<string> callChain,
            IReadOnlyList<ulong>? tops, ulong stackTop)
        {
            var module = new Text(image.Symbols.Where(s => s.Section == Section.Text).ToDictionary(s => s.Name, StringComparer.Ordinal), image.Unwind);
            var kernel = KernelText(image.Config.Profile);
            var variables = image.Variables.ToLookup(v => v.Function, StringComparer.Ordinal);
            var frames = new List<Frame>();
            ulong cursor = rsp;
            bool seenModule = false;
            int i = 0;
            for (; i < callChain.Count; i++)
            {
                string name = callChain[i];
                bool isModule = module.Symbols.ContainsKey(name);
                // Kernel frames above the module's are drawn as one block: stop here.
                if (!isModule && seenModule) break;
                var text = isModule ? module : kernel;
                if (text is null || !text.Symbols.TryGetValue(name, out var symbol)) break;
                long cfa = tops is not null && i < tops.Count ? (long)(tops[i] - cursor)
                    : i == 0 ? CfaAtRip(text, symbol, ripSymbol) : MaxCfa(text, symbol);
                if (cfa <= 0 || cursor + (ulong)cfa > stackTop) break;
                ulong high = cursor + (ulong)cfa;
                // The body (RSP after the prologue) is the function's full frame below the CFA, wherever RIP stopped in it.
                frames.Add(new Frame(name, cursor, high, isModule, i == 0, high - (ulong)MaxCfa(text, symbol),
                    isModule ? variables[name].ToList() : Array.Empty<FrameVariable>()));
                cursor += (ulong)cfa;
                seenModule |= isModule;
            }
            if (cursor < stackTop)
            {
                var rest = callChain.Skip(i).ToList();
                frames.Add(new Frame(rest.Count > 0 ? rest[0] : "insmod path", cursor, stackTop, false, false, cursor, Array.Empty<FrameVariable>(),
                    Block: true, Callers: rest));
            }
            return frames;
        }

        private static Text? KernelText(string profileName)
        {
            var profile = KernelProfile.Find(profileName);
            if (profile is null) return null;
            var text = KernelTextCompiler.Compile(profile);
            var symbols = new Dictionary<string, ModuleSymbol>(StringComparer.Ordinal);
            foreach (var s in text.Symbols)
                if (s.Section == Section.Text) symbols[s.Name] = s;
            return new Text(symbols, text.Unwind);
        }

        /// <summary>The CFA offset at RIP, from "%pS": "rstack+0x2d/0x7f [step5]" or "vprintk_store+0x14/0x60".</summary>
        private static int CfaAtRip(Text text, ModuleSymbol symbol, string ripSymbol)
        {
            var m = Regex.Match(ripSymbol, @"^([\w.]+)\+0x([0-9a-f]+)/0x[0-9a-f]+");
            if (!m.Success || m.Groups[1].Value != symbol.Name) return 0;
            int offset = symbol.Offset + int.Parse(m.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            int cfa = 8, best = -1; // before any row: only the return address
            foreach (var row in text.Unwind)
                if (row.Offset >= symbol.Offset && row.Offset <= offset && row.Offset > best) { best = row.Offset; cfa = row.CfaOffset; }
            return cfa;
        }

        private static int MaxCfa(Text text, ModuleSymbol symbol)
        {
            int cfa = 0;
            foreach (var row in text.Unwind)
                if (row.Offset >= symbol.Offset && row.Offset < symbol.Offset + symbol.Size) cfa = Math.Max(cfa, row.CfaOffset);
            return cfa;
        }
    }
}
