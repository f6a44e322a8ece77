using System.Linq;
using NUnit.Framework;

namespace KDsl.Cli.Tests
{
    public class DisasmTests
    {
        [Test]
        public void Step5IsListedWithItsSourceLines()
        {
            var (exit, output, _) = CliRunner.Run("disasm", CliRunner.Example("step5.kdsl"));
            Assert.That(exit, Is.EqualTo(0));
            Assert.Multiple(() =>
            {
                Assert.That(output, Does.Contain("<rstack>:"));
                Assert.That(output, Does.Contain("<step5_init>:"));
                // The source lines, from the image's line table.
                Assert.That(output, Does.Contain("; step5.kdsl:19: printk(\"[%px] finished initialized buf.\\n\", buf);"));
                Assert.That(output, Does.Contain("; step5.kdsl:21: rstack(n - 1);"));
                // AT&T syntax by default, relocations named.
                Assert.That(output, Does.Contain("%rsp"));
                Assert.That(output.Split('\n').Where(l => l.Contains("call")), Has.Some.Contains("_printk"));
            });
        }

        [Test]
        public void IntelSyntaxOnRequest()
        {
            var (exit, output, _) = CliRunner.Run("disasm", CliRunner.Example("step5.kdsl"), "--intel");
            Assert.That(exit, Is.EqualTo(0));
            Assert.That(output, Does.Contain("rsp").And.Not.Contain("%rsp"));
        }

        [Test]
        public void UnknownScenarioIsAnError()
        {
            var (exit, _, error) = CliRunner.Run("disasm", CliRunner.Example("step5.kdsl"), "--scenario", "nope");
            Assert.That(exit, Is.EqualTo(2));
            Assert.That(error, Does.Contain("no scenario 'nope'"));
        }
    }
}
