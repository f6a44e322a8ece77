using KDsl.Profiles;

namespace KDsl.Runtime.Kernel.Printk
{
    /// <summary>
    /// The per-boot state vsnprintf's pointer formats depend on: the symbol table, whether %p is hashed
    /// (profile and the no_hash_pointers boot option), the hash key once the CRNG is ready, and the NULL handling
    /// of the profile's vsprintf.c.
    /// </summary>
    public sealed class VsprintfConfig
    {
        /// <summary>Symbol table for %pS/%ps/%pB; null prints every such pointer as raw "0x…" hex.</summary>
        public IKallsyms? Kallsyms { get; init; }

        /// <summary>%p / %pK print a hash instead of the address (4.15+ unless no_hash_pointers).</summary>
        public bool HashPointers { get; init; }

        /// <summary>ptr_key; null until the CRNG is ready, when hashed %p prints "(____ptrval____)".</summary>
        public PtrHashKey? PtrKey { get; init; }

        /// <summary>See <see cref="KernelProfile.LegacyNullPointerStrings"/>.</summary>
        public bool LegacyNullPointerStrings { get; init; }

        /// <summary>kernel.kptr_restrict: 0 prints %pK like %p; any other value prints zeros (as for an unprivileged reader).</summary>
        public int KptrRestrict { get; init; }

        /// <summary>Raw pointers, no symbols, modern NULL handling: a neutral default for tests and early code.</summary>
        public static VsprintfConfig Default { get; } = new VsprintfConfig();

        /// <summary>The configuration a profile's kernel boots with.</summary>
        public static VsprintfConfig For(KernelProfile profile, IKallsyms? kallsyms, PtrHashKey? ptrKey, bool noHashPointers = false) =>
            new VsprintfConfig
            {
                Kallsyms = kallsyms,
                HashPointers = profile.HashesPointers && !noHashPointers,
                PtrKey = ptrKey,
                LegacyNullPointerStrings = profile.LegacyNullPointerStrings,
            };
    }
}
