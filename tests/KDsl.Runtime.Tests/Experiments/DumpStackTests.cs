using System.Linq;
using KDsl.Runtime;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Experiments
{
    /// <summary>
    /// dump_stack() from a module (lib/dump_stack.c): dump_stack_print_info's "CPU: ... Comm:" and "Hardware name:" lines,
    /// then "Call Trace:" from dump_stack_lvl (6.1; dump_stack itself on 5.10) through the module's frames to the
    /// syscall, and the module goes on: no oops, no taint. The analysis charges what panic's recorded path ran it with.
    /// </summary>
    [TestFixture]
    public class DumpStackTests
    {
        private const string Source = @"module ds ""dump_stack"";
config { profile = PROFILE; }
void inner(int n) { printk(""inner %d\n"", n); dump_stack(); printk(""after\n""); }
init { inner(1); printk(""back\n""); }
";

        [TestCase("linux-6.1", "dump_stack_lvl+0x")]
        [TestCase("linux-5.10", "dump_stack+0x")]
        public void ItPrintsTheTrace_AndTheModuleGoesOn(string profile, string first)
        {
            var result = Compiler.Compile("ds.kdsl", Source.Replace("PROFILE", profile));
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            var run = Machine.Run(result.Image!);
            var log = run.Log.ToList();
            int cpu = log.FindIndex(l => l.Contains("] CPU: 0 PID: ") && l.Contains(" Comm: insmod "));
            Assert.That(cpu, Is.GreaterThan(log.FindIndex(l => l.EndsWith("] inner 1"))), run.Dmesg);
            Assert.That(log[cpu + 1], Does.Contain("] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)"));
            Assert.That(log[cpu + 2], Does.EndWith("] Call Trace:"));
            int trace = log.FindIndex(l => l.Contains("  " + first));
            int inner = log.FindIndex(l => l.Contains("  inner+0x"));
            int init = log.FindIndex(l => l.Contains("  ds_init+0x"));
            Assert.That(trace > cpu && inner > trace && init > inner, run.Dmesg);
            Assert.That(log.FindIndex(l => l.EndsWith("] after")), Is.GreaterThan(init));
            Assert.That(log.Last(l => l.Contains("] ")), Does.EndWith("] back"));
            Assert.That(run.Oops, Is.Null);
            Assert.That(run.Dmesg, Does.Not.Contain("WARNING"));
        }

        [TestCase("linux-6.1", 1000)]
        [TestCase("linux-5.10", 928)]
        public void TheAnalysisCharges_TheRecordedDumpStack(string profile, int depth)
        {
            // panic's recorded path calls dump_stack and runs it down to show_stack, dump_stack_print_info's printk the deepest
            static long WorstCase(string profile, string call) => Compiler.Compile("a.kdsl",
                $"module a \"a\";\nconfig {{ profile = {profile}; }}\nvoid empty(void) {{ }}\ninit {{ {call}; }}\n").Image!.Stack!.Entries
                .Single(e => e.Entry == "a_init").WorstCase;
            Assert.That(WorstCase(profile, "dump_stack()") - WorstCase(profile, "empty()"), Is.EqualTo(depth - 8));
        }
    }
}
