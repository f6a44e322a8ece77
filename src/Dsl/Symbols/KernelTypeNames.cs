using System.Collections.Generic;

namespace KDsl.Symbols
{
    /// <summary>
    /// The typedef names kernel C uses for integers, predefined in every file with the types they have on x86-64
    /// (include/uapi/asm-generic/int-ll64.h, include/linux/types.h, include/uapi/asm-generic/posix_types.h).
    /// </summary>
    public static class KernelTypeNames
    {
        private static readonly Dictionary<string, TypeSymbol> Types = new Dictionary<string, TypeSymbol>
        {
            ["u8"] = TypeSymbol.UChar, ["u16"] = TypeSymbol.UShort, ["u32"] = TypeSymbol.UInt, ["u64"] = TypeSymbol.ULong,
            ["s8"] = TypeSymbol.Char, ["s16"] = TypeSymbol.Short, ["s32"] = TypeSymbol.Int, ["s64"] = TypeSymbol.Long,
            ["__u8"] = TypeSymbol.UChar, ["__u16"] = TypeSymbol.UShort, ["__u32"] = TypeSymbol.UInt, ["__u64"] = TypeSymbol.ULong,
            ["__s8"] = TypeSymbol.Char, ["__s16"] = TypeSymbol.Short, ["__s32"] = TypeSymbol.Int, ["__s64"] = TypeSymbol.Long,
            ["uint8_t"] = TypeSymbol.UChar, ["uint16_t"] = TypeSymbol.UShort, ["uint32_t"] = TypeSymbol.UInt, ["uint64_t"] = TypeSymbol.ULong,
            ["int8_t"] = TypeSymbol.Char, ["int16_t"] = TypeSymbol.Short, ["int32_t"] = TypeSymbol.Int, ["int64_t"] = TypeSymbol.Long,
            ["size_t"] = TypeSymbol.ULong, ["ssize_t"] = TypeSymbol.Long, ["uintptr_t"] = TypeSymbol.ULong, ["ptrdiff_t"] = TypeSymbol.Long,
            ["loff_t"] = TypeSymbol.Long, ["pid_t"] = TypeSymbol.Int, ["gfp_t"] = TypeSymbol.UInt, ["umode_t"] = TypeSymbol.UShort,
            ["bool"] = TypeSymbol.Bool, ["_Bool"] = TypeSymbol.Bool,
        };

        public static bool TryGet(string name, out TypeSymbol type) => Types.TryGetValue(name, out type!);

        public static bool Contains(string name) => Types.ContainsKey(name);
    }
}
