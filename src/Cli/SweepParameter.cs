using System;
using System.Collections.Generic;
using System.Globalization;

namespace KDsl.Cli
{
    /// <summary>
    /// `kdsl sweep`'s `--param NAME=VALUES`: the setting or constant to vary and the values it takes, each passed to
    /// the compiler as `--set NAME=VALUE` would be. VALUES is a range `FROM..TO[:STEP]` of integers (decimal, 0x hex,
    /// or a size with K/M, as `thread_size = 16K` is written), STEP added each time (written STEP or +STEP) or, written `*N`, multiplied by N;
    /// or a comma list `A,B,C` taken as written (profile names, on/off, 8K).
    /// </summary>
    internal sealed class SweepParameter
    {
        /// <summary>More runs than this is almost certainly a typo in the step.</summary>
        public const int MaxValues = 10000;

        private SweepParameter(string name, IReadOnlyList<string> values)
        {
            Name = name;
            Values = values;
        }

        public string Name { get; }
        public IReadOnlyList<string> Values { get; }

        public static bool TryParse(string text, out SweepParameter? parameter, out string? error)
        {
            parameter = null;
            int eq = text.IndexOf('=');
            if (eq <= 0 || eq == text.Length - 1)
            {
                error = $"--param expects NAME=FROM..TO[:STEP] or NAME=A,B,C, got '{text}'";
                return false;
            }
            string name = text.Substring(0, eq).Trim();
            string spec = text.Substring(eq + 1).Trim();
            var values = new List<string>();
            int dots = spec.IndexOf("..", StringComparison.Ordinal);
            if (dots < 0)
            {
                foreach (var v in spec.Split(','))
                {
                    if (v.Trim().Length == 0)
                    {
                        error = $"--param {name}: empty value in '{spec}'";
                        return false;
                    }
                    values.Add(v.Trim());
                }
            }
            else if (!TryRange(name, spec, dots, values, out error)) return false;
            if (values.Count > MaxValues)
            {
                error = $"--param {name}: {values.Count} values, more than {MaxValues}; use a larger step";
                return false;
            }
            parameter = new SweepParameter(name, values);
            error = null;
            return true;
        }

        private static bool TryRange(string name, string spec, int dots, List<string> values, out string? error)
        {
            string rest = spec.Substring(dots + 2);
            string? stepText = null;
            int colon = rest.IndexOf(':');
            if (colon >= 0)
            {
                stepText = rest.Substring(colon + 1).Trim();
                rest = rest.Substring(0, colon);
            }
            bool multiply = stepText is not null && (stepText.StartsWith('*') || stepText.StartsWith('x'));
            if (multiply) stepText = stepText!.Substring(1);
            else if (stepText is not null && stepText.StartsWith('+')) stepText = stepText.Substring(1); // "+STEP": added, as plain STEP
            if (!TryInteger(spec.Substring(0, dots), out long from) || !TryInteger(rest, out long to))
            {
                error = $"--param {name}: '{spec}' is not FROM..TO[:STEP] with integers (decimal, 0x hex, or K/M sizes)";
                return false;
            }
            long step = 1;
            if (stepText is not null && !TryInteger(stepText, out step))
            {
                error = $"--param {name}: step '{stepText}' is not an integer";
                return false;
            }
            if (to < from)
            {
                error = $"--param {name}: the range {spec} is empty (TO is below FROM)";
                return false;
            }
            if (multiply ? step < 2 || from <= 0 : step <= 0)
            {
                error = multiply ? $"--param {name}: a *N step needs N >= 2 and FROM > 0" : $"--param {name}: the step must be positive";
                return false;
            }
            // Counted before stepping so a huge range fails fast rather than filling memory.
            for (long v = from; v <= to; )
            {
                values.Add(v.ToString(CultureInfo.InvariantCulture));
                if (values.Count > MaxValues) break;
                long next = multiply ? v * step : v + step;
                if (next <= v) break; // overflowed
                v = next;
            }
            error = null;
            return true;
        }

        /// <summary>4096, 0x1000, 4K, 1M, -5.</summary>
        internal static bool TryInteger(string text, out long value)
        {
            text = text.Trim();
            value = 0;
            if (text.Length == 0) return false;
            bool negative = text[0] == '-';
            if (negative) text = text.Substring(1);
            long unit = 1;
            if (text.EndsWith('K') || text.EndsWith('k')) unit = 1024;
            else if (text.EndsWith('M') || text.EndsWith('m')) unit = 1024 * 1024;
            if (unit != 1) text = text.Substring(0, text.Length - 1);
            bool ok = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? long.TryParse(text.Substring(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
                : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
            if (!ok) return false;
            try
            {
                value = checked(value * unit * (negative ? -1 : 1));
            }
            catch (OverflowException)
            {
                return false;
            }
            return true;
        }
    }
}
