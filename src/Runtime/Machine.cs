using System.Collections.Generic;
using KDsl.Image;
using KDsl.Runtime.Kernel;

namespace KDsl.Runtime
{
    /// <summary>How a run ended.</summary>
    public enum RunOutcome
    {
        /// <summary>insmod returned: init ran to the end.</summary>
        Completed,
        /// <summary>An oops killed the task; the system would go on.</summary>
        Oops,
        /// <summary>The kernel panicked (a stack overflow's #DF always ends here).</summary>
        Panic,
        /// <summary>A fault while delivering #DF: the machine reset.</summary>
        TripleFault,
        /// <summary>The watchdog found the CPU stuck (the instruction budget ran out).</summary>
        SoftLockup,
        /// <summary>load_module refused the module (an unknown symbol, no memory).</summary>
        LoadFailed,
    }

    /// <summary>What one experiment run produced: the dmesg text and the facts tests check.</summary>
    public sealed class RunResult
    {
        public RunResult(RunOutcome outcome, IReadOnlyList<string> log, OopsFacts? oops, long? initReturn, long instructions)
        {
            Outcome = outcome;
            Log = log;
            Oops = oops;
            InitReturn = initReturn;
            Instructions = instructions;
        }

        public RunOutcome Outcome { get; }
        /// <summary>dmesg lines with their timestamps, e.g. "[    1.001234] step5 LOADED.".</summary>
        public IReadOnlyList<string> Log { get; }
        public string Dmesg => string.Join("\n", Log) + "\n";
        /// <summary>The first oops' facts, or null when nothing oopsed.</summary>
        public OopsFacts? Oops { get; }
        /// <summary>init's return value when insmod returned.</summary>
        public long? InitReturn { get; }
        /// <summary>Guest instructions retired.</summary>
        public long Instructions { get; }
    }

    /// <summary>Boots an emulated machine for one experiment, loads the module with insmod and runs it.</summary>
    public static class Machine
    {
        /// <param name="image">The compiled experiment.</param>
        /// <param name="config">Settings to run with instead of the image's own (a scenario, the CLI's --set), or null.</param>
        public static RunResult Run(ModuleImage image, ExperimentConfig? config = null)
        {
            using var kernel = LinuxKernel.Boot(config ?? image.Config);
            kernel.Insmod(image);
            return new RunResult(kernel.Outcome, kernel.Log.Lines, kernel.Oops, kernel.InitReturn, kernel.Cpu.InstructionCount);
        }
    }
}
