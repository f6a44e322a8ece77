using System.Collections.Generic;
using KDsl.Image;

namespace KDsl.Runtime
{
    /// <summary>How a run ended.</summary>
    public enum RunOutcome { Completed, Oops, Panic, TripleFault, CompileError }

    /// <summary>What one experiment run produced: the dmesg text and the facts tests check.</summary>
    public sealed class RunResult
    {
        public RunResult(RunOutcome outcome, IReadOnlyList<string> log)
        {
            Outcome = outcome;
            Log = log;
        }

        public RunOutcome Outcome { get; }
        /// <summary>dmesg lines with their timestamps, e.g. "[    0.001234] step5 LOADED.".</summary>
        public IReadOnlyList<string> Log { get; }
        public string Dmesg => string.Join("\n", Log) + "\n";
    }

    /// <summary>Boots an emulated machine for one experiment, loads the module with insmod and runs it.</summary>
    public static class Machine
    {
        public static RunResult Run(ModuleImage image, ExperimentConfig? config = null)
        {
            // Filled in by the kernel layer.
            return new RunResult(RunOutcome.Completed, new List<string>());
        }
    }
}
