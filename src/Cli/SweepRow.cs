using System;
using System.Collections.Generic;
using System.Linq;
using KDsl.Analysis;
using KDsl.Image;
using KDsl.Runtime;

namespace KDsl.Cli
{
    /// <summary>One value of a sweep and what its run showed (or that it did not compile).</summary>
    internal sealed class SweepRow
    {
        private SweepRow(string value, ModuleImage? image, RunResult? result, int? count, bool? passed, int errors)
        {
            Value = value;
            Image = image;
            Result = result;
            Count = count;
            Passed = passed;
            Errors = errors;
        }

        public string Value { get; }
        /// <summary>The compiled scenario; null when the value gave compile errors.</summary>
        public ModuleImage? Image { get; }
        public RunResult? Result { get; }
        /// <summary>Log lines containing the --count text; null without --count.</summary>
        public int? Count { get; }
        /// <summary>Whether the scenario's expect block held; null when it states nothing (or did not compile).</summary>
        public bool? Passed { get; }
        public int Errors { get; }

        public bool Compiled => Result is not null;

        public static SweepRow NotCompiled(string value, int errors) => new SweepRow(value, null, null, null, null, errors);

        public static SweepRow Ran(string value, ModuleImage image, RunResult result, string? countText)
        {
            int? count = countText is null ? null : result.Log.Count(line => ExpectationCheck.Message(line).Contains(countText, StringComparison.Ordinal));
            bool? passed = image.Expectations.Count == 0 ? null : ExpectationCheck.Check(image.Expectations, result).Count == 0;
            return new SweepRow(value, image, result, count, passed, 0);
        }

        public string Outcome => Result?.Outcome.ToString() ?? "compile error";

        /// <summary>
        /// The static analysis's answer for the entry that overflows (or init's worst case when none does): what
        /// `kdsl check` predicts for this value, next to what the run did.
        /// </summary>
        public EntryStackUsage? Predicted
        {
            get
            {
                var entries = Image?.Stack?.Entries ?? Array.Empty<EntryStackUsage>();
                return entries.FirstOrDefault(e => e.Overflow is not null) ?? entries.FirstOrDefault(e => e.Entry == "init") ?? entries.FirstOrDefault();
            }
        }

        public string PredictedText
        {
            get
            {
                var p = Predicted;
                if (p is null) return "-";
                if (p.Overflow is { } o) return $"{o.Function} depth {o.Depth}" + (o.KernelFunction is null ? "" : $" in {o.KernelFunction}");
                return p.Unbounded ? "unbounded" : $"fits, {p.WorstCase} B";
            }
        }

        /// <summary>How each user process ended, as the table shows it: "sigbus: SIGBUS", "reader: exit 0"; "-" when none ran.</summary>
        public string ProcessesText
        {
            get
            {
                var processes = Result?.Processes ?? Array.Empty<ProcessResult>();
                if (processes.Count == 0) return "-";
                return string.Join(", ", processes.Select(p => p.Signal != 0 ? $"{p.Name}: {p.SignalName}" : $"{p.Name}: exit {p.ExitStatus}"));
            }
        }

        /// <summary>The table's cells, in <see cref="Headers"/> order.</summary>
        public IReadOnlyList<string> Cells(bool withCount, bool withProcesses)
        {
            var o = Result?.Oops;
            var cells = new List<string>
            {
                Value,
                Outcome,
                o?.Kind ?? "-",
                o is null ? "-" : o.Function.Length > 0 ? o.Function : "?",
                o is null || o.Depth == 0 ? "-" : $"{o.Depth} of {o.ModuleFunction}",
                Result is null ? "-" : Result.StackHighWater.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Result is null ? "-" : Result.Instructions.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            if (withCount) cells.Add(Count?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-");
            if (withProcesses) cells.Add(ProcessesText);
            cells.Add(Compiled ? PredictedText : "-");
            cells.Add(Passed switch { true => "met", false => "failed", null => Compiled ? "-" : $"{Errors} error(s)" });
            return cells;
        }

        public static IReadOnlyList<string> Headers(string parameter, string? countText, bool withProcesses)
        {
            var headers = new List<string> { parameter, "outcome", "oops", "function", "depth", "stack", "instructions" };
            if (countText is not null) headers.Add("count");
            if (withProcesses) headers.Add("processes");
            headers.Add("predicted");
            headers.Add("expect");
            return headers;
        }
    }
}
