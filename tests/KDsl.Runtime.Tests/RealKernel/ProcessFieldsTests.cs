using System.Linq;
using KDsl.Runtime.RealKernel;
using KDsl.Runtime.Tests.Processes;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.RealKernel
{
    /// <summary>
    /// The processes' part of `kdsl oracle`'s comparison: the runner's lines (src/Cli/Oracle/run-process.c) as the real
    /// 6.1 kernel's console shows them, and KDsl's run written in the same lines. The consoles are excerpts of
    /// `kdsl oracle` runs on Debian's 6.1.0-56-amd64 under QEMU (2026-12-07, cmdline with norandmaps), copied as captured.
    /// </summary>
    [TestFixture]
    public class ProcessFieldsTests
    {
        /// <summary>examples/sigbus-past-eof.kdsl on the real 6.1 kernel.</summary>
        private static readonly string[] SigbusPastEof =
        {
            "ORACLE: exp=sigbus_past_eof kernel=6.1.0-56-amd64 cmdline=console=ttyS0,115200 loglevel=8 panic=0 rdinit=/init no_hash_pointers randomize_kstack_offset=off nokaslr norandmaps",
            "ORACLE: running: processes sigbus",
            "ORACLE: process sigbus siginfo: signo=7 code=2 addr=0x7ffff7ff8000 vma=0x7ffff7ff7000",
            "ORACLE: process sigbus exit status=135 signal=7",
            "ORACLE: done",
            "[    4.802685] ACPI: PM: Preparing to enter system sleep state S5",
            "[    4.807652] reboot: Power down",
        };

        /// <summary>examples/user-guard-page.kdsl on the real 6.1 kernel: show_signal_msg's two lines, then the runner's.</summary>
        private static readonly string[] UserGuardPage =
        {
            "ORACLE: running: processes guard",
            "[    3.070109] guard[86]: segfault at 7ffff7ff7008 ip 000000000040106e sp 00007fffffffede0 error 6 in guard[401000+1000] likely on CPU 0 (core 0, socket 0)",
            "[    3.076747] Code: c0 48 89 d8 b9 00 10 00 00 48 01 c8 b9 01 00 00 00 88 08 48 89 c8 48 0f be c0 48 89 d8 b9 08 00 00 00 48 01 c8 b9 58 00 00 00 <88> 08 48 89 c8 48 0f be c0 31 ff b8 3c 00 00 00 0f 05 31 c0 5b c3",
            "ORACLE: process guard siginfo: signo=11 code=2 addr=0x7ffff7ff7008 vma=0x7ffff7ff7000",
            "ORACLE: process guard exit status=139 signal=11",
            "ORACLE: done",
            "[    3.173148] ACPI: PM: Preparing to enter system sleep state S5",
            "[    3.173868] reboot: Power down",
        };

        /// <summary>
        /// examples/sigbus-handler.kdsl on the real 6.1 kernel: the handler's write of siginfo's first 24 bytes, then the
        /// runner's line for the signal_deliver trace event of the SIGBUS it caught (7, BUS_ADRERR 2), then exit 0.
        /// </summary>
        private static readonly string[] SigbusHandler =
        {
            "ORACLE: running: processes caught",
            "ORACLE: process caught output: \\x07\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x04\\x80\\xff\\xf7\\xff\\x7f\\x00\\x00",
            "ORACLE: process caught caught: signo=7 code=2",
            "ORACLE: process caught exit status=0 signal=0",
            "ORACLE: done",
            "[    2.935852] ACPI: PM: Preparing to enter system sleep state S5",
            "[    2.936594] reboot: Power down",
        };

        [Test]
        public void ASignalAHandlerCaughtIsComparedAndChecked()
        {
            var real = KernelLogFields.Parse(SigbusHandler);
            var p = real.Processes.Single();
            Assert.That(p.Caught, Is.EqualTo(new[] { (7, 2) }));
            Assert.That(p.Key, Is.EqualTo("caught: caught SIGBUS BUS_ADRERR; exit status=0 signal=0"));
            // KDsl's run written as the runner writes it: the same caught line, so the processes field agrees
            var run = ProcessRun.Example("sigbus-handler.kdsl");
            Assert.That(LogComparison.HarnessLog(run, insmod: false), Does.Contain("ORACLE: process caught caught: signo=7 code=2"));
            var kdsl = KernelLogFields.Parse(LogComparison.HarnessLog(run, insmod: false));
            Assert.That(LogComparison.Verdict(LogComparison.Field(real, "processes"), LogComparison.Field(kdsl, "processes")), Is.EqualTo("✓"));
            // a handler that caught nothing differs
            var noneCaught = SigbusHandler.Where(l => !l.Contains(" caught: ")).ToArray();
            var none = KernelLogFields.Parse(noneCaught);
            Assert.That(LogComparison.Verdict(LogComparison.Field(none, "processes"), LogComparison.Field(kdsl, "processes")), Is.EqualTo("✗"));

            // `signal` is checked against the caught signal; its si_addr is not in the trace event
            var source = "module m \"m\";\nprocess caught { exit(0); }\nexpect {\n    signal SIGBUS BUS_ADRERR;\n    signal SIGBUS BUS_ADRERR at mmap + 4100;\n    signal SIGBUS BUS_OBJERR;\n    signal SIGSEGV;\n}\n";
            var image = Compiler.Compile("m.kdsl", source).Image!;
            var results = RealExpectations.Check(image.Expectations, SigbusHandler, real);
            Assert.That(results.Select(r => r.Met), Is.EqualTo(new bool?[] { true, null, false, false }));
            Assert.That(results[0].Actual, Is.EqualTo("caught caught SIGBUS BUS_ADRERR"));
            Assert.That(RealExpectations.Check(image.Expectations, noneCaught, none)[0].Actual, Is.EqualTo("caught got no signal (exit status 0; its handlers caught none)"));
        }

        [Test]
        public void TheRunnersLinesAreReadIntoTheProcessesEnd()
        {
            var f = KernelLogFields.Parse(SigbusPastEof);
            var p = f.Processes.Single();
            // SIGBUS (7), BUS_ADRERR (2) at the first byte of the mapping's second page: filemap_fault past EOF
            Assert.That((p.Name, p.ExitStatus, p.Signal, p.SiCode, p.SiAddr, p.SiAddrVma), Is.EqualTo(("sigbus", 135, 7, (int?)2, (ulong?)0x7ffff7ff8000, (ulong?)0x7ffff7ff7000)));
            Assert.That(p.Key, Is.EqualTo("sigbus: exit status=135 signal=7 si_code=2 si_addr=vma+0x1000"));
            Assert.That(f.ModuleLines, Is.Empty, "the runner's and the power-off's lines are not the experiment's");
            Assert.That(f.EndOfRun, Is.EqualTo("the processes ended"));
            Assert.That(f.Hang, Is.False);
        }

        [Test]
        public void KdslsRunWrittenAsTheRunnerWritesAgreesWithTheRealSigbus()
        {
            var run = ProcessRun.Example("sigbus-past-eof.kdsl");
            var kdsl = KernelLogFields.Parse(LogComparison.HarnessLog(run, insmod: false));
            var real = KernelLogFields.Parse(SigbusPastEof);
            foreach (var field in LogComparison.Fields)
                Assert.That(LogComparison.Verdict(LogComparison.Field(real, field, sameBytes: true), LogComparison.Field(kdsl, field, sameBytes: true)),
                    Is.EqualTo("✓"), field);
            Assert.That(LogComparison.HarnessLog(run, insmod: false).Where(l => l.StartsWith("ORACLE:")), Has.None.Contains("insmod"));
        }

        [Test]
        public void APidIsNotComparedButTheRestOfTheSegfaultLineIs()
        {
            var lines = LogComparison.Field(KernelLogFields.Parse(UserGuardPage), "lines")!.Items;
            Assert.That(lines[0], Is.EqualTo("guard[PID]: segfault at 7ffff7ff7008 ip ADDR sp ADDR error 6 in guard[401000+1000] likely on CPU 0 (core 0, socket 0)"));
            Assert.That(lines[1], Does.StartWith("Code: c0 48 89 d8"));
            // the same program bytes: KDsl's Code: line is the real one, byte for byte
            var run = ProcessRun.Example("user-guard-page.kdsl");
            var kdsl = LogComparison.Field(KernelLogFields.Parse(LogComparison.HarnessLog(run, insmod: false)), "lines")!.Items;
            Assert.That(kdsl[1], Is.EqualTo(lines[1]));
            Assert.That(LogComparison.Verdict(LogComparison.Field(KernelLogFields.Parse(UserGuardPage), "processes"),
                LogComparison.Field(KernelLogFields.Parse(LogComparison.HarnessLog(run, insmod: false)), "processes")), Is.EqualTo("✓"));
        }

        [Test]
        public void OutputIsEscapedAsTheRunnerEscapesIt()
        {
            // run-process.c: split at '\n', printable ASCII kept, '\\' doubled, every other byte \xNN; a last partial line kept
            var bytes = new byte[] { (byte)'o', (byte)'k', (byte)'\n', 0x07, (byte)'\\', (byte)'a', 0xff };
            Assert.That(LogComparison.ProcessOutputLines(bytes), Is.EqualTo(new[] { "ok", "\\x07\\\\a\\xff" }));
            Assert.That(LogComparison.ProcessOutputLines(new[] { (byte)'\n' }), Is.EqualTo(new[] { "" }));
            var f = KernelLogFields.Parse(new[] { "ORACLE: running: processes p", "ORACLE: process p output: ok", "ORACLE: process p exit status=3 signal=0" });
            Assert.That(LogComparison.Field(f, "processes")!.Items, Is.EqualTo(new[] { "p> ok", "p: exit status=3 signal=0" }));
        }

        [Test]
        public void TheExpectBlocksProcessLinesAreCheckedOnTheRealRun()
        {
            var source = "module m \"m\";\nprocess sigbus { exit(0); }\nexpect {\n    exit 135;\n    signal SIGBUS BUS_ADRERR;\n    signal SIGBUS BUS_ADRERR at mmap + 4096;\n    signal SIGSEGV;\n    exit 0;\n}\n";
            var image = Compiler.Compile("m.kdsl", source).Image!;
            var results = RealExpectations.Check(image.Expectations, SigbusPastEof, KernelLogFields.Parse(SigbusPastEof));
            Assert.That(results.Select(r => r.Met), Is.EqualTo(new bool?[] { true, true, null, false, false }));
            Assert.That(results[2].Actual, Does.Contain("its mapping +4096").And.Contain("unchecked"));
            Assert.That(results[4].Actual, Is.EqualTo("sigbus ended with status 135"));
        }
    }
}
