using NUnit.Framework;
using static KDsl.Runtime.Tests.Experiments.LanguageSemanticsTests;

namespace KDsl.Runtime.Tests.Experiments
{
    /// <summary>
    /// Kernel C's integer types run as C defines them (C11 6.3.1: conversions modulo 2^N for unsigned types, the usual
    /// arithmetic conversions, _Bool's value != 0) with the widths of x86-64 LP64. Each expected value is worked out from
    /// those rules in the comment beside it.
    /// </summary>
    [TestFixture]
    public class IntegerTypesTests
    {
        [TestCase("linux-6.1")]
        [TestCase("linux-4.11")]
        public void UnsignedAndShortTypes_WrapModuloTheirWidth(string profile)
        {
            var lines = Printed(@"
                unsigned int u = 0; u = u - 1;
                unsigned char uc = 300;
                unsigned short us = 70000;
                short s = 40000;
                u8 b = 255; b++;
                s16 neg = -2; u16 wide = neg;
                printk(""%u %d %d %d %d %d\n"", u, uc, us, s, b, wide);", profile: profile);
            // 0 - 1 = 2^32 - 1; 300 - 256 = 44; 70000 - 65536 = 4464; 40000 - 65536 = -25536; 255 + 1 = 256 = 0 in a byte;
            // -2 as unsigned short is 65534.
            Assert.That(lines, Is.EqualTo(new[] { "4294967295 44 4464 -25536 0 65534" }));
        }

        [Test]
        public void UnsignedDivisionShiftAndComparison_AreUnsigned()
        {
            var lines = Printed(@"
                unsigned int x = 4294967295u; int minus = -1; unsigned int one = 1; long lminus = -1;
                printk(""%u %u %d %d\n"", x / 2, x >> 28, minus < one, lminus < one);
                size_t n = 0; n--;
                printk(""%lu %d %d\n"", n, n > 0, (long)n < 0);
                u64 big = 0x8000000000000000; unsigned long r = big % 10;
                printk(""%llu %lu %lu\n"", big / 3, big >> 63, r);
                unsigned int q = 7; q /= 2; q <<= 31;
                printk(""%u\n"", q);");
            // (2^32 - 1) / 2 = 2147483647 and >> 28 = 15 (logical shift); -1 < 1u converts -1 to UINT_MAX: 0; long holds
            // every unsigned int, so -1L < 1u is 1. size_t 0 - 1 = 2^64 - 1, > 0, and -1 as long.
            // 2^63 / 3 = 3074457345618258602, 2^63 >> 63 = 1, 2^63 % 10 = 8 (9223372036854775808). 7 / 2 = 3, 3 << 31 mod 2^32 = 2^31.
            Assert.That(lines, Is.EqualTo(new[]
            {
                "2147483647 15 0 1",
                "18446744073709551615 1 1",
                "3074457345618258602 1 8",
                "2147483648",
            }));
        }

        [Test]
        public void Bool_HoldsZeroOrOne()
        {
            var lines = Printed(@"
                bool t = 5; bool f = false; bool z = 256; unsigned char low = 256; _Bool p = &t;
                int sum = t + t + true;
                printk(""%d %d %d %d %d %d\n"", t, f, z, low, sum, p);");
            // Conversion to _Bool is value != 0 (C11 6.3.1.2): 5 and 256 and a non-null pointer are 1, where an unsigned
            // char keeps 256 mod 256 = 0; true is 1, so t + t + true = 3.
            Assert.That(lines, Is.EqualTo(new[] { "1 0 1 0 3 1" }));
        }

        [Test]
        public void TypeSizes_AreLp64()
        {
            var lines = Printed(@"
                printk(""%ld %ld %ld %ld %ld %ld\n"", sizeof(short), sizeof(unsigned long long), sizeof(u16), sizeof(bool), sizeof(size_t), sizeof(signed char));
                printk(""%ld %ld %ld %ld\n"", sizeof(0xffffffff), sizeof(4294967295), sizeof(1u), sizeof(1ul));
                printk(""%d %d\n"", -1 == 0xffffffff, -1 == 4294967295);");
            // short 2, long long 8, u16 2, bool 1, size_t 8, signed char 1. 0xffffffff is an unsigned int (4 bytes), the decimal
            // 4294967295 a long (8); -1 converts to UINT_MAX against the first and stays -1 against the second.
            Assert.That(lines, Is.EqualTo(new[] { "2 8 2 1 8 1", "4 8 4 8", "1 0" }));
        }
    }
}
