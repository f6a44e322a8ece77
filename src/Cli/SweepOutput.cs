using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace KDsl.Cli
{
    /// <summary>`kdsl sweep`'s table (aligned columns, one row per value) and its --json document.</summary>
    internal static class SweepOutput
    {
        public static void WriteTable(TextWriter output, string parameter, string? countText, IReadOnlyList<SweepRow> rows)
        {
            // The outcome column says how the kernel side ended; a user process killed by a signal needs its own column.
            bool withProcesses = rows.Any(r => r.Result is { Processes.Count: > 0 });
            var table = new List<IReadOnlyList<string>> { SweepRow.Headers(parameter, countText, withProcesses) };
            table.AddRange(rows.Select(r => r.Cells(countText is not null, withProcesses)));
            int columns = table[0].Count;
            var widths = Enumerable.Range(0, columns).Select(c => table.Max(row => row[c].Length)).ToArray();
            foreach (var row in table)
            {
                var line = new StringBuilder();
                for (int c = 0; c < columns; c++)
                {
                    if (c > 0) line.Append("  ");
                    // Numbers read best right-aligned (the value column too when it is a number); the last column is not padded.
                    bool right = c == 0 ? rows.All(r => SweepParameter.TryInteger(r.Value, out _)) : table[0][c] is "stack" or "instructions" or "count";
                    if (c == columns - 1) line.Append(row[c]);
                    else line.Append(right ? row[c].PadLeft(widths[c]) : row[c].PadRight(widths[c]));
                }
                output.WriteLine(line.ToString().TrimEnd());
            }
        }

        /// <summary>
        /// { file, scenario, parameter, values[], count, exitCode, rows: [{ value, compiled, errors, outcome, passed,
        /// oops { kind, function, moduleFunction, depth, faultAddress } | null, stackHighWater, instructions, count,
        /// predicted { entry, worstCase, unbounded, overflow { function, depth, needed, kernelFunction } | null } | null,
        /// processes: [{ name, pid, exitStatus, signal, siCode, siAddr, oomKilled, stoppedByBudget, output }] }] }.
        /// </summary>
        public static void WriteJson(TextWriter output, FileInfo file, SweepParameter parameter, string scenario, string? countText,
            IReadOnlyList<SweepRow> rows, int exit)
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                w.WriteString("file", file.FullName);
                w.WriteString("scenario", scenario);
                w.WriteString("parameter", parameter.Name);
                w.WriteStartArray("values");
                foreach (var v in parameter.Values) w.WriteStringValue(v);
                w.WriteEndArray();
                if (countText is null) w.WriteNull("count"); else w.WriteString("count", countText);
                w.WriteNumber("exitCode", exit);
                w.WriteStartArray("rows");
                foreach (var row in rows) WriteRow(w, row);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            output.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
        }

        private static void WriteRow(Utf8JsonWriter w, SweepRow row)
        {
            w.WriteStartObject();
            w.WriteString("value", row.Value);
            w.WriteBoolean("compiled", row.Compiled);
            w.WriteNumber("errors", row.Errors);
            w.WriteString("outcome", row.Outcome);
            if (row.Passed is bool passed) w.WriteBoolean("passed", passed); else w.WriteNull("passed");
            var r = row.Result;
            if (r?.Oops is { } o)
            {
                w.WriteStartObject("oops");
                w.WriteString("kind", o.Kind);
                w.WriteString("function", o.Function);
                w.WriteString("moduleFunction", o.ModuleFunction);
                w.WriteNumber("depth", o.Depth);
                w.WriteString("faultAddress", o.FaultAddress.ToString("x16", CultureInfo.InvariantCulture));
                w.WriteEndObject();
            }
            else w.WriteNull("oops");
            if (r is null)
            {
                w.WriteNull("stackHighWater");
                w.WriteNull("instructions");
            }
            else
            {
                w.WriteNumber("stackHighWater", r.StackHighWater);
                w.WriteNumber("instructions", r.Instructions);
            }
            if (row.Count is int count) w.WriteNumber("count", count); else w.WriteNull("count");
            if (row.Compiled && row.Predicted is { } p)
            {
                w.WriteStartObject("predicted");
                w.WriteString("entry", p.Entry);
                if (p.Unbounded) w.WriteNull("worstCase"); else w.WriteNumber("worstCase", p.WorstCase);
                w.WriteBoolean("unbounded", p.Unbounded);
                if (p.Overflow is { } ov)
                {
                    w.WriteStartObject("overflow");
                    w.WriteString("function", ov.Function);
                    w.WriteNumber("depth", ov.Depth);
                    w.WriteNumber("needed", ov.Needed);
                    if (ov.KernelFunction is null) w.WriteNull("kernelFunction"); else w.WriteString("kernelFunction", ov.KernelFunction);
                    w.WriteEndObject();
                }
                else w.WriteNull("overflow");
                w.WriteEndObject();
            }
            else w.WriteNull("predicted");
            ProcessJson.WriteArray(w, r?.Processes ?? Array.Empty<KDsl.Runtime.ProcessResult>());
            w.WriteEndObject();
        }
    }
}
