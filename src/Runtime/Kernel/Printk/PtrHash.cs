namespace KDsl.Runtime.Kernel.Printk
{
    /// <summary>The per-boot 128-bit siphash key lib/vsprintf.c fills from the CRNG (ptr_key).</summary>
    public readonly record struct PtrHashKey(ulong K0, ulong K1);

    /// <summary>
    /// %p hashing (lib/vsprintf.c __ptr_to_hashval since 4.15): siphash_1u64(ptr, ptr_key) with the upper 32 bits
    /// masked off, so a hashed pointer prints as 8 zeros then 32 bits of hash. The real key is random per boot; KDsl
    /// passes a deterministic per-boot key, so values are stable per run but never equal the real kernel's.
    /// </summary>
    public static class PtrHash
    {
        public static ulong Hash(ulong pointer, PtrHashKey key) => SipHash1U64(pointer, key) & 0xffffffffUL;

        /// <summary>SipHash-2-4 of one little-endian u64 (lib/siphash.c siphash_1u64).</summary>
        public static ulong SipHash1U64(ulong first, PtrHashKey key)
        {
            ulong v0 = 0x736f6d6570736575UL ^ key.K0;
            ulong v1 = 0x646f72616e646f6dUL ^ key.K1;
            ulong v2 = 0x6c7967656e657261UL ^ key.K0;
            ulong v3 = 0x7465646279746573UL ^ key.K1;
            ulong b = 8UL << 56;

            v3 ^= first;
            SipRound(ref v0, ref v1, ref v2, ref v3);
            SipRound(ref v0, ref v1, ref v2, ref v3);
            v0 ^= first;

            v3 ^= b;
            SipRound(ref v0, ref v1, ref v2, ref v3);
            SipRound(ref v0, ref v1, ref v2, ref v3);
            v0 ^= b;
            v2 ^= 0xff;
            for (int i = 0; i < 4; i++)
                SipRound(ref v0, ref v1, ref v2, ref v3);
            return (v0 ^ v1) ^ (v2 ^ v3);
        }

        private static ulong Rol(ulong x, int n) => (x << n) | (x >> (64 - n));

        private static void SipRound(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
        {
            unchecked
            {
                v0 += v1; v1 = Rol(v1, 13); v1 ^= v0; v0 = Rol(v0, 32);
                v2 += v3; v3 = Rol(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Rol(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Rol(v1, 17); v1 ^= v2; v2 = Rol(v2, 32);
            }
        }
    }
}
