using System.Linq;
using Iced.Intel;
using NUnit.Framework;
using static KDsl.Dsl.Tests.CodeGen.Step5CodeShapeTests;

namespace KDsl.Dsl.Tests.CodeGen
{
    /// <summary>
    /// GCC 12 -O2 unrolls a counted loop completely when its size estimate does not grow (CompleteUnrolling). The frames are
    /// GCC's for the same C against the 6.1 headers (noinline functions, volatile buffer pointers), read off objdump -d;
    /// -fdump-tree-cunrolli-details gave the sizes: rec2's loop is "size: 9-3", 8 after unrolling (unrolled); rec3's is 12
    /// (kept); pk3's printk loop is 6 against 6 (unrolled), pk4's 8 against 6 and, in cunroll, against 7 (kept).
    ///   static noinline long rec2(int n) { char buf[100]; volatile char *vp = buf; long sum = 0; int i;
    ///       for (i = 0; i &lt; 100; i++) vp[i] = (char)n;
    ///       if (n &lt;= 0) return vp[1];
    ///       for (i = 0; i &lt; 2; i++) sum += rec2(n - 1) + i;     push %rbp; push %rbx; sub $0x70,%rsp
    ///       return sum + vp[2]; }
    ///   rec3: the same with i &lt; 3                                push %r12; push %rbp; push %rbx; sub $0x70,%rsp
    ///   static noinline void pk3(int n) { int i; for (i = 0; i &lt; 3; i++) printk(KERN_INFO "x %d\n", i); }   no push: three calls
    ///   pk4: the same with i &lt; 4                                 push %rbx: the counter, across the call
    ///   sum3_BUF.c's sum += rec(n - 1) * (i + 1) (i + 1 is also the next i: "size: 9-3"): two trips push %rbp; push %rbx,
    ///   three push %r12 too (12 against 9 in cunrolli, 10 in cunroll; BUF=100: sub $0x70,%rsp)
    /// </summary>
    [TestFixture]
    public class CompleteUnrollingTests
    {
        private const string Source = @"module un ""unrolling"";
config { profile = linux-6.1; }
long rec2(int n) {
    char buf[100];
    char *vp = buf;
    long sum = 0;
    for (int i = 0; i < 100; i++)
        vp[i] = (char)n;
    if (n <= 0)
        return vp[1];
    for (int i = 0; i < TRIPS; i++)
        sum += rec2(n - 1) + i;
    return sum + vp[2];
}
void pk(int n) {
    for (int i = 0; i < PRINTS; i++)
        printk(""x %d\n"", i);
}
init { pk(1); printk(""%ld\n"", rec2(3)); }
";

        private static string Module(int trips, int prints) =>
            Source.Replace("TRIPS", trips.ToString()).Replace("PRINTS", prints.ToString());

        [TestCase(2, 8 + 2 * 8 + 0x70)] // unrolled: n and the first call's result
        [TestCase(3, 8 + 3 * 8 + 0x70)] // a loop: the counter needs a register of its own
        public void ALoopAroundACall_IsUnrolledWhereGccUnrollsIt(int trips, int frame) =>
            Assert.That(FrameOf(Module(trips, 3), "rec2"), Is.EqualTo(frame));

        [TestCase(3, 8)]     // three calls, nothing kept across them
        [TestCase(4, 8 + 8)] // push rbx for the counter
        public void APrintkLoop_IsUnrolledUpToThreeTimes(int prints, int frame) =>
            Assert.That(FrameOf(Module(2, prints), "pk"), Is.EqualTo(frame));

        [TestCase(3, 2, false)] // and the third printk a sibling call (jmp), as GCC's
        [TestCase(4, 1, true)]
        public void TheUnrolledLoop_IsStraightLineCode(int prints, int calls, bool backwardJump)
        {
            var result = Compiler.Compile("un.kdsl", Module(2, prints));
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            var code = Decode(result.Image!, "pk");
            Assert.That(code.Count(i => i.Mnemonic == Mnemonic.Call), Is.EqualTo(calls));
            Assert.That(code.Any(i => i.FlowControl == FlowControl.ConditionalBranch && i.NearBranchTarget < i.IP), Is.EqualTo(backwardJump));
        }

        [Test]
        public void ALoopGccWouldNotCount_StaysALoop()
        {
            // the bound is not a constant (pk is called with 1 and 2, so n is none either): no trip count, no unrolling
            string source = Module(2, 3).Replace("i < 3;", "i < n % 3;").Replace("pk(1);", "pk(1); pk(2);");
            Assert.That(FrameOf(source, "pk"), Is.EqualTo(8 + 8 + 8)); // the counter and n, both across the printk
        }

        /// <summary>
        /// A while loop counting a local from the constant it was declared with is counted as a for loop is: GCC 12's rec of
        /// the held-out experiments/wloop_BUF.c at BUF=600 (<c>int k = 0; ... while (k &lt; 2) { s += rec(n - 1); k++; }</c>)
        /// is two calls, push %rbp; push %rbx; sub $0x260,%rsp, against both the 6.1 and the 5.10 headers; with
        /// <c>k = n % 2;</c> after the declaration the count is unknown and GCC keeps the loop, the counter in a third
        /// register (push %r12; push %rbp; push %rbx; sub $0x260,%rsp, 6.1 headers).
        /// </summary>
        [TestCase("int k = 0;", 8 + 2 * 8 + 0x260)]
        [TestCase("int k = 0; k = n % 2;", 8 + 3 * 8 + 0x260)]
        public void AWhileLoopCountedFromAConstant_IsUnrolledAsAForLoop(string counter, int frame)
        {
            string source = @"module wloop ""w"";
config { profile = linux-6.1; }
long rec(int n) {
    char buf[600];
    char *vp = buf;
    long s = 0;
    COUNTER
    for (int i = 0; i < 600; i++)
        vp[i] = (char)n;
    printk(""wloop %d\n"", n);
    if (n <= 0)
        return vp[1];
    while (k < 2) {
        s += rec(n - 1);
        k++;
    }
    return s + vp[4];
}
init { printk(""%ld\n"", rec(100)); }
".Replace("COUNTER", counter);
            Assert.That(FrameOf(source, "rec"), Is.EqualTo(frame));
        }

        [TestCase(2, 8 + 2 * 8 + 0x70)]
        [TestCase(3, 8 + 3 * 8 + 0x70)]
        public void ACounterTheBodyIncrementsItself_SharesTheLoopsIncrement(int trips, int frame) =>
            Assert.That(FrameOf(Module(trips, 3).Replace("sum += rec2(n - 1) + i;", "sum += rec2(n - 1) * (i + 1);"), "rec2"), Is.EqualTo(frame));
    }
}
