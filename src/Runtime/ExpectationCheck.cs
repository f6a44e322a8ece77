using System.Collections.Generic;
using KDsl.Image;

namespace KDsl.Runtime
{
    /// <summary>One expectation that a run did not meet: what was expected, what happened, and where the expect line is.</summary>
    public sealed class ExpectationFailure
    {
        public ExpectationFailure(Expectation expectation, string expected, string actual)
        {
            Expectation = expectation;
            Expected = expected;
            Actual = actual;
        }

        public Expectation Expectation { get; }
        public string Expected { get; }
        public string Actual { get; }

        public string Format(string path) => $"{path}({Expectation.Line}): expected {Expected}, but {Actual}";
    }

    /// <summary>Checks a run against a file's `expect` block (used by `kdsl run` and the generated tests alike).</summary>
    public static class ExpectationCheck
    {
        public static IReadOnlyList<ExpectationFailure> Check(IReadOnlyList<Expectation> expectations, RunResult result)
        {
            var failures = new List<ExpectationFailure>();
            foreach (var e in expectations)
            {
                switch (e.Kind)
                {
                    case ExpectationKind.Printk:
                        int count = CountLines(result, e.Text);
                        if (e.Count >= 0 ? count != e.Count : count == 0)
                            failures.Add(new ExpectationFailure(e, e.Count >= 0 ? $"{e.Count} lines containing \"{e.Text}\"" : $"a line containing \"{e.Text}\"",
                                $"the log has {count}"));
                        break;
                    case ExpectationKind.Oops:
                        var oops = result.Oops;
                        if (oops is null)
                            failures.Add(new ExpectationFailure(e, $"an oops of kind {e.Text}", $"the run ended {result.Outcome} without one"));
                        else if (oops.Kind != e.Text)
                            failures.Add(new ExpectationFailure(e, $"an oops of kind {e.Text}", $"it was {oops.Kind} ({oops.DieString})"));
                        else if (e.Function is not null && oops.Function != e.Function)
                            failures.Add(new ExpectationFailure(e, $"the oops in {e.Function}", $"RIP was {oops.RipSymbol}"));
                        break;
                    case ExpectationKind.NoFault:
                        if (result.Oops is not null || result.Outcome != RunOutcome.Completed)
                            failures.Add(new ExpectationFailure(e, "no fault", $"the run ended {result.Outcome}" + (result.Oops is null ? "" : $" at {result.Oops.RipSymbol}")));
                        break;
                }
            }
            return failures;
        }

        /// <summary>dmesg lines whose text (after the timestamp) contains the given text.</summary>
        public static int CountLines(RunResult result, string text)
        {
            int count = 0;
            foreach (var line in result.Log)
                if (line.IndexOf(text, System.StringComparison.Ordinal) >= 0) count++;
            return count;
        }
    }
}
