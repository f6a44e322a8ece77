namespace KDsl.Binding
{
    /// <summary>
    /// The `mem = SIZE;` config value (as the kernel's mem= parameter spells sizes): a number with an optional K, M or G
    /// suffix. The machine maps all of RAM with 2 MiB pages in the direct map, so the size is a multiple of 2 MiB; at
    /// least 8 MiB (the kernel's text, tables and stacks must fit) and at most 4 GiB (the cap on the host memory one
    /// machine may take, Runtime's Layout.MaxPhysicalMemorySize).
    /// </summary>
    internal static class MemorySizeSetting
    {
        public const ulong Min = 8UL << 20, Max = 4UL << 30, Granule = 2UL << 20;
        public const string Expected = "a size from 8M to 4G in whole 2M steps, e.g. 16M (K, M, G suffixes or bytes)";

        public static bool TryParse(string text, out ulong bytes)
        {
            bytes = 0;
            string value = text.Trim();
            if (value.Length == 0) return false;
            int shift = 0;
            switch (char.ToUpperInvariant(value[value.Length - 1]))
            {
                case 'K': shift = 10; break;
                case 'M': shift = 20; break;
                case 'G': shift = 30; break;
            }
            string digits = shift == 0 ? value : value.Substring(0, value.Length - 1);
            if (digits.Length == 0 || digits.Length > 12) return false;
            foreach (char c in digits)
                if (c < '0' || c > '9') return false;
            ulong number = ulong.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);
            if (number > (Max >> shift)) return false;
            bytes = number << shift;
            return bytes >= Min && bytes <= Max && bytes % Granule == 0;
        }
    }
}
