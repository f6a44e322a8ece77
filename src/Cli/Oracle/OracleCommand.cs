using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using KDsl.Image;
using KDsl.Profiles;
using KDsl.Runtime;
using KDsl.Runtime.RealKernel;

namespace KDsl.Cli.Oracle
{
    /// <summary>
    /// `kdsl oracle FILE|DIR [--scenario NAME|all] [--profile P] [--setup]`: builds the experiment's module with `kdsl ko`,
    /// boots the profile's real Debian kernel under QEMU with it in the initramfs, and compares the real console with
    /// KDsl's emulated run field by field (<see cref="LogComparison"/>, the replay tests' fields; the module's own
    /// frames with their offsets, since both ran the same bytes). Exit 0 when every field agrees, 1 when one differs
    /// or a boot failed, 2 on bad input or a missing tool (then `--setup` says what it installs). Given a directory, it
    /// checks each of its .kdsl files in turn and ends with <see cref="OracleTable"/>'s summary.
    /// </summary>
    internal static class OracleCommand
    {
        public static Command Create()
        {
            var file = new Argument<FileInfo?>("file") { Description = "The .kdsl experiment, or a directory: every .kdsl in it, then a table of the results", Arity = ArgumentArity.ZeroOrOne };
            var scenario = new Option<string?>("--scenario") { Description = "The scenario to check, or 'all' (default: the file's default settings)" };
            var profile = new Option<string?>("--profile") { Description = "linux-6.1 or linux-5.10 (default: the experiment's profile)" };
            var setup = new Option<bool>("--setup") { Description = "Install or fetch what the oracle needs (qemu, busybox, kmod, the kernel's image and headers), say what was done, and exit" };
            var headers = new Option<string?>("--headers") { Description = "The kernel build tree to use instead of the profile's headers package" };
            var idle = new Option<int>("--timeout") { Description = "Seconds of console silence after which the real run counts as hung (its registers are printed)", DefaultValueFactory = _ => 60 };
            var set = new Option<string[]>("--set") { Description = "Override a config setting or a constant, e.g. --set BUF=2048" };
            var command = new Command("oracle", "Run an experiment on the real Linux kernel under QEMU and compare it with KDsl's run, field by field")
                { file, scenario, profile, setup, headers, idle, set };
            command.SetAction(parse =>
            {
                string? p = parse.GetValue(profile);
                if (parse.GetValue(setup))
                {
                    var kp = KernelProfile.Find(p ?? ExperimentConfig.DefaultProfile);
                    if (kp is null)
                    {
                        Console.Error.WriteLine($"kdsl: unknown profile '{p}'");
                        return 2;
                    }
                    return new OracleSetup(kp).Run(Console.Out) ? 0 : 1;
                }
                var f = parse.GetValue(file);
                if (f is null)
                {
                    Console.Error.WriteLine("kdsl oracle: give a .kdsl file (or --setup)");
                    return 2;
                }
                if (!Settings.TryParse(parse.GetValue(set), out var settings, out string? error))
                {
                    Console.Error.WriteLine($"kdsl: {error}");
                    return 2;
                }
                if (p is not null) settings["profile"] = p;
                string? only = parse.GetValue(scenario);
                var timeout = TimeSpan.FromSeconds(parse.GetValue(idle));
                var outcomes = new List<OracleOutcome>();
                if (Directory.Exists(f.FullName))
                {
                    // every experiment of the directory, one boot at a time, then the table
                    var elapsed = Stopwatch.StartNew();
                    int worst = 0;
                    foreach (var experiment in OracleTable.Experiments(new DirectoryInfo(f.FullName)))
                        worst = Math.Max(worst, CheckFile(experiment, settings, only, p, parse.GetValue(headers), timeout, outcomes, inDirectory: true));
                    Console.Out.WriteLine();
                    Console.Out.Write(OracleTable.Render(outcomes, elapsed.Elapsed));
                    return worst;
                }
                return CheckFile(f, settings, only, p, parse.GetValue(headers), timeout, outcomes, inDirectory: false);
            });
            return command;
        }

        /// <summary>The scenarios <paramref name="only"/> names of one file, each checked; the worst exit code.</summary>
        private static int CheckFile(FileInfo f, Dictionary<string, string> settings, string? only, string? profile, string? headers,
            TimeSpan idle, List<OracleOutcome> outcomes, bool inDirectory)
        {
            if (!Compilation.TryCompile(f, settings, out CompileResult? compiled, showInfo: false))
            {
                outcomes.Add(OracleOutcome.Failed(f.Name, only ?? "default", profile ?? "", "does not compile", 0));
                return 2;
            }
            var scenarios = only is null ? compiled!.Scenarios.Take(1).ToList()
                : only == "all" ? compiled!.Scenarios.ToList()
                : compiled!.Scenarios.Where(s => s.Name == only).ToList();
            if (scenarios.Count == 0)
            {
                // in a directory, a file without the scenario asked for is not checked, and not a failure
                if (inDirectory) return 0;
                Compilation.ReportNoScenario(f, only!, compiled.Scenarios);
                return 2;
            }
            int worst = 0;
            foreach (var s in scenarios)
            {
                if (profile is not null && s.Image!.Config.Profile != profile)
                {
                    Console.Out.WriteLine($"== {f.Name} [{s.Name}]: skipped, the scenario sets profile {s.Image.Config.Profile}");
                    continue;
                }
                var (exit, outcome) = Check(f, s.Name, s.Image!, headers, idle);
                outcomes.Add(outcome);
                worst = Math.Max(worst, exit);
            }
            return worst;
        }

        /// <summary>
        /// The kernel command line KDsl's default layout corresponds to, with the experiment's settings. With processes,
        /// norandmaps too: KDsl's user address space is the unrandomized one (mmap_base 0x7ffff7fff000 below the stack's
        /// gap), so a real si_addr compares with KDsl's as it is.
        /// </summary>
        internal static string CommandLine(KernelProfile profile, ExperimentConfig config, bool processes = false)
        {
            var words = new List<string> { "console=ttyS0,115200", "loglevel=8", "panic=0", "rdinit=/init" };
            if (!config.HashPointers) words.Add("no_hash_pointers");
            if (profile.Name != "linux-5.10") words.Add("randomize_kstack_offset=off"); // 5.13 and later have it
            words.Add("nokaslr");
            if (processes) words.Add("norandmaps");
            if (config.PanicOnOops) words.Add("oops=panic");
            return string.Join(" ", words);
        }

        /// <summary>Why the real kernel cannot run the experiment as configured (a Debian config KDsl can change), or null.</summary>
        internal static string? NotOnRealKernel(ModuleImage image)
        {
            var c = image.Config;
            // Debian's 6.1 and 5.10 configs: THREAD_SIZE 16K, VMAP_STACK=y, THREAD_INFO_IN_TASK=y, DEBUG_SG off; the stack
            // cache is always on; QEMU gives the guest 512 MiB (the real kernel does not boot in KDsl's small machines)
            if (c.ThreadSize != 16384) return $"thread_size = {c.ThreadSize}: Debian's kernels have 16K stacks";
            if (!c.VmapStack) return "vmap_stack = off: Debian's kernels have CONFIG_VMAP_STACK=y";
            if (c.ThreadInfoOnStack) return "thread_info = stack: x86 has had thread_info in task_struct since 4.9";
            if (c.DebugSg) return "debug_sg = on: Debian's kernels have CONFIG_DEBUG_SG off";
            if (!c.StackCache) return "stack_cache = off: the real kernel's per-CPU stack cache cannot be turned off";
            if (c.MemorySize != 0) return $"mem = {c.MemorySize >> 20}M: the real kernel boots with 512 MiB under QEMU";
            return null;
        }

        private static (int Exit, OracleOutcome Outcome) Check(FileInfo file, string scenarioName, ModuleImage image, string? headers, TimeSpan idle)
        {
            var profile = KernelProfile.Find(image.Config.Profile)!;
            string title = $"{file.Name} [{scenarioName}, {profile.Name}]";
            Console.Out.WriteLine($"== {title}");
            (int, OracleOutcome) NotRun(string why)
            {
                Console.Out.WriteLine($"   not run on the real kernel: {why}");
                return (0, OracleOutcome.NotRun(file.Name, scenarioName, profile.Name, why));
            }
            if (NotOnRealKernel(image) is string reason) return NotRun(reason);
            if (!KernelBuild.HasPackages(profile))
                return NotRun($"profile {profile.Name} has no Debian kernel kdsl can boot (linux-6.1 and linux-5.10 have)");
            // the module, unless the processes are the whole experiment
            string? error = null;
            ModuleAssembly? module = null;
            if (image.HasInit || image.ProcessNames.Count == 0)
            {
                module = ModuleAssembly.Create(image, out error);
                if (module is null) return NotRun(error!);
            }
            var run = Machine.Run(image);
            var setup = new OracleSetup(profile);
            var missing = setup.Missing(headers);
            if (missing.Count > 0)
            {
                Console.Error.WriteLine($"kdsl oracle: missing {string.Join("; ", missing)}. Run `kdsl oracle --setup --profile {profile.Name}`.");
                return (2, OracleOutcome.Failed(file.Name, scenarioName, profile.Name, "missing " + string.Join("; ", missing), 0));
            }
            var total = Stopwatch.StartNew();
            var progress = new Progress(title);

            progress.Phase("build");
            var build = KernelBuild.Find(profile, headers, out error)!;
            var programs = image.ProcessNames.Select(n => UserElf.Create(UserProgram.Create(image, n), image)).ToList();
            string key = Initramfs.Hash((module is null ? "" : module.Kbuild + module.Assembly + module.Glue) + build.Headers +
                string.Concat(programs.Select(p => Initramfs.Hash(Convert.ToBase64String(p)))));
            string dir = Path.Combine(KernelBuild.CacheRoot, "ko", key);
            string? ko = module is null ? null : Path.Combine(dir, module.Name + ".ko");
            bool cached = ko is null || File.Exists(ko);
            (int, OracleOutcome) Failed(string why)
            {
                Fail(progress, why);
                return (1, OracleOutcome.Failed(file.Name, scenarioName, profile.Name, why, total.Elapsed.TotalSeconds));
            }
            if (!cached && KoCommand.Build(image, dir, headers, out error) is null) return Failed(error!);
            var executables = image.ProcessNames.Zip(KoCommand.WriteExecutables(image, dir)).ToList();
            string basePath = Initramfs.Base(out error);
            if (error is not null) return Failed(error);
            string initrd = Path.Combine(dir, "initrd.cpio");
            File.WriteAllBytes(initrd, Initramfs.ForRun(basePath, image.Name, ko, executables, profile.InsmodPid));
            string buildNote = $"{total.Elapsed.TotalSeconds:0.0} s " + (module is null ? "(exe)" : cached ? "(cached)" : "(built)");
            progress.Note(module is null ? "executables" : cached ? "cached" : "built");

            progress.Phase("boot");
            string cmdline = CommandLine(profile, image.Config, image.ProcessNames.Count > 0);
            string logPath = Path.Combine(dir, $"{scenarioName}.console.log");
            bool loading = false;
            var boot = QemuBoot.Run(setup.KernelImage, initrd, cmdline, logPath, idle, TimeSpan.FromMinutes(5), line =>
            {
                if (!loading && line.Contains("ORACLE: running"))
                {
                    loading = true;
                    progress.Phase("load");
                }
            });
            if (boot.Error is not null) return Failed(boot.Error);
            if (boot.End == BootEnd.Hang) progress.Note("hung");

            progress.Phase("compare");
            var kdsl = KernelLogFields.Parse(LogComparison.HarnessLog(run, image.HasInit));
            var real = KernelLogFields.Parse(boot.Console);
            progress.End();

            var fields = PrintComparison(real, kdsl, run);
            bool agree = !fields.Contains("✗") && run.InternalError is null;
            var lines = boot.Console.Replace("\r", "").Split('\n');
            var expects = new List<string>();
            foreach (var x in RealExpectations.Check(image.Expectations, lines, real))
            {
                string verdict = x.Met is null ? "-" : x.Met.Value ? "✓" : "✗";
                expects.Add(verdict);
                Console.Out.WriteLine($"{verdict,-3}expect {x.Expectation} on the real kernel: {x.Actual}");
                if (x.Met == false) agree = false;
            }
            if (boot.End == BootEnd.Hang)
                Console.Out.WriteLine($"   the real run hung (no console output for {idle.TotalSeconds:0} s); vCPU registers:\n" + Indent(boot.Registers ?? "(none)"));
            Console.Out.WriteLine($"   real console: {logPath}; cmdline: {cmdline}; {total.Elapsed.TotalSeconds:0.0} s");
            Console.Out.WriteLine(agree ? "   agree" : "   DIFFER (✗ rows)");
            var outcome = new OracleOutcome(file.Name, scenarioName, profile.Name, agree ? OracleVerdict.Agree : OracleVerdict.Differ,
                boot.End == BootEnd.Hang ? "the real run hung" : "", fields, expects, buildNote, total.Elapsed.TotalSeconds);
            return (agree ? 0 : 1, outcome);
        }

        /// <summary>The side-by-side table; each field's verdict (✓, ✗ or -), in <see cref="LogComparison.Fields"/>' order.</summary>
        private static List<string> PrintComparison(KernelLogFields real, KernelLogFields kdsl, RunResult run)
        {
            var rows = LogComparison.Fields.Select(field => (Field: field,
                Real: LogComparison.Field(real, field, sameBytes: true), Kdsl: LogComparison.Field(kdsl, field, sameBytes: true))).ToList();
            int w1 = Math.Max(14, rows.Max(r => r.Field.Length)), w2 = Math.Min(60, Math.Max(11, rows.Max(r => (r.Real?.Display ?? "n/a").Length)));
            var sb = new StringBuilder();
            sb.Append("   ").Append("field".PadRight(w1)).Append("  ").Append("real kernel".PadRight(w2)).Append("  KDsl\n");
            var verdicts = new List<string>();
            foreach (var (field, r, k) in rows)
            {
                string verdict = LogComparison.Verdict(r, k);
                verdicts.Add(verdict);
                var left = Wrap(r?.Display ?? "n/a (not in the log)", w2);
                var right = Wrap(k?.Display ?? "n/a", 60);
                for (int i = 0; i < Math.Max(left.Count, right.Count); i++)
                {
                    sb.Append(i == 0 ? verdict.PadRight(3) : "   ").Append((i == 0 ? field : "").PadRight(w1)).Append("  ")
                      .Append((i < left.Count ? left[i] : "").PadRight(w2)).Append("  ").Append(i < right.Count ? right[i] : "").Append('\n');
                }
            }
            if (run.InternalError is { } internalError) sb.Append($"   KDsl's run ended in an internal error: {internalError}\n");
            Console.Out.Write(sb.ToString());
            return verdicts;
        }

        private static List<string> Wrap(string text, int width)
        {
            var lines = new List<string>();
            foreach (var part in text.Split("; "))
            {
                string piece = lines.Count == 0 || lines[^1].Length + part.Length + 2 > width ? part : null!;
                if (piece is null) lines[^1] += "; " + part;
                else lines.Add(part);
            }
            return lines;
        }

        private static string Indent(string text) => string.Join("\n", text.Split('\n').Select(l => "     " + l));

        private static void Fail(Progress progress, string error)
        {
            progress.End();
            Console.Error.WriteLine($"kdsl oracle: {error}");
        }

        /// <summary>The phase line on stderr: "oracle FILE [...]: build 6.2 s (built), boot 8.1 s, load 14.9 s, compare 0.3 s".</summary>
        private sealed class Progress
        {
            private readonly Stopwatch _phase = new Stopwatch();
            private string? _note;

            public Progress(string title) => Console.Error.Write($"oracle {title}:");

            /// <summary>Closes the running phase (its time, and a note such as "cached") and starts <paramref name="name"/>.</summary>
            public void Phase(string name)
            {
                Close();
                Console.Error.Write($" {name}");
                _phase.Restart();
            }

            public void Note(string note) => _note = note;

            public void End()
            {
                Close();
                Console.Error.WriteLine();
            }

            private void Close()
            {
                if (!_phase.IsRunning) return;
                Console.Error.Write($" {_phase.Elapsed.TotalSeconds:0.0} s" + (_note is null ? "," : $" ({_note}),"));
                _phase.Reset();
                _note = null;
            }
        }
    }
}
