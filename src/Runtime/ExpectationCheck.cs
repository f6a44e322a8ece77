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
        /// <summary>A failure of <paramref name="expectation"/>: <paramref name="expected"/> and <paramref name="actual"/> as the report words them.</summary>
        public ExpectationFailure(Expectation expectation, string expected, string actual)
            : this(expectation, expected, actual, -1, Array.Empty<string>())
        {
        }

        /// <summary>A failure of the <paramref name="index"/>th expectation, with the dmesg lines that show it.</summary>
        public ExpectationFailure(Expectation expectation, string expected, string actual, int index, IReadOnlyList<string> excerpt)
        {
            Expectation = expectation;
            Expected = expected;
            Actual = actual;
            Index = index;
            Excerpt = excerpt;
        }

        /// <summary>The expect line that failed.</summary>
        public Expectation Expectation { get; }
        /// <summary>What it asks for: "3 lines with \"finished initialized buf\"".</summary>
        public string Expected { get; }
        /// <summary>What the run did instead: "the log has 101".</summary>
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

        /// <summary>The expectations <paramref name="result"/> does not meet, in order; empty when the run ends as the file says.</summary>
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

            // a run KDsl could not finish checks nothing: what it would have printed is unknown
            if (result.InternalError is { } error)
                return Fail("a run KDsl could finish", result.Outcome == RunOutcome.Unimplemented ? error : "KDsl failed inside (a bug in KDsl): " + error, result.Log);

            switch (e.Kind)
            {
                case ExpectationKind.Printk:
                case ExpectationKind.PrintkLine:
                case ExpectationKind.PrintkPattern:
                {
                    IReadOnlyList<string> matching;
                    try
                    {
                        matching = MatchingLines(result, e);
                    }
                    catch (RegexMatchTimeoutException)
                    {
                        return Fail($"a message matching /{e.Text}/",
                            $"the pattern ran past {PatternTimeout.TotalSeconds:0} s on one line (it backtracks: a backreference or lookaround with nested repetition); simplify it",
                            Head(result.Log));
                    }
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
                case ExpectationKind.Signal:
                case ExpectationKind.ExitStatus:
                    return CheckProcess(e, result, Fail);
                default:
                    if (result.Oops is null && result.Outcome == RunOutcome.Completed && !AnyProcessSignalled(result)) return null;
                    return Fail("no fault", $"the run ended {result.Outcome}" + (result.Oops is null ? "" : $" at {result.Oops.RipSymbol}"), OopsExcerpt(result));
            }
        }

        private static bool AnyProcessSignalled(RunResult result)
        {
            foreach (var p in result.Processes)
                if (p.Signal != 0) return true;
            return false;
        }

        /// <summary>
        /// `signal SIG [CODE] [at mmap[+N] | at ADDRESS]` and `exit N`: about the file's first process. `at mmap` is the
        /// first successful mmap's return value (the `p` of `p = mmap(...)`), plus N when written.
        /// </summary>
        private static ExpectationFailure? CheckProcess(Expectation e, RunResult result, Func<string, string, IReadOnlyList<string>, ExpectationFailure> fail)
        {
            if (result.Processes.Count == 0)
                return fail(e.ToString(), $"no process ran (the run ended {result.Outcome})", OopsExcerpt(result));
            var p = result.Processes[0];
            var excerpt = new List<string>(p.Syscalls);
            excerpt.Add(p.ToString());
            if (e.Kind == ExpectationKind.ExitStatus && !p.Ended)
                return fail($"exit status {e.Count}", $"{p.Name} never ended (the run ended {result.Outcome})", excerpt);
            if (e.Kind == ExpectationKind.ExitStatus)
                return p.ExitStatus == e.Count ? null : fail($"exit status {e.Count}", $"{p.Name} ended with status {p.ExitStatus}" +
                    (p.Signal != 0 ? $" ({p.ShellMessage}, {p.SignalName} {p.SiCodeName} at 0x{p.SiAddr:x})" : ""), excerpt);

            var parts = e.Text.Split(' ');
            // The signal that killed the process, else the first one a handler received.
            int signo = p.Signal, code = p.SiCode;
            ulong siAddr = p.SiAddr;
            if (signo == 0 && p.Handled.Count > 0) (signo, code, siAddr) = p.Handled[0];
            string actual = signo == 0 ? $"{p.Name} got no signal (exit status {p.ExitStatus})"
                : $"{p.Name} got {Signals.Name(signo)} {Signals.CodeName(signo, code)} at 0x{siAddr:x}" + (p.Signal == 0 ? " (handled)" : "");
            if (Signals.Name(signo) != parts[0] || (parts.Length > 1 && Signals.CodeName(signo, code) != parts[1]))
                return fail($"{e.Text}", actual, excerpt);
            if (e.Function is null) return null;
            ulong expected;
            if (e.Function.StartsWith("mmap", StringComparison.Ordinal))
            {
                if (p.MmapResults.Count == 0) return fail($"si_addr at {e.Function}", $"{p.Name} made no successful mmap", excerpt);
                expected = p.MmapResults[0];
                if (e.Function.Length > 5) expected += ulong.Parse(e.Function.Substring(5), System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                int plus = e.Function.IndexOf('+');
                string hex = plus < 0 ? e.Function : e.Function.Substring(0, plus);
                expected = Convert.ToUInt64(hex.Substring(2), 16);
                if (plus >= 0) expected += ulong.Parse(e.Function.Substring(plus + 1), System.Globalization.CultureInfo.InvariantCulture);
            }
            return siAddr == expected ? null : fail($"si_addr 0x{expected:x} ({e.Function})", actual, excerpt);
        }

        private static ExpectationFailure? CheckOops(Expectation e, RunResult result, Func<string, string, IReadOnlyList<string>, ExpectationFailure> fail)
        {
            // The watchdog's report is no oops, but it prints the stuck registers: `in` and `depth` read them as an oops'.
            var oops = result.Oops ?? (e.Text == "soft_lockup" ? result.SoftLockup : null);
            string expected = $"an oops of kind {e.Text}";
            if (!IsKind(e.Text, result))
            {
                string actual = oops is not null ? $"it was {oops.Kind} ({oops.DieString}) at {oops.RipSymbol}"
                    : result.SoftLockup is { } lockup ? $"it was soft_lockup at {lockup.RipSymbol}"
                    : result.Outcome == RunOutcome.OomKilled ? "the OOM killer killed a process"
                    : result.Outcome == RunOutcome.Hung ? $"the CPU halted with interrupts off at {result.HaltedAt:x}"
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
                case "oom":
                    // Not an oops: the OOM killer's report and its SIGKILL (mm/oom_kill.c), recorded per process.
                    foreach (var p in result.Processes)
                        if (p.OomKilled) return true;
                    return result.Outcome == RunOutcome.OomKilled;
                case "hang":
                    // Not an oops: the CPU halted with interrupts off, and the machine hangs without a report.
                    return result.Outcome == RunOutcome.Hung;
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
        public static IReadOnlyList<string> MatchingLines(RunResult result, Expectation e) => MatchingLines(result.Log, e);

        /// <summary>As above, over any kernel log (a real kernel's console too).</summary>
        public static IReadOnlyList<string> MatchingLines(IEnumerable<string> log, Expectation e)
        {
            var lines = new List<string>();
            Regex? regex = e.Kind == ExpectationKind.PrintkPattern ? PatternRegex(e.Text) : null;
            foreach (var line in log)
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

        /// <summary>How long one `printk match` pattern may take on one line when it cannot run without backtracking.</summary>
        public static readonly TimeSpan PatternTimeout = TimeSpan.FromSeconds(1);

        /// <summary>
        /// A `printk match` pattern as it runs: without backtracking (linear in the line, so "^(a+)+$" cannot hang) where
        /// .NET's engine allows it, else with <see cref="PatternTimeout"/> per match (backreferences and lookarounds need
        /// backtracking); a match that times out throws <see cref="RegexMatchTimeoutException"/>.
        /// </summary>
        private static Regex PatternRegex(string pattern)
        {
            try
            {
                return new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
            }
            catch (NotSupportedException)
            {
                return new Regex(pattern, RegexOptions.CultureInvariant, PatternTimeout);
            }
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
