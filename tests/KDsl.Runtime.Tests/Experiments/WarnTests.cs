using System.Linq;
using KDsl.Runtime;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Experiments
{
    /// <summary>
    /// WARN(cond, fmt, ...) as include/asm-generic/bug.h's __WARN_printf expands it on x86 (GCC 12 on the 6.1 headers:
    /// `call __warn_printk` then a ud2 whose __bug_table flags are 0x909, BUGFLAG_WARNING | BUGFLAG_NO_CUT_HERE |
    /// BUGFLAG_TAINT(TAINT_WARN)): __warn_printk prints the cut-here line and the message, report_bug then __warn's
    /// report without a second cut-here line, and execution goes on with WARN's value, !!cond.
    /// </summary>
    [TestFixture]
    public class WarnTests
    {
        private const string Source = @"module warnme ""w"";
config { profile = PROFILE; }
int check(int x) { return WARN(x > 3, ""x is %d, more than %d\n"", x, 3); }
init { int a = check(2); int b = check(7); printk(""results %d %d\n"", a, b); }
";

        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        public void TheMessageComesBeforeTheReport_AndTheModuleGoesOn(string profile)
        {
            var result = Compiler.Compile("w.kdsl", Source.Replace("PROFILE", profile));
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            var bug = result.Image!.Bugs.Single();
            Assert.That(bug.Warning && bug.NoCutHere, Is.True);
            var run = Machine.Run(result.Image!);
            var log = run.Log.ToList();
            int cut = log.FindIndex(l => l.EndsWith("] ------------[ cut here ]------------"));
            Assert.That(log.Count(l => l.Contains("[ cut here ]")), Is.EqualTo(1), run.Dmesg);
            Assert.That(log[cut + 1], Does.EndWith("] x is 7, more than 3"));
            Assert.That(log[cut + 2], Does.Match(@"\] WARNING: CPU: 0 PID: \d+ at w\.kdsl:3 check\+0x[0-9a-f]+/0x[0-9a-f]+ \[warnme\]$"));
            int end = log.FindIndex(l => l.Contains("] ---[ end trace "));
            Assert.That(end, Is.GreaterThan(cut + 2));
            Assert.That(log.FindIndex(l => l.EndsWith("] results 0 1")), Is.GreaterThan(end));
            Assert.That(run.Oops, Is.Null);
        }

        [Test]
        public void FourElevenHasNoWarn()
        {
            // 4.11's WARN is warn_slowpath_fmt, not modelled: the name is unknown there
            var result = Compiler.Compile("w.kdsl", Source.Replace("PROFILE", "linux-4.11"));
            Assert.That(result.Diagnostics.Any(d => d.Id == "KDSL0103" || d.Message.Contains("undefined function 'WARN'")), Is.True,
                string.Join("\n", result.Diagnostics));
        }

        [Test]
        public void TheAnalysisCharges_TheCutHerePrintk_FromA_PrintkFrame()
        {
            // 6.1: every recorded printk of plain text and integers goes 896 bytes deep; __warn_printk's cut-here printk
            // runs from a frame of _printk's shape (96 bytes), its message's printk in that frame's place
            static long WorstCase(string body) => Compiler.Compile("a.kdsl",
                "module a \"a\";\nconfig { profile = linux-6.1; }\n" + $"int f(int x) {{ {body}; return x + 1; }}\ninit {{ f(1); }}\n").Image!.Stack!.Entries
                .Single(e => e.Entry == "a_init").WorstCase;
            Assert.That(WorstCase("WARN(x, \"m %d\\n\", x)") - WorstCase("if (x) printk(\"m %d\\n\", x)"), Is.EqualTo(96));
        }
    }
}
