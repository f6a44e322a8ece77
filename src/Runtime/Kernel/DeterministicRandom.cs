namespace KDsl.Runtime.Kernel
{
    /// <summary>SplitMix64: the machine's entropy, seeded, so "random" values (canary, oops ids) repeat exactly run to run.</summary>
    public sealed class DeterministicRandom
    {
        private ulong _state;

        public DeterministicRandom(ulong seed) => _state = seed;

        public ulong Next()
        {
            ulong z = _state += 0x9e3779b97f4a7c15;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
            z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
            return z ^ (z >> 31);
        }
    }
}
