using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using KDsl.Runtime.RealKernel;

namespace KDsl.Cli.Oracle
{
    /// <summary>How one experiment's check ended.</summary>
    internal enum OracleVerdict
    {
        Agree,
        Differ,
        /// <summary>The real kernels cannot run it as configured (the note says why): not a failure.</summary>
        NotRun,
        /// <summary>The build or the boot failed (the note says why).</summary>
        Failed,
    }

    /// <summary>
    /// One experiment checked by `kdsl oracle`: the verdict, each compared field's ✓/✗/- and the `expect` lines' on the
    /// real run, and where the time went (the build's seconds, with "cached" when the module was built before).
    /// </summary>
    internal sealed record OracleOutcome(string File, string Scenario, string Profile, OracleVerdict Verdict, string Note,
        IReadOnlyList<string> FieldVerdicts, IReadOnlyList<string> ExpectVerdicts, string Build, double Seconds)
    {
        public static OracleOutcome NotRun(string file, string scenario, string profile, string why) =>
            new(file, scenario, profile, OracleVerdict.NotRun, why, Array.Empty<string>(), Array.Empty<string>(), "", 0);

        public static OracleOutcome Failed(string file, string scenario, string profile, string why, double seconds) =>
            new(file, scenario, profile, OracleVerdict.Failed, why, Array.Empty<string>(), Array.Empty<string>(), "", seconds);
    }

    /// <summary>
    /// `kdsl oracle DIR`'s closing table: one row per experiment checked, a column per compared field
    /// (<see cref="LogComparison.Fields"/>), the expect lines, the verdict and the time; then the experiments the real
    /// kernels cannot run, each with its reason; then the totals.
    /// </summary>
    internal static class OracleTable
    {
        /// <summary>The fields' column heads, in <see cref="LogComparison.Fields"/>' order.</summary>
        private static readonly string[] Heads = { "lines", "offsets", "CR2", "RIP", "trace", "stale", "end", "procs" };

        public static string Render(IReadOnlyList<OracleOutcome> outcomes, TimeSpan elapsed)
        {
            var s = new StringBuilder();
            var ran = outcomes.Where(o => o.Verdict != OracleVerdict.NotRun).ToList();
            var head = new List<string> { "example", "profile", "scenario" };
            head.AddRange(Heads);
            head.AddRange(new[] { "expect", "result", "build", "time" });
            var rows = ran.Select(o =>
            {
                var row = new List<string> { o.File, o.Profile, o.Scenario };
                row.AddRange(Heads.Select((_, i) => i < o.FieldVerdicts.Count ? o.FieldVerdicts[i] : ""));
                row.Add(string.Concat(o.ExpectVerdicts));
                row.Add(o.Verdict switch { OracleVerdict.Agree => "agree", OracleVerdict.Differ => "DIFFER", _ => "FAILED" });
                row.Add(o.Build);
                row.Add($"{o.Seconds:0.0} s");
                return row;
            }).ToList();
            var widths = head.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToList();
            void Line(IReadOnlyList<string> cells) =>
                s.Append("| ").Append(string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i])))).Append(" |\n");
            Line(head);
            s.Append('|').Append(string.Join("|", widths.Select(w => new string('-', w + 2)))).Append("|\n");
            foreach (var row in rows) Line(row);
            var notRun = outcomes.Where(o => o.Verdict == OracleVerdict.NotRun).ToList();
            if (notRun.Count > 0)
            {
                s.Append("\nNot run on a real kernel:\n");
                foreach (var o in notRun) s.Append("- ").Append(o.File).Append(" [").Append(o.Scenario).Append(", ").Append(o.Profile).Append("]: ").Append(o.Note).Append('\n');
            }
            foreach (var o in ran.Where(o => o.Verdict == OracleVerdict.Failed))
                s.Append("- ").Append(o.File).Append(" failed: ").Append(o.Note).Append('\n');
            int agree = ran.Count(o => o.Verdict == OracleVerdict.Agree), differ = ran.Count(o => o.Verdict == OracleVerdict.Differ);
            int failed = ran.Count(o => o.Verdict == OracleVerdict.Failed);
            s.Append($"\n{outcomes.Count} experiments: {agree} agree, {differ} differ, {failed} failed, {notRun.Count} not run on a real kernel; " +
                $"{elapsed.TotalSeconds:0} s ({ran.Sum(o => o.Seconds):0} s in the real runs)\n");
            return s.ToString();
        }

        /// <summary>The .kdsl files of <paramref name="directory"/>, by name (not its subdirectories).</summary>
        public static IReadOnlyList<FileInfo> Experiments(DirectoryInfo directory) =>
            directory.GetFiles("*.kdsl").OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
    }
}
