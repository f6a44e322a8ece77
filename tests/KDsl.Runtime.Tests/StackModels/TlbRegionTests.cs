using NUnit.Framework;

namespace KDsl.Runtime.Tests.StackModels
{
    /// <summary>
    /// Seed 003's second cost: the direct map uses 2 MiB pages, so all of its stacks fit in one TLB entry, while each
    /// vmalloc'd stack page needs its own. examples/tlb-stacks.kdsl runs the same work (200 threads, 12 KB deep each)
    /// on fresh stacks both ways; the run's TLB counters by region show the difference.
    /// </summary>
    [TestFixture]
    public class TlbRegionTests
    {
        [Test]
        public void VmallocStacksMissTheTlbMoreThanDirectMappedOnes()
        {
            string source = StackModelRun.Example("tlb-stacks.kdsl");
            var vmap = StackModelRun.Run(source, ("vmap_stack", "on"));
            var direct = StackModelRun.Run(source, ("vmap_stack", "off"));
            TestContext.Out.WriteLine("vmap:   " + string.Join(" ", vmap.Counters));
            TestContext.Out.WriteLine("direct: " + string.Join(" ", direct.Counters));

            // Each fresh vmalloc'd stack brings at least the three 4 KiB pages the recursion touches: three walks a thread.
            Assert.That(vmap.Counter("tlb_misses_vmalloc"), Is.GreaterThanOrEqualTo(200 * 3));
            // Direct-mapped stacks live in 2 MiB pages already in the TLB: a handful of walks for the whole run.
            Assert.That(direct.Counter("tlb_misses_direct_map"), Is.LessThan(50));
            Assert.That(direct.Counter("tlb_misses_vmalloc"), Is.LessThan(vmap.Counter("tlb_misses_vmalloc") / 10));
            long vmapStackMisses = vmap.Counter("tlb_misses_vmalloc") + vmap.Counter("tlb_misses_direct_map");
            long directStackMisses = direct.Counter("tlb_misses_vmalloc") + direct.Counter("tlb_misses_direct_map");
            Assert.That(vmapStackMisses, Is.GreaterThan(10 * directStackMisses));
            // The same work: the same number of instructions retired both ways.
            Assert.That(direct.Instructions, Is.EqualTo(vmap.Instructions));
        }
    }
}
