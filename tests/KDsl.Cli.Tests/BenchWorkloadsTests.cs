using System;
using System.IO;
using System.Linq;
using NUnit.Framework;

namespace KDsl.Cli.Tests
{
    /// <summary>`kdsl bench` outside the repository: the tool carries its W1–W4 workloads in workloads/ beside kdsl.dll.</summary>
    [TestFixture]
    public class BenchWorkloadsTests
    {
        [Test]
        public void TheBuildShipsTheWorkloadsBesideTheTool()
        {
            string shipped = Path.Combine(AppContext.BaseDirectory, "workloads");
            var names = Directory.GetFiles(shipped, "w*.kdsl").Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal);
            Assert.That(names, Is.EqualTo(new[] { "w1-memset.kdsl", "w2-fib.kdsl", "w3-frames.kdsl", "w4-vmalloc.kdsl" }));
        }
    }
}
