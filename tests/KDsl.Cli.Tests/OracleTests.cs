using System.Collections.Generic;
using System.IO;
using System.Linq;
using KDsl.Cli.Oracle;
using KDsl.Image;
using KDsl.Profiles;
using KDsl.Runtime.RealKernel;
using NUnit.Framework;

namespace KDsl.Cli.Tests
{
    /// <summary>
    /// `kdsl oracle`: the command line it boots with, the experiments it declines, the init's order, and (where `kdsl oracle
    /// --setup` has run, as .ci/run does) step5, sigbus-past-eof and sigbus-handler end to end on the real 6.1 kernel under QEMU: the real
    /// console must agree with KDsl's run in every field, the module's frames at the same +off/size, the process killed
    /// by the same signal at the same offset into its mapping.
    /// </summary>
    [NonParallelizable]
    public class OracleTests
    {
        [Test]
        public void TheCommandLineIsTheOneKdslsDefaultLayoutCorrespondsTo()
        {
            // the brief's and the reference harness's: raw pointers, no per-syscall stack offset (6.1 only has the switch), no KASLR
            Assert.That(OracleCommand.CommandLine(KernelProfile.Linux61, new ExperimentConfig()),
                Is.EqualTo("console=ttyS0,115200 loglevel=8 panic=0 rdinit=/init no_hash_pointers randomize_kstack_offset=off nokaslr"));
            Assert.That(OracleCommand.CommandLine(KernelProfile.Find("linux-5.10")!, new ExperimentConfig("linux-5.10", panicOnOops: true)),
                Is.EqualTo("console=ttyS0,115200 loglevel=8 panic=0 rdinit=/init no_hash_pointers nokaslr oops=panic"));
            // with processes, the unrandomized user layout KDsl's mmap_base (0x7ffff7fff000) is
            Assert.That(OracleCommand.CommandLine(KernelProfile.Linux61, new ExperimentConfig(), processes: true), Does.EndWith(" nokaslr norandmaps"));
        }

        [Test]
        public void ExperimentsTheDebianKernelCannotRunAreListedWithTheReason()
        {
            var (exit, output, _) = CliRunner.Run("oracle", CliRunner.Example("stack-overflow-no-vmap.kdsl"));
            Assert.That(exit, Is.EqualTo(0));
            Assert.That(output, Does.Contain("not run on the real kernel: vmap_stack = off: Debian's kernels have CONFIG_VMAP_STACK=y"));
            (exit, output, _) = CliRunner.Run("oracle", CliRunner.Example("step5.kdsl"), "--scenario", "linux_4_11");
            Assert.That(exit, Is.EqualTo(0));
            Assert.That(output, Does.Contain("profile linux-4.11 has no Debian kernel"));
        }

        [Test]
        public void TheInitLoadsTheModuleThenRunsTheProcessesInOrder()
        {
            var init = Initramfs.InitScript("m", module: true, new[] { "first", "second" }, insmodPid: 98).Split('\n').ToList();
            int insmod = init.IndexOf("/usr/sbin/insmod /mod/m.ko");
            int first = init.IndexOf($"{Initramfs.RunnerPath} first /exp/first");
            int second = init.IndexOf($"{Initramfs.RunnerPath} second /exp/second");
            Assert.That(insmod, Is.GreaterThan(0));
            Assert.That(first, Is.GreaterThan(insmod));
            Assert.That(second, Is.GreaterThan(first));
            Assert.That(init, Does.Contain("mount -t tmpfs tmp /tmp"), "the processes' files live in a tmpfs, as KDsl's do");
            // KDsl's PIDs: insmod 98 (6.1's, the reference harness's), the processes 100 and 101 (insmod + 2 + i); each
            // ns_last_pid write names the PID before the next fork (the runner's), whose own fork is the process
            Assert.That(init[insmod - 1], Is.EqualTo("echo 97 > /proc/sys/kernel/ns_last_pid"));
            Assert.That(init[first - 1], Is.EqualTo("echo 98 > /proc/sys/kernel/ns_last_pid"));
            Assert.That(init[second - 1], Is.EqualTo("echo 99 > /proc/sys/kernel/ns_last_pid"));
            // a file of processes alone: no insmod, and the parser's start line still printed
            var alone = Initramfs.InitScript("m", module: false, new[] { "p" }, insmodPid: 98);
            Assert.That(alone, Does.Not.Contain("insmod"));
            Assert.That(alone, Does.Contain("echo \"ORACLE: running: processes p\""));
        }

        [Test]
        public void TheTableHasARowPerRunAndListsWhatDidNotRunWithTheReason()
        {
            var ok = Enumerable.Repeat("✓", LogComparison.Fields.Length).ToList();
            var differ = ok.Select((v, i) => i == 0 ? "✗" : v).ToList();
            var outcomes = new List<OracleOutcome>
            {
                new("a.kdsl", "default", "linux-6.1", OracleVerdict.Agree, "", ok, new[] { "✓", "-" }, "4.5 s (built)", 20.04),
                new("b.kdsl", "small", "linux-5.10", OracleVerdict.Differ, "", differ, new[] { "✗" }, "0.1 s (cached)", 31.5),
                OracleOutcome.NotRun("c.kdsl", "default", "linux-6.1", "vmap_stack = off: Debian's kernels have CONFIG_VMAP_STACK=y"),
            };
            var lines = OracleTable.Render(outcomes, System.TimeSpan.FromSeconds(52)).Split('\n');
            Assert.That(lines[0], Does.Match(@"^\| example +\| profile +\| scenario \| lines \| offsets \| CR2 \| RIP \| trace \| stale \| end \| procs \| expect \| result \| build +\| time +\|$"));
            Assert.That(lines[2], Does.Match(@"^\| a\.kdsl +\| linux-6\.1 +\| default +\| ✓ +\|( ✓ +\|){7} ✓- +\| agree +\| 4\.5 s \(built\) +\| 20\.0 s \|$"));
            Assert.That(lines[3], Does.Match(@"^\| b\.kdsl +\| linux-5\.10 \| small +\| ✗ +\|.* ✗ +\| DIFFER \|"));
            Assert.That(lines.Select(l => l.Length).Take(4).Distinct().Count(), Is.EqualTo(1), "the columns line up");
            Assert.That(lines, Does.Contain("- c.kdsl [default, linux-6.1]: vmap_stack = off: Debian's kernels have CONFIG_VMAP_STACK=y"));
            Assert.That(lines, Does.Contain("3 experiments: 1 agree, 1 differ, 0 failed, 1 not run on a real kernel; 52 s (52 s in the real runs)"));
        }

        /// <summary>`kdsl oracle EXAMPLE` on the real 6.1 kernel, which must agree (exit 0): its output and its verdict rows (✓, ✗, -).</summary>
        private static (string Output, List<string> Rows) AgreeOn61(string example)
        {
            var missing = new OracleSetup(KernelProfile.Linux61).Missing(null);
            if (missing.Count > 0) Assert.Ignore("kdsl oracle --setup has not run: missing " + string.Join("; ", missing));
            var (exit, output, error) = CliRunner.Run("oracle", CliRunner.Example(example), "--timeout", "120");
            Assert.That(exit, Is.EqualTo(0), output + error);
            return (output, output.Split('\n').Where(l => l.Length > 3 && (l[0] == '✓' || l[0] == '✗' || l[0] == '-')).ToList());
        }

        [Test]
        public void SigbusPastEofAgreesWithTheReal61Kernel()
        {
            var (output, rows) = AgreeOn61("sigbus-past-eof.kdsl");
            Assert.That(rows.Where(r => r[0] == '✗'), Is.Empty, output);
            // the real kernel killed the executable as KDsl killed the process: SIGBUS (7), BUS_ADRERR (2), one page into the mapping
            Assert.That(rows.Single(r => r.Substring(3).StartsWith("processes")),
                Does.StartWith("✓  processes       sigbus: exit status=135 signal=7 si_code=2 si_addr=vma+0x1000"));
            Assert.That(rows, Does.Contain("✓  expect exit 135 on the real kernel: sigbus ended with status 135"));
            Assert.That(output, Does.Contain("norandmaps"));
        }

        /// <summary>
        /// sigbus-handler's sigaction on the real kernel: KDsl's wrapper passes rt_sigaction a struct sigaction with
        /// SA_SIGINFO | SA_RESTORER and __restore_rt, so the real 6.1 kernel runs the handler, which writes the siginfo's
        /// first 24 bytes and exits 0. Both sides must write the same bytes: si_signo 7 (SIGBUS), si_errno 0, si_code 2
        /// (BUS_ADRERR), si_addr = the first mmap (0x7ffff7ff7000 under norandmaps, below [vvar]/[vdso]) + 4100.
        /// </summary>
        [Test]
        public void SigbusHandlerAgreesWithTheReal61Kernel()
        {
            var (output, rows) = AgreeOn61("sigbus-handler.kdsl");
            Assert.That(rows.Where(r => r[0] == '✗'), Is.Empty, output);
            string siginfo = @"\x07\x00\x00\x00" + @"\x00\x00\x00\x00" + @"\x02\x00\x00\x00\x00\x00\x00\x00" + @"\x04\x80\xff\xf7\xff\x7f\x00\x00";
            Assert.That(rows.Single(r => r.Substring(3).StartsWith("processes")), Does.StartWith("✓  processes       caught> " + siginfo));
            // the SIGBUS its handler caught: the signal_deliver trace event on the real kernel, KDsl's delivery on its side
            Assert.That(output, Does.Contain("caught: caught SIGBUS BUS_ADRERR; exit status=0 signal=0"));
            Assert.That(rows, Does.Contain("✓  expect exit 0 on the real kernel: caught ended with status 0"));
        }

        /// <summary>
        /// The oracle on Debian's 5.10 (bullseye's image and headers, which `kdsl oracle --setup --profile linux-5.10` fetches:
        /// 66 MB, about 25 s): a module whose constant kmalloc calls kmem_cache_alloc_trace through its cache thunk, then a
        /// process past EOF. Explicit: the setup and a 5.10 boot cost about a minute, which CI does not spend
        /// (`dotnet test tests/KDsl.Cli.Tests --filter Name=AModuleAndAProcessAgreeWithTheReal510Kernel` runs it).
        /// </summary>
        [Test, Explicit("fetches and boots Debian's 5.10 kernel: about a minute")]
        public void AModuleAndAProcessAgreeWithTheReal510Kernel()
        {
            var missing = new OracleSetup(KernelProfile.Find("linux-5.10")!).Missing(null);
            if (missing.Count > 0) Assert.Ignore("kdsl oracle --setup --profile linux-5.10 has not run: missing " + string.Join("; ", missing));
            string dir = Path.Combine(Path.GetTempPath(), "kdsl-oracle-510-" + System.Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                string file = Path.Combine(dir, "combo.kdsl");
                File.WriteAllText(file, "module combo \"kmalloc in the module, then a process past EOF\";\nconfig { profile = linux-5.10; }\n" +
                    "init {\n    char *p = kmalloc(64);\n    if (p != 0) printk(\"combo: allocated\\n\");\n    kfree(p);\n}\n" +
                    "process past {\n    int fd = open(\"/tmp/combo\", O_CREAT | O_RDWR | O_TRUNC, 0644);\n    ftruncate(fd, 100);\n" +
                    "    char *m = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);\n    write(1, \"mapped\\n\", 7);\n    m[4096] = 'X';\n    exit(0);\n}\n");
                var (exit, output, error) = CliRunner.Run("oracle", file, "--timeout", "120");
                Assert.That(exit, Is.EqualTo(0), output + error);
                Assert.That(output, Does.Contain("✓  lines           1: combo: allocated"));
                Assert.That(output, Does.Contain("✓  end of run      insmod exit status=0"));
                Assert.That(output, Does.Contain("✓  processes       past> mapped"));
                Assert.That(output, Does.Contain("past: exit status=135 signal=7 si_code=2 si_addr=vma+0x1000"));
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        [Test]
        public void Step5AgreesWithTheReal61Kernel()
        {
            var (_, lines) = AgreeOn61("step5.kdsl");
            var rows = lines.Where(l => !l.Substring(3).StartsWith("expect ")).ToList();
            // and the file's expect block, on the real run: every line met (the oops's RIP is the real kernel's)
            var expects = lines.Except(rows).ToList();
            Assert.That(expects.Take(2), Is.EqualTo(new[]
            {
                "✓  expect printk \"step5 LOADED.\" count 1 on the real kernel: 1 matching lines",
                "✓  expect printk \"finished initialized buf\" count 3 on the real kernel: 3 matching lines",
            }));
            Assert.That(expects.Skip(2).Single(), Does.StartWith("✓  expect oops stack_guard in rstack depth 4 on the real kernel: rstack+0x"));
            Assert.That(rows.Select(r => r.Substring(3).Split("  ")[0]), Is.EqualTo(new[] { "lines", "buffer offsets", "CR2", "RIP", "call trace", "stale entries", "end of run", "processes" }));
            Assert.That(rows, Is.All.StartsWith("✓"));
            // the same bytes fault at the same place: rstack at the same +off/size on both sides (the ✓ above)
            Assert.That(rows.Single(r => r.Substring(3).StartsWith("RIP")), Does.Match(@"^✓  RIP +rstack\+0x[0-9a-f]+/0x[0-9a-f]+ \[module\]"));
        }
    }
}
