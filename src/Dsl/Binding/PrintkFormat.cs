using System.Collections.Generic;
using System.Collections.Immutable;

namespace KDsl.Binding
{
    /// <summary>Reads a printk format the way the kernel's vsnprintf does, to count the arguments it consumes.</summary>
    public static class PrintkFormat
    {
        /// <summary>Number of arguments the format uses; <paramref name="unknown"/> collects conversions it does not know.</summary>
        public static int CountArguments(ImmutableArray<byte> format, List<string> unknown)
        {
            int count = 0, i = 0, n = format.Length;
            while (i < n)
            {
                if (format[i] != (byte)'%') { i++; continue; }
                int start = i++;
                if (i >= n) { unknown.Add("%"); break; }
                if (format[i] == (byte)'%') { i++; continue; }
                while (i < n && "-+ #0".IndexOf((char)format[i]) >= 0) i++;
                if (i < n && format[i] == (byte)'*') { count++; i++; }
                else while (i < n && IsDigit(format[i])) i++;
                if (i < n && format[i] == (byte)'.')
                {
                    i++;
                    if (i < n && format[i] == (byte)'*') { count++; i++; }
                    else while (i < n && IsDigit(format[i])) i++;
                }
                if (i + 1 < n && ((format[i] == (byte)'h' && format[i + 1] == (byte)'h') || (format[i] == (byte)'l' && format[i + 1] == (byte)'l'))) i += 2;
                else if (i < n && "hlzjtL".IndexOf((char)format[i]) >= 0) i++;
                if (i >= n) { unknown.Add(Text(format, start, i)); break; }
                char conversion = (char)format[i++];
                switch (conversion)
                {
                    case 'd': case 'i': case 'u': case 'x': case 'X': case 'o': case 'c': case 's':
                        count++;
                        break;
                    case 'p':
                        count++;
                        while (i < n && IsAlphaNumeric(format[i])) i++; // %px, %pS, %pK ...: the kernel's pointer extensions
                        break;
                    default:
                        unknown.Add(Text(format, start, i));
                        break;
                }
            }
            return count;
        }

        private static bool IsDigit(byte b) => b >= (byte)'0' && b <= (byte)'9';
        private static bool IsAlphaNumeric(byte b) => IsDigit(b) || (b >= (byte)'a' && b <= (byte)'z') || (b >= (byte)'A' && b <= (byte)'Z');

        private static string Text(ImmutableArray<byte> format, int start, int end)
        {
            var chars = new char[end - start];
            for (int k = start; k < end; k++) chars[k - start] = (char)format[k];
            return new string(chars);
        }
    }
}
