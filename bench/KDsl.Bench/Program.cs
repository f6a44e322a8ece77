using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using BenchmarkDotNet.Running;
using KDsl.Runtime;

namespace KDsl.Bench
{
    /// <summary>
    /// quick [N]: each workload N times (CPU time, MIPS, min/median/max); step5 [N]: the seed experiment end to end
    /// N times (warm time per run, managed and native memory growth); lsp [N]: the language server's diagnostics after
    /// one edit of a 500-line file (LspLatency); bdn: the BenchmarkDotNet suite.
    /// </summary>
    internal static class Program
    {
        private static int Main(string[] args)
        {
            string mode = args.Length > 0 ? args[0] : "quick";
            int n = args.Length > 1 && char.IsDigit(args[1][0]) ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5;
            switch (mode)
            {
                case "quick":
                    Quick(n, args.Length > 2 ? args[2] : null);
                    return 0;
                case "step5":
                    Step5(n);
                    return 0;
                case "boot":
                    Boot(n);
                    return 0;
                case "phases":
                    Phases.Run(n);
                    return 0;
                case "disasm":
                    foreach (var w in Workload.LoadAll())
                    {
                        if (!string.Equals(args[1], w.Id, StringComparison.OrdinalIgnoreCase)) continue;
                        var decoder = Iced.Intel.Decoder.Create(64, new Iced.Intel.ByteArrayCodeReader(w.Image.Text));
                        var formatter = new Iced.Intel.IntelFormatter();
                        var output = new Iced.Intel.StringOutput();
                        while (decoder.IP < (ulong)w.Image.Text.Length)
                        {
                            var ins = decoder.Decode();
                            formatter.Format(ins, output);
                            Console.WriteLine($"{ins.IP:x4} {output.ToStringAndReset()}");
                        }
                    }
                    return 0;
                case "lsp":
                    LspLatency.Run(args.Length > 1 ? n : 200);
                    return 0;
                case "bdn":
                    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[1..]);
                    return 0;
                default:
                    Console.Error.WriteLine("usage: KDsl.Bench [quick N [W1..W4] | step5 N | boot N | phases N | disasm W1 | lsp N | bdn ...]");
                    return 2;
            }
        }

        private static void Quick(int n, string? only)
        {
            foreach (var w in Workload.LoadAll())
            {
                if (only != null && !string.Equals(only, w.Id, StringComparison.OrdinalIgnoreCase)) continue;
                w.Measure(); // warm-up: JIT, kernel text cache
                var mips = new List<double>();
                long instructions = 0;
                double best = double.MaxValue;
                for (int i = 0; i < n; i++)
                {
                    var (ins, s) = w.Measure();
                    instructions = ins;
                    best = Math.Min(best, s);
                    mips.Add(ins / s / 1e6);
                }
                mips.Sort();
                Console.WriteLine($"{w.Id} {w.Name} {instructions} {best:F4} {instructions / best / 1e6:F1} MIPS  (n={n}: min {mips[0]:F1} median {mips[mips.Count / 2]:F1} max {mips[^1]:F1})");
            }
        }

        /// <summary>Boot alone, and boot + insmod of step5, in ms per run (a quick Stopwatch harness).</summary>
        private static void Boot(int n)
        {
            var image = Workload.CompileFile(Path.Combine(Workload.FindDirectory(), "..", "..", "examples", "step5.kdsl"));
            for (int i = 0; i < 50; i++) Machine.Run(image);
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < n; i++)
                using (KDsl.Runtime.Kernel.LinuxKernel.Boot(image.Config)) { }
            double boot = sw.Elapsed.TotalMilliseconds / n;
            sw.Restart();
            for (int i = 0; i < n; i++) Machine.Run(image);
            double run = sw.Elapsed.TotalMilliseconds / n;
            Console.WriteLine($"boot {boot:F3} ms, boot+insmod+run {run:F3} ms (wall, per run, n={n})");
            double insmod = 0, result = 0;
            long decoded = 0;
            for (int i = 0; i < n; i++)
            {
                using var k = KDsl.Runtime.Kernel.LinuxKernel.Boot(image.Config);
                sw.Restart();
                k.Insmod(image);
                insmod += sw.Elapsed.TotalMilliseconds;
                sw.Restart();
                _ = k.StackHighWater;
                result += sw.Elapsed.TotalMilliseconds;
                decoded = k.Cpu.DecodedInstructions;
            }
            Console.WriteLine($"insmod+run {insmod / n:F3} ms, result facts {result / n:F3} ms, {decoded} instructions decoded per run");
            long rss = 0;
            var proc = Process.GetCurrentProcess();
            for (int round = 0; round < 4; round++)
            {
                for (int i = 0; i < 1000; i++) Machine.Run(image);
                GC.Collect();
                proc.Refresh();
                Console.WriteLine($"after {(round + 1) * 1000} more runs: RSS {proc.WorkingSet64 / 1024} KB ({(proc.WorkingSet64 - rss) / 1024:+#;-#;0} KB), managed {GC.GetTotalMemory(false) / 1024} KB");
                rss = proc.WorkingSet64;
            }
        }

        /// <summary>
        /// Runs step5 until the JIT has settled: tiered compilation promotes hot methods on a background thread a while
        /// after they got hot, and that compiling would otherwise be billed to the first measured runs' process CPU time.
        /// </summary>
        internal static void WarmUp(KDsl.Image.ModuleImage image)
        {
            for (int i = 0; i < 500; i++) Machine.Run(image);
            System.Threading.Thread.Sleep(500);
            for (int i = 0; i < 200; i++) Machine.Run(image);
            System.Threading.Thread.Sleep(200);
        }

        private static void Step5(int n)
        {
            string path = Path.Combine(Workload.FindDirectory(), "..", "..", "examples", "step5.kdsl");
            var image = Workload.CompileFile(path);
            WarmUp(image);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var process = Process.GetCurrentProcess();
            process.Refresh();
            long rss0 = process.WorkingSet64;
            long managed0 = GC.GetTotalMemory(true);
            TimeSpan cpu0 = process.TotalProcessorTime;
            double thread0 = Phases.ThreadCpuMs();
            var sw = Stopwatch.StartNew();
            long instructions = 0;
            for (int i = 0; i < n; i++) instructions = Machine.Run(image).Instructions;
            sw.Stop();
            double thread = Phases.ThreadCpuMs() - thread0;
            process.Refresh();
            TimeSpan cpu1 = process.TotalProcessorTime;
            long managed1 = GC.GetTotalMemory(true);
            process.Refresh();
            long rss1 = process.WorkingSet64;
            Console.WriteLine($"step5: {n} runs, {instructions} guest instructions each; wall {sw.Elapsed.TotalMilliseconds / n:F3} ms/run, CPU {(cpu1 - cpu0).TotalMilliseconds / n:F3} ms/run (this thread {thread / n:F3})");
            Console.WriteLine($"step5: managed heap {managed0 / 1024} KB -> {managed1 / 1024} KB, RSS {rss0 / 1024} KB -> {rss1 / 1024} KB");

            // Host memory of one booted machine running step5: RSS and allocations around a single run.
            GC.Collect();
            process.Refresh();
            long before = process.WorkingSet64;
            long allocBefore = GC.GetAllocatedBytesForCurrentThread();
            using (var kernel = KDsl.Runtime.Kernel.LinuxKernel.Boot(image.Config))
            {
                kernel.Insmod(image);
                process.Refresh();
                long during = process.WorkingSet64;
                long alloc = GC.GetAllocatedBytesForCurrentThread() - allocBefore;
                Console.WriteLine($"one machine (step5, booted and run, not yet disposed): RSS +{(during - before) / 1024} KB, managed allocations {alloc / 1024} KB");
            }
        }
    }
}
