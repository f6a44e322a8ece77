using System;

namespace KDsl.Image
{
    /// <summary>
    /// The settings of one experiment run: from the file's `config` block, then overridden by the CLI's --set.
    /// Plain data shared by compiler (code shape depends on the profile) and runtime (stack size, layout).
    /// </summary>
    public sealed class ExperimentConfig : IEquatable<ExperimentConfig>
    {
        /// <summary>The kernel profile a file without `profile =` runs on.</summary>
        public const string DefaultProfile = "linux-6.1";

        /// <summary>Settings; each argument is the property of the same name.</summary>
        public ExperimentConfig(string profile = DefaultProfile, int threadSize = 16384, bool vmapStack = true, bool hashPointers = false,
            bool panicOnOops = false, bool stackCache = true, bool schedStackEndCheck = false, bool threadInfoOnStack = false, bool debugSg = false,
            ulong memorySize = 0)
        {
            Profile = profile;
            ThreadSize = threadSize;
            VmapStack = vmapStack;
            HashPointers = hashPointers;
            PanicOnOops = panicOnOops;
            StackCache = stackCache;
            SchedStackEndCheck = schedStackEndCheck;
            ThreadInfoOnStack = threadInfoOnStack;
            DebugSg = debugSg;
            MemorySize = memorySize;
        }

        /// <summary>Kernel profile name: linux-4.11, linux-5.10 or linux-6.1.</summary>
        public string Profile { get; }
        /// <summary>THREAD_SIZE in bytes: 8192, 16384 or 32768 (KASAN's doubled 16 KiB).</summary>
        public int ThreadSize { get; }
        /// <summary>CONFIG_VMAP_STACK: stacks from vmalloc with a guard page; off: physically contiguous pages in the direct map.</summary>
        public bool VmapStack { get; }
        /// <summary>%p prints a hash (4.15+ behaviour) instead of the raw address, as without no_hash_pointers.</summary>
        public bool HashPointers { get; }
        /// <summary>kernel.panic_on_oops (oops=panic): oops_end panics with "Fatal exception" instead of killing the task.</summary>
        public bool PanicOnOops { get; }
        /// <summary>The per-CPU cache of NR_CACHED_STACKS (2) vmalloc'd stacks in kernel/fork.c; off: every fork calls vmalloc.</summary>
        public bool StackCache { get; }
        /// <summary>CONFIG_SCHED_STACK_END_CHECK: schedule() panics when the task's STACK_END_MAGIC was overwritten.</summary>
        public bool SchedStackEndCheck { get; }
        /// <summary>thread_info at the bottom of the stack, as before CONFIG_THREAD_INFO_IN_TASK (x86 until 4.9).</summary>
        public bool ThreadInfoOnStack { get; }
        /// <summary>CONFIG_DEBUG_SG: sg_set_buf BUG()s on a buffer that is not in the direct map (virt_addr_valid).</summary>
        public bool DebugSg { get; }
        /// <summary>Guest RAM in bytes (`mem = 16M`), a multiple of 2 MiB; 0 = the machine's default (64 MiB).</summary>
        public ulong MemorySize { get; }

        /// <summary>These settings with the given ones replaced (null keeps a setting).</summary>
        public ExperimentConfig With(string? profile = null, int? threadSize = null, bool? vmapStack = null, bool? hashPointers = null,
            bool? panicOnOops = null, bool? stackCache = null, bool? schedStackEndCheck = null, bool? threadInfoOnStack = null, bool? debugSg = null, ulong? memorySize = null) =>
            new ExperimentConfig(profile ?? Profile, threadSize ?? ThreadSize, vmapStack ?? VmapStack, hashPointers ?? HashPointers,
                panicOnOops ?? PanicOnOops, stackCache ?? StackCache, schedStackEndCheck ?? SchedStackEndCheck,
                threadInfoOnStack ?? ThreadInfoOnStack, debugSg ?? DebugSg, memorySize ?? MemorySize);

        /// <inheritdoc/>
        public bool Equals(ExperimentConfig? other) =>
            other is not null && Profile == other.Profile && ThreadSize == other.ThreadSize && VmapStack == other.VmapStack &&
            HashPointers == other.HashPointers && PanicOnOops == other.PanicOnOops && StackCache == other.StackCache &&
            SchedStackEndCheck == other.SchedStackEndCheck && ThreadInfoOnStack == other.ThreadInfoOnStack && DebugSg == other.DebugSg &&
            MemorySize == other.MemorySize;
        /// <inheritdoc/>
        public override bool Equals(object? obj) => Equals(obj as ExperimentConfig);
        /// <inheritdoc/>
        public override int GetHashCode() => (Profile.GetHashCode() * 397) ^ ThreadSize ^ (VmapStack ? 1 : 0) ^ (HashPointers ? 2 : 0) ^
            (PanicOnOops ? 4 : 0) ^ (StackCache ? 8 : 0) ^ (SchedStackEndCheck ? 16 : 0) ^ (ThreadInfoOnStack ? 32 : 0) ^ (DebugSg ? 64 : 0) ^ MemorySize.GetHashCode();

        /// <summary>The settings as `kdsl run` prints them: "profile=linux-6.1 thread_size=16384 vmap_stack=on".</summary>
        public override string ToString() =>
            $"profile={Profile} thread_size={ThreadSize} vmap_stack={OnOff(VmapStack)}" + (PanicOnOops ? " panic_on_oops=on" : "") +
            (StackCache ? "" : " stack_cache=off") + (SchedStackEndCheck ? " sched_stack_end_check=on" : "") +
            (ThreadInfoOnStack ? " thread_info=stack" : "") + (DebugSg ? " debug_sg=on" : "") +
            (MemorySize == 0 ? "" : $" mem={MemorySize >> 20}M");

        private static string OnOff(bool value) => value ? "on" : "off";
    }
}
