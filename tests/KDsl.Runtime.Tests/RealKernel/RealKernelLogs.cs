using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using KDsl.Runtime;
using KDsl.Runtime.RealKernel;

namespace KDsl.Runtime.Tests.RealKernel
{
    /// <summary>
    /// One real-kernel log under Logs/PROFILE/ and the experiment it replays: step5_BUF[-TAG].log is step5 with that
    /// buffer size (<see cref="RealKernelLogs.Source"/>); NAME[-TAG].log is Logs/experiments/NAME.kdsl, the KDsl twin of
    /// the module Logs/experiments/NAME.c that ran on the real kernel.
    /// </summary>
    internal sealed record RealKernelLog(string Profile, string File)
    {
        private Match Step5 => Regex.Match(File, @"^step5_(\d+)");

        public bool IsStep5 => Step5.Success;

        public int Buf => int.Parse(Step5.Groups[1].Value, CultureInfo.InvariantCulture);

        /// <summary>"step5" or the experiment's name ("null_deref").</summary>
        public string Experiment => IsStep5 ? "step5" : Regex.Match(File, @"^([a-z0-9_]+)").Groups[1].Value;

        /// <summary>The run's tag from the file name ("norand", "nohash", "seed"), or "".</summary>
        public string Tag => Regex.Match(File, @"^[a-z0-9_]+-?([\w-]*)\.log$").Groups[1].Value;

        /// <summary>"linux-6.1 step5 BUF=992" or "linux-6.1 null_deref", plus the tag when it tells two runs apart ("norand"
        /// is every 6.1 log's, so it is left out).</summary>
        public string Name => $"{Profile} {Experiment}" + (IsStep5 ? $" BUF={Buf}" : "") + (Tag is "" or "norand" ? "" : " " + Tag);

        public string Path => System.IO.Path.Combine(AppContext.BaseDirectory, "RealKernel", "Logs", Profile, File);

        /// <summary>
        /// The KDsl source of the experiment under this log's profile: experiments/NAME.kdsl, or for NAME_N (fmt_d_700)
        /// experiments/NAME.kdsl with its BUF constant set to N, as the C twin's BUF was.
        /// </summary>
        public string Source
        {
            get
            {
                if (IsStep5) return RealKernelLogs.Source(Buf, Profile);
                string folder = System.IO.Path.Combine(AppContext.BaseDirectory, "RealKernel", "Logs", "experiments");
                string file = System.IO.Path.Combine(folder, Experiment + ".kdsl");
                if (System.IO.File.Exists(file)) return System.IO.File.ReadAllText(file).Replace("PROFILE", Profile);
                var sized = Regex.Match(Experiment, @"^(.+)_(\d+)$");
                return Regex.Replace(System.IO.File.ReadAllText(System.IO.Path.Combine(folder, sized.Groups[1].Value + ".kdsl")),
                    @"const BUF = \d+;", $"const BUF = {sized.Groups[2].Value};").Replace("PROFILE", Profile);
            }
        }

        /// <summary>
        /// Whether the log can give the field at all: the seed is a dmesg excerpt that stops at the oops' end trace line,
        /// so how its run ended is not in it (4.11's #DF handler runs in_interrupt() after ist_enter: die() panics).
        /// </summary>
        public bool Gives(string field) => !(Tag == "seed" && field == "end of run");

        public override string ToString() => Name;
    }

    /// <summary>The real logs (the catalog: RealKernelLogs.Catalog.cs), the step5 source they replay, and the field-by-field comparison with KDsl's run.</summary>
    internal static partial class RealKernelLogs
    {
        /// <summary>The compared fields, in table order.</summary>
        public static readonly string[] Fields = LogComparison.Fields;

        /// <summary>
        /// shared/reference/real-kernel/src/step5_common.h in KDsl (probe=0, depth=100): BUF bytes written through a pointer,
        /// the address printed with %px at KERN_INFO, recursion while n &gt; 0. Pointers unhashed, as no_hash_pointers.
        /// </summary>
        public static string Source(int buf, string profile) => $@"module step5 ""step5 kernel stack overflow oracle"";

config {{
    profile = {profile};
    thread_size = 16K;
    vmap_stack = on;
    hash_pointers = off;
}}

const BUF = {buf};

void rstack(int n) {{
    char buf[BUF];
    char *vp = buf;
    for (int i = 0; i < BUF; i++)
        vp[i] = (char)i;
    printk(""\0016[%px] finished initialized buf.\n"", buf);
    if (n > 0)
        rstack(n - 1);
}}

init {{
    printk(""\0016step5 LOADED.\n"");
    rstack(100);
}}

exit {{
    printk(""\0016step5 UNLOADED.\n"");
}}
";

        private static readonly ConcurrentDictionary<RealKernelLog, Lazy<KernelLogFields>> RealCache = new();
        private static readonly ConcurrentDictionary<RealKernelLog, Lazy<KdslRun>> KdslCache = new();

        public static KernelLogFields Real(RealKernelLog log) =>
            RealCache.GetOrAdd(log, l => new Lazy<KernelLogFields>(() => KernelLogFields.Parse(File.ReadAllText(l.Path)))).Value;

        /// <summary>KDsl's run of the same experiment under the log's profile (once per log), or the reason it did not run.</summary>
        public static KdslRun Kdsl(RealKernelLog log) =>
            KdslCache.GetOrAdd(log, l => new Lazy<KdslRun>(() => KdslRun.Of(l))).Value;

        /// <summary>One field's value as compared (Items) and as the table shows it (Display); null when the log cannot say.</summary>
        public static FieldValue? Field(KernelLogFields f, string field) => LogComparison.Field(f, field);

        /// <summary>One row per (log, field): the real value, KDsl's, and whether they are equal.</summary>
        public static IEnumerable<(RealKernelLog Log, string Field, FieldValue? Real, FieldValue? Kdsl, string? KdslError)> Rows()
        {
            foreach (var log in All.Where(l => File.Exists(l.Path)))
            {
                var real = Real(log);
                var run = Kdsl(log);
                foreach (var field in Fields)
                {
                    if (!log.Gives(field)) continue;
                    yield return (log, field, Field(real, field), run.Fields is null ? null : Field(run.Fields, field), run.Error);
                }
            }
        }

        private static string Verdict(FieldValue? real, FieldValue? kdsl) => LogComparison.Verdict(real, kdsl);

        /// <summary>
        /// The report, in markdown: a summary matrix (one row per log, ✓/✗ per field), then one table per log with the real
        /// value, KDsl's and the verdict for each field. Expected values are the real logs'; nothing here reads KDsl's output
        /// back into an expectation.
        /// </summary>
        public static string MarkdownTable()
        {
            var rows = Rows().ToList();
            var sb = new StringBuilder();
            int pass = rows.Count(r => Verdict(r.Real, r.Kdsl) == "✓"), all = rows.Count(r => r.Real is not null);
            sb.AppendLine($"### KDsl vs the real kernels: {pass} of {all} (log, field) pairs match").AppendLine();
            sb.Append("| log |");
            foreach (var field in Fields) sb.Append(' ').Append(field).Append(" |");
            sb.AppendLine().Append("|---|").AppendLine(string.Concat(Fields.Select(_ => "---|")));
            foreach (var group in rows.GroupBy(r => r.Log))
            {
                sb.Append("| ").Append(group.Key.Name).Append(" |");
                foreach (var r in group) sb.Append(' ').Append(Verdict(r.Real, r.Kdsl)).Append(" |");
                sb.AppendLine();
            }
            foreach (var group in rows.GroupBy(r => r.Log))
            {
                var log = group.Key;
                sb.AppendLine().AppendLine($"#### {log.Name} (`{log.Profile}/{log.File}`)").AppendLine();
                sb.AppendLine("| field | real kernel | KDsl | |").AppendLine("|---|---|---|---|");
                foreach (var (_, field, real, kdsl, error) in group)
                    sb.Append("| ").Append(field).Append(" | ")
                      .Append(Cell(real?.Display ?? "n/a (not in this log)")).Append(" | ")
                      .Append(Cell(kdsl?.Display ?? (error is null ? "n/a" : "did not run: " + error))).Append(" | ")
                      .Append(Verdict(real, kdsl)).AppendLine(" |");
            }
            return sb.ToString();
        }

        private static string Cell(string s) => s.Replace("|", "\\|").Replace("\n", "<br>");
    }
}
