using System;
using System.Collections.Generic;

namespace KDsl.Cli
{
    /// <summary>The `--set key=value` options, as the compiler's config overrides.</summary>
    internal static class Settings
    {
        public static bool TryParse(string[]? pairs, out Dictionary<string, string> settings, out string? error)
        {
            settings = new Dictionary<string, string>(StringComparer.Ordinal);
            error = null;
            foreach (var pair in pairs ?? Array.Empty<string>())
            {
                int eq = pair.IndexOf('=');
                if (eq <= 0)
                {
                    error = $"--set expects key=value, got '{pair}'";
                    return false;
                }
                settings[pair.Substring(0, eq).Trim()] = pair.Substring(eq + 1).Trim();
            }
            return true;
        }
    }
}
