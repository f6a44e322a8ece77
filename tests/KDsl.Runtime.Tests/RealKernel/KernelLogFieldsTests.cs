using System.IO;
using System.Linq;
using NUnit.Framework;

using KDsl.Runtime.RealKernel;

namespace KDsl.Runtime.Tests.RealKernel
{
    /// <summary>The parser on the real logs: values read off the logs by hand.</summary>
    [TestFixture]
    public class KernelLogFieldsTests
    {
        private static KernelLogFields Parse(string profile, string file) =>
            KernelLogFields.Parse(File.ReadAllText(new RealKernelLog(profile, file).Path));

        [Test]
        public void Linux61_992_OverflowsInsidePrintk()
        {
            var f = Parse("linux-6.1", "step5_992-norand.log");
            Assert.That(f.ModuleLines, Has.Count.EqualTo(15));
            Assert.That(f.ModuleLines[0], Is.EqualTo("step5 LOADED."));
            Assert.That(f.ModuleLines[1], Is.EqualTo("[ff641837805b39e0] finished initialized buf."));
            Assert.That(f.StackBase, Is.EqualTo(0xff641837805b0000UL));
            Assert.That(f.StackBaseSource, Is.EqualTo("BUG line"));
            Assert.That(f.BufferOffsetsFromTop![0], Is.EqualTo(0x620));             // 552 + 1016
            Assert.That(f.GuardPageOffsetFromBase, Is.EqualTo(-0x18));
            Assert.That(f.Rip, Is.EqualTo("number+0x20/0x3b0"));
            var reliable = f.Reliable.Select(e => e.Key).ToList();
            Assert.That(reliable.Take(4), Is.EqualTo(new[] { "vsnprintf+0x1a8/0x550", "vprintk_store+0x1c1/0x520", "vprintk_emit+0xec/0x290", "_printk+0x68/0x83" }));
            Assert.That(reliable.Count(k => k == "rstack [module]"), Is.EqualTo(15));
            Assert.That(reliable.Last(), Is.EqualTo("entry_SYSCALL_64_after_hwframe+0x6e/0xd8"));
            Assert.That(f.Stale.Select(e => e.Key), Is.EqualTo(new[] { "module address" }));
            Assert.That(f.EndOfRun, Is.EqualTo("panic \"Fatal exception in interrupt\" + end marker"));
            Assert.That(f.Hang, Is.False);
        }

        [Test]
        public void Linux510_HashedBugLine_BaseFromTheFirstBuffer()
        {
            var f = Parse("linux-5.10", "step5_4096.log");
            Assert.That(f.ModuleLines, Has.Count.EqualTo(4));
            Assert.That(f.StackBaseSource, Is.EqualTo("alignment of the first buffer"));
            Assert.That(f.BufferOffsetsFromTop, Is.EqualTo(new long[] { 0x1220, 0x2238, 0x3250 }));   // 520 + 4120 per level
            Assert.That(f.GuardPageSource, Is.EqualTo("CR2 register"));
            Assert.That(f.Rip, Is.EqualTo("rstack+0x26/0x73 [step5_4096]"));
            Assert.That(f.Reliable.Count(), Is.EqualTo(9));
            Assert.That(f.Stale.Count(), Is.EqualTo(13));
            Assert.That(f.EndOfRun, Is.EqualTo("panic \"Fatal exception in interrupt\", no end marker"));
        }

        [Test]
        public void Linux510_992_Hangs()
        {
            var f = Parse("linux-5.10", "step5_992.log");
            Assert.That(f.ModuleLines, Has.Count.EqualTo(15));
            Assert.That(f.FirstReport, Is.Null);
            Assert.That(f.Trace, Is.Empty);
            Assert.That(f.Hang, Is.True);
            Assert.That(f.EndOfRun, Is.EqualTo("hang (log ends after the module's lines)"));
        }

        [Test]
        public void Linux411_Seed_AllEntriesStale()
        {
            var f = Parse("linux-4.11", "step5_4096-seed.log");
            Assert.That(f.ModuleLines, Has.Count.EqualTo(4));
            Assert.That(f.StackBase, Is.EqualTo(0xffffb69505db8000UL));
            Assert.That(f.GuardPageOffsetFromBase, Is.EqualTo(-0x3e8));
            Assert.That(f.Rip, Is.EqualTo("rstack+0x30/0x80 [step5]"));
            Assert.That(f.Reliable, Is.Empty);
            Assert.That(f.Stale.Count(), Is.EqualTo(25));
            Assert.That(f.Stale.Last().Key, Is.EqualTo("entry_SYSCALL_64_fastpath+0x1a/0xa9"));
            Assert.That(f.EndOfRun, Is.EqualTo("report, no panic (log ends after end trace)"));
        }
    }
}
