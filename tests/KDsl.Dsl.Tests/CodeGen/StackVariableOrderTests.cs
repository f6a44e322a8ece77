using System.Linq;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.CodeGen
{
    /// <summary>
    /// Where GCC puts a function's stack variables with -fstack-protector-strong (cfgexpand.c's expand_used_vars):
    /// character arrays against the canary, then other arrays, then the rest; larger first; packed at their own
    /// alignment; a canary as soon as a local's address is taken. Every expected offset is RSP + n after the prologue as
    /// objdump -d shows it for the same C built by GCC 12 against the 6.1 headers, each function passing its locals'
    /// addresses to a noinline sink(a, b, c) (e.g. small_big: sub $0x58,%rsp; canary at 0x50(%rsp); lea 0x10(%rsp),%rsi).
    /// </summary>
    [TestFixture]
    public class StackVariableOrderTests
    {
        private const string Source = @"module order ""order"";
config { profile = linux-6.1; }
struct pt { long x; long y; };
struct named { int id; char name[12]; };
void sink(void *a, void *b, void *c) { printk(""%px %px %px\n"", a, b, c); }
void small_big(int n) { char a[16]; char b[64]; a[0] = n; b[0] = n; sink(a, b, 0); }
void big_small(int n) { char a[64]; char b[16]; a[0] = n; b[0] = n; sink(a, b, 0); }
void int_char(int n) { int v[4]; char s[16]; v[0] = n; s[0] = n; sink(v, s, 0); }
void same(int n) { char a[32]; char b[32]; a[0] = n; b[0] = n; sink(a, b, 0); }
void with_struct(int n) { struct pt p; char s[16]; p.x = n; s[0] = n; sink(&p, s, 0); }
void with_named(int n) { struct named d; char s[16]; long v[3]; d.id = n; s[0] = n; v[0] = n; sink(&d, s, v); }
void scalar_addr(int n) { long x = n; char s[24]; s[0] = n; sink(&x, s, 0); }
void three(int n) { char a[8]; char b[100]; char c[40]; a[0] = n; b[0] = n; c[0] = n; sink(a, b, c); }
void only_scalar(int n) { long x = n; sink(&x, 0, 0); }
void int_scalar(int n) { int x = n; sink(&x, 0, 0); }
void two_scalars(int n) { int x = n; long y = n; sink(&x, &y, 0); }
void odd_chars(int n) { char a[5]; char b[5]; char c[5]; a[0] = n; b[0] = n; c[0] = n; sink(a, b, c); }
void longs_chars(int n) { long l[3]; char c[13]; int i[3]; l[0] = n; c[0] = n; i[0] = n; sink(l, c, i); }
void struct_only(int n) { struct pt p; p.x = n; p.y = n; sink(&p, 0, 0); }
void struct_scalar(int n) { struct pt p; int x = n; p.x = n; sink(&p, &x, 0); }
init { small_big(1); }
";

        private static Image.ModuleImage? _image;

        private static Image.ModuleImage Image()
        {
            if (_image is not null) return _image;
            var result = Compiler.Compile("order.kdsl", Source);
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            return _image = result.Image!;
        }

        /// <param name="layout">Each local as name@offset, then the canary's offset, as GCC's objdump shows them.</param>
        [TestCase("small_big", "a@0 b@16", 0x50)]
        [TestCase("big_small", "a@16 b@0", 0x50)]
        [TestCase("int_char", "v@0 s@16", 0x20)]
        [TestCase("same", "a@0 b@32", 0x40)]
        [TestCase("with_struct", "p@0 s@16", 0x20)]
        [TestCase("with_named", "d@0 s@40 v@16", 0x38)]
        [TestCase("scalar_addr", "x@0 s@8", 0x20)]
        [TestCase("three", "a@4 b@52 c@12", 0x98)]
        [TestCase("only_scalar", "x@0", 0x8)]
        [TestCase("int_scalar", "x@4", 0x8)]
        [TestCase("two_scalars", "x@4 y@8", 0x10)]
        [TestCase("odd_chars", "a@1 b@6 c@11", 0x10)]
        [TestCase("longs_chars", "l@16 c@43 i@4", 0x38)]
        [TestCase("struct_only", "p@0", 0x10)]
        [TestCase("struct_scalar", "p@8 x@4", 0x18)]
        public void StackVariables_SitWhereGccPutsThem(string function, string layout, int canary)
        {
            var variables = Image().Variables.Where(v => v.Function == function).ToList();
            var expected = layout.Split(' ').Select(p => p.Split('@')).ToDictionary(p => p[0], p => int.Parse(p[1]));
            foreach (var (name, offset) in expected)
                Assert.That(variables.Single(v => v.Name == name).Offset, Is.EqualTo(offset), $"{function}: {name}");
            Assert.That(variables.Single(v => v.Name == KDsl.Image.FrameVariable.CanaryName).Offset, Is.EqualTo(canary), function);
        }
    }
}
