using System.Collections.Generic;
using System.IO;
using BenchmarkDotNet.Attributes;
using KDsl.Image;
using KDsl.Runtime;

namespace KDsl.Bench
{
    /// <summary>The four guest workloads and the step5 experiment end to end (boot, insmod, overflow, oops), each a fresh machine.</summary>
    [MemoryDiagnoser]
    public class EmulatorBenchmarks
    {
        private Dictionary<string, Workload> _workloads = null!;

        [GlobalSetup]
        public void Setup()
        {
            _workloads = new Dictionary<string, Workload>();
            foreach (var w in KDsl.Bench.Workload.LoadAll()) _workloads[w.Id] = w;
        }

        [Params("W1", "W2", "W3", "W4")]
        public string Id { get; set; } = "W1";

        [Benchmark]
        public long Run() => _workloads[Id].Run().Instructions;
    }

    [MemoryDiagnoser]
    public class Step5Benchmarks
    {
        private ModuleImage _step5 = null!;

        [GlobalSetup]
        public void Setup() =>
            _step5 = Workload.CompileFile(Path.Combine(Workload.FindDirectory(), "..", "..", "examples", "step5.kdsl"));

        [Benchmark]
        public long Step5() => Machine.Run(_step5).Instructions;
    }
}
