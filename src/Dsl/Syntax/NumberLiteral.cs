namespace KDsl.Syntax
{
    public enum NumberParseResult { Ok, Invalid, TooLarge }

    /// <summary>C integer literals: decimal, 0x hex, 0 octal, with an optional u/l/ul/ll/ull suffix (l makes it long).</summary>
    public static class NumberLiteral
    {
        public static NumberParseResult TryParse(string text, out long value, out bool hasLongSuffix)
        {
            value = 0;
            hasLongSuffix = false;
            int end = text.Length;
            int us = 0, ls = 0;
            while (end > 0)
            {
                char c = text[end - 1];
                if (c == 'u' || c == 'U') us++;
                else if (c == 'l' || c == 'L') ls++;
                else break;
                end--;
            }
            if (us > 1 || ls > 2) return NumberParseResult.Invalid;
            hasLongSuffix = ls > 0;
            string body = text.Substring(0, end);
            if (body.Length == 0) return NumberParseResult.Invalid;

            int radix = 10, start = 0;
            if (body.Length > 1 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X')) { radix = 16; start = 2; }
            else if (body.Length > 1 && body[0] == '0') { radix = 8; start = 1; }
            if (start >= body.Length) return NumberParseResult.Invalid;

            ulong acc = 0;
            bool overflow = false;
            for (int i = start; i < body.Length; i++)
            {
                int digit = DigitValue(body[i]);
                if (digit < 0 || digit >= radix) return NumberParseResult.Invalid;
                if (acc > (ulong.MaxValue - (ulong)digit) / (ulong)radix) overflow = true;
                else acc = acc * (ulong)radix + (ulong)digit;
            }
            if (overflow) return NumberParseResult.TooLarge;
            value = unchecked((long)acc);
            return NumberParseResult.Ok;
        }

        /// <summary>True when the literal is an int (fits in 32 bits signed and has no l suffix); otherwise it is a long.</summary>
        public static bool IsInt(long value, bool hasLongSuffix) =>
            !hasLongSuffix && value >= 0 && value <= int.MaxValue;

        private static int DigitValue(char c)
        {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        }
    }
}
