using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using KDsl.Image;
using KDsl.Runtime;

namespace KDsl.Bench
{
    /// <summary>One guest workload: a .kdsl file under bench/workloads, compiled once, run on a freshly booted machine.</summary>
    public sealed class Workload
    {
        /// <summary>Guest RAM for the workloads: W4 vmallocs 64 MiB (frames are only backed once touched).</summary>
        public const ulong MemorySize = 256UL << 20;

        private Workload(string id, string name, ModuleImage image)
        {
            Id = id;
            Name = name;
            Image = image;
        }

        public string Id { get; }
        public string Name { get; }
        public ModuleImage Image { get; }

        /// <summary>Boots, insmods and runs the workload; throws when it did not end as its expect block says.</summary>
        public RunResult Run()
        {
            var result = Machine.Run(Image, null, MemorySize);
            var failures = ExpectationCheck.Check(Image.Expectations, result);
            if (failures.Count > 0)
                throw new InvalidOperationException($"{Name}: {failures[0].Expected}, but {failures[0].Actual}\n{result.Dmesg}");
            return result;
        }

        /// <summary>Runs once and measures this process's CPU time around it.</summary>
        public (long Instructions, double Seconds) Measure()
        {
            var process = Process.GetCurrentProcess();
            process.Refresh();
            TimeSpan before = process.TotalProcessorTime;
            var result = Run();
            process.Refresh();
            TimeSpan after = process.TotalProcessorTime;
            return (result.Instructions, (after - before).TotalSeconds);
        }

        public static IReadOnlyList<Workload> LoadAll(string? directory = null)
        {
            string dir = directory ?? FindDirectory();
            var list = new List<Workload>();
            foreach (string path in Directory.GetFiles(dir, "w*.kdsl"))
            {
                var compiled = Compiler.Compile(path, File.ReadAllText(path));
                if (compiled.Image is null)
                    throw new InvalidOperationException($"{path}: {string.Join("\n", compiled.Diagnostics)}");
                string file = Path.GetFileNameWithoutExtension(path);
                int dash = file.IndexOf('-');
                list.Add(new Workload(file.Substring(0, dash).ToUpperInvariant(), file.Substring(dash + 1), compiled.Image));
            }
            list.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
            return list;
        }

        /// <summary>bench/workloads, looked for upwards from the working directory and from the binary.</summary>
        public static string FindDirectory()
        {
            foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            {
                for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                {
                    string candidate = Path.Combine(d.FullName, "bench", "workloads");
                    if (Directory.Exists(candidate)) return candidate;
                }
            }
            throw new DirectoryNotFoundException("bench/workloads not found above the working directory");
        }

        public static ModuleImage CompileFile(string path)
        {
            var compiled = Compiler.Compile(path, File.ReadAllText(path));
            return compiled.Image ?? throw new InvalidOperationException($"{path}: {string.Join("\n", compiled.Diagnostics)}");
        }
    }
}
