using System.Linq;
using System.Text.Json;
using NUnit.Framework;

namespace KDsl.Cli.Tests
{
    public class RunJsonTests
    {
        [Test]
        public void Step5AsJson()
        {
            var (exit, output, _) = CliRunner.Run("run", CliRunner.Example("step5.kdsl"), "--json");
            Assert.That(exit, Is.EqualTo(0));
            using var doc = JsonDocument.Parse(output);
            var root = doc.RootElement;
            Assert.That(root.GetProperty("exitCode").GetInt32(), Is.EqualTo(0));
            var scenario = root.GetProperty("scenarios").EnumerateArray().Single();
            Assert.Multiple(() =>
            {
                Assert.That(scenario.GetProperty("name").GetString(), Is.EqualTo("default"));
                Assert.That(scenario.GetProperty("outcome").GetString(), Is.EqualTo("Panic"));
                Assert.That(scenario.GetProperty("passed").GetBoolean(), Is.True);
                Assert.That(scenario.GetProperty("config").GetProperty("profile").GetString(), Is.EqualTo("linux-6.1"));
                Assert.That(scenario.GetProperty("stackHighWater").GetInt64(), Is.GreaterThan(12000));
                var log = scenario.GetProperty("log").EnumerateArray().Select(e => e.GetString()!).ToList();
                Assert.That(log.Count(l => l.Contains("finished initialized buf.")), Is.EqualTo(3));
                Assert.That(log, Has.Some.Contains("stack guard page was hit at"));
                var oops = scenario.GetProperty("oops");
                Assert.That(oops.GetProperty("kind").GetString(), Is.EqualTo("stack_guard"));
                Assert.That(oops.GetProperty("moduleFunction").GetString(), Is.EqualTo("rstack"));
                Assert.That(oops.GetProperty("depth").GetInt32(), Is.EqualTo(4));
                Assert.That(oops.GetProperty("faultAddress").GetString(), Does.Match("^[0-9a-f]{16}$"));
                Assert.That(oops.GetProperty("callChain").EnumerateArray().Count(e => e.GetString() == "rstack"), Is.EqualTo(4));
                Assert.That(scenario.GetProperty("expectationFailures").GetArrayLength(), Is.EqualTo(0));
            });
        }

        [Test]
        public void ExpectationFailuresAreListedAndExitIsOne()
        {
            // Twice the buffer: fewer levels fit, so "count 3" fails.
            var (exit, output, _) = CliRunner.Run("run", CliRunner.Example("step5.kdsl"), "--json", "--set", "BUF=8192");
            Assert.That(exit, Is.EqualTo(1));
            using var doc = JsonDocument.Parse(output);
            var scenario = doc.RootElement.GetProperty("scenarios")[0];
            Assert.That(scenario.GetProperty("passed").GetBoolean(), Is.False);
            var failures = scenario.GetProperty("expectationFailures");
            Assert.That(failures.GetArrayLength(), Is.GreaterThan(0));
            Assert.That(failures[0].GetProperty("message").GetString(), Does.Contain("step5.kdsl("));
        }

        [Test]
        public void AllScenariosGiveOneDocument()
        {
            var (exit, output, _) = CliRunner.Run("run", CliRunner.Example("step5.kdsl"), "--json", "--scenario", "all");
            Assert.That(exit, Is.EqualTo(0));
            using var doc = JsonDocument.Parse(output);
            var names = doc.RootElement.GetProperty("scenarios").EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToList();
            Assert.That(names, Is.EqualTo(new[] { "default", "linux_5_10", "linux_4_11", "buf2048", "buf2048_linux_5_10" }));
        }

        [Test]
        public void HelpDescribesTheOptions()
        {
            var (exit, output, _) = CliRunner.Run("run", "--help");
            Assert.That(exit, Is.EqualTo(0));
            Assert.That(output, Does.Contain("--json").And.Contain("--svg").And.Contain("--scenario").And.Contain("--set"));
            var (_, root, _) = CliRunner.Run("--help");
            Assert.That(root, Does.Contain("disasm").And.Contain("run").And.Contain("check"));
        }
    }
}
