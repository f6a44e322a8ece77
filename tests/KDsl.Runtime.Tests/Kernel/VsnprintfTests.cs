using KDsl.Runtime.Kernel.Printk;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Kernel
{
    /// <summary>lib/vsprintf.c against C's printf rules, and the places the kernel deliberately differs.</summary>
    [TestFixture]
    public class VsnprintfTests
    {
        private static string P(string fmt, params object?[] args) => Vsnprintf.Sprintf(null, fmt, args);

        [TestCase("%d", 42, ExpectedResult = "42")]
        [TestCase("%d", -42, ExpectedResult = "-42")]
        [TestCase("%i", -7, ExpectedResult = "-7")]
        [TestCase("%5d|", 42, ExpectedResult = "   42|")]
        [TestCase("%-5d|", 42, ExpectedResult = "42   |")]
        [TestCase("%05d", -42, ExpectedResult = "-0042")]
        [TestCase("%+d", 42, ExpectedResult = "+42")]
        [TestCase("% d", 42, ExpectedResult = " 42")]
        [TestCase("%+d", -42, ExpectedResult = "-42")]
        [TestCase("%.3d", 7, ExpectedResult = "007")]
        [TestCase("%6.3d|", 7, ExpectedResult = "   007|")]
        [TestCase("%-6.3d|", -7, ExpectedResult = "-007  |")]
        [TestCase("%2d", 100, ExpectedResult = "100")]
        [TestCase("%u", -1, ExpectedResult = "4294967295")]
        [TestCase("%x", 0xbeef, ExpectedResult = "beef")]
        [TestCase("%X", 0xbeef, ExpectedResult = "BEEF")]
        [TestCase("%#x", 0xbeef, ExpectedResult = "0xbeef")]
        [TestCase("%#X", 0xbeef, ExpectedResult = "0XBEEF")]
        [TestCase("%#010x", 0xbeef, ExpectedResult = "0x0000beef")]
        [TestCase("%o", 8, ExpectedResult = "10")]
        [TestCase("%#o", 8, ExpectedResult = "010")]
        [TestCase("%c", 'A', ExpectedResult = "A")]
        [TestCase("%3c|", 'A', ExpectedResult = "  A|")]
        [TestCase("%-3c|", 'A', ExpectedResult = "A  |")]
        public string IntegerAndCharConversionsFollowC(string fmt, object arg) => P(fmt, arg);

        [Test]
        public void PercentPercentNeedsNoArgument()
        {
            Assert.That(P("100%%"), Is.EqualTo("100%"));
        }

        [Test]
        public void LongConversionsUseAllSixtyFourBits()
        {
            Assert.That(P("%08lx", 0xbeefUL), Is.EqualTo("0000beef"));
            Assert.That(P("%016lx", 0xff60881e80633d78UL), Is.EqualTo("ff60881e80633d78"));
            Assert.That(P("%lu", ulong.MaxValue), Is.EqualTo("18446744073709551615"));
            Assert.That(P("%ld", -1L), Is.EqualTo("-1"));
            Assert.That(P("%lld", long.MinValue), Is.EqualTo("-9223372036854775808"));
            Assert.That(P("%llx", 0x123456789abcdefUL), Is.EqualTo("123456789abcdef"));
            Assert.That(P("%zu %zd %tx", 5UL, -5L, 0xffUL), Is.EqualTo("5 -5 ff"));
        }

        [Test]
        public void IntConversionsTruncateTheSlotLikeVaArg()
        {
            // An int argument only has 32 meaningful bits; the upper half of the register is junk.
            Assert.That(P("%x", 0xdeadbeef00000010UL), Is.EqualTo("10"));
            Assert.That(P("%d", 0x00000000ffffffffUL), Is.EqualTo("-1"));
            Assert.That(P("%u", 0x00000000ffffffffUL), Is.EqualTo("4294967295"));
        }

        [Test]
        public void ShortAndCharQualifiersNarrow()
        {
            Assert.That(P("%hd", 0xffffUL), Is.EqualTo("-1"));
            Assert.That(P("%hu", 0x12345UL), Is.EqualTo("9029"));
            Assert.That(P("%hx", 0xabcdefUL), Is.EqualTo("cdef"));
            Assert.That(P("%hhd", 0xffUL), Is.EqualTo("-1"));
            Assert.That(P("%hhx", 0x1ffUL), Is.EqualTo("ff"));
            Assert.That(P("%04hx", 0x10UL), Is.EqualTo("0010"));
        }

        [Test]
        public void StarWidthAndPrecisionComeFromArguments()
        {
            Assert.That(P("%*d|", 5, 42), Is.EqualTo("   42|"));
            Assert.That(P("%*d|", -5, 42), Is.EqualTo("42   |"), "a negative * width means '-'");
            Assert.That(P("%.*s|", 3, "abcdef"), Is.EqualTo("abc|"));
            Assert.That(P("%*.*s|", 6, 2, "abcdef"), Is.EqualTo("    ab|"));
        }

        [Test]
        public void StringsPadAndTruncate()
        {
            Assert.That(P("%s", "insmod"), Is.EqualTo("insmod"));
            Assert.That(P("%10s|", "insmod"), Is.EqualTo("    insmod|"));
            Assert.That(P("%-10s|", "insmod"), Is.EqualTo("insmod    |"));
            Assert.That(P("%.20s", "a-very-long-command-name-here"), Is.EqualTo("a-very-long-command-"));
            Assert.That(P("%010s|", "ab"), Is.EqualTo("        ab|"), "'0' does not pad strings with zeros");
        }

        [Test]
        public void NullAndBadStringPointers()
        {
            Assert.That(P("%s", (object?)null), Is.EqualTo("(null)"));
            Assert.That(P("%s", 0x10UL), Is.EqualTo("(efault)"), "first page");
            Assert.That(P("%s", unchecked((ulong)-14L)), Is.EqualTo("(efault)"), "ERR_PTR(-EFAULT)");
            Assert.That(P("%s", 0xffff888000001000UL), Is.EqualTo("(efault)"), "unreadable memory");
            var legacy = new VsprintfConfig { LegacyNullPointerStrings = true };
            Assert.That(Vsnprintf.Sprintf(legacy, "%s", 0x10UL), Is.EqualTo("(null)"), "4.x: any pointer below PAGE_SIZE");
        }

        [Test]
        public void KernelDiffersFromCWhereLinuxDoes()
        {
            // number() prints a digit for zero even with precision 0, keeps "0x" for zero with '#',
            // and lets '0' pad in front of a precision; glibc gives "", "0" and "     005".
            Assert.That(P("%.0d", 0), Is.EqualTo("0"));
            Assert.That(P("%#x", 0), Is.EqualTo("0x0"));
            Assert.That(P("%08.3d", 5), Is.EqualTo("00000005"));
            // A negative precision is clamped to 0 instead of meaning "none".
            Assert.That(P("%.*s|", -1, "abc"), Is.EqualTo("|"));
        }

        [Test]
        public void InvalidConversionStopsFormatting()
        {
            // The kernel cannot know how to skip the argument, so it stops there.
            Assert.That(P("a%qb%d", 1, 2), Is.EqualTo("a"));
            Assert.That(P("tail %"), Is.EqualTo("tail "));
        }

        [Test]
        public void SizeTruncatesLikeVsnprintf()
        {
            Assert.That(Vsnprintf.Format("hello %d", new PrintkArgList(12345), null, size: 8), Is.EqualTo("hello 1"));
            Assert.That(Vsnprintf.Format("x", new PrintkArgList(), null, size: 0), Is.EqualTo(""));
        }

        [Test]
        public void DmesgTimestampFormat()
        {
            Assert.That(P("[%5lu.%06lu] ", 9UL, 692189UL), Is.EqualTo("[    9.692189] "));
            Assert.That(PrintkTime.Format(1_234_567), Is.EqualTo("[    0.001234] "));
            Assert.That(PrintkTime.Format(0), Is.EqualTo("[    0.000000] "));
            Assert.That(PrintkTime.Format(1984_599_398_123UL), Is.EqualTo("[ 1984.599398] "));
            Assert.That(PrintkTime.Format(123456_000_001_000UL), Is.EqualTo("[123456.000001] "), "wider seconds just grow");
        }

        [Test]
        public void KernLevelPrefixes()
        {
            Assert.That(KernLevel.Info, Is.EqualTo("\x01" + "6"));
            Assert.That(KernLevel.PrintkGetLevel(KernLevel.Info + "step5 LOADED.\n"), Is.EqualTo('6'));
            Assert.That(KernLevel.PrintkGetLevel("plain"), Is.EqualTo('\0'));
            Assert.That(KernLevel.PrintkSkipLevel(KernLevel.Emerg + "BUG"), Is.EqualTo("BUG"));

            string text = KernLevel.ParsePrefix(KernLevel.Info + "[%px] finished", out int level, out bool cont);
            Assert.That((text, level, cont), Is.EqualTo(("[%px] finished", 6, false)));
            text = KernLevel.ParsePrefix(KernLevel.Cont + " more", out level, out cont);
            Assert.That((text, level, cont), Is.EqualTo((" more", -1, true)));
            text = KernLevel.ParsePrefix("no level", out level, out cont);
            Assert.That((text, level, cont), Is.EqualTo(("no level", -1, false)));
            text = KernLevel.ParsePrefix(KernLevel.Default + "x", out level, out _);
            Assert.That((text, level), Is.EqualTo(("x", -1)));
            Assert.That(KernLevel.PrintkGetLevel("\x01" + "9x"), Is.EqualTo('\0'), "not a level digit");
        }

        [Test]
        public void AHugeFieldWidth_IsClampedAsTheKernelClampsIt()
        {
            // set_field_width: field_width is a 24-bit field, FIELD_WIDTH_MAX = (1 << 23) - 1; set_precision: 16 bits.
            Assert.That(P("%*d", int.MaxValue, 1).Length, Is.EqualTo((1 << 23) - 1));
            Assert.That(P("%*d|", int.MinValue, 1).Length, Is.EqualTo((1 << 23) - 1 + 1), "negative: left-justified, same clamp");
            Assert.That(P("%.*d", int.MaxValue, 1).Length, Is.EqualTo((1 << 15) - 1));
        }

        [Test]
        public void TheBufferSize_StopsTheOutput()
        {
            // vsnprintf(buf, size): size - 1 characters and no more, whatever the widths ask for
            var args = new PrintkArgList(new object?[] { int.MaxValue, 1, int.MaxValue, 2 });
            Assert.That(Vsnprintf.Format("%*d%*d", args, null, 992), Has.Length.EqualTo(991));
        }
    }
}
