using System;
using System.Globalization;

namespace KDsl.Runtime.Tests.Fuzz
{
    /// <summary>The long campaigns' settings from the environment (tests/fuzz-long.sh): sizes, seeds and the time cap.</summary>
    internal static class LongRunSettings
    {
        /// <summary>The integer in environment variable <paramref name="name"/>, or <paramref name="fallback"/>.</summary>
        public static int Int(string name, int fallback) =>
            int.TryParse(Environment.GetEnvironmentVariable(name), out int value) ? value : fallback;

        /// <summary>
        /// KDSL_FUZZ_MINUTES (default 120): a campaign stops early when the time is up (the machine's CPU is shared) and
        /// reports the inputs it tried.
        /// </summary>
        public static TimeSpan TimeCap() =>
            TimeSpan.FromMinutes(double.TryParse(Environment.GetEnvironmentVariable("KDSL_FUZZ_MINUTES"), NumberStyles.Float,
                CultureInfo.InvariantCulture, out double minutes) ? minutes : 120);
    }
}
