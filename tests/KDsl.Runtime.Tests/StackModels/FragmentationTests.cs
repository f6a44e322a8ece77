using System.Linq;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.StackModels
{
    /// <summary>
    /// Seed 003: with direct-mapped stacks "as memory gets fragmented, finding two or four physically contiguous pages
    /// can become difficult"; vmalloc'd stacks are "pieced together a page at a time". examples/fragmentation.kdsl
    /// leaves every other page free, so half the memory is free but no order-2 block is.
    /// </summary>
    [TestFixture]
    public class FragmentationTests
    {
        [Test]
        public void WithoutVmap_ForkFailsWithEnomem_WithVmapItSucceeds()
        {
            string source = StackModelRun.Example("fragmentation.kdsl");
            var off = StackModelRun.Run(source, ("vmap_stack", "off"));
            var on = StackModelRun.Run(source, ("vmap_stack", "on"));

            Assert.That(StackModelRun.Messages(off), Does.Contain("order-2 block: none"));
            Assert.That(StackModelRun.Messages(off), Does.Contain("kthread_run: -12"), off.Dmesg);
            Assert.That(off.Counter("high_order_failures"), Is.GreaterThanOrEqualTo(2), "the probe and the fork's stack");

            Assert.That(StackModelRun.Messages(on), Does.Contain("order-2 block: none"));
            Assert.That(StackModelRun.Messages(on), Does.Contain("worker 1 running"), on.Dmesg);
            var thread = on.KernelThreads.Single();
            Assert.That(thread.Stack >> 40, Is.EqualTo(0xffffc9UL), "a vmalloc address");
        }
    }
}
