using System;

namespace KDsl.Image
{
    /// <summary>
    /// The settings of one experiment run: from the file's `config` block, then overridden by the CLI's --set.
    /// Plain data shared by compiler (code shape depends on the profile) and runtime (stack size, layout).
    /// </summary>
    public sealed class ExperimentConfig : IEquatable<ExperimentConfig>
    {
        public const string DefaultProfile = "linux-6.1";

        public ExperimentConfig(string profile = DefaultProfile, int threadSize = 16384, bool vmapStack = true, bool hashPointers = false, bool panicOnOops = false)
        {
            Profile = profile;
            ThreadSize = threadSize;
            VmapStack = vmapStack;
            HashPointers = hashPointers;
            PanicOnOops = panicOnOops;
        }

        /// <summary>Kernel profile name: linux-4.11, linux-5.10 or linux-6.1.</summary>
        public string Profile { get; }
        /// <summary>THREAD_SIZE in bytes: 8192, 16384 or 32768.</summary>
        public int ThreadSize { get; }
        /// <summary>CONFIG_VMAP_STACK.</summary>
        public bool VmapStack { get; }
        /// <summary>%p prints a hash (4.15+ behaviour) instead of the raw address, as without no_hash_pointers.</summary>
        public bool HashPointers { get; }
        /// <summary>kernel.panic_on_oops (oops=panic): oops_end panics with "Fatal exception" instead of killing the task.</summary>
        public bool PanicOnOops { get; }

        public ExperimentConfig With(string? profile = null, int? threadSize = null, bool? vmapStack = null, bool? hashPointers = null, bool? panicOnOops = null) =>
            new ExperimentConfig(profile ?? Profile, threadSize ?? ThreadSize, vmapStack ?? VmapStack, hashPointers ?? HashPointers,
                panicOnOops ?? PanicOnOops);

        public bool Equals(ExperimentConfig? other) =>
            other is not null && Profile == other.Profile && ThreadSize == other.ThreadSize &&
            VmapStack == other.VmapStack && HashPointers == other.HashPointers && PanicOnOops == other.PanicOnOops;
        public override bool Equals(object? obj) => Equals(obj as ExperimentConfig);
        public override int GetHashCode() => (Profile.GetHashCode() * 397) ^ ThreadSize ^ (VmapStack ? 1 : 0) ^ (HashPointers ? 2 : 0) ^ (PanicOnOops ? 4 : 0);
        public override string ToString() => $"profile={Profile} thread_size={ThreadSize} vmap_stack={(VmapStack ? "on" : "off")}" + (PanicOnOops ? " panic_on_oops=on" : "");
    }
}
