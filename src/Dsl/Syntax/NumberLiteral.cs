namespace KDsl.Syntax
{
    public enum NumberParseResult { Ok, Invalid, TooLarge }

    /// <summary>C integer literals: decimal, 0x hex, 0 octal, with an optional u/l/ul/ll/ull suffix; <see cref="TypeOf"/> gives its type.</summary>
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

        /// <summary>
        /// The literal's type by C11 6.4.4.1: the first of the suffix's list its value fits. Decimal: int, long (with u:
        /// unsigned int, unsigned long); hexadecimal and octal also try the unsigned type of each width. A value past
        /// LONG_MAX is unsigned long (GCC's choice for a decimal too, with a warning).
        /// </summary>
        public static Symbols.TypeSymbol TypeOf(string text, long value)
        {
            bool isUnsigned = false, isLong = false;
            for (int i = text.Length - 1; i >= 0 && !char.IsDigit(text[i]) && !IsHexDigitOfHex(text, i); i--)
            {
                if (text[i] is 'u' or 'U') isUnsigned = true;
                else if (text[i] is 'l' or 'L') isLong = true;
            }
            bool decimalLiteral = !(text.Length > 1 && text[0] == '0');
            ulong v = (ulong)value;
            if (!isLong)
            {
                if (!isUnsigned && v <= int.MaxValue) return Symbols.TypeSymbol.Int;
                if ((isUnsigned || !decimalLiteral) && v <= uint.MaxValue) return Symbols.TypeSymbol.UInt;
            }
            if (!isUnsigned && v <= long.MaxValue) return Symbols.TypeSymbol.Long;
            return Symbols.TypeSymbol.ULong;
        }

        // 0xfful: the suffix scan stops at the last hex digit ('f'), not at a suffix letter.
        private static bool IsHexDigitOfHex(string text, int i) =>
            text.Length > 1 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X') && i > 1 && DigitValue(text[i]) >= 0;

        private static int DigitValue(char c)
        {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        }
    }
}
