using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;
using KDsl.Image;
using KDsl.Runtime;
using KDsl.Runtime.Cpu;

namespace KDsl.Cli
{
    /// <summary>
    /// `kdsl bench [--dir DIR] [--repeat N] [--only W1] [--native]`: runs the guest workloads under bench/workloads
    /// (w1-*.kdsl ... w4-*.kdsl) as module init code on the booted machine (paging, vmalloc'd stack with its guard
    /// page), each on a fresh machine with 256 MiB of sparse RAM, and prints one line per workload:
    /// <c>W1 &lt;name&gt; &lt;instructions&gt; &lt;seconds&gt; &lt;MIPS&gt; MIPS</c>: guest instructions retired, the best
    /// process CPU time of N runs (boot and insmod included) and their quotient. With --native each line goes on
    /// with the same code run natively (`build --emit-bin` blob, bench/native/loader.c built with gcc):
    /// <c>native &lt;seconds&gt; &lt;MIPS&gt; MIPS &lt;ratio&gt;x</c>.
    /// </summary>
    internal static class BenchCommand
    {
        private const ulong MemorySize = 256UL << 20;

        public static Command Create()
        {
            var dir = new Option<DirectoryInfo?>("--dir") { Description = "The workload directory (default: bench/workloads above the working directory, else the ones the tool ships)" };
            var repeat = new Option<int>("--repeat") { Description = "Timed runs per workload (the best is reported)", DefaultValueFactory = _ => 3 };
            var only = new Option<string?>("--only") { Description = "Run one workload, e.g. W2" };
            var native = new Option<bool>("--native") { Description = "Also run each workload's entry natively (needs gcc) and print the ratio" };
            var command = new Command("bench", "Measure the emulator: guest MIPS of the W1-W4 workloads") { dir, repeat, only, native };
            command.SetAction(parse => Bench(parse.GetValue(dir), Math.Max(1, parse.GetValue(repeat)), parse.GetValue(only), parse.GetValue(native)));
            return command;
        }

        private static int Bench(DirectoryInfo? dir, int repeat, string? only, bool native)
        {
            string? directory = dir?.FullName ?? FindWorkloads();
            if (directory is null || !Directory.Exists(directory))
            {
                Console.Error.WriteLine("kdsl: no bench/workloads directory found (give --dir)");
                return 2;
            }
            string? loader = null;
            if (native && (loader = BuildLoader(directory, out string? why)) is null)
            {
                Console.Error.WriteLine($"kdsl: native comparison unavailable: {why}");
                native = false;
            }

            var files = new List<string>(Directory.GetFiles(directory, "w*.kdsl"));
            files.Sort(StringComparer.Ordinal);
            int failed = 0;
            foreach (string path in files)
            {
                string stem = Path.GetFileNameWithoutExtension(path);
                int dash = stem.IndexOf('-');
                string id = (dash > 0 ? stem.Substring(0, dash) : stem).ToUpperInvariant();
                string name = dash > 0 ? stem.Substring(dash + 1) : stem;
                if (only is not null && !string.Equals(only, id, StringComparison.OrdinalIgnoreCase)) continue;
                var nativeEntry = BenchNative.Match(File.ReadAllText(path));
                // the native run calls its entry from outside with its own argument: compiled as an exported function
                if (!Compilation.TryCompile(new FileInfo(path), null, out ModuleImage? image,
                        exported: nativeEntry.Success ? new[] { nativeEntry.Groups[1].Value } : null))
                {
                    failed++;
                    continue;
                }

                var result = Machine.Run(image!, null, MemorySize); // warm-up (JIT, kernel text cache)
                var failures = ExpectationCheck.Check(image!.Expectations, result);
                if (failures.Count > 0)
                {
                    Console.Error.WriteLine(ExpectationCheck.Report(path, "default", image.Config, failures));
                    failed++;
                    continue;
                }
                double best = double.MaxValue;
                for (int i = 0; i < repeat; i++)
                {
                    double t0 = CpuSeconds();
                    result = Machine.Run(image, null, MemorySize);
                    best = Math.Min(best, CpuSeconds() - t0);
                }
                long instructions = result.Instructions;
                double mips = instructions / best / 1e6;
                string line = string.Format(CultureInfo.InvariantCulture, "{0} {1} {2} {3:F4} {4:F1} MIPS", id, name, instructions, best, mips);
                if (native) line += NativeColumns(loader!, path, image, instructions, best);
                Console.Out.WriteLine(line);
            }
            return failed == 0 ? 0 : 1;
        }

        private static double CpuSeconds()
        {
            using var p = Process.GetCurrentProcess();
            return p.TotalProcessorTime.TotalSeconds;
        }

        private static readonly Regex BenchNative = new Regex(@"//\s*bench-native:\s*entry=(\w+)\s+arg=(\d+)\s+scratch=(\d+)");

        /// <summary>" native &lt;s&gt; &lt;MIPS&gt; MIPS &lt;ratio&gt;x", from the file's `// bench-native: entry=.. arg=.. scratch=..` line.</summary>
        private static string NativeColumns(string loader, string path, ModuleImage image, long instructions, double emulated)
        {
            var m = BenchNative.Match(File.ReadAllText(path));
            if (!m.Success) return " native n/a (no bench-native line)";
            var blob = FlatBinary.TryCreate(image, m.Groups[1].Value, out string? error);
            if (blob is null) return $" native n/a ({error})";
            string bin = Path.Combine(Path.GetTempPath(), $"kdsl-bench-{Environment.ProcessId}-{m.Groups[1].Value}.bin");
            File.WriteAllBytes(bin, blob.Bytes);
            try
            {
                string output = RunProcess(loader, $"{bin} {m.Groups[2].Value} {m.Groups[3].Value} 5", out int code);
                string[] parts = output.Trim().Split(' ');
                if (code != 0 || parts.Length < 1 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) || seconds <= 0)
                    return $" native failed ({output.Trim()})";
                return string.Format(CultureInfo.InvariantCulture, " native {0:F6} {1:F1} MIPS {2:F1}x", seconds, instructions / seconds / 1e6, emulated / seconds);
            }
            finally
            {
                File.Delete(bin);
            }
        }

        private static string? BuildLoader(string workloads, out string? why)
        {
            why = null;
            string source = Path.GetFullPath(Path.Combine(workloads, "..", "native", "loader.c"));
            if (!File.Exists(source))
            {
                why = $"{source} not found";
                return null;
            }
            if (!OperatingSystem.IsLinux())
            {
                why = "the loader needs Linux on x86-64";
                return null;
            }
            string exe = Path.Combine(Path.GetTempPath(), $"kdsl-loader-{Environment.ProcessId}");
            string output = RunProcess("gcc", $"-O2 -o {exe} {source}", out int code);
            if (code != 0)
            {
                why = "gcc failed: " + output.Trim();
                return null;
            }
            AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(exe);
            return exe;
        }

        private static string RunProcess(string file, string arguments, out int exitCode)
        {
            try
            {
                var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                using var p = Process.Start(info)!;
                string stdout = p.StandardOutput.ReadToEnd();
                string stderr = p.StandardError.ReadToEnd();
                p.WaitForExit();
                exitCode = p.ExitCode;
                return stdout + stderr;
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                exitCode = -1;
                return e.Message;
            }
        }

        private static string? FindWorkloads()
        {
            foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            {
                for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                {
                    string candidate = Path.Combine(d.FullName, "bench", "workloads");
                    if (Directory.Exists(candidate)) return candidate;
                }
            }
            // the installed tool: the copies it was packed with, beside kdsl.dll
            string shipped = Path.Combine(AppContext.BaseDirectory, "workloads");
            return Directory.Exists(shipped) ? shipped : null;
        }
    }
}
