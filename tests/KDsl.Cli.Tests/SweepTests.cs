using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using NUnit.Framework;

namespace KDsl.Cli.Tests
{
    /// <summary>
    /// `kdsl sweep`: the table's values against the stack arithmetic of the real kernels
    /// (shared/reference/real-kernel/README.md: 552 bytes in use when init calls rstack on 6.1, 520 on 5.10; BUF + 24
    /// bytes per rstack level; printk's path needs more than 592 and at most 672 bytes below its caller).
    /// </summary>
    public class SweepTests
    {
        // Real 6.1's printk, single-stepped (tools/kernel-trace, src/Dsl/Profiles/Footprints/linux-6.1.ktrace): its record
        // is committed once the call has used 656 bytes below the caller's RSP, and the console path goes 896 deep.
        private const int StoreNeeds = 656, PrintkNeeds = 896;

        /// <summary>What step5 must do, level by level: (lines printed, depth, died inside printk), null when a level
        /// lands in the window the references leave open (592..672 bytes left for printk, or within 64 bytes of the guard).</summary>
        private static (int Lines, int Depth, bool InPrintk)? Predict(int inUse, int frame, int threadSize, int levels = 101)
        {
            for (int k = 1; k <= levels; k++)
            {
                long bottom = inUse + (long)k * frame;
                if (System.Math.Abs(threadSize - bottom) < 64) return null;
                if (bottom > threadSize) return (k - 1, k, false);
                long left = threadSize - bottom;
                if (System.Math.Abs(left - StoreNeeds) < 16 || System.Math.Abs(left - PrintkNeeds) < 16) return null; // too close to call
                if (left < StoreNeeds) return (k - 1, k, true); // dies before its record is in the ringbuffer
                if (left < PrintkNeeds) return (k, k, true);     // its line is committed (the panic prints it), the console path dies
            }
            return (levels, 0, false);
        }

        private static JsonElement[] Rows(JsonDocument doc) => doc.RootElement.GetProperty("rows").EnumerateArray().ToArray();

        private static JsonDocument SweepJson(params string[] args)
        {
            var (exit, output, error) = CliRunner.Run(new[] { "sweep" }.Concat(args).Concat(new[] { "--json", "--count", "finished initialized buf" }).ToArray());
            Assert.That(exit, Is.EqualTo(0), error);
            return JsonDocument.Parse(output);
        }

        private static void AssertMatches(JsonElement row, (int Lines, int Depth, bool InPrintk) expected)
        {
            string value = row.GetProperty("value").GetString()!;
            Assert.That(row.GetProperty("count").GetInt32(), Is.EqualTo(expected.Lines), $"lines printed at {value}");
            if (expected.Depth == 0)
            {
                Assert.That(row.GetProperty("outcome").GetString(), Is.EqualTo("Completed"), value);
                Assert.That(row.GetProperty("oops").ValueKind, Is.EqualTo(JsonValueKind.Null), value);
                return;
            }
            var oops = row.GetProperty("oops");
            Assert.That(row.GetProperty("outcome").GetString(), Is.EqualTo("Panic"), value);
            Assert.That(oops.GetProperty("kind").GetString(), Is.EqualTo("stack_guard"), value);
            Assert.That(oops.GetProperty("moduleFunction").GetString(), Is.EqualTo("rstack"), value);
            Assert.That(oops.GetProperty("depth").GetInt32(), Is.EqualTo(expected.Depth), $"depth at {value}");
            if (expected.InPrintk) Assert.That(oops.GetProperty("function").GetString(), Is.Not.EqualTo("rstack"), $"dies inside printk at {value}");
            else Assert.That(oops.GetProperty("function").GetString(), Is.EqualTo("rstack"), $"dies in rstack's own frame at {value}");
        }

        [Test]
        public void Step5BufSweepFollowsTheFrameArithmetic()
        {
            using var doc = SweepJson(CliRunner.Example("step5.kdsl"), "--param", "BUF=512..4096:512");
            var rows = Rows(doc);
            Assert.That(rows.Select(r => r.GetProperty("value").GetString()), Is.EqualTo(new[] { "512", "1024", "1536", "2048", "2560", "3072", "3584", "4096" }));
            int checkedRows = 0;
            Assert.Multiple(() =>
            {
                foreach (var row in rows)
                {
                    int buf = int.Parse(row.GetProperty("value").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                    if (Predict(552, buf + 24, 16384) is not { } expected) continue;
                    AssertMatches(row, expected);
                    checkedRows++;
                }
            });
            // Both ways of dying occur in this range (printk's path at 512, rstack's own frame at 4096).
            Assert.That(checkedRows, Is.EqualTo(8));
            Assert.That(Predict(552, 512 + 24, 16384)!.Value.InPrintk, Is.True);
            Assert.That(Predict(552, 4096 + 24, 16384)!.Value.InPrintk, Is.False);
        }

        [Test]
        public void SmallBuffersLetTheRecursionEnd()
        {
            // rstack(100) is 101 activations: with 88 bytes per level they all fit and insmod returns.
            using var doc = SweepJson(CliRunner.Example("step5.kdsl"), "--param", "BUF=64,96");
            Assert.Multiple(() =>
            {
                foreach (var row in Rows(doc))
                {
                    int buf = int.Parse(row.GetProperty("value").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                    AssertMatches(row, Predict(552, buf + 24, 16384)!.Value);
                }
            });
        }

        [Test]
        public void ThreadSizeSweepMovesTheGuardPage()
        {
            using var doc = SweepJson(CliRunner.Example("step5.kdsl"), "--param", "thread_size=8K,16K,32K");
            var rows = Rows(doc);
            int[] sizes = { 8192, 16384, 32768 };
            Assert.That(rows, Has.Length.EqualTo(3));
            Assert.Multiple(() =>
            {
                for (int i = 0; i < sizes.Length; i++) AssertMatches(rows[i], Predict(552, 4096 + 24, sizes[i])!.Value);
            });
        }

        [Test]
        public void ProfileSweepUsesEachKernelsStackInUse()
        {
            // 992-byte buffers (1016 bytes per level). On 6.1 the fifteenth level has 72 bytes left for printk: it dies
            // there. On 5.10 (520 bytes in use) it has 16384 - 520 - 15 * 1016 = 624 bytes left, less than its printk's
            // store path needs: fourteen lines (logs-5.10/step5_992.log), the fifteenth level dies in printk.
            using var doc = SweepJson(CliRunner.Example("step5-992.kdsl"), "--param", "profile=linux-5.10,linux-6.1");
            var rows = Rows(doc);
            Assert.Multiple(() =>
            {
                Assert.That(rows[0].GetProperty("count").GetInt32(), Is.EqualTo(14));
                Assert.That(rows[0].GetProperty("oops").GetProperty("depth").GetInt32(), Is.EqualTo(15));
                AssertMatches(rows[1], Predict(552, 992 + 24, 16384)!.Value);
            });
        }

        [Test]
        public void TheStaticPredictionAgreesWithTheRuns()
        {
            // Agreement between `kdsl check`'s analysis and the emulated kernel, value by value.
            using var doc = SweepJson(CliRunner.Example("step5.kdsl"), "--param", "BUF=256..8192:*2");
            Assert.Multiple(() =>
            {
                foreach (var row in Rows(doc))
                {
                    var overflow = row.GetProperty("predicted").GetProperty("overflow");
                    var oops = row.GetProperty("oops");
                    Assert.That(overflow.GetProperty("function").GetString(), Is.EqualTo(oops.GetProperty("moduleFunction").GetString()));
                    Assert.That(overflow.GetProperty("depth").GetInt32(), Is.EqualTo(oops.GetProperty("depth").GetInt32()), row.GetProperty("value").GetString());
                    bool predictedInPrintk = overflow.GetProperty("kernelFunction").ValueKind == JsonValueKind.String;
                    Assert.That(oops.GetProperty("function").GetString() != "rstack", Is.EqualTo(predictedInPrintk), row.GetProperty("value").GetString());
                }
            });
        }

        [Test]
        public void TheTableHasOneAlignedRowPerValue()
        {
            var (exit, output, error) = CliRunner.Run("sweep", CliRunner.Example("step5.kdsl"), "-p", "BUF=2048,4096", "--count", "finished initialized buf");
            Assert.That(exit, Is.EqualTo(0));
            var lines = output.TrimEnd('\n').Split('\n');
            Assert.That(lines, Has.Length.EqualTo(3));
            var header = lines[0].Split(' ', System.StringSplitOptions.RemoveEmptyEntries);
            Assert.That(header, Is.EqualTo(new[] { "BUF", "outcome", "oops", "function", "depth", "stack", "instructions", "count", "predicted", "expect" }));
            // Columns line up: each header word starts where the rows' cells of that column start (or end, right-aligned).
            int outcome = lines[0].IndexOf("outcome", System.StringComparison.Ordinal);
            Assert.That(lines.Skip(1).Select(l => l.Substring(outcome, 5)), Is.All.EqualTo("Panic"));
            // 2048: eight levels (2072 bytes each from 552: the eighth passes 16384), seven lines; 4096: four, three.
            Assert.That(lines[1].Split(' ', System.StringSplitOptions.RemoveEmptyEntries), Does.Contain("8").And.Contain("7").And.Contain("failed"));
            Assert.That(lines[2], Does.Contain("4 of rstack").And.EndWith("met"));
            Assert.That(error, Does.EndWith("kdsl: swept BUF over 2 values: 2 Panic" + System.Environment.NewLine));
            // The same bytes every time.
            Assert.That(CliRunner.Run("sweep", CliRunner.Example("step5.kdsl"), "-p", "BUF=2048,4096", "--count", "finished initialized buf").Out, Is.EqualTo(output));
        }

        [Test]
        public void UserProcessesEndsHaveAColumn()
        {
            // filemap_fault gives VM_FAULT_SIGBUS for a page at or past DIV_ROUND_UP(i_size, PAGE_SIZE): with an empty file
            // the write to page 0 dies of SIGBUS (exit status 128 + 7); one byte of file already puts page 0 inside it.
            var (exit, output, error) = CliRunner.Run("sweep", CliRunner.Example("sigbus-empty-file.kdsl"), "-p", "FILE_SIZE=0,1,4096");
            Assert.That(exit, Is.EqualTo(0), error);
            var lines = output.TrimEnd('\n').Split('\n');
            Assert.That(lines[0].Split(' ', System.StringSplitOptions.RemoveEmptyEntries), Does.Contain("processes"));
            Assert.That(lines[1], Does.Contain("sigbus: SIGBUS"));
            Assert.That(lines[2], Does.Contain("sigbus: exit 0"));
            Assert.That(lines[3], Does.Contain("sigbus: exit 0"));
            // A file without processes has no such column (TheTableHasOneAlignedRowPerValue).
        }

        [Test]
        public void JobsChangeTheSpeedNotTheOutput()
        {
            string[] sweep = { "sweep", CliRunner.Example("step5.kdsl"), "-p", "BUF=1024..8192:*2", "--count", "finished initialized buf" };
            var one = CliRunner.Run(sweep.Concat(new[] { "--jobs", "1" }).ToArray());
            var four = CliRunner.Run(sweep.Concat(new[] { "-j", "4" }).ToArray());
            Assert.That(one.Exit, Is.EqualTo(0), one.Err);
            Assert.That(four.Out, Is.EqualTo(one.Out));
            Assert.That(four.Err, Is.EqualTo(one.Err));
            var (exit, _, error) = CliRunner.Run(sweep.Concat(new[] { "--jobs", "0" }).ToArray());
            Assert.That(exit, Is.EqualTo(2));
            Assert.That(error, Does.Contain("--jobs 0: expected at least 1"));
        }

        [Test]
        public void AValueThatDoesNotCompileIsARowAndExitTwo()
        {
            var (exit, output, error) = CliRunner.Run("sweep", CliRunner.Example("step5.kdsl"), "-p", "thread_size=16K,24K", "--json");
            Assert.That(exit, Is.EqualTo(2));
            Assert.That(error, Does.Contain("thread_size=24K").And.Contain("KDSL0161"));
            using var doc = JsonDocument.Parse(output);
            var rows = Rows(doc);
            Assert.That(rows[0].GetProperty("compiled").GetBoolean(), Is.True);
            Assert.That(rows[1].GetProperty("compiled").GetBoolean(), Is.False);
            Assert.That(rows[1].GetProperty("outcome").GetString(), Is.EqualTo("compile error"));
            Assert.That(doc.RootElement.GetProperty("exitCode").GetInt32(), Is.EqualTo(2));
        }

        [Test]
        public void AScenarioCanBeSwept()
        {
            // buf2048 sets BUF = 2048; the swept profile is the only change.
            using var doc = SweepJson(CliRunner.Example("step5.kdsl"), "--scenario", "buf2048", "-p", "profile=linux-5.10");
            AssertMatches(Rows(doc)[0], Predict(520, 2048 + 24, 16384)!.Value);
            Assert.That(doc.RootElement.GetProperty("scenario").GetString(), Is.EqualTo("buf2048"));
            var (exit, _, error) = CliRunner.Run("sweep", CliRunner.Example("step5.kdsl"), "--scenario", "nope", "-p", "BUF=1,2");
            Assert.That(exit, Is.EqualTo(2));
            Assert.That(error, Does.Contain("no scenario 'nope'"));
        }

        [Test]
        public void HelpDescribesTheCommand()
        {
            var (exit, output, _) = CliRunner.Run("sweep", "--help");
            Assert.That(exit, Is.EqualTo(0));
            Assert.That(output, Does.Contain("--param").And.Contain("FROM..TO[:STEP]").And.Contain("--json").And.Contain("--count").And.Contain("--scenario").And.Contain("--set")
                .And.Contain("--jobs"));
            Assert.That(CliRunner.Run("--help").Out, Does.Contain("sweep"));
            var (missing, _, error) = CliRunner.Run("sweep", CliRunner.Example("step5.kdsl"));
            Assert.That(missing, Is.Not.EqualTo(0));
            Assert.That(error, Does.Contain("--param"));
        }

        [Test]
        public void ProgressIsRedrawnOnlyOnATerminal()
        {
            var terminal = new StringWriter();
            var p = new SweepProgress(terminal, terminal: true);
            p.Step(0, 2, "BUF=1");
            p.Step(1, 2, "BUF=2");
            p.Done("kdsl: done");
            Assert.That(terminal.ToString(), Is.EqualTo("\r\u001b[K[1/2] BUF=1\r\u001b[K[2/2] BUF=2\r\u001b[Kkdsl: done" + System.Environment.NewLine));

            var redirected = new StringWriter();
            var q = new SweepProgress(redirected, terminal: false);
            q.Step(0, 2, "BUF=1");
            q.Interrupt();
            q.Done("kdsl: done");
            Assert.That(redirected.ToString(), Is.EqualTo("kdsl: done" + System.Environment.NewLine));
        }
    }
}
