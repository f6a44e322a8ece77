using System.Linq;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.StackModels
{
    /// <summary>
    /// Seed 002 (and 003's "it cannot easily be used for DMA"): a scatterlist on a stack buffer. sg_set_buf uses
    /// virt_to_page(buf), arithmetic that is only right in the direct map: with a vmalloc'd stack the device reads some
    /// other physical address; CONFIG_DEBUG_SG's BUG_ON(!virt_addr_valid(buf)) fires instead.
    /// </summary>
    [TestFixture]
    public class DmaFromStackTests
    {
        // The buffer holds 1..64: the device, reading the right bytes, sums to 64 * 65 / 2.
        private const string Right = "cpu sum 2080, device sum 2080: same";

        private static RunResult Run(params (string, string)[] settings) =>
            StackModelRun.Run(StackModelRun.Example("dma-from-stack.kdsl"), settings);

        [Test]
        public void DirectMappedStack_TheDeviceReadsTheBuffer()
        {
            var run = Run(("vmap_stack", "off"));
            Assert.That(StackModelRun.Messages(run), Does.Contain(Right), run.Dmesg);
        }

        [Test]
        public void VmallocStack_TheDeviceReadsOtherMemory()
        {
            var run = Run(("vmap_stack", "on"));
            // __pa() of a vmalloc address lies far beyond the 64 MB of RAM: no memory answers, the device reads ones.
            Assert.That(StackModelRun.Messages(run), Does.Contain($"cpu sum 2080, device sum {64 * 0xff}: DIFFERENT"), run.Dmesg);
            Assert.That(run.Oops, Is.Null);
        }

        [Test]
        public void DebugSg_BugsInSgInitOne()
        {
            var run = Run(("vmap_stack", "on"), ("debug_sg", "on"));
            Assert.That(run.Oops?.Kind, Is.EqualTo("bug"), run.Dmesg);
            Assert.That(run.Oops!.Function, Is.EqualTo("sg_init_one"));
            Assert.That(StackModelRun.Messages(run).Any(m => m.StartsWith("kernel BUG at include/linux/scatterlist.h:")), Is.True);
            Assert.That(run.Dmesg, Does.Not.Contain("cpu sum"));
        }

        [Test]
        public void DebugSg_AcceptsADirectMappedBuffer()
        {
            var run = Run(("vmap_stack", "off"), ("debug_sg", "on"));
            Assert.That(StackModelRun.Messages(run), Does.Contain(Right), run.Dmesg);
        }
    }
}
