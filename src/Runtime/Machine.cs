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
        /// <summary>insmod had not returned when the run's window ended, its tasks still switching: no lockup, no report (a
        /// real machine would go on, and a harness would time out).</summary>
        StillRunning,
        /// <summary>Memory ran out and the OOM killer killed a process (mm/oom_kill.c); the system went on.</summary>
        OomKilled,
        /// <summary>The CPU halted with interrupts disabled (<c>cli; hlt</c>): nothing wakes it and, with no NMI watchdog
        /// on QEMU's guests, nothing reports it; the machine hangs silently (<see cref="RunResult.HaltedAt"/>).</summary>
        Hung,
        /// <summary>KDsl itself failed (a host exception in the emulated kernel): a bug to report, not the kernel's behaviour
        /// (<see cref="RunResult.InternalError"/>).</summary>
        InternalError,
        /// <summary>
        /// The CPU met a valid x86-64 instruction KDsl does not implement (hand-placed bytes: popcnt, loop, SSE moves...):
        /// the run stops there with "KDsl does not implement MNEMONIC" (<see cref="RunResult.InternalError"/>) rather than
        /// raise an #UD the real CPU would not.
        /// </summary>
        Unimplemented,
    }

    /// <summary>What one experiment run produced: the dmesg text and the facts tests check.</summary>
    public sealed class RunResult
    {
        /// <summary>A result; <see cref="Machine.Run(ModuleImage, ExperimentConfig?)"/> makes them (each argument is the property of the same name).</summary>
        public RunResult(RunOutcome outcome, IReadOnlyList<string> log, OopsFacts? oops, long? initReturn, long instructions,
            long stackHighWater = 0, IReadOnlyList<string>? callChain = null, IReadOnlyList<ProcessResult>? processes = null,
            IReadOnlyList<KeyValuePair<string, long>>? counters = null, IReadOnlyList<TaskStruct>? kernelThreads = null,
            IReadOnlyList<string>? unprinted = null, int insmodSignal = 0)
        {
            InsmodSignal = insmodSignal;
            Unprinted = unprinted ?? System.Array.Empty<string>();
            Counters = counters ?? System.Array.Empty<KeyValuePair<string, long>>();
            KernelThreads = kernelThreads ?? System.Array.Empty<TaskStruct>();
            Processes = processes ?? System.Array.Empty<ProcessResult>();
            Outcome = outcome;
            Log = log;
            Oops = oops;
            InitReturn = initReturn;
            Instructions = instructions;
            StackHighWater = stackHighWater;
            CallChain = callChain ?? System.Array.Empty<string>();
        }

        /// <summary>The deepest use of the task stack in bytes: the lowest RSP the CPU saw (see Kernel/StackUsage.cs).</summary>
        public long StackHighWater { get; }
        /// <summary>What the run cost the kernel, by name (forks, stack_cache_hits, vmalloc_calls, …; see Kernel/KernelCounters.cs).</summary>
        public IReadOnlyList<KeyValuePair<string, long>> Counters { get; }
        /// <summary>The counter of that name (0 when the run has none of that name).</summary>
        public long Counter(string name)
        {
            foreach (var pair in Counters)
                if (pair.Key == name) return pair.Value;
            return 0;
        }
        /// <summary>The kernel threads kthread_run created, in order.</summary>
        public IReadOnlyList<TaskStruct> KernelThreads { get; }
        /// <summary>Each `process` block's result, in the order they ran (empty when the file has none).</summary>
        public IReadOnlyList<ProcessResult> Processes { get; }
        /// <summary>At the oops (or the soft lockup's report): RIP's function, then each caller on the reliable chain (innermost first); empty without either.</summary>
        public IReadOnlyList<string> CallChain { get; }

        /// <summary>How many frames of <paramref name="function"/> the reliable chain held at the oops: the recursion depth reached.</summary>
        public int FrameDepth(string function)
        {
            int depth = 0;
            foreach (var name in CallChain)
                if (name == function) depth++;
            return depth;
        }

        /// <summary>How the run ended.</summary>
        public RunOutcome Outcome { get; }
        /// <summary>dmesg lines with their timestamps, e.g. "[    1.001234] step5 LOADED.".</summary>
        public IReadOnlyList<string> Log { get; }
        /// <summary>The log as `dmesg` prints it: the lines, each ended by a newline.</summary>
        public string Dmesg => string.Join("\n", Log) + "\n";
        /// <summary>
        /// Records the console never printed: logged behind a printk record that was reserved and never committed (the
        /// printk died inside the ringbuffer's reservation). The real kernel is silent from there on.
        /// </summary>
        public IReadOnlyList<string> Unprinted { get; }
        /// <summary>The first oops' facts, or null when nothing oopsed.</summary>
        public OopsFacts? Oops { get; }
        /// <summary>
        /// The soft-lockup watchdog's report (<see cref="RunOutcome.SoftLockup"/>): not an oops, but show_regs() prints the
        /// stuck context's registers, so RIP's function and the call chain are known as an oops' are; null otherwise.
        /// </summary>
        public OopsFacts? SoftLockup { get; init; }
        /// <summary>The signal an oops in init killed insmod with (9 SIGKILL after a page fault, 11 SIGSEGV after die()), or 0.</summary>
        public int InsmodSignal { get; }
        /// <summary>init's return value when insmod returned.</summary>
        public long? InitReturn { get; }
        /// <summary>Guest instructions retired.</summary>
        public long Instructions { get; }
        /// <summary>Where the CPU halted with interrupts disabled (<see cref="RunOutcome.Hung"/>), or 0.</summary>
        public ulong HaltedAt { get; init; }
        /// <summary>What went wrong inside KDsl (<see cref="RunOutcome.InternalError"/>) or what it does not implement
        /// (<see cref="RunOutcome.Unimplemented"/>), or null.</summary>
        public string? InternalError { get; init; }
    }

    /// <summary>Boots an emulated machine for one experiment, loads the module with insmod and runs it.</summary>
    public static class Machine
    {
        /// <summary>Boots a machine, insmods the module, runs it and its processes: the log, the oops facts, the stack's high-water mark.</summary>
        /// <param name="image">The compiled experiment.</param>
        /// <param name="config">Settings to run with instead of the image's own (a scenario, the CLI's --set), or null.</param>
        public static RunResult Run(ModuleImage image, ExperimentConfig? config = null) =>
            Run(image, config, MemorySizeOf(config ?? image?.Config));

        /// <summary>The config's `mem` size, or the machine's default RAM.</summary>
        public static ulong MemorySizeOf(ExperimentConfig? config) =>
            config is { MemorySize: > 0 } ? config.MemorySize : Layout.PhysicalMemorySize;

        /// <summary>As <see cref="Run(ModuleImage, ExperimentConfig?)"/>, with a RAM size of its own.</summary>
        /// <param name="image">The compiled experiment.</param>
        /// <param name="config">Settings to run with instead of the image's own, or null.</param>
        /// <param name="memorySize">Guest RAM in bytes (a multiple of 2 MiB); host memory is only used for frames touched.</param>
        public static RunResult Run(ModuleImage image, ExperimentConfig? config, ulong memorySize) =>
            Run(image, config, memorySize, Layout.InstructionBudget);

        /// <summary>As <see cref="Run(ModuleImage, ExperimentConfig?)"/>, with a RAM size and an instruction budget of its own.</summary>
        /// <param name="image">The compiled experiment.</param>
        /// <param name="config">Settings to run with instead of the image's own, or null.</param>
        /// <param name="memorySize">Guest RAM in bytes (a multiple of 2 MiB, at most <see cref="Layout.MaxPhysicalMemorySize"/>):
        /// it bounds the host memory the machine can use, since host frames back only guest frames.</param>
        /// <param name="instructionBudget">Instructions the guest may retire per run before the soft-lockup report.</param>
        public static RunResult Run(ModuleImage image, ExperimentConfig? config, ulong memorySize, long instructionBudget)
        {
            if (image is null) throw new System.ArgumentNullException(nameof(image));
            if (memorySize > Layout.MaxPhysicalMemorySize)
                throw new System.ArgumentOutOfRangeException(nameof(memorySize), $"at most {Layout.MaxPhysicalMemorySize >> 20} MiB of guest RAM per machine");
            if (instructionBudget <= 0) throw new System.ArgumentOutOfRangeException(nameof(instructionBudget));
            using var kernel = LinuxKernel.Boot(config ?? image.Config, memorySize);
            kernel.InstructionBudget = instructionBudget;
            long stackHighWater = 0;
            try
            {
                if (image.HasInit) kernel.Insmod(image);
                // The kernel stack's high-water mark is insmod's (user stacks are not kernel stacks): taken before any process ran.
                stackHighWater = image.HasInit ? kernel.StackHighWater : 0;
                kernel.RunProcesses(image);
            }
            catch (System.Exception e) when (e is not System.OutOfMemoryException)
            {
                // The boundary: guest behaviour must end in a kernel report, so a host exception from the emulated kernel
                // is KDsl's bug. The run ends there with what it had logged, and says so instead of taking the host down.
                kernel.InternalError(e);
            }
            return new RunResult(kernel.Outcome, kernel.Log.Lines, kernel.Oops, kernel.InitReturn, kernel.Cpu.InstructionCount,
                stackHighWater, (kernel.Oops ?? kernel.SoftLockupFacts)?.CallChain, kernel.Processes, kernel.Counters.Named(kernel.Mmu.Stats, kernel.Profile.DirectMapBase, kernel.Profile.VmallocBase), kernel.KernelThreads,
                kernel.Log.Unprinted, kernel.InsmodSignal) { HaltedAt = kernel.HaltedAt, InternalError = kernel.InternalErrorText, SoftLockup = kernel.SoftLockupFacts };
        }
    }
}
