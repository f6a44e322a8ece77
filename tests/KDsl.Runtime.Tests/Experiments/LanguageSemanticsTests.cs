using System.Linq;
using KDsl.Runtime;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Experiments
{
    /// <summary>
    /// Generated code run on the emulated CPU must compute what C computes: each expected line follows from C's
    /// rules (truncating division, sign extension of char, two's complement), not from KDsl's own output.
    /// </summary>
    [TestFixture]
    public class LanguageSemanticsTests
    {
        internal static string[] Printed(string body, string functions = "", string profile = "linux-6.1")
        {
            string source = $"module sem \"semantics\";\nconfig {{ profile = {profile}; }}\n{functions}\ninit {{\n{body}\n}}\n";
            var result = Compiler.Compile("sem.kdsl", source);
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            var run = Machine.Run(result.Image!);
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Completed), run.Dmesg);
            return run.Log.Select(l => l.Substring(l.IndexOf(']') + 2)).Where(l => !l.StartsWith("sem:")).ToArray();
        }

        [TestCase("linux-6.1")]
        [TestCase("linux-4.11")]
        public void Arithmetic_FollowsC(string profile)
        {
            var lines = Printed(@"
                int a = 7; int b = -7; long big = 1;
                printk(""%d %d %d %d\n"", a / 2, b / 2, b % 3, a % -3);
                printk(""%d %d %d\n"", a << 3, b >> 1, a ^ 5);
                printk(""%ld\n"", big << 40);
                printk(""%d %d %d\n"", a > b, a == 7 && b < 0, !a || 0);
                printk(""%x %lx\n"", -1, (long)-1);", profile: profile);
            Assert.That(lines, Is.EqualTo(new[] { "3 -3 -1 1", "56 -4 2", "1099511627776", "1 1 0", "ffffffff ffffffffffffffff" }));
        }

        [Test]
        public void ReturningALocalsAddress_GivesNull_AsGccO2()
        {
            var lines = Printed(@"
                char *p = dangling(3);
                printk(""%d\n"", p == 0);",
                "char *dangling(int n) { char buf[16]; buf[0] = n; return buf; }");
            // gcc -O2 -Wreturn-local-addr: "function returns address of local variable", and the function returns NULL.
            Assert.That(lines, Is.EqualTo(new[] { "1" }));
        }

        [Test]
        public void CharIsSignedAndIntTruncates()
        {
            var lines = Printed(@"
                char c = 200; int i = 4294967297; long l = 2147483648;
                int t = (int)l;
                printk(""%d %d %d\n"", c, i, t);");
            // 200 wraps to -56 in a signed byte; 2^32 + 1 truncates to 1; 2^31 as int is INT_MIN.
            Assert.That(lines, Is.EqualTo(new[] { "-56 1 -2147483648" }));
        }

        [Test]
        public void Loops_RecursionAndCompoundAssignment()
        {
            var lines = Printed(@"
                long sum = 0; int i = 0;
                for (i = 1; i <= 10; i++) sum += i;
                while (i > 0) { i -= 3; if (i == 5) continue; if (i < 2) break; }
                printk(""%ld %d %ld\n"", sum, i, fib(20));",
                "long fib(int n) { if (n < 2) return n; return fib(n - 1) + fib(n - 2); }");
            // 1+..+10 = 55; i: 11 -> 8 -> 5 (continue) -> 2 -> -1 (break); fib(20) = 6765.
            Assert.That(lines, Is.EqualTo(new[] { "55 -1 6765" }));
        }

        [Test]
        public void PointersIndexingAndAddressOf()
        {
            var lines = Printed(@"
                long values[4]; long *p = values; int x = 5; int *px = &x;
                for (int i = 0; i < 4; i++) values[i] = i * i;
                *px = *px + 10; p[1] += 100; p++;
                char text[4]; text[0] = 'o'; text[1] = 'k'; text[2] = 0;
                printk(""%ld %ld %d %s %ld\n"", *p, values[3], x, text, &values[3] - &values[0]);");
            Assert.That(lines, Is.EqualTo(new[] { "101 9 15 ok 3" }));
        }

        [Test]
        public void CallsWithMoreArgumentsThanRegisters()
        {
            var lines = Printed(@"
                printk(""%ld\n"", eight(1, 2, 3, 4, 5, 6, 7, 8));
                printk(""%d %d %d %d %d %d %d %d\n"", 1, 2, 3, 4, 5, 6, 7, 8);",
                "long eight(long a, long b, long c, long d, long e, long f, long g, long h) { return a + 10 * b + 100 * c + 1000 * d + 10000 * e + 100000 * f + 1000000 * g + 10000000 * h; }");
            Assert.That(lines, Is.EqualTo(new[] { "87654321", "1 2 3 4 5 6 7 8" }));
        }

        [Test]
        public void InitReturnValue_ReachesInsmod()
        {
            var result = Compiler.Compile("r.kdsl", "module r \"r\";\ninit { return -12; }\n");
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            var run = Machine.Run(result.Image!);
            Assert.That(run.InitReturn, Is.EqualTo(-12));
        }

        [Test]
        public void AVariableArgumentBeforeACallArgument_SurvivesTheCall()
        {
            // twice(x, clobber(...)) evaluates clobber() first and loads x after it: x must be kept where clobber, whose
            // locals use the caller-saved registers, cannot overwrite it. C: 7 * 100 + (3 + 10 + 27 + 2) = 742.
            var lines = Printed(@"
                long x = seven();
                printk(""%ld\n"", twice(x, clobber(1, 2, 3)));",
                "long seven(void) { return 7; }\n" +
                "long clobber(long a, long b, long c) { long u = a * 3, v = b * 5, w = c * 9; return u + v + w + 2; }\n" +
                "long twice(long a, long b) { return a * 100 + b; }\n");
            Assert.That(lines, Is.EqualTo(new[] { "742" }));
        }
    }
}
