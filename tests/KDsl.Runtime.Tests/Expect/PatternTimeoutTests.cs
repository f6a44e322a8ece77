using System.Diagnostics;
using KDsl.Image;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Expect
{
    /// <summary>
    /// `printk match "REGEX"` never hangs a run's check: a pattern runs without backtracking where .NET allows it (linear
    /// in the line), else with a one-second timeout per line that fails the expectation with a clear report.
    /// </summary>
    [TestFixture]
    public class PatternTimeoutTests
    {
        private static RunResult Log(string message) =>
            new RunResult(RunOutcome.Completed, new[] { "[    1.000001] " + message }, null, 0, 1);

        [Test]
        public void ANestedRepetition_RunsInLinearTime()
        {
            var e = new Expectation(ExpectationKind.PrintkPattern, "^(a+)+$", -1, null, 3);
            var clock = Stopwatch.StartNew();
            var failures = ExpectationCheck.Check(new[] { e }, Log(new string('a', 5000) + "!"));
            Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(5), "a backtracking engine takes exponential time here");
            Assert.That(failures, Has.Count.EqualTo(1), "no line matches");
            Assert.That(ExpectationCheck.Check(new[] { e }, Log("aaaa")), Is.Empty);
        }

        [Test]
        public void ABackreferenceThatBacktracks_FailsWithAReportInsteadOfHanging()
        {
            // a backreference needs the backtracking engine; nested repetition before it makes that exponential
            var e = new Expectation(ExpectationKind.PrintkPattern, @"^(a|aa)+\1x$", -1, null, 3);
            var failures = ExpectationCheck.Check(new[] { e }, Log(new string('a', 60)));
            Assert.That(failures, Has.Count.EqualTo(1));
            Assert.That(failures[0].Actual, Does.Contain("ran past 1 s").And.Contain("simplify it"));
        }
    }
}
