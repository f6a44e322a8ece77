using System.Text.Json;
using NUnit.Framework;

namespace KDsl.Cli.Tests
{
    /// <summary>
    /// A user process's end in `--json`: the SIGBUS of a write past EOF in a file mapping (seed 004, the reference's
    /// sigbus.c on the real 6.1: "caught signo=7 (SIGBUS) si_code=2 (BUS_ADRERR)", "Bus error", status 135 = 128 + 7).
    /// </summary>
    [TestFixture]
    public class ProcessJsonTests
    {
        private static JsonElement Sigbus(JsonElement processes)
        {
            Assert.That(processes.GetArrayLength(), Is.EqualTo(1));
            var p = processes[0];
            Assert.That(p.GetProperty("name").GetString(), Is.EqualTo("sigbus"));
            Assert.That(p.GetProperty("exitStatus").GetInt32(), Is.EqualTo(135));
            Assert.That(p.GetProperty("signal").GetString(), Is.EqualTo("SIGBUS"));
            Assert.That(p.GetProperty("siCode").GetString(), Is.EqualTo("BUS_ADRERR"));
            Assert.That(p.GetProperty("siAddr").GetString(), Does.EndWith("000"), "the first byte of the page past EOF");
            return p;
        }

        [Test]
        public void RunJson_CarriesTheProcessesEnd()
        {
            var (_, output, _) = CliRunner.Run("run", CliRunner.Example("sigbus-past-eof.kdsl"), "--json");
            using var doc = JsonDocument.Parse(output);
            Sigbus(doc.RootElement.GetProperty("scenarios")[0].GetProperty("processes"));
        }

        [Test]
        public void SweepJson_CarriesTheProcessesEnd()
        {
            var (_, output, _) = CliRunner.Run("sweep", CliRunner.Example("sigbus-past-eof.kdsl"), "--param", "profile=linux-6.1,linux-5.10", "--json");
            using var doc = JsonDocument.Parse(output);
            foreach (var row in doc.RootElement.GetProperty("rows").EnumerateArray())
                Sigbus(row.GetProperty("processes"));
        }
    }
}
