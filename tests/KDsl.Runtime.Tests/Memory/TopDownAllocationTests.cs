using KDsl.Runtime.Memory;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Memory
{
    /// <summary>PhysicalMemory.TryAllocPagesHigh: the kernel's page allocator after boot, highest free aligned block first.</summary>
    [TestFixture]
    public class TopDownAllocationTests
    {
        [Test]
        public void BlocksComeFromTheTopDown_AlignedToTheirSize()
        {
            using var memory = new PhysicalMemory(1 << 20); // 256 frames
            Assert.That(memory.TryAllocPagesHigh(2, out ulong first), Is.True);
            Assert.That(first, Is.EqualTo((ulong)(256 - 4) << 12));
            Assert.That(memory.TryAllocPagesHigh(0, out ulong page), Is.True);
            Assert.That(page, Is.EqualTo(first - 4096), "the next allocation is the page just below");
            Assert.That(memory.TryAllocPagesHigh(2, out ulong second), Is.True);
            Assert.That(second, Is.EqualTo(first - 8 * 4096), "an order-2 block skips the partly used one");
        }

        [Test]
        public void AnExhaustedOrderStaysExhaustedUntilAFree()
        {
            using var memory = new PhysicalMemory(1 << 20);
            int blocks = 0;
            while (memory.TryAllocPagesHigh(2, out _)) blocks++;
            Assert.That(blocks, Is.EqualTo(63), "frame 0 is reserved, so the lowest order-2 block is never free");
            Assert.That(memory.TryAllocPagesHigh(2, out _), Is.False);
            memory.FreePages(128UL << 12, 2);
            Assert.That(memory.TryAllocPagesHigh(2, out ulong again), Is.True);
            Assert.That(again, Is.EqualTo(128UL << 12));
        }
    }
}
