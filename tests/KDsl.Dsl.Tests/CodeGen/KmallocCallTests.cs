using System.Linq;
using Iced.Intel;
using KDsl.Image;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.CodeGen
{
    /// <summary>
    /// Which kernel function kmalloc calls, as GCC compiles include/linux/slab.h's kmalloc(): a size known at compile
    /// time takes the __builtin_constant_p branch (kmalloc_trace / kmem_cache_alloc_trace up to KMALLOC_MAX_CACHE_SIZE,
    /// 8 KiB with SLUB; kmalloc_large / kmalloc_order_trace above it; ZERO_SIZE_PTR with no call for 0), a size
    /// computed at run time calls __kmalloc. The arguments sit where those functions take them: kmalloc_trace(s, flags,
    /// size) has the size in RDX, kmalloc_large(size, flags) and __kmalloc(size, flags) in RDI.
    /// </summary>
    [TestFixture]
    public class KmallocCallTests
    {
        private static string Source(string profile, string call) => $@"module t ""t"";
config {{ profile = {profile}; }}
const SIZE = 64;
long f(long n) {{
    void *p = {call};
    return (long)p;
}}
init {{ f(100); }}
";

        /// <summary>The kernel functions f calls (its relocated call targets) and the constant loaded into each register before.</summary>
        private static (string[] Calls, long? Rdi, long? Rsi, long? Rdx) Compile(string profile, string call)
        {
            var result = Compiler.Compile("t.kdsl", Source(profile, call));
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            var image = result.Image!;
            var symbol = image.Symbols.Single(s => s.Name == "f" && s.Section == Section.Text);
            var calls = image.Relocations.Where(r => r.Offset >= symbol.Offset && r.Offset < symbol.Offset + symbol.Size && r.Target != "__stack_chk_fail")
                .Select(r => r.Target).ToArray();
            long? rdi = null, rdx = null, rsi = null;
            foreach (var i in Step5CodeShapeTests.Decode(image, "f"))
            {
                if (i.Mnemonic == Mnemonic.Call) break;
                if (i.Mnemonic != Mnemonic.Mov || i.Op1Kind is not (OpKind.Immediate32 or OpKind.Immediate32to64)) continue;
                var full = i.Op0Register.GetFullRegister();
                if (full == Register.RDI) rdi = (long)i.GetImmediate(1);
                if (full == Register.RDX) rdx = (long)i.GetImmediate(1);
                if (full == Register.RSI) rsi = (long)i.GetImmediate(1);
            }
            return (calls, rdi, rsi, rdx);
        }

        [TestCase("linux-6.1", "kmalloc_trace")]
        [TestCase("linux-5.10", "kmem_cache_alloc_trace")]
        [TestCase("linux-4.11", "kmem_cache_alloc_trace")]
        public void ConstantSize_CallsTheSizeCachesFunction_WithTheSizeInRdx(string profile, string expected)
        {
            foreach (string size in new[] { "64", "SIZE", "SIZE * 2", "8192" })
            {
                var (calls, _, _, rdx) = Compile(profile, $"kmalloc({size})");
                Assert.That(calls, Is.EqualTo(new[] { expected }), size);
                Assert.That(rdx, Is.EqualTo(size switch { "SIZE * 2" => 128, "SIZE" => 64, _ => long.Parse(size) }), size);
            }
        }

        [TestCase("linux-6.1", "kmalloc_large")]
        [TestCase("linux-5.10", "kmalloc_order_trace")]
        public void ConstantSizeAboveKmallocMaxCacheSize_CallsTheLargeFunction_WithTheSizeInRdi(string profile, string expected)
        {
            var (calls, rdi, _, _) = Compile(profile, "kmalloc(8193)");
            Assert.That(calls, Is.EqualTo(new[] { expected }));
            Assert.That(rdi, Is.EqualTo(8193));
        }

        /// <summary>
        /// The large call's other arguments as Linux takes them: GFP_KERNEL (0xcc0) in RSI, and on 5.10 slab.h's inline
        /// kmalloc_large passes get_order(size) in RDX (16 KiB: 4 pages, order 2; 8193 bytes: 3 pages, order 2).
        /// </summary>
        [TestCase("linux-6.1", "16384", null)]
        [TestCase("linux-5.10", "16384", 2L)]
        [TestCase("linux-5.10", "8193", 2L)]
        [TestCase("linux-5.10", "4194304", 10L)]
        public void LargeCall_HasTheFlags_AndOn510TheOrder(string profile, string size, long? order)
        {
            var (_, _, rsi, rdx) = Compile(profile, $"kmalloc({size})");
            Assert.That(rsi, Is.EqualTo(0xcc0));
            Assert.That(rdx, Is.EqualTo(order));
        }

        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        public void SizeComputedAtRunTime_Calls__kmalloc(string profile)
        {
            Assert.That(Compile(profile, "kmalloc(n)").Calls, Is.EqualTo(new[] { "__kmalloc" }));
            Assert.That(Compile(profile, "__kmalloc(64)").Calls, Is.EqualTo(new[] { "__kmalloc" }), "__kmalloc called directly, as C code may");
        }

        [Test]
        public void ConstantZero_IsZeroSizePtr_WithoutACall() =>
            Assert.That(Compile("linux-6.1", "kmalloc(0)").Calls, Is.Empty);
    
        // kzalloc(size, flags) is kmalloc(size, flags | __GFP_ZERO) (include/linux/slab.h): the same functions as kmalloc,
        // the flags GFP_KERNEL | __GFP_ZERO = 0xcc0 | 0x100 (include/linux/gfp.h) where they take them; kmalloc of a size
        // computed at run time is __kmalloc(size, GFP_KERNEL)
        [TestCase("kzalloc(64)", "kmalloc_trace", 0xdc0L)]
        [TestCase("kzalloc(SIZE * 256)", "kmalloc_large", 0xdc0L)]
        [TestCase("kzalloc(n)", "__kmalloc", 0xdc0L)]
        [TestCase("kmalloc(n)", "__kmalloc", 0xcc0L)] // Linux's __kmalloc(size, flags): the same bytes load on the real kernel
        [TestCase("__kmalloc(64)", "__kmalloc", 0xcc0L)]
        public void KzallocAndRunTimeKmalloc_PassLinuxsGfpFlags(string call, string expected, long flags)
        {
            var (calls, _, rsi, _) = Compile("linux-6.1", call);
            Assert.That(calls, Is.EqualTo(new[] { expected }));
            Assert.That(rsi, Is.EqualTo(flags));
        }

        [Test]
        public void KzallocOfZero_IsZeroSizePtr_WithNoCall()
        {
            var (calls, _, _, _) = Compile("linux-6.1", "kzalloc(0)");
            Assert.That(calls, Is.Empty);
        }
}
}
