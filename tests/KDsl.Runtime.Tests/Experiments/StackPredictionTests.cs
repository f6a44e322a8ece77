using System.Collections.Generic;
using System.Linq;
using KDsl.Analysis;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Experiments
{
    /// <summary>
    /// The static stack analysis against the run: for step5 over a sweep of buffer sizes and thread sizes, the
    /// predicted overflow point (function and recursion depth) is where the run dies, and where nothing overflows
    /// the predicted worst case is the high-water mark the run reaches. The analysis never runs the code; the run
    /// never reads the analysis: agreement is the test.
    /// </summary>
    [TestFixture]
    public class StackPredictionTests
    {
        // 41 buffer sizes from 64 to 8192 bytes, deliberately including sizes that are not multiples of 8.
        private static IEnumerable<int> BufferSizes()
        {
            for (int i = 0; i <= 40; i++) yield return 64 + i * (8192 - 64) / 40 + (i % 3);
        }

        private static IEnumerable<TestCaseData> Sweep()
        {
            foreach (var profile in new[] { "linux-6.1", "linux-4.11" })
            foreach (var threadSize in new[] { "8K", "16K" })
                yield return new TestCaseData(profile, threadSize).SetName($"Step5Sweep({profile},{threadSize})");
        }

        [TestCaseSource(nameof(Sweep))]
        public void PredictedOverflowPoint_IsWhereTheRunDies(string profile, string threadSize)
        {
            var mismatches = new List<string>();
            foreach (int buf in BufferSizes())
            {
                var image = Step5.Compile(buf, new Dictionary<string, string> { ["profile"] = profile, ["thread_size"] = threadSize });
                var entry = image.Stack!.Entries.Single(e => e.Entry == image.InitSymbol);
                var run = Machine.Run(image);

                string predicted = entry.Overflow is { } o ? $"{o.Function} at depth {o.Depth}" : $"no overflow, {entry.WorstCase} bytes";
                string observed = run.Oops is { } oops
                    ? $"{oops.ModuleFunction} at depth {oops.Depth}"
                    : $"no overflow, {run.StackHighWater} bytes";
                if (predicted != observed) mismatches.Add($"BUF={buf}: predicted {predicted}, observed {observed}");
            }
            Assert.That(mismatches, Is.Empty);
        }

        [Test]
        public void ShallowRecursion_HighWaterMarkEqualsTheWorstCase()
        {
            // rstack(100) with a 64-byte buffer fits 16 KiB: the deepest point is printk from the 101st level.
            var image = Step5.Compile(64);
            var entry = image.Stack!.Entries.Single(e => e.Entry == image.InitSymbol);
            Assert.That(entry.Overflow, Is.Null);
            Assert.That(entry.Path, Is.EqualTo("step5_init → rstack ×101 → _printk"));
            // 544 in use at the call of init, init's return address, 101 frames of 64 + 24, and printk's 896: the deepest
            // the real 6.1 printk went below its caller (number in the console's timestamp, single-stepped).
            Assert.That(entry.WorstCase, Is.EqualTo(544 + 8 + 101 * 88 + 896));
            Assert.That(Machine.Run(image).StackHighWater, Is.EqualTo(entry.WorstCase));
        }

        [Test]
        public void UnboundedRecursion_IsReportedAtTheRecursiveCall()
        {
            // "+ b[1]" after the call: GCC turns a bare "return deep(...)" or "return deep(...) + 1" into a loop on 5.10/6.1
            // (no stack growth), but not a sum that loads from memory after the call (TailRecursion)
            var source = "module u \"u\";\nlong deep(long n) {\n    char b[64];\n    b[0] = 1;\n    return deep(n + b[0]) + b[1];\n}\ninit { deep(0); }\n";
            var result = Compiler.Compile("u.kdsl", source);
            var warning = result.Diagnostics.Single(d => d.Id == "KDSL1003");
            Assert.That((warning.Location.Line, warning.Location.Column), Is.EqualTo((5, 12)));
            var entry = result.Image!.Stack!.Entries.Single(e => e.Entry == "u_init");
            Assert.That(entry.Unbounded, Is.True);
            Assert.That(entry.Overflow, Is.Not.Null);
        }
    }
}
