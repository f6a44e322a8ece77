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

        [Test]
        public void TheLayoutIsObjdumps_SoCheckstackReadsIt()
        {
            // scripts/checkstack.pl's patterns (Linux): a function header and, for x86_64, the frame's sub of RSP with
            // objdump's mnemonic column ("sub" and four spaces). step5's rstack on 6.1: push rbx; sub $0x1008,%rsp.
            var (_, output, _) = CliRunner.Run("disasm", CliRunner.Example("step5.kdsl"));
            var header = new System.Text.RegularExpressions.Regex(@"^([0-9a-fA-F]+) <(.*)>:$");
            var frame = new System.Text.RegularExpressions.Regex(@"^.*[as][du][db]    \$(0x[0-9a-f]{1,8}),\%(e|r)sp$");
            var lines = output.Split('\n');
            Assert.That(lines.Where(l => header.IsMatch(l)).Select(l => header.Match(l).Groups[2].Value), Does.Contain("rstack"));
            Assert.That(lines.Where(l => frame.IsMatch(l)).Select(l => frame.Match(l).Groups[1].Value), Does.Contain("0x1008"));
            // objdump's columns: seven bytes a line padded to 21, the rest continued below; scale 1 written out
            Assert.That(output, Does.Contain("\t48 81 ec 08 10 00 00 \tsub    $0x1008,%rsp"));
            Assert.That(output, Does.Contain("\t0f 1f 44 00 00       \tnopl   0x0(%rax,%rax,1)"));
        }

        /// <summary>
        /// Every instruction line (address column, bytes, mnemonic, operands) is what GNU objdump 2.40 prints for the same
        /// bytes: the reference listings in Objdump/ are objdump's own output (Objdump/regenerate.py writes them). A code
        /// generation change that alters these examples' bytes means running that script again.
        /// </summary>
        [TestCase("step5", "att")]
        [TestCase("step5", "intel")]
        [TestCase("bug-on", "intel")]
        [TestCase("stack-protector", "att")]
        public void EveryInstructionLineIsObjdumps(string example, string syntax)
        {
            var args = new[] { "disasm", CliRunner.Example(example + ".kdsl") }.Concat(syntax == "intel" ? new[] { "--intel" } : new string[0]).ToArray();
            var (exit, output, _) = CliRunner.Run(args);
            var instruction = new System.Text.RegularExpressions.Regex(@"^ *[0-9a-f]+:\t");
            // KDsl's own addition after the operands: the relocation ("\t# Rel32 _printk-4"), which objdump -d shows only with -r.
            var ours = output.Split('\n').Where(l => instruction.IsMatch(l)).Select(l => l.Split("\t#")[0].TrimEnd()).ToList();
            var objdump = System.IO.File.ReadAllLines(System.IO.Path.Combine(System.AppContext.BaseDirectory, "Objdump", $"{example}.{syntax}.txt"))
                .Where(l => !l.StartsWith('#')).ToList();
            Assert.That(exit, Is.EqualTo(0));
            Assert.That(ours, Is.EqualTo(objdump));
        }

        [Test]
        public void IntelHexIsObjdumps()
        {
            var (_, output, _) = CliRunner.Run("disasm", CliRunner.Example("step5.kdsl"), "--intel");
            Assert.That(output, Does.Contain("sub    rsp,0x1008").And.Not.Contain("1008h"));
        }
    }
}
