using System.Linq;
using KDsl.Image;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.CodeGen
{
    /// <summary>
    /// Which functions GCC puts in .text and which in .text.unlikely, for eight modules whose KDsl placement was predicted
    /// (sha256 saved) before GCC 12 built their C twins against the 6.1.0-56 headers: expected values from objdump -d of
    /// those .ko files (clone suffixes dropped; a cold part, NAME.cold, in .text.unlikely: h1's and h2's, measured from
    /// C twins rebuilt after KDsl split functions, rec.isra.0.cold in both). h1: the printk after the
    /// recursive call; h2: printks in a counted loop before the recursion; h3: a leaf helper and no printk; h4: the helper
    /// after the printk; h5: a kmalloc before the printk in its block; h6: an always-printing function called from a
    /// recursion that prints nothing; h7: printks in a switch's every case; h8: in both arms of an if.
    /// </summary>
    [TestFixture]
    public class TextPlacementTests
    {
        private static readonly TestCaseData[] Gcc =
        {
            new TestCaseData(@"module h1 ""held-out placement"";
config { profile = linux-6.1; }
int rec(int n) { char buf[300]; char *vp = buf; int r = 0;
  for (int i = 0; i < 300; i++) vp[i] = (char)n;
  if (n > 0) r = rec(n - 1);
  printk(""\0016h1 %d\n"", n);
  return r + vp[3]; }
init { rec(5); }
exit { }
", "rec", "rec.cold").SetName("h1"),
            new TestCaseData(@"module h2 ""held-out placement"";
config { profile = linux-6.1; }
int rec(int n) { char buf[300]; char *vp = buf;
  for (int i = 0; i < 3; i++) printk(""\0016h2 %d\n"", i);
  for (int i = 0; i < 300; i++) vp[i] = (char)n;
  if (n > 0) return rec(n - 1) + vp[1];
  return vp[3]; }
init { rec(5); }
exit { }
", "rec", "rec.cold").SetName("h2"),
            new TestCaseData(@"module h3 ""held-out placement"";
config { profile = linux-6.1; }
int y;
void helper(int a) { for (int i = 0; i < a; i++) y = i; }
int rec(int n) { char buf[300]; char *vp = buf;
  for (int i = 0; i < 300; i++) vp[i] = (char)n;
  helper(n);
  if (n > 0) return rec(n - 1) + vp[1];
  return vp[3]; }
init { printk(""\0016h3 %d\n"", rec(5)); }
exit { }
", "helper rec", "").SetName("h3"),
            new TestCaseData(@"module h4 ""held-out placement"";
config { profile = linux-6.1; }
int y;
void helper(int a) { for (int i = 0; i < a; i++) y = i; }
int rec(int n) { char buf[300]; char *vp = buf;
  for (int i = 0; i < 300; i++) vp[i] = (char)n;
  printk(""\0016h4 %d\n"", n);
  helper(n);
  if (n > 0) return rec(n - 1) + vp[1];
  return vp[3]; }
init { rec(5); }
exit { }
", "", "helper rec").SetName("h4"),
            new TestCaseData(@"module h5 ""held-out placement"";
config { profile = linux-6.1; }
int rec(int n) { char buf[300]; char *vp = buf;
  for (int i = 0; i < 300; i++) vp[i] = (char)n;
  char *p = kmalloc(64);
  printk(""\0016h5 %d %px\n"", n, p);
  kfree(p);
  if (n > 0) return rec(n - 1) + vp[1];
  return vp[3]; }
init { rec(5); }
exit { }
", "rec", "").SetName("h5"),
            new TestCaseData(@"module h6 ""held-out placement"";
config { profile = linux-6.1; }
int rec(int n) { char buf[300]; char *vp = buf;
  printk(""\0016h6 %d\n"", n);
  for (int i = 0; i < 300; i++) vp[i] = (char)n;
  if (n > 0) return rec(n - 1) + vp[1];
  return vp[3]; }
int other(int n) { char buf[300]; char *vp = buf;
  for (int i = 0; i < 300; i++) vp[i] = (char)n;
  if (n > 0) return other(n - 1) + rec(2) + vp[1];
  return vp[3]; }
init { other(5); }
exit { }
", "other", "rec").SetName("h6"),
            new TestCaseData(@"module h7 ""held-out placement"";
config { profile = linux-6.1; }
int rec(int n) { char buf[300]; char *vp = buf;
  for (int i = 0; i < 300; i++) vp[i] = (char)n;
  switch (n & 3) { case 0: printk(""\0016zero\n""); break; case 1: printk(""\0016one\n""); break; default: printk(""\0016many\n""); }
  if (n > 0) return rec(n - 1) + vp[1];
  return vp[3]; }
init { rec(5); }
exit { }
", "", "rec").SetName("h7"),
            new TestCaseData(@"module h8 ""held-out placement"";
config { profile = linux-6.1; }
int rec(int n) { char buf[300]; char *vp = buf;
  for (int i = 0; i < 300; i++) vp[i] = (char)n;
  if (n & 1) printk(""\0016odd %d\n"", n); else printk(""\0016even %d\n"", n);
  if (n > 0) return rec(n - 1) + vp[1];
  return vp[3]; }
init { rec(5); }
exit { }
", "", "rec").SetName("h8"),
        };

        [TestCaseSource(nameof(Gcc))]
        public void FunctionsAreInGccsSections(string source, string text, string unlikely)
        {
            var result = Compiler.Compile("h.kdsl", source);
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            string In(TextSection section) => string.Join(" ", result.Image!.Symbols.Where(s => s.TextSection == section)
                .Select(s => s.Name).OrderBy(n => n, System.StringComparer.Ordinal));
            Assert.That(In(TextSection.Text), Is.EqualTo(text), ".text");
            Assert.That(In(TextSection.Unlikely), Is.EqualTo(unlikely), ".text.unlikely");
        }
    }
}
