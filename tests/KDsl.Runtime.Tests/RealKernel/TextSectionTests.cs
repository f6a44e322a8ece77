using System.IO;
using System.Linq;
using KDsl.Image;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.RealKernel
{
    /// <summary>
    /// Which functions of each real-kernel experiment GCC put in .text and which in .text.unlikely
    /// (<c>KDsl.CodeGen.TextSections</c>): expected values from objdump -d of the C twins (Logs/experiments/*.c) built by
    /// GCC 12 against the 6.1.0-56 headers (the 5.10.0-46 headers give the same placement), with GCC's clone suffixes
    /// (.constprop.0, .isra.0) dropped. A function GCC split keeps its entry in .text and its cold part, NAME.cold, in
    /// .text.unlikely (condpk's rec.cold; <c>KDsl.CodeGen.ColdPart</c>). alloc is alloc_BUF.c with KMALLOC.
    /// </summary>
    [TestFixture]
    public class TextSectionTests
    {
        private static readonly TestCaseData[] Gcc =
        {
            new TestCaseData("accsum", "", "sum"),
            new TestCaseData("accxor", "", "sum"),
            new TestCaseData("alloc_km", "rstack", ""),
            new TestCaseData("bug_700", "", "rstack"),
            new TestCaseData("bug_on", "", "check"),
            new TestCaseData("condpk", "rec", "rec.cold"),
            new TestCaseData("cprop", "", "scaled"),
            new TestCaseData("deref_700", "", "rstack"),
            new TestCaseData("deref_deep", "", "rstack"),
            new TestCaseData("div_700", "", "rstack"),
            new TestCaseData("divide_error", "", "ratio"),
            new TestCaseData("fmt_d", "", "rec"),
            new TestCaseData("fmt_s", "", "rec"),
            new TestCaseData("fmtx", "", "rec"),
            new TestCaseData("fops", "step_a step_b", "step_a.cold step_b.cold"),
            new TestCaseData("grid", "", "rec"),
            new TestCaseData("kthread_protector", "overrun thread_fn", "overrun.cold"),
            new TestCaseData("kthread_step5", "rstack thread_fn", "rstack.cold"),
            new TestCaseData("kz", "", "rec"),
            new TestCaseData("live", "", "later"),
            new TestCaseData("loop2", "", "rec"),
            new TestCaseData("manyargs", "", "rec"),
            new TestCaseData("manyloc", "", "rec"),
            new TestCaseData("mset", "", "rec"),
            new TestCaseData("mutual", "", "ping pong"),
            new TestCaseData("node", "", "walk"),
            new TestCaseData("null_deref", "", "poke"),
            new TestCaseData("params8", "", "rec"),
            new TestCaseData("parent", "", "rec"),
            new TestCaseData("pss", "rec", "rec.cold"),
            new TestCaseData("pstar", "", "rec"),
            new TestCaseData("recurse", "deep", ""),
            new TestCaseData("smash", "", "smash"),
            new TestCaseData("snp", "", "rec"),
            new TestCaseData("stack_protector", "", "overrun"),
            new TestCaseData("strcp", "", "rec"),
            new TestCaseData("sum3", "", "rec"),
            new TestCaseData("sw", "", "rec"),
            new TestCaseData("tailrec", "", "rec"),
            new TestCaseData("thread_nest", "", "leaf mid"),
            new TestCaseData("tri", "", "big mid rec small"),
            new TestCaseData("twice", "", "rec"),
            new TestCaseData("two_threads", "", "thread_fn"),
            new TestCaseData("warn_700", "", "rstack"),
            new TestCaseData("warnfmt", "", "rstack"),
            // the held-out experiments of the eighth session (objdump of the harness's own builds, 6.1 and 5.10 alike)
            new TestCaseData("twopk", "", "rec"),
            new TestCaseData("lastpk", "rec", "rec.cold"),
            new TestCaseData("arrp", "", "rec"),
            new TestCaseData("wloop", "", "rec"),
            new TestCaseData("derefx", "", "rstack tick"),
            new TestCaseData("mixpk", "", "rec"),
            new TestCaseData("shortarr", "", "rec"),
            new TestCaseData("ifpk", "", "rec"),
            new TestCaseData("recmid", "", "rec"),
            new TestCaseData("gptr", "", "rec"),
            // the held-out experiments of the ninth session (objdump of the C twins built against the 6.1 headers; the
            // harness's 6.1 and 5.10 builds of thirdpk alike)
            new TestCaseData("longline", "", "rec"),
            new TestCaseData("thirdpk", "rec thread_fn", "rec.cold"),
        };

        [TestCaseSource(nameof(Gcc))]
        public void FunctionsAreInGccsSections(string experiment, string text, string unlikely)
        {
            string path = Path.Combine(System.AppContext.BaseDirectory, "RealKernel", "Logs", "experiments", experiment + ".kdsl");
            var result = Compiler.Compile(path, File.ReadAllText(path).Replace("PROFILE", "linux-6.1"));
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            string In(TextSection section) => string.Join(" ", result.Image!.Symbols.Where(s => s.TextSection == section).Select(s => s.Name).OrderBy(n => n, System.StringComparer.Ordinal));
            Assert.Multiple(() =>
            {
                Assert.That(In(TextSection.Text), Is.EqualTo(text), ".text");
                Assert.That(In(TextSection.Unlikely), Is.EqualTo(unlikely), ".text.unlikely");
            });
        }
    }
}
