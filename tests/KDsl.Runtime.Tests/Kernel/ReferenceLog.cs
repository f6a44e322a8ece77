using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using KDsl.Runtime.Kernel.Oops;

namespace KDsl.Runtime.Tests.Kernel
{
    /// <summary>Helpers to turn verbatim dmesg excerpts (embedded in the tests) into expected lines and inputs.</summary>
    internal static class ReferenceLog
    {
        private static readonly Regex Timestamp = new(@"^\[\s*\d+\.\d{6}\] ");

        /// <summary>The excerpt's lines with the "[ seconds.micros] " prefix removed (trailing blanks kept).</summary>
        public static List<string> Lines(string excerpt) =>
            excerpt.Replace("\r", "").Split('\n')
                .Where(l => l.Length > 0)
                .Select(l => Timestamp.Replace(l, ""))
                .ToList();

        /// <summary>The bytes of a "Code:" line and a CodeDump with RIP at the &lt;xx&gt; byte.</summary>
        public static CodeDump Code(string codeLine, ulong rip)
        {
            var tokens = codeLine.Substring("Code: ".Length).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int at = Array.FindIndex(tokens, t => t.StartsWith('<'));
            var bytes = tokens.Select(t => byte.Parse(t.Trim('<', '>'), NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
            return new CodeDump(rip, rip - (ulong)at, bytes);
        }

        /// <summary>Call-trace entries from trace lines (" ? sym", " sym", " &lt;TASK&gt;", " &lt;/TASK&gt;").</summary>
        public static IEnumerable<CallTraceEntry> Frames(TextKallsyms k, params string[] traceLines)
        {
            foreach (var line in traceLines)
            {
                string t = line.TrimStart(' ');
                if (t.StartsWith("</", StringComparison.Ordinal)) yield return CallTraceEntry.EndStack(t.Substring(2, t.Length - 3));
                else if (t.StartsWith('<')) yield return CallTraceEntry.BeginStack(t.Substring(1, t.Length - 2));
                else if (t.StartsWith("? ", StringComparison.Ordinal)) yield return CallTraceEntry.Frame(k.Address(t.Substring(2)), false);
                else yield return CallTraceEntry.Frame(k.Address(t), true);
            }
        }
    }
}
