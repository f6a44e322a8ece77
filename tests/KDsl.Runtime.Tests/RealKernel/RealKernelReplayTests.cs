using System.Collections.Generic;
using System.IO;
using System.Linq;
using NUnit.Framework;

using KDsl.Runtime.RealKernel;

namespace KDsl.Runtime.Tests.RealKernel
{
    /// <summary>
    /// Every real-kernel log in Logs/ replayed in KDsl (issue 16, item 4): the same step5 experiment (the log's BUF) under the
    /// matching profile, compared field by field with what the real kernel printed. Expected values come from the real logs
    /// only; a failing case reads like a table row ("linux-6.1 step5 BUF=992: RIP").
    /// </summary>
    [TestFixture]
    public class RealKernelReplayTests
    {
        public static IEnumerable<TestCaseData> Cases()
        {
            foreach (var log in RealKernelLogs.All.Where(l => File.Exists(l.Path)))
            {
                var real = RealKernelLogs.Real(log);
                foreach (var field in RealKernelLogs.Fields)
                    if (log.Gives(field) && RealKernelLogs.Field(real, field) is not null) // a field the log cannot give (hashed, cut) has no case
                        yield return new TestCaseData(log.Profile, log.File, field).SetName($"{log.Name}: {field}");
            }
        }

        [TestCaseSource(nameof(Cases))]
        public void MatchesTheRealKernel(string profile, string file, string field)
        {
            var log = new RealKernelLog(profile, file);
            var real = RealKernelLogs.Field(RealKernelLogs.Real(log), field)!;
            var run = RealKernelLogs.Kdsl(log);
            Assert.That(run.Error, Is.Null, $"KDsl did not run {log.Name}");
            var kdsl = RealKernelLogs.Field(run.Fields!, field);
            string name = $"{log.Name}: {field}";
            if (KnownDivergences.TryGetValue(name, out string? why))
            {
                // Still different, or the entry goes: a divergence that disappeared must be taken off the list.
                Assert.That(kdsl?.Items, Is.Not.EqualTo(real.Items), $"{name} now matches the real kernel: remove it from KnownDivergences ({why})");
                Assert.Warn($"{name}: known divergence ({why})\nreal: {real.Display}\nKDsl: {kdsl?.Display}");
                return;
            }
            Assert.That(kdsl, Is.Not.Null, $"KDsl's log does not give the {field}\nreal: {real.Display}");
            Assert.That(kdsl!.Items, Is.EqualTo(real.Items),
                $"{name}\nreal: {real.Display}\nKDsl: {kdsl.Display}");
        }

        private const string Codegen =
            "the module's code is KDsl's, not GCC's, and so are the module words it leaves: KDsl's bug_on saves RBX, which " +
            "holds the init's address from do_one_initcall on 6.1, where GCC tail-calls printk";
        private const string CodegenCr2 =
            "5.10 hashes the BUG line, so the guard address comes from the CR2 register line, which the Code: copy overwrote: " +
            "GCC's rstack faults at +0x26, within 42 bytes of its page's start, KDsl's further in, and its copy succeeds";
        private const string CodegenLayout =
            "one word panic's path leaves below dump_stack: the real run's is a bare module address (0xffffffffc0002000, the " +
            "byte before it no symbol's), KDsl's replay fills the slot with thread_fn's start, which %pB names as overrun's " +
            "end (the real trace has that word too, one line lower: ? overrun+0x40/0x40, GCC's overrun before thread_fn in " +
            ".text as KDsl lays them); what the real value is was not found";
        private const string ConsoleIterations =
            "a console word in vprintk_store's frame under __warn's printk: the recorded WARN path's cut-here printk flushed " +
            "its record in a console_unlock loop whose prb_read_valid call at step 53360 left " +
            "desc_read_finalized_seq+0x2f 0x318 bytes below the exception entry, and the next write of that word comes after " +
            "where the real deep run faulted; the real run's word there is no text (its console loop went otherwise, not " +
            "measured); the lines, RIP, trace and the 13 other stale entries match";
        private const string CfsTiming =
            "which sleeper in kthread_run resumes first is CFS's choice by vruntime, which depends on how long each step took: " +
            "the same module orders its lines differently on 6.1 and 5.10; KDsl's run queue resumes the latest sleeper first " +
            "(what 5.10 did the first time here) and has no timing model";
        private const string RefillVaries =
            "which call of a recursion refills a slab varies by about a call from boot to boot (the probes of trace.sh's calls " +
            "mode saw 5.10's vmap_area slab run out at calls 15 and 16 in three boots, at 16 and 17 in one; KDsl replays the " +
            "first): KDsl's 17th vmalloc takes the new slab, 1,088 bytes deep, and dies in it (get_page_from_freelist under " +
            "allocate_slab); this real boot's 17th returned and its 18th hit the guard page at vmalloc's entry";
        private const string InitWordVaries =
            "one stale word of load_module's frames above the init differs from boot to boot: kmem_cache_alloc_trace+0xf5 in " +
            "the recording and most real runs, a second do_init_module+0x23 in this one";
        private const string CodegenSmash =
            "the module's own words: GCC's smash keeps count[] in no memory (it reads n back instead) and saves RBP, KDsl's " +
            "frame holds count[] and saves no register, so one more module address lies below the trace's smash entry";
        private const string GccSinking =
            "GCC computes b..h (n * 5 ... n * 23, used only after the recursive call) after rec's fill loop, just before " +
            "the printk they must outlive, and spills the two it has no register for then: the rec that reaches the guard " +
            "page writes its 900-byte buffer over the last printk's words before its spill store faults; KDsl computes and " +
            "spills them at their declaration, before the loop, and faults with those words still there; lines, RIP and " +
            "trace match";
        private const string LoadModuleResidue =
            "5.10 leaves locals uninitialised (no INIT_STACK_ALL_ZERO): snprintf fills 17 of line[64]'s bytes, and the rest " +
            "shows what insmod's earlier kernel work left that deep (load_module's idr_alloc_u32, a slab refill's " +
            "allocate_slab), below the init's frame, where KDsl's stack holds nothing: the recorded init path covers the " +
            "stack above the init only";
        private const string TimerInterrupt =
            "a timer interrupt came in the middle of the real run's console path (its stale sysvec_apic_timer_interrupt+0xa " +
            "lies among the console words); the recorded paths run with interrupts masked, and KDsl's virtual time " +
            "delivers no interrupt inside a printk; every other stale entry, the lines, CR2, RIP and trace match";
        private const string AlternatingResidue =
            "one word the printks of the levels above left in console_unlock's frame: fops alternates frames of 0x2d8 and " +
            "0x178 bytes, so the level above's console path ran 0x178 bytes higher; where KDsl's replay of that path left " +
            "sprintf's return address (info_print_prefix's call), the real one left no kernel address; the 28 lines, " +
            "offsets, RIP, trace and ending match, and 6.1's run matches on every field (not measured further: the real " +
            "run's stack was not dumped)";
        private const string CodegenHotPartSize =
            "%pS of the module's rec prints rec+0x0/0x40: rec's kallsyms size is its part before rec.cold, the prologue and " +
            "the fill loop, which GCC's code does in 0x40 bytes (a pointer walk over the buffer); KDsl splits rec at the same " +
            "place (rec.cold in .text.unlikely) but its code for that part is longer (0x61 bytes on 5.10, 0x6e with 6.1's exit " +
            "after it); the 17 lines' count, depths, CR2, RIP and trace (rec.cold entries included) match";
        private const string PrintkPathResidue =
            "the words below the fatal printk's path that earlier conversions of the same call left: KDsl replays the " +
            "recorded printk whose deepest conversion is the same (\"ktrace %pS\", symbol_string's nested sprintf), and " +
            "the real \"%s %d in %pS\" ran string() and number() first, whose words remain where the recording's do not";
        private const string Seed411 =
            "linux-4.11 is not recorded (no real 4.11 kernel here): its printk path, and so the words it leaves behind, are " +
            "the hand-made 4.11 text's, not the real kernel's";

        private const string RegisterChoice =
            "GCC gives wloop's rec n in RBP and the first call's result in RBX (loop2's rec, the same shape with a for loop, " +
            "the other way round); KDsl gives the parameter, declared first, RBX. Either way one register still holds what " +
            "the caller inherited when the first call is made, and each level saves it: GCC's RBX, which do_one_initcall " +
            "left holding the init's address on 6.1 (24 bare module addresses) and no module address on 5.10; KDsl's RBP, " +
            "the init's address on 5.10 (25) and none on 6.1. The lines, CR2, RIP and trace match (IRA's choice is not modelled)";
        private const string ConsoleDataStores =
            "stale text words in the dying printk's console frames (6.1: console_emit_next_record's, desc_read_finalized_seq+0x37; " +
            "5.10: console_unlock's, desc_read_finalized_seq+0x2f, wait_for_xmitr+0xb0 and _prb_read_valid+0x211) where the real " +
            "run's words are no text: left by the printks before it (step5 at 256 bytes a level, the console path of the level " +
            "above ran 0x120 bytes higher), and in the real run, likely, overwritten by the console path's data stores through " +
            "pointers (prb_read_valid filling the record's info) before it died; a recorded printk's writes keep only the words " +
            "that are or were kernel text, so the replay cannot make such a store (not measured: the raw recordings would tell)";
        /// <summary>Where KDsl and the real kernel still part ways, and why; each is checked to still differ.</summary>
        private static readonly Dictionary<string, string> KnownDivergences = new()
        {
            ["linux-4.11 step5 BUF=4096 seed: stale entries"] = Seed411,
            ["linux-6.1 bug_on: stale entries"] = Codegen,
            ["linux-5.10 kthread_step5_4096: CR2"] = CodegenCr2,
            ["linux-5.10 kthread_step5_1600: CR2"] = CodegenCr2,
            ["linux-5.10 warn_700_19: stale entries"] = ConsoleIterations,
            ["linux-6.1 thread_nest: lines"] = CfsTiming,
            ["linux-5.10 thread_nest: lines"] = CfsTiming,
            ["linux-5.10 kthread_protector: stale entries"] = CodegenLayout,
            // held out
            // held out, after the calls in order were recorded
            ["linux-5.10 alloc_vm_850: RIP"] = RefillVaries,
            ["linux-5.10 alloc_vm_850: call trace"] = RefillVaries,
            ["linux-5.10 alloc_vm_850: stale entries"] = RefillVaries,
            ["linux-5.10 alloc_gfp_700: stale entries"] = InitWordVaries,
            ["linux-6.1 smash: stale entries"] = CodegenSmash,
            // held out (seventh session)
            ["linux-6.1 loop2_1100: stale entries"] = TimerInterrupt,
            // held out (seventh session, second round)
            ["linux-5.10 snp_700: stale entries"] = LoadModuleResidue,
            ["linux-5.10 snp_900: stale entries"] = LoadModuleResidue,
            // held out (seventh session, third round)
            ["linux-5.10 manyloc_900: stale entries"] = GccSinking,
            ["linux-5.10 fops_700: stale entries"] = AlternatingResidue,
            ["linux-6.1 pss_800: lines"] = CodegenHotPartSize,
            ["linux-5.10 pss_800: lines"] = CodegenHotPartSize,
            ["linux-6.1 pss_800: stale entries"] = PrintkPathResidue,
            ["linux-5.10 pss_800: stale entries"] = PrintkPathResidue,
            // held out (eighth session: predicted at 95dad81 before the runs were read)
            ["linux-6.1 wloop_600: stale entries"] = RegisterChoice,
            ["linux-5.10 wloop_600: stale entries"] = RegisterChoice,
            // held out (ninth session: predicted at 727699c before the runs were read)
            ["linux-6.1 step5 BUF=256: stale entries"] = ConsoleDataStores,
            ["linux-5.10 step5 BUF=256: stale entries"] = ConsoleDataStores,
        };

        /// <summary>Every log named in RealKernelLogs.All is in the repository and copied next to the tests.</summary>
        [Test]
        public void EveryListedLogIsPresent() =>
            Assert.That(RealKernelLogs.All.Where(l => !File.Exists(l.Path)).Select(l => l.Path), Is.Empty);

        /// <summary>
        /// The report: the markdown table of real vs KDsl per case and field, written to the test output and to
        /// RealKernelReplay.md in the test's work directory. Run it with
        /// dotnet test tests/KDsl.Runtime.Tests --filter Name=RealKernelReplayReport --logger "console;verbosity=detailed"
        /// </summary>
        [Test, Explicit("prints the real-vs-KDsl table; not a check")]
        public void RealKernelReplayReport()
        {
            string table = RealKernelLogs.MarkdownTable();
            string path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "RealKernelReplay.md");
            File.WriteAllText(path, table);
            TestContext.Out.WriteLine(table);
            TestContext.Out.WriteLine("written to " + path);
        }
    }
}
