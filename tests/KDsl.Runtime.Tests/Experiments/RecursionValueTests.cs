using System.Linq;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Experiments
{
    /// <summary>
    /// Recursive functions compute what C computes, whether GCC (and KDsl) turns the recursion into a loop on 5.10/6.1
    /// or keeps the calls (4.11, bitwise operators, loads after the call). The expected values are the recursions'
    /// arithmetic: 5 + 4 + 3 + 2 + 1, 5!, 5 - (4 - (3 - (2 - 1))), ...
    /// </summary>
    [TestFixture]
    public class RecursionValueTests
    {
        private const string Functions = @"
int add_n(int n) { if (n == 0) return 0; return n + add_n(n - 1); }
int add_1r(int n) { if (n == 0) return 0; return add_1r(n - 1) + 1; }
long mul_n(long n) { if (n <= 1) return 1; return n * mul_n(n - 1); }
int sub_a(int n) { if (n == 0) return 0; return n - sub_a(n - 1); }
int sub_b(int n) { if (n == 0) return 0; return sub_b(n - 1) - 3; }
int via_local(int n) { int r; if (n == 0) return 0; r = via_local(n - 1); return r + 1; }
int two_params(int a, int b) { if (a == 0) return b; return 2 + two_params(b, a - 1); }
int xor_a(int n) { if (n == 0) return 0; return n ^ xor_a(n - 1); }
int neg_r(int n) { if (n == 0) return 7; return -neg_r(n - 1); }
int mixed(int n) { if (n == 0) return 0; if (n & 1) return n * mixed(n - 1); return n + mixed(n - 1); }
int counted(int n) { int s = 0; for (int i = 0; i < n; i++) s = s + i; if (n == 0) return 0; return s + counted(n - 1); }
";

        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        [TestCase("linux-4.11")]
        public void AccumulatedRecursions_ComputeWhatCComputes(string profile)
        {
            var lines = LanguageSemanticsTests.Printed(@"
                printk(""%d %d %ld %d %d %d\n"", add_n(5), add_1r(5), mul_n(5), sub_a(5), sub_b(5), via_local(5));
                printk(""%d %d %d %d %d\n"", two_params(5, 5), xor_a(5), neg_r(3), mixed(5), counted(4));", Functions, profile);
            // two_params(5,5) = 2 + two_params(5,4) = ... : a and b swap, a - 1 each time, until a is 0: 2 * 10 + 0
            // mixed(5) = 5 * (4 + 3 * (2 + 1 * 0)); counted(n) adds 0 + 1 + ... + (n - 1) for n = 4, 3, 2, 1: 6 + 3 + 1 + 0
            Assert.That(lines, Is.EqualTo(new[] { "15 5 120 3 -15 5", "20 1 -7 50 10" }));
        }

        /// <summary>
        /// Mixed accumulations (both accumulators, a parameter swap through temporaries, a local computed before the call,
        /// a subtraction on either side) print on 5.10 and 6.1, where they are loops, what 4.11 prints, where every call
        /// stays: a generated program (tools: random forms over + - * ^ &amp;), whose functions KDsl turns into loops there.
        /// </summary>
        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        public void EliminatedRecursions_PrintWhatTheKeptCallsPrint(string profile)
        {
            const string functions = @"
long f0(long p0) { if (p0 <= 0) return (p0 & 4); return ((4 - -1) + (-3 + 1)) * f0(p0 - 1); }
long f1(long p0, long p1, long p2) { if (p0 <= 0) return ((3 & p2) + p1); long t = ((3 & p1) * (p1 * p1)); if (p0 & 1) return 1 + f1(p0 - 1, ((p0 ^ p0) * (p0 * p0)), t); return f1(p0 - 1, ((p0 ^ p0) * (p0 * p0)), t) * 2; }
long f2(long p0, long p1) { if (p0 <= 0) return -2; if (p0 & 1) return (p1 ^ (p1 * p1)) + f2(p0 - 1, ((p0 + p1) * (p1 ^ 3))); return f2(p0 - 1, ((p0 + p1) * (p1 ^ 3))) * 2; }
long f3(long p0, long p1) { if (p0 <= 0) return (3 & (p1 * 2)); return f3(p0 - 1, (-3 + (p1 & p1))) + 2; }
long f4(long p0, long p1) { if (p0 <= 0) return (-3 - 0); return f4(p0 - 1, -1) - (p1 - (p0 * 0)); }
long f5(long p0, long p1) { if (p0 <= 0) return p0; return ((2 - p1) ^ p1) - f5(p0 - 1, p1); }
long swap(long a, long b) { if (a <= 0) return b; return 3 * swap(b - 1, a) - a; }
";
            const string body = @"printk(""%ld %ld %ld %ld\n"", f0(6), f1(6, 2, -1), f2(6, 3), f3(6, 1));
                printk(""%ld %ld %ld\n"", f4(6, 4), f5(6, 2), swap(5, 3));";
            Assert.That(LanguageSemanticsTests.Printed(body, functions, profile), Is.EqualTo(LanguageSemanticsTests.Printed(body, functions, "linux-4.11")));
        }

        [TestCase("linux-6.1")]
        [TestCase("linux-4.11")]
        public void AVariableReadAfterTheCallOnTheRight_SurvivesTheCall(string profile)
        {
            // n ^ f(n - 1) evaluates the call first: n must live across it (a callee-saved register), not in a scratch one
            // the callee reuses for its own n
            var lines = LanguageSemanticsTests.Printed(@"printk(""%d %d\n"", x(5), y(6));",
                "int x(int n) { if (n == 0) return 0; return n ^ x(n - 1); }\n" +
                "int y(int n) { if (n == 0) return 1; return (n | 1) & y(n - 1); }\n", profile);
            Assert.That(lines, Is.EqualTo(new[] { "1 1" })); // 5^4^3^2^1 = 1; y: 7 & 7 & 5 & 5 & 3 & 1 & 1 = 1
        }
        /// <summary>
        /// Variables that share a register because their lives do not overlap (a parameter dead once a local is set, loop
        /// counters one after another, a value reset after a call) keep their own values: the expected ones are the
        /// arithmetic. reuse(4, 5) = 2 * 5 + (0 + 1 + 2 + 3) + (0 + 1 + 2); later(5) = 7 * 6; reset(3) counts 3 + 2 + 1
        /// calls' 10s, each adding its n.
        /// </summary>
        [TestCase("linux-6.1")]
        [TestCase("linux-4.11")]
        public void VariablesSharingARegister_KeepTheirValues(string profile)
        {
            var lines = LanguageSemanticsTests.Printed(@"printk(""%ld %ld %ld\n"", reuse(4, 5), later(5, 1), reset(3));",
                "long reuse(int n, long a) { long s = a * 2; for (int i = 0; i < n; i++) s = s + i; for (int j = 0; j < 3; j++) s = s + j; return s; }\n" +
                "long later(int n, long a) { long x = 0; if (n > 0) x = later(n - 1, a + 1); return x + 7; }\n" +
                "long reset(int n) { long t = n; long r = 0; if (n > 0) { r = reset(n - 1); t = 10; } return r + t + n; }\n", profile);
            // reset(0) = 0 + 0 + 0; reset(1) = 0 + 10 + 1; reset(2) = 11 + 10 + 2; reset(3) = 23 + 10 + 3
            Assert.That(lines, Is.EqualTo(new[] { "19 42 36" }));
        }
        /// <summary>
        /// Constants taken as GCC takes them compute what the variables computed: a parameter every call passes the same
        /// constant (k = 3 in step, passed on by its own calls), one whose callers disagree (twice: 1 and 2), a local never
        /// written again (scale = 10), and a volatile one, which stays a variable. step(4, 3, 1) adds k four times: 13;
        /// twice(1) + twice(2) = 2 + 4; 10 * 7; the volatile 5 + 1.
        /// </summary>
        [TestCase("linux-6.1")]
        [TestCase("linux-4.11")]
        public void PropagatedConstants_ComputeWhatTheVariablesComputed(string profile)
        {
            var lines = LanguageSemanticsTests.Printed(@"volatile int five = 5; printk(""%ld %d %d %d\n"", step(4, 3, 1), twice(1) + twice(2), tens(7), five + 1);",
                "long step(int n, int k, long a) { if (n == 0) return a; return step(n - 1, k, a + k); }\n" +
                "int twice(int x) { return x * 2; }\n" +
                "int tens(int x) { int scale = 10; return x * scale; }\n", profile);
            Assert.That(lines, Is.EqualTo(new[] { "13 6 70 6" }));
        }
        /// <summary>
        /// A variable that holds a known constant at a call is loaded again after it rather than kept (GCC's SSA constant):
        /// it still reads that constant on the paths that do not write it. seven(5) adds 7 six times; kept(2) is the 5 it
        /// held at the printk, kept(9) the 9 written after it; count(3) sees i reset to 0 after each printk of the loop.
        /// </summary>
        [TestCase("linux-6.1")]
        [TestCase("linux-4.11")]
        public void ConstantsReloadedAfterACall_KeepTheirValues(string profile)
        {
            var lines = LanguageSemanticsTests.Printed(@"printk(""%ld %ld %ld %ld\n"", seven(5), kept(2), kept(9), count(3));",
                "long seven(int n) { long x = 0; printk(\"s\\n\"); if (n > 0) x = seven(n - 1); return x + 7; }\n" +
                "long kept(int n) { long c = 5; printk(\"k\\n\"); if (n > 3) c = n; return c; }\n" +
                "long count(int n) { long total = 0; for (int j = 0; j < n; j++) { long i = 0; printk(\"c\\n\"); i = i + j; total = total + i; } return total; }\n",
                profile);
            Assert.That(lines.Last(), Is.EqualTo("42 5 9 3"));
            Assert.That(lines.Count(l => l is "s" or "k" or "c"), Is.EqualTo(6 + 2 + 3)); // the printks themselves
        }
        /// <summary>
        /// Computed arguments that wait in registers until the call arrive in their own parameters: two that swap
        /// registers on the way (a cycle), more than the registers they can wait in (the rest wait on the stack), one
        /// after a call (which would clobber them), and a printk's stack arguments. mix weighs each parameter by its
        /// position, so a value in the wrong one shows: x = 3, y = 5.
        /// </summary>
        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        [TestCase("linux-4.11")]
        public void ArgumentsWaitingInRegisters_ArriveInTheirOwnParameters(string profile)
        {
            var lines = LanguageSemanticsTests.Printed(@"volatile long x = 3; volatile long y = 5;
                printk(""%ld %ld %ld\n"", mix(x * 2, y * 3, 0, 0, 0, 0), mix(x * 2, y * 3, x % 7, y / 2, x ^ y, x * y + 1),
                       mix(x * 2, mix(1, 2, 3, 4, 5, 6), y * 3, 0, 0, 0));
                printk(""%ld %ld %ld %ld %ld %ld %ld %ld\n"", x * 2, y * 3, x * y, x - y, x + y * 2, x % 2, y * y, x * x * x);",
                "long mix(long a, long b, long c, long d, long e, long f) { return a + b * 10 + c * 100 + d * 1000 + e * 10000 + f * 100000; }\n",
                profile);
            // 6 + 150; 6 + 150 + 300 + 2000 + 60000 + 1600000; 6 + 10 * 654321 + 100 * 15
            Assert.That(lines, Is.EqualTo(new[] { "156 1662456 6544716", "6 15 15 -2 13 1 25 27" }));
        }

        /// <summary>
        /// Eight values across a call and six callee-saved registers: the stack parameters that get no register are read
        /// and written in their incoming slots (FrameLayout.InIncomingSlot), the others spilled; the sums are C's.
        /// </summary>
        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        public void StackParametersLeftInTheirIncomingSlots_KeepTheirValues(string profile)
        {
            var lines = LanguageSemanticsTests.Printed(@"printk(""%ld %ld\n"", p8(4, 1, 2, 3, 4, 5, 6, 7), p8(0, 1, 2, 3, 4, 5, 6, 7));",
                "long sink(int n) { return n * 3; }\n" +
                "long p8(int n, long a, long b, long c, long d, long e, long f, long g) {\n" +
                "    long s = sink(n);\n    f = f * 2;\n" +
                "    if (n > 0) return p8(n - 1, b, c, d, e, f, g, a + 1) + a + b * 2 + c * 3 + d * 4 + e * 5 + f * 6 + g * 7 + s;\n" +
                "    return a + b + c + d + e + f + g;\n}\n",
                profile);
            // worked by hand in C: p8(0, 1..7) = 1 + 2 + 3 + 4 + 5 + 12 + 7 = 34; p8(4, 1..7) = 837
            Assert.That(lines, Is.EqualTo(new[] { "837 34" }));
        }

        /// <summary>
        /// A counted loop GCC unrolls (CompleteUnrolling) keeps C's values: each copy sees its counter, and the counter
        /// leaves with the value that ended the loop, for the read after it; a declared counter's copies too.
        /// </summary>
        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        public void UnrolledLoops_KeepCsValues(string profile)
        {
            var lines = LanguageSemanticsTests.Printed(@"printk(""%ld %ld\n"", after(3), declared(4));",
                "long after(int n) { long x = 0; int i; for (i = 0; i < 2; i++) x += n * 10 + i; return i * 100 + x; }\n" +
                "long declared(int n) { long x = 1; for (int i = 3; i > 0; i--) x = x * n + i; return x; }\n",
                profile);
            // after(3): 30 + 31, and i is 2 at the end; declared(4): ((1 * 4 + 3) * 4 + 2) * 4 + 1
            Assert.That(lines, Is.EqualTo(new[] { "261 121" }));
        }
    }
}
