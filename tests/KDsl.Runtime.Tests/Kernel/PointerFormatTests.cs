using KDsl.Profiles;
using KDsl.Runtime.Kernel.Printk;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Kernel
{
    /// <summary>%p and its extensions (lib/vsprintf.c pointer()).</summary>
    [TestFixture]
    public class PointerFormatTests
    {
        private static readonly PtrHashKey Key = new(0x0706050403020100, 0x0f0e0d0c0b0a0908);

        [Test]
        public void SipHashMatchesTheReferenceVector()
        {
            // SipHash-2-4 paper, key 00..0f, message 00..07: 62 24 93 9a 79 f5 f5 93.
            Assert.That(PtrHash.SipHash1U64(0x0706050403020100, Key), Is.EqualTo(0x93f5f5799a932462UL));
        }

        [Test]
        public void RawPointersAreSixteenHexDigits()
        {
            var raw = new VsprintfConfig();
            Assert.That(Vsnprintf.Sprintf(raw, "[%px] finished initialized buf.", 0xff60881e80636dc0UL),
                Is.EqualTo("[ff60881e80636dc0] finished initialized buf."));
            Assert.That(Vsnprintf.Sprintf(raw, "%p", 0xbeefUL), Is.EqualTo("000000000000beef"));
            Assert.That(Vsnprintf.Sprintf(raw, "%px", 0UL), Is.EqualTo("0000000000000000"));
            Assert.That(Vsnprintf.Sprintf(raw, "%p", 0UL), Is.EqualTo("0000000000000000"));
            Assert.That(Vsnprintf.Sprintf(raw, "%pK", 0x1234UL), Is.EqualTo("0000000000001234"));
        }

        [Test]
        public void HashedPointersAreZerosThenThirtyTwoBitsOfHash()
        {
            var hashed = new VsprintfConfig { HashPointers = true, PtrKey = Key };
            string s = Vsnprintf.Sprintf(hashed, "%p", 0xff60881e80633d68UL);
            Assert.That(s, Does.Match("^00000000[0-9a-f]{8}$"));
            Assert.That(s, Is.EqualTo((PtrHash.SipHash1U64(0xff60881e80633d68UL, Key) & 0xffffffff).ToString("x16")));
            Assert.That(Vsnprintf.Sprintf(hashed, "%p", 0xff60881e80633d68UL), Is.EqualTo(s), "deterministic per key");
            Assert.That(Vsnprintf.Sprintf(hashed, "%pK", 0xff60881e80633d68UL), Is.EqualTo(s), "%pK hashes like %p");
            Assert.That(Vsnprintf.Sprintf(hashed, "%px", 0xff60881e80633d68UL), Is.EqualTo("ff60881e80633d68"), "%px never hashes");
            Assert.That(Vsnprintf.Sprintf(hashed, "%p", 0UL), Is.EqualTo("0000000000000000"), "NULL is not hashed");
            Assert.That(Vsnprintf.Sprintf(hashed, "%p", unchecked((ulong)-22L)), Is.EqualTo("ffffffffffffffea"), "ERR_PTR is not hashed");
            var other = new VsprintfConfig { HashPointers = true, PtrKey = new PtrHashKey(1, 2) };
            Assert.That(Vsnprintf.Sprintf(other, "%p", 0xff60881e80633d68UL), Is.Not.EqualTo(s), "another boot, another key");
        }

        [Test]
        public void HashedPointerBeforeTheKeyIsReady()
        {
            var early = new VsprintfConfig { HashPointers = true, PtrKey = null };
            Assert.That(Vsnprintf.Sprintf(early, "%p", 0xffffffff81000000UL), Is.EqualTo("(____ptrval____)"));
        }

        [Test]
        public void LegacyNullPointer()
        {
            var cfg = VsprintfConfig.For(KernelProfile.Linux411, null, null);
            Assert.That(Vsnprintf.Sprintf(cfg, "%p|", 0UL), Is.EqualTo("          (null)|"), "4.x pads (null) to pointer width");
            Assert.That(Vsnprintf.Sprintf(cfg, "%pK", 0UL), Is.EqualTo("0000000000000000"));
            Assert.That(Vsnprintf.Sprintf(cfg, "%p", 0xffffb69505db7c18UL), Is.EqualTo("ffffb69505db7c18"), "4.11 does not hash");
        }

        [Test]
        public void ProfilesChooseHashing()
        {
            Assert.That(VsprintfConfig.For(KernelProfile.Linux411, null, Key).HashPointers, Is.False);
            Assert.That(VsprintfConfig.For(KernelProfile.Linux510, null, Key).HashPointers, Is.True);
            Assert.That(VsprintfConfig.For(KernelProfile.Linux61, null, Key).HashPointers, Is.True);
            Assert.That(VsprintfConfig.For(KernelProfile.Linux61, null, Key, noHashPointers: true).HashPointers, Is.False);
        }

        [Test]
        public void SymbolPointers()
        {
            var k = new TextKallsyms();
            ulong rip = k.Address("rstack+0x2d/0x7f [step5_4096]");
            ulong sched = k.Address("sched_clock_cpu+0x0/0xb0");
            var cfg = new VsprintfConfig { Kallsyms = k, HashPointers = true, PtrKey = Key };
            Assert.That(Vsnprintf.Sprintf(cfg, "RIP: %04x:%pS", 0x10, rip), Is.EqualTo("RIP: 0010:rstack+0x2d/0x7f [step5_4096]"));
            Assert.That(Vsnprintf.Sprintf(cfg, "%pS", sched), Is.EqualTo("sched_clock_cpu+0x0/0xb0"));
            Assert.That(Vsnprintf.Sprintf(cfg, "%ps", rip), Is.EqualTo("rstack [step5_4096]"));
            Assert.That(Vsnprintf.Sprintf(cfg, "%pSR", rip), Is.EqualTo("rstack+0x2d/0x7f [step5_4096]"));
            Assert.That(Vsnprintf.Sprintf(cfg, "%pS", 0x7fbeee891829UL), Is.EqualTo("0x7fbeee891829"), "no symbol: raw hex");
            Assert.That(Vsnprintf.Sprintf(cfg, "%pB", 0xffffffffc04e8000UL), Is.EqualTo("0xffffffffc04e8000"));
            Assert.That(Vsnprintf.Sprintf(cfg, "%20pS|", sched), Is.EqualTo("sched_clock_cpu+0x0/0xb0|"));
            Assert.That(Vsnprintf.Sprintf(cfg, "%30pS|", sched), Is.EqualTo("      sched_clock_cpu+0x0/0xb0|"));
        }

        [Test]
        public void BacktraceLooksUpTheCallInstruction()
        {
            // A return address right after a call at a function's end belongs to that function (4.11 seed:
            // "? rstack+0x80/0x80 [step5]"); %pS of the same address names the next symbol or nothing.
            var k = new TextKallsyms();
            ulong start = k.Address("rstack+0x0/0x80 [step5]");
            var cfg = new VsprintfConfig { Kallsyms = k };
            Assert.That(Vsnprintf.Sprintf(cfg, "%pB", start + 0x80), Is.EqualTo("rstack+0x80/0x80 [step5]"));
            Assert.That(Vsnprintf.Sprintf(cfg, "%pS", start + 0x80), Is.EqualTo("0x" + (start + 0x80).ToString("x")));
            Assert.That(Vsnprintf.Sprintf(cfg, "%pB", start + 0x56), Is.EqualTo("rstack+0x56/0x80 [step5]"));
        }

        [Test]
        public void ExtensionLettersAreConsumed()
        {
            var raw = new VsprintfConfig();
            // The kernel skips all alphanumerics after %p; an unknown extension prints as a plain pointer.
            Assert.That(Vsnprintf.Sprintf(raw, "%pZZ9.", 0x10UL), Is.EqualTo("0000000000000010."));
        }
    }
}
