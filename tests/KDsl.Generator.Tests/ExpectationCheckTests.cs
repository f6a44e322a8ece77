using System.Linq;
using KDsl.Image;
using KDsl.Runtime;
using NUnit.Framework;

namespace KDsl.Generator.Tests
{
    /// <summary>The checking the generated fixtures and `kdsl run` share (KDsl.Runtime.ExpectationCheck), on real runs.</summary>
    [TestFixture]
    public sealed class ExpectationCheckTests
    {
        // Two levels of 4096 bytes that return: under linux-6.1 init calls rstack with 552 bytes in use and each level
        // takes BUF + 24 (references), so the deepest level's frame ends 552 + 2 * 4120 = 8792 bytes below the top;
        // its printk uses at most 672 more. buf is used after the recursive call, so GCC (and KDsl) cannot make it a
        // sibling call: each level keeps its frame.
        private const string TwoLevels = @"module two ""two levels"";
const BUF = 4096;
void rstack(int n) { char buf[BUF]; for (int i = 0; i < BUF; i++) buf[i] = 0; printk(""level %d\n"", n); if (n > 0) rstack(n - 1); buf[0] = 1; }
init { rstack(1); }
expect { no fault; }
";

        private static (ModuleImage Image, RunResult Result) Run(string text)
        {
            var compiled = Compiler.Compile("/experiments/two.kdsl", text);
            Assert.That(compiled.Image, Is.Not.Null, string.Join("\n", compiled.Diagnostics));
            return (compiled.Image!, Machine.Run(compiled.Image!));
        }

        [Test]
        public void StackHighWater_IsTheDeepestFrameAndPrintkBelowIt()
        {
            var (_, result) = Run(TwoLevels);
            Assert.That(result.Outcome, Is.EqualTo(RunOutcome.Completed), result.Dmesg);
            // two 4120-byte levels below 552 in use; the real 6.1 printk goes at most 896 bytes below its caller
            Assert.That(result.StackHighWater, Is.InRange(8792, 8792 + 896));
        }

        [Test]
        public void StackMax_FailsAboveTheBound_WithBothNumbers()
        {
            var (_, result) = Run(TwoLevels);
            var tight = new Expectation(ExpectationKind.StackMax, "", 8000, null, 9);
            var loose = new Expectation(ExpectationKind.StackMax, "", 16384, null, 10);
            var failures = ExpectationCheck.Check(new[] { loose, tight }, result);
            Assert.That(failures.Select(f => (f.Index, f.Expected)), Is.EqualTo(new[] { (1, "at most 8000 bytes of stack used") }));
            Assert.That(failures[0].Actual, Is.EqualTo($"the high-water mark was {result.StackHighWater} bytes"));
        }

        [Test]
        public void PrintkKinds_CountExactLinesAndPatterns()
        {
            var (_, result) = Run(TwoLevels);
            var expectations = new[]
            {
                new Expectation(ExpectationKind.PrintkLine, "level 1", 1, null, 1),
                new Expectation(ExpectationKind.PrintkLine, "level", 0, null, 2),
                new Expectation(ExpectationKind.PrintkPattern, "^level [01]$", 2, null, 3),
                new Expectation(ExpectationKind.Printk, "level", 2, null, 4),
            };
            Assert.That(ExpectationCheck.Check(expectations, result), Is.Empty, result.Dmesg);
        }

        [Test]
        public void Oops_WrongKindAndDepth_AreReported()
        {
            // step5 under linux-6.1 (references): the fourth level hits the guard page inside rstack.
            var (_, result) = Run(TwoLevels.Replace("rstack(1);", "rstack(100);"));
            var failures = ExpectationCheck.Check(new[]
            {
                new Expectation(ExpectationKind.Oops, "page_fault", -1, null, 1),
                new Expectation(ExpectationKind.Oops, "stack_guard", -1, "rstack", 2, 4, "rstack"),
                new Expectation(ExpectationKind.Oops, "stack_guard", -1, "rstack", 3, 5, "rstack"),
                new Expectation(ExpectationKind.NoFault, "", -1, null, 4),
            }, result);
            Assert.That(failures.Select(f => f.Index), Is.EqualTo(new[] { 0, 2, 3 }), result.Dmesg);
            Assert.That(failures[0].Actual, Does.StartWith("it was stack_guard"));
            Assert.That(failures[1].Actual, Is.EqualTo("the reliable call trace had 4"));
            Assert.That(failures[0].Excerpt[0], Does.Contain("BUG: TASK stack guard page was hit"));
        }
    }
}
