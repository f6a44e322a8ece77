using NUnit.Framework;
using static KDsl.Runtime.Tests.Experiments.LanguageSemanticsTests;

namespace KDsl.Runtime.Tests.Experiments
{
    /// <summary>?: and the comma operator as C11 6.5.15 and 6.5.17 define them: one arm evaluated, the usual arithmetic
    /// conversions between the arms, right associativity; the comma's left operand for its effect, its right for the value.</summary>
    [TestFixture]
    public class ConditionalAndCommaTests
    {
        [TestCase("linux-6.1")]
        [TestCase("linux-4.11")]
        public void ConditionalAndComma_FollowC(string profile)
        {
            var lines = Printed(@"
                int a = 5; int b = -3;
                int m = a > b ? a : b;
                long l = a < 0 ? 1 : -1L;
                unsigned int u = b < 0 ? b : 0u;
                char *s = a ? ""yes"" : 0;
                int g = a > 10 ? 1 : a > 4 ? 2 : 3;
                int i; int j; int k = 0;
                for (i = 0, j = 10; i < j; i++, j--) k++;
                int c = (k++, k + 10);
                int calls = 0;
                int r = pick(1) ? add(&calls, 1) : add(&calls, 100);
                printk(""%d %ld %u %s %d %d %d %d %d %d %d\n"", m, l, u, s, g, i, j, k, c, calls, r);",
                "int pick(int x) { return x; }\nint add(int *p, int v) { *p += v; return *p; }", profile);
            // max(5, -3) = 5; the arms int and long make a long -1; int and unsigned int make unsigned, so -3 is 2^32 - 3;
            // 5 > 4 picks 2 (right-associative); i and j meet at 5 after 5 steps; (k++, k + 10) = 16 with k = 6;
            // only the true arm's add runs: calls = 1.
            Assert.That(lines, Is.EqualTo(new[] { "5 -1 4294967293 yes 2 5 5 6 16 1 1" }));
        }

        [Test]
        public void DefineAndInclude_AsKernelCPastesThem()
        {
            var lines = Printed(@"
                char buf[BUF_SIZE];
                printk(""%ld %d %lu\n"", sizeof buf, MASK, LIMIT);",
                "#include <linux/module.h>\n#include <linux/kernel.h> // printk\n#define BUF_SIZE 64\n#define MASK (0xff << 8)\n#define LIMIT 10UL // bytes\n");
            // The object-like macros are constants: a 64-byte array, 0xff << 8 = 65280, 10UL.
            Assert.That(lines, Is.EqualTo(new[] { "64 65280 10" }));
        }
    }
}
