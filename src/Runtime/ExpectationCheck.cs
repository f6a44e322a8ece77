using System;
using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;
using KDsl.Image;

namespace KDsl.Runtime
{
    /// <summary>One expectation that a run did not meet: what was expected, what happened, and where the expect line is.</summary>
    public sealed class ExpectationFailure
    {
        public ExpectationFailure(Expectation expectation, string expected, string actual)
            : this(expectation, expected, actual, -1, Array.Empty<string>())
        {
        }

        public ExpectationFailure(Expectation expectation, string expected, string actual, int index, IReadOnlyList<string> excerpt)
        {
            Expectation = expectation;
            Expected = expected;
            Actual = actual;
            Index = index;
            Excerpt = excerpt;
        }

        public Expectation Expectation { get; }
        public string Expected { get; }
        public string Actual { get; }
        /// <summary>The expectation's position in the list checked (-1 when unknown).</summary>
        public int Index { get; }
        /// <summary>The dmesg lines that show what happened (the matching lines, or the oops' first lines).</summary>
        public IReadOnlyList<string> Excerpt { get; }

        /// <summary>"path(line): expected X, but Y", the form IDEs and build logs turn into a link.</summary>
        public string Format(string path) => $"{path}({Expectation.Line}): expected {Expected}, but {Actual}";
    }

    /// <summary>Checks a run against a file's `expect` block (used by `kdsl run` and the generated tests alike).</summary>
    public static class ExpectationCheck
    {
        private const int ExcerptLines = 8;

        private static readonly string[] OopsStarts =
        {
            "BUG:", "Oops:", "kernel BUG", "watchdog:", "general protection fault", "divide error", "invalid opcode",
            "stack guard page", "kernel stack overflow", "Kernel panic", "WARNING:",
        };

        public static IReadOnlyList<ExpectationFailure> Check(IReadOnlyList<Expectation> expectations, RunResult result)
        {
            var failures = new List<ExpectationFailure>();
            for (int i = 0; i < expectations.Count; i++)
            {
                var failure = CheckOne(expectations[i], i, result);
                if (failure != null) failures.Add(failure);
            }
            return failures;
        }

        private static ExpectationFailure? CheckOne(Expectation e, int index, RunResult result)
        {
            ExpectationFailure Fail(string expected, string actual, IReadOnlyList<string> excerpt) =>
                new ExpectationFailure(e, expected, actual, index, excerpt);

            switch (e.Kind)
            {
                case ExpectationKind.Printk:
                case ExpectationKind.PrintkLine:
                case ExpectationKind.PrintkPattern:
                {
                    var matching = MatchingLines(result, e);
                    if (e.Count >= 0 ? matching.Count == e.Count : matching.Count > 0) return null;
                    string what = e.Kind switch
                    {
                        ExpectationKind.PrintkLine => $"\"{e.Text}\" as the whole message",
                        ExpectationKind.PrintkPattern => $"a message matching /{e.Text}/",
                        _ => $"\"{e.Text}\"",
                    };
                    return Fail(e.Count >= 0 ? $"{e.Count} lines with {what}" : $"a line with {what}",
                        $"the log has {matching.Count}", matching.Count > 0 ? Head(matching) : Head(result.Log));
                }
                case ExpectationKind.Oops:
                    return CheckOops(e, result, Fail);
                case ExpectationKind.StackMax:
                    if (result.StackHighWater <= e.Count) return null;
                    return Fail($"at most {e.Count} bytes of stack used", $"the high-water mark was {result.StackHighWater} bytes", OopsExcerpt(result));
                default:
                    if (result.Oops is null && result.Outcome == RunOutcome.Completed) return null;
                    return Fail("no fault", $"the run ended {result.Outcome}" + (result.Oops is null ? "" : $" at {result.Oops.RipSymbol}"), OopsExcerpt(result));
            }
        }

        private static ExpectationFailure? CheckOops(Expectation e, RunResult result, Func<string, string, IReadOnlyList<string>, ExpectationFailure> fail)
        {
            var oops = result.Oops;
            string expected = $"an oops of kind {e.Text}";
            if (!IsKind(e.Text, result))
            {
                string actual = oops is not null ? $"it was {oops.Kind} ({oops.DieString}) at {oops.RipSymbol}"
                    : result.Outcome == RunOutcome.SoftLockup ? "it was soft_lockup"
                    : $"the run ended {result.Outcome} without one";
                return fail(expected, actual, OopsExcerpt(result));
            }
            if (e.Function is not null && (oops is null || oops.Function != e.Function))
                return fail($"the oops in {e.Function}", oops is null ? "no RIP was recorded" : $"RIP was {oops.RipSymbol}", OopsExcerpt(result));
            if (e.Depth >= 0 && e.DepthFunction is not null)
            {
                int depth = result.FrameDepth(e.DepthFunction);
                if (depth != e.Depth)
                    return fail($"{e.Depth} frames of {e.DepthFunction} at the fault", $"the reliable call trace had {depth}",
                        new[] { "call chain at the fault: " + string.Join(" <- ", result.CallChain) });
            }
            return null;
        }

        private static bool IsKind(string kind, RunResult result)
        {
            switch (kind)
            {
                case "soft_lockup":
                    return result.Outcome == RunOutcome.SoftLockup || result.Oops?.Kind == kind;
                case "stack_protector":
                    // __stack_chk_fail panics ("stack-protector: Kernel stack is corrupted in: ...") without an oops.
                    return result.Oops?.Kind == kind || (result.Oops is null && CountLines(result, "stack-protector:") > 0);
                default:
                    return result.Oops?.Kind == kind;
            }
        }

        /// <summary>dmesg lines whose text (after the timestamp) contains the given text.</summary>
        public static int CountLines(RunResult result, string text)
        {
            int count = 0;
            foreach (var line in result.Log)
                if (Message(line).IndexOf(text, StringComparison.Ordinal) >= 0) count++;
            return count;
        }

        /// <summary>The log lines a printk expectation counts.</summary>
        public static IReadOnlyList<string> MatchingLines(RunResult result, Expectation e)
        {
            var lines = new List<string>();
            Regex? regex = e.Kind == ExpectationKind.PrintkPattern ? new Regex(e.Text, RegexOptions.CultureInvariant) : null;
            foreach (var line in result.Log)
            {
                string message = Message(line);
                bool match = e.Kind switch
                {
                    ExpectationKind.PrintkLine => message == e.Text || message == e.Text + "\n",
                    ExpectationKind.PrintkPattern => regex!.IsMatch(message),
                    _ => message.IndexOf(e.Text, StringComparison.Ordinal) >= 0,
                };
                if (match) lines.Add(line);
            }
            return lines;
        }

        /// <summary>A dmesg line without its "[    1.001234] " timestamp.</summary>
        public static string Message(string line)
        {
            if (line.Length > 0 && line[0] == '[')
            {
                int end = line.IndexOf("] ", StringComparison.Ordinal);
                if (end > 0) return line.Substring(end + 2);
            }
            return line;
        }

        /// <summary>
        /// The failure report a test or the CLI prints: one "path(line): expected X, but Y" per failure, each with
        /// its log excerpt, then the scenario and its settings.
        /// </summary>
        public static string Report(string path, string scenario, ExperimentConfig config, IReadOnlyList<ExpectationFailure> failures)
        {
            var sb = new StringBuilder();
            foreach (var f in failures)
            {
                sb.Append(f.Format(path)).Append('\n');
                sb.Append("    expected: ").Append(f.Expected).Append('\n');
                sb.Append("    actual:   ").Append(f.Actual).Append('\n');
                foreach (var line in f.Excerpt)
                    sb.Append("    | ").Append(line.TrimEnd('\n')).Append('\n');
            }
            sb.Append($"scenario {scenario}: {config}");
            return sb.ToString();
        }

        private static IReadOnlyList<string> OopsExcerpt(RunResult result)
        {
            for (int i = 0; i < result.Log.Count; i++)
            {
                string message = Message(result.Log[i]);
                foreach (var start in OopsStarts)
                    if (message.StartsWith(start, StringComparison.Ordinal))
                        return Slice(result.Log, i, ExcerptLines);
            }
            return Slice(result.Log, Math.Max(0, result.Log.Count - ExcerptLines), ExcerptLines);
        }

        private static IReadOnlyList<string> Head(IReadOnlyList<string> lines) => Slice(lines, 0, ExcerptLines);

        private static IReadOnlyList<string> Slice(IReadOnlyList<string> lines, int start, int count)
        {
            var slice = new List<string>();
            for (int i = start; i < lines.Count && i < start + count; i++) slice.Add(lines[i]);
            return slice;
        }
    }
}
