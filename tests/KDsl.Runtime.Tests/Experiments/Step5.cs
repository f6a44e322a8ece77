using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using KDsl.Image;
using KDsl.Runtime;

namespace KDsl.Runtime.Tests.Experiments
{
    /// <summary>Compiles the step5 experiment with any buffer size and runs it; parses what the log says.</summary>
    internal static class Step5
    {
        /// <summary>examples/*.kdsl, copied next to the test binaries by the project file.</summary>
        public static string ExamplePath(string name) => Path.Combine(AppContext.BaseDirectory, "examples", name);

        /// <summary>examples/step5.kdsl with its one named constant changed: the experiment exactly as a user would edit it.</summary>
        public static string Source(int buf) =>
            Regex.Replace(File.ReadAllText(ExamplePath("step5.kdsl")), @"const BUF = \d+;", $"const BUF = {buf};");

        public static ModuleImage Compile(int buf, IReadOnlyDictionary<string, string>? settings = null)
        {
            var result = Compiler.Compile("step5.kdsl", Source(buf), settings);
            var errors = result.Diagnostics.Where(d => d.IsError).ToList();
            if (result.Image is null || errors.Count > 0)
                throw new InvalidOperationException("step5 did not compile: " + string.Join("; ", result.Diagnostics));
            return result.Image;
        }

        public static RunResult Run(int buf, string profile, string threadSize = "16K") =>
            Machine.Run(Compile(buf, new Dictionary<string, string> { ["profile"] = profile, ["thread_size"] = threadSize }));

        /// <summary>The buffer addresses of the "[%px] finished initialized buf." lines, in log order.</summary>
        public static List<ulong> BufferAddresses(RunResult run) =>
            run.Log.Select(l => Regex.Match(l, @"\[([0-9a-f]{16})\] finished initialized buf\."))
                .Where(m => m.Success).Select(m => Hex(m.Groups[1].Value)).ToList();

        /// <summary>The BUG line's fault address and stack range, in either profile wording.</summary>
        public static (ulong Fault, ulong Begin, ulong End, bool Named) GuardPageLine(RunResult run)
        {
            foreach (var line in run.Log)
            {
                var m = Regex.Match(line, @"BUG: (TASK )?stack guard page was hit at ([0-9a-f]{16}) \(stack is ([0-9a-f]{16})\.\.([0-9a-f]{16})\)");
                if (m.Success) return (Hex(m.Groups[2].Value), Hex(m.Groups[3].Value), Hex(m.Groups[4].Value), m.Groups[1].Success);
            }
            throw new InvalidOperationException("no guard page line in the log:\n" + run.Dmesg);
        }

        public static ulong RegisterRsp(RunResult run) =>
            Hex(Regex.Match(run.Dmesg, @"RSP: 0018:([0-9a-f]{16})").Groups[1].Value);

        public static string RipLine(RunResult run) => run.Log.First(l => l.Contains("RIP: 0010:"));

        /// <summary>The first Code: line's bytes and the index of the marked one.</summary>
        public static (byte[] Bytes, int Marked) CodeLine(RunResult run)
        {
            var line = run.Log.First(l => l.Contains("] Code: "));
            var tokens = line.Substring(line.IndexOf("Code: ", StringComparison.Ordinal) + 6).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int marked = Array.FindIndex(tokens, t => t.StartsWith("<", StringComparison.Ordinal));
            var bytes = tokens.Select(t => byte.Parse(t.Trim('<', '>'), NumberStyles.HexNumber)).ToArray();
            return (bytes, marked);
        }

        /// <summary>Call-trace lines (" func+0x…" or " ? func+0x…"), without timestamps.</summary>
        public static List<string> TraceLines(RunResult run)
        {
            var lines = new List<string>();
            bool inTrace = false;
            foreach (var raw in run.Log)
            {
                string text = raw.Substring(raw.IndexOf(']') + 1);
                if (text.StartsWith(" Call Trace:", StringComparison.Ordinal)) { inTrace = true; continue; }
                if (!inTrace) continue;
                if (Regex.IsMatch(text, @"^  (\? )?[A-Za-z_][\w.]*\+0x[0-9a-f]+/0x[0-9a-f]+")) lines.Add(text.Trim());
                else if (!text.StartsWith("  <", StringComparison.Ordinal) && !text.StartsWith("  </", StringComparison.Ordinal) &&
                         !Regex.IsMatch(text, @"^ (RIP|RSP|RAX|RDX|RBP|R10|R13|Code):")) break;
            }
            return lines;
        }

        public static ulong Hex(string s) => ulong.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }
}
