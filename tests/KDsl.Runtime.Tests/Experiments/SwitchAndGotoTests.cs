using NUnit.Framework;
using static KDsl.Runtime.Tests.Experiments.LanguageSemanticsTests;

namespace KDsl.Runtime.Tests.Experiments
{
    /// <summary>
    /// switch (with fall-through, default, enum and negative cases, break and continue) and goto (forward and backward),
    /// run as C runs them: the expected lines are what the same C, built with gcc 12.2 -O2, prints (printk → printf).
    /// </summary>
    [TestFixture]
    public class SwitchAndGotoTests
    {
        private const string Functions = @"
enum op { OP_ADD, OP_SUB, OP_MUL = 5, OP_NEG = -1 };
long apply(int op, long a, long b) {
    long r = 0;
    switch (op) {
    case OP_ADD: r = a + b; break;
    case OP_SUB: r = a - b; break;
    case OP_MUL:
        r = a * b;
        break;
    case OP_NEG: return -a;
    case 7:
    case 8: r = 78;
    default: r += 1000;
    }
    return r;
}
int wide(long v) {
    switch (v) { case 0x100000000: return 1; case -5: return 2; case 'a': return 3; }
    return 0;
}
int narrow(char c) {
    switch (c) { case 255: return 1; case -1: return 2; }
    return 0;
}
int find(int *v, int n, int key) {
    int i = 0;
again:
    if (i >= n) goto missing;
    if (v[i] == key) goto found;
    i++;
    goto again;
found:
    return i;
missing:
    return -1;
}";

        [TestCase("linux-6.1")]
        [TestCase("linux-4.11")]
        public void SwitchAndGoto_AreCs(string profile)
        {
            var lines = Printed(@"
                int v[5] = { 4, 8, 15, 16, 23 };
                printk(""%ld %ld %ld %ld %ld %ld\n"", apply(OP_ADD, 3, 4), apply(OP_SUB, 3, 4), apply(OP_MUL, 3, 4), apply(OP_NEG, 3, 4), apply(8, 0, 0), apply(2, 0, 0));
                printk(""%d %d %d %d %d %d\n"", find(v, 5, 16), find(v, 5, 42), wide(0x100000000), wide(-5), wide(97), wide(0));
                printk(""%d %d\n"", narrow(-1), narrow(1));
                for (int i = 0; i < 4; i++) {
                    switch (i & 1) { case 0: continue; default: break; }
                    printk(""odd %d\n"", i);
                }", Functions, profile);
            // C: case 255 of a char switch is converted to the promoted type (int) and never matches a signed char;
            // -1 does. 7 and 8 fall into the default's += 1000.
            Assert.That(lines, Is.EqualTo(new[] { "7 -1 12 -3 1078 1000", "3 -1 1 2 3 0", "2 0", "odd 1", "odd 3" }));
        }
    }
}
