using System;
using System.IO;
using System.Runtime.InteropServices;
using KDsl.Runtime;
using KDsl.Runtime.Kernel;

namespace KDsl.Bench
{
    /// <summary>
    /// `phases N`: step5 end to end split into boot, insmod (the guest run, the oops and the panic) and tear-down, in
    /// CPU time of the running thread (clock_gettime(CLOCK_THREAD_CPUTIME_ID)), so other processes on the shared
    /// machine and the runtime's own threads do not blur the split; plus GCs and managed bytes allocated per run.
    /// </summary>
    internal static class Phases
    {
        [StructLayout(LayoutKind.Sequential)]
        private struct Timespec
        {
            public long Sec;
            public long Nsec;
        }

        private const int ClockThreadCputimeId = 3;

        [DllImport("libc", EntryPoint = "clock_gettime")]
        private static extern int ClockGettime(int clock, out Timespec ts);

        /// <summary>CPU time the calling thread has used, in milliseconds.</summary>
        public static double ThreadCpuMs()
        {
            ClockGettime(ClockThreadCputimeId, out Timespec ts);
            return ts.Sec * 1e3 + ts.Nsec / 1e6;
        }

        public static void Run(int n)
        {
            var image = Workload.CompileFile(Path.Combine(Workload.FindDirectory(), "..", "..", "examples", "step5.kdsl"));
            Program.WarmUp(image);
            GC.Collect();
            int gc0 = GC.CollectionCount(0), gc1 = GC.CollectionCount(1), gc2 = GC.CollectionCount(2);
            long alloc0 = GC.GetAllocatedBytesForCurrentThread();
            double boot = 0, insmod = 0, teardown = 0;
            var process = System.Diagnostics.Process.GetCurrentProcess();
            process.Refresh();
            TimeSpan processCpu0 = process.TotalProcessorTime;
            double start = ThreadCpuMs();
            for (int i = 0; i < n; i++)
            {
                double t0 = ThreadCpuMs();
                var kernel = LinuxKernel.Boot(image.Config);
                double t1 = ThreadCpuMs();
                kernel.Insmod(image);
                double t2 = ThreadCpuMs();
                kernel.Dispose();
                double t3 = ThreadCpuMs();
                boot += t1 - t0;
                insmod += t2 - t1;
                teardown += t3 - t2;
            }
            double total = ThreadCpuMs() - start;
            process.Refresh();
            double processCpu = (process.TotalProcessorTime - processCpu0).TotalMilliseconds;
            long alloc = GC.GetAllocatedBytesForCurrentThread() - alloc0;
            Console.WriteLine($"phases (thread CPU ms/run, n={n}): boot {boot / n:F3}, insmod+run+oops {insmod / n:F3}, dispose {teardown / n:F3}, total {total / n:F3}; whole process {processCpu / n:F3}");
            Console.WriteLine($"per run: {alloc / n / 1024} KB managed allocations; GCs over the {n} runs: gen0 {GC.CollectionCount(0) - gc0}, gen1 {GC.CollectionCount(1) - gc1}, gen2 {GC.CollectionCount(2) - gc2}");
        }
    }
}
