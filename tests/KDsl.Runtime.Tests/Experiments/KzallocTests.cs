using System.Linq;
using KDsl.Runtime;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Experiments
{
    /// <summary>
    /// kzalloc is kmalloc with __GFP_ZERO (include/linux/slab.h): every byte of the block reads 0, whatever was there
    /// before, and the stack analysis charges the allocator path the call takes (kmalloc_trace for a constant size).
    /// </summary>
    [TestFixture]
    public class KzallocTests
    {
        [Test]
        public void TheBlockIsZeroed_EvenWhereAFreedBlockWasWritten()
        {
            var result = Compiler.Compile("kz.kdsl", @"module kz ""kzalloc"";
config { profile = linux-6.1; }
struct req { long id; char name[40]; };
long sum(char *p, long n) { long s = 0; for (long i = 0; i < n; i++) s += p[i] != 0; return s; }
init {
    char *dirty = kmalloc(4096);
    for (int i = 0; i < 4096; i++) dirty[i] = 0x5a;
    kfree(dirty);
    char *a = kzalloc(4096);
    long n = 200;
    char *b = kzalloc(n);
    struct req *r = kzalloc(sizeof(struct req));
    printk(""nonzero %ld %ld %ld\n"", sum(a, 4096), sum(b, n), sum((char *)r, sizeof(struct req)));
}
");
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            Assert.That(Machine.Run(result.Image!).Dmesg, Does.Contain("] nonzero 0 0 0\n"));
        }

        [Test]
        public void TheAnalysisChargesKmallocsPath()
        {
            // GCC compiles kzalloc(64) to kmalloc_trace(cache, GFP_KERNEL | __GFP_ZERO, 64): the recorded path of that call
            static KDsl.Analysis.EntryStackUsage EntryOf(string call) => Compiler.Compile("kz.kdsl", $"module kz \"k\";\nconfig {{ profile = linux-6.1; }}\ninit {{ kfree({call}); }}\n").Image!.Stack!.Entries.First();
            var zeroed = EntryOf("kzalloc(64)");
            Assert.That(zeroed.Path, Is.EqualTo("kz_init → kmalloc_trace"));
            Assert.That(zeroed.WorstCase, Is.EqualTo(EntryOf("kmalloc(64)").WorstCase));
        }
    }
}
