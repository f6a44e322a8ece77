using System;
using System.Linq;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Faults
{
    /// <summary>
    /// hlt in kernel code (a hand-placed byte sequence, as an experiment may place): with interrupts on the next timer
    /// tick wakes the CPU and the code goes on; with them off (cli first) nothing can wake it, and nothing reports it:
    /// QEMU's guests have no NMI watchdog ("NMI watchdog: Perf NMI watchdog permanently disabled" in every real boot
    /// log here), and the soft-lockup watchdog needs its timer interrupt. The machine hangs; the log just stops.
    /// </summary>
    [TestFixture]
    public class HaltTests
    {
        private static RunResult RunWithBody(params byte[] bytes)
        {
            string source = "module halt \"hlt in kernel code\";\nconfig { profile = linux-6.1; }\n" +
                            "void placed(void) { }\ninit {\n    printk(\"\\0016halt: before\\n\");\n    placed();\n    printk(\"\\0016halt: after\\n\");\n}\n";
            var compiled = Compiler.Compile("halt.kdsl", source);
            Assert.That(compiled.Image, Is.Not.Null, string.Join("\n", compiled.Diagnostics));
            var image = compiled.Image!;
            var placed = image.Symbols.Single(s => s.Name == "placed");
            Array.Copy(bytes, 0, image.Text, placed.Offset, bytes.Length); // the function's first bytes, as placed by hand
            return Machine.Run(image);
        }

        [Test]
        public void CliHlt_HangsSilently()
        {
            var run = RunWithBody(0xFA, 0xF4, 0xC3); // cli; hlt; ret
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Hung));
            Assert.That(run.Oops, Is.Null);
            Assert.That(run.InitReturn, Is.Null); // insmod never returns
            Assert.That(FaultRun.Messages(run), Has.Some.EqualTo("halt: before").And.None.EqualTo("halt: after"));
            Assert.That(run.Log.Last(), Does.EndWith("halt: before")); // no report follows
        }

        [Test]
        public void StiHlt_GoesOnAfterTheTick()
        {
            var run = RunWithBody(0xFB, 0xF4, 0xC3); // sti; hlt; ret
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Completed));
            Assert.That(FaultRun.Messages(run), Has.Some.EqualTo("halt: after"));
            Assert.That(run.InitReturn, Is.EqualTo(0));
        }
    }
}
