using System.IO;
using System.Linq;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Processes
{
    /// <summary>
    /// examples/kernel-c/ringbuf.c, a driver in ordinary kernel C (it builds with Kbuild on the 6.1 headers), is
    /// examples/ringbuf.kdsl after mechanical edits only: the .kdsl's driver part holds the C's lines, each once, plus the
    /// module line (the three ioctl #defines moved, which a line comparison does not see). The run's expected values are
    /// the driver's C semantics, which its process checks one by one (exit status 0 when all hold); the same module and
    /// process agree with the real 6.1 kernel (kdsl oracle, docs/oracle.md).
    /// </summary>
    [TestFixture]
    public class KernelCDriverTests
    {
        private const string Marker = "// --- the experiment";

        [Test]
        public void TheKdsl_IsTheC_WithTheModuleLine()
        {
            var c = File.ReadAllLines(ProcessRun.ExamplePath("kernel-c/ringbuf.c"));
            var kdsl = File.ReadAllText(ProcessRun.ExamplePath("ringbuf.kdsl"));
            var driver = kdsl.Substring(0, kdsl.IndexOf(Marker, System.StringComparison.Ordinal)).Split('\n')
                .SkipWhile(l => l.StartsWith("//", System.StringComparison.Ordinal)).Select(l => l.TrimEnd('\r')).ToList();
            Assert.That(driver[0], Does.StartWith("module ringbuf "));
            var added = driver.Skip(1).Where(l => l.Length > 0).OrderBy(l => l, System.StringComparer.Ordinal);
            Assert.That(added, Is.EqualTo(c.Where(l => l.Length > 0).OrderBy(l => l, System.StringComparer.Ordinal)));
        }

        [Test]
        public void TheDriver_BehavesAsItsC()
        {
            var run = Machine.Run(ProcessRun.Image("ringbuf.kdsl", File.ReadAllText(ProcessRun.ExamplePath("ringbuf.kdsl"))));
            var p = run.Processes[0];
            Assert.That((run.Outcome, p.Signal, p.ExitStatus), Is.EqualTo((RunOutcome.Completed, 0, 0)), string.Join("\n", p.Syscalls) + "\n" + run.Dmesg);
            Assert.That(run.Dmesg, Does.Contain("ringbuf: registered, 8 slots"));
        }
    }
}
