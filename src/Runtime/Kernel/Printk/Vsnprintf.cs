using System;
using System.Text;

namespace KDsl.Runtime.Kernel.Printk
{
    /// <summary>
    /// The subset of lib/vsprintf.c vsnprintf a printk in KDsl needs, with the kernel's (not glibc's) rules:
    /// '0' still pads when a precision is given, "%#x" of 0 is "0x0", "%.0d" of 0 is "0", a negative precision is 0,
    /// and an unknown conversion stops formatting (the kernel cannot resync its va_list). Pointer extensions are in
    /// <see cref="Vsnprintf"/>.Pointer.cs.
    /// </summary>
    public static partial class Vsnprintf
    {
        /// <summary>lib/vsprintf.c FIELD_WIDTH_MAX, (1 &lt;&lt; 23) - 1: struct printf_spec's field_width is 24 bits wide.</summary>
        public const int FieldWidthMax = (1 << 23) - 1;
        /// <summary>lib/vsprintf.c PRECISION_MAX, (1 &lt;&lt; 15) - 1: precision is 16 bits wide.</summary>
        public const int PrecisionMax = (1 << 15) - 1;

        /// <summary>Formats <paramref name="fmt"/>; the result is cut to size-1 characters like vsnprintf(buf, size).</summary>
        public static string Format(string fmt, IPrintkArgs args, VsprintfConfig? config = null, int size = int.MaxValue) =>
            Format(fmt, args, config, size, out _);

        /// <summary>
        /// <see cref="Format(string, IPrintkArgs, VsprintfConfig?, int)"/>, and vsnprintf's return value: the length the
        /// whole output would have had, what the kernel's formatting loops ran through past the buffer's end included.
        /// </summary>
        public static string Format(string fmt, IPrintkArgs args, VsprintfConfig? config, int size, out long length)
        {
            config ??= VsprintfConfig.Default;
            var sb = new PrintBuffer(size);
            int i = 0;
            while (i < fmt.Length)
            {
                char c = fmt[i];
                if (c != '%')
                {
                    sb.Append(c);
                    i++;
                    continue;
                }
                i++;
                if (!FormatOne(fmt, ref i, args, config, sb))
                    break;
            }
            length = sb.Length;
            return sb.ToString();
        }

        /// <summary>Convenience: format with host values (see <see cref="PrintkArgList"/>).</summary>
        public static string Sprintf(VsprintfConfig? config, string fmt, params object?[] args) =>
            Format(fmt, new PrintkArgList(args), config);

        /// <summary>format_decode plus the conversion; false when the kernel would stop (invalid conversion).</summary>
        private static bool FormatOne(string fmt, ref int i, IPrintkArgs args, VsprintfConfig config, PrintBuffer sb)
        {
            var spec = PrintfSpec.New();

            // flags
            for (; i < fmt.Length; i++)
            {
                SpecFlags f = fmt[i] switch
                {
                    '-' => SpecFlags.Left,
                    '+' => SpecFlags.Plus,
                    ' ' => SpecFlags.Space,
                    '#' => SpecFlags.Special,
                    '0' => SpecFlags.ZeroPad,
                    _ => SpecFlags.None,
                };
                if (f == SpecFlags.None) break;
                spec.Flags |= f;
            }

            // field width
            if (i < fmt.Length && fmt[i] == '*')
            {
                i++;
                int w = unchecked((int)args.NextArg());
                if (w < 0) { spec.Flags |= SpecFlags.Left; w = w == int.MinValue ? int.MaxValue : -w; }
                spec.FieldWidth = Math.Min(w, FieldWidthMax); // set_field_width: a 24-bit field, clamped
            }
            else if (i < fmt.Length && char.IsAsciiDigit(fmt[i]))
            {
                spec.FieldWidth = SkipAtoi(fmt, ref i);
            }

            // precision
            if (i < fmt.Length && fmt[i] == '.')
            {
                i++;
                int p;
                if (i < fmt.Length && fmt[i] == '*')
                {
                    i++;
                    p = unchecked((int)args.NextArg());
                }
                else
                {
                    p = i < fmt.Length && char.IsAsciiDigit(fmt[i]) ? SkipAtoi(fmt, ref i) : 0;
                }
                spec.Precision = p < 0 ? 0 : Math.Min(p, PrecisionMax); // set_precision: a 16-bit field, clamped
            }

            // length modifier
            var qualifier = Qualifier.None;
            if (i < fmt.Length)
            {
                switch (fmt[i])
                {
                    case 'h':
                        i++;
                        qualifier = Qualifier.H;
                        if (i < fmt.Length && fmt[i] == 'h') { i++; qualifier = Qualifier.HH; }
                        break;
                    case 'l':
                        i++;
                        qualifier = Qualifier.L;
                        if (i < fmt.Length && fmt[i] == 'l') { i++; qualifier = Qualifier.LL; }
                        break;
                    case 'L': i++; qualifier = Qualifier.LL; break;
                    case 'z':
                    case 'Z': i++; qualifier = Qualifier.Z; break;
                    case 't': i++; qualifier = Qualifier.T; break;
                }
            }

            if (i >= fmt.Length)
                return false;
            char conv = fmt[i++];
            switch (conv)
            {
                case '%':
                    sb.Append('%');
                    return true;
                case 'c':
                    FormatChar(sb, (char)(byte)args.NextArg(), spec);
                    return true;
                case 's':
                    FormatString(sb, args.NextArg(), args, config, spec);
                    return true;
                case 'p':
                    int extStart = i;
                    // The kernel skips every alphanumeric after %p: they belong to the extension.
                    while (i < fmt.Length && char.IsAsciiLetterOrDigit(fmt[i])) i++;
                    Pointer(sb, fmt.Substring(extStart, i - extStart), args.NextArg(), args, config, spec);
                    return true;
                case 'o':
                    spec.Base = 8;
                    break;
                case 'x':
                    spec.Flags |= SpecFlags.Small;
                    spec.Base = 16;
                    break;
                case 'X':
                    spec.Base = 16;
                    break;
                case 'd':
                case 'i':
                    spec.Flags |= SpecFlags.Sign;
                    break;
                case 'u':
                    break;
                default:
                    // FORMAT_TYPE_INVALID: gcc's type checking passed but the kernel cannot resync the va_list.
                    return false;
            }

            Number(sb, Narrow(args.NextArg(), qualifier, (spec.Flags & SpecFlags.Sign) != 0), spec);
            return true;
        }

        private static int SkipAtoi(string fmt, ref int i)
        {
            int n = 0;
            while (i < fmt.Length && char.IsAsciiDigit(fmt[i]))
                n = unchecked(n * 10 + (fmt[i++] - '0'));
            return n;
        }

        /// <summary>va_arg of the qualifier's type, sign- or zero-extended back to 64 bits.</summary>
        private static ulong Narrow(ulong raw, Qualifier q, bool signed)
        {
            unchecked
            {
                switch (q)
                {
                    case Qualifier.LL:
                    case Qualifier.L:
                    case Qualifier.Z:
                    case Qualifier.T:
                        return raw;
                    case Qualifier.H:
                        return signed ? (ulong)(long)(short)raw : (ushort)raw;
                    case Qualifier.HH:
                        return signed ? (ulong)(long)(sbyte)raw : (byte)raw;
                    default:
                        return signed ? (ulong)(long)(int)raw : (uint)raw;
                }
            }
        }

        /// <summary>lib/vsprintf.c number(), line for line.</summary>
        internal static void Number(PrintBuffer sb, ulong num, PrintfSpec spec)
        {
            bool locase = (spec.Flags & SpecFlags.Small) != 0;
            bool isZero = num == 0;
            int fieldWidth = spec.FieldWidth;
            int precision = spec.Precision;
            if ((spec.Flags & SpecFlags.Left) != 0)
                spec.Flags &= ~SpecFlags.ZeroPad;

            char sign = '\0';
            if ((spec.Flags & SpecFlags.Sign) != 0)
            {
                if ((long)num < 0)
                {
                    sign = '-';
                    num = unchecked((ulong)(-(long)num));
                    fieldWidth--;
                }
                else if ((spec.Flags & SpecFlags.Plus) != 0)
                {
                    sign = '+';
                    fieldWidth--;
                }
                else if ((spec.Flags & SpecFlags.Space) != 0)
                {
                    sign = ' ';
                    fieldWidth--;
                }
            }

            bool needPfx = (spec.Flags & SpecFlags.Special) != 0 && spec.Base != 10;
            if (needPfx)
            {
                if (spec.Base == 16) fieldWidth -= 2;
                else if (!isZero) fieldWidth--;
            }

            // Digits, most significant first (the kernel builds them reversed in tmp[]).
            string digits = spec.Base switch
            {
                16 => locase ? num.ToString("x") : num.ToString("X"),
                8 => ToOctal(num),
                _ => num.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            int len = digits.Length;

            // printing 100 using %2d gives "100", not "00"
            if (len > precision) precision = len;
            fieldWidth -= precision;

            if ((spec.Flags & (SpecFlags.ZeroPad | SpecFlags.Left)) == 0)
                Pad(sb, ' ', ref fieldWidth);
            if (sign != '\0') sb.Append(sign);
            if (needPfx)
            {
                if (spec.Base == 16 || !isZero) sb.Append('0');
                if (spec.Base == 16) sb.Append(locase ? 'x' : 'X');
            }
            if ((spec.Flags & SpecFlags.Left) == 0)
            {
                char pad = (spec.Flags & SpecFlags.ZeroPad) != 0 ? '0' : ' ';
                Pad(sb, pad, ref fieldWidth);
            }
            sb.Append('0', precision - len); // while (i <= --precision) *buf = '0'
            sb.Append(digits);
            Pad(sb, ' ', ref fieldWidth);
        }

        /// <summary><c>while (--field_width &gt;= 0) *buf = c;</c>: field_width characters (none if it is not positive), leaving it at -1.</summary>
        private static void Pad(PrintBuffer sb, char c, ref int fieldWidth)
        {
            sb.Append(c, fieldWidth);
            fieldWidth = -1;
        }

        private static string ToOctal(ulong num)
        {
            if (num == 0) return "0";
            var chars = new StringBuilder();
            while (num != 0)
            {
                chars.Insert(0, (char)('0' + (int)(num & 7)));
                num >>= 3;
            }
            return chars.ToString();
        }

        /// <summary>The %c conversion: blanks pad on the side away from '-'.</summary>
        private static void FormatChar(PrintBuffer sb, char c, PrintfSpec spec)
        {
            int blanks = spec.FieldWidth - 1; // while (--field_width > 0) on the one side or the other
            if ((spec.Flags & SpecFlags.Left) == 0) sb.Append(' ', blanks);
            sb.Append(c);
            if ((spec.Flags & SpecFlags.Left) != 0) sb.Append(' ', blanks);
        }

        /// <summary>
        /// The %s conversion with check_pointer's texts. A pointer the arguments cannot read prints "(efault)" here; real
        /// Linux dereferences it and faults, which the kernel layer models (LinuxKernel.StringFault).
        /// </summary>
        private static void FormatString(PrintBuffer sb, ulong ptr, IPrintkArgs args, VsprintfConfig config, PrintfSpec spec)
        {
            string? text = null;
            if (config.LegacyNullPointerStrings)
            {
                if (ptr < PageSize) text = "(null)";
            }
            else
            {
                string? error = CheckPointerMessage(ptr);
                if (error != null)
                {
                    ErrorString(sb, error, spec);
                    return;
                }
            }
            if (text == null && !args.TryReadString(ptr, spec.Precision, out text))
            {
                ErrorString(sb, "(efault)", spec);
                return;
            }
            StringNoCheck(sb, text!, spec);
        }

        internal const ulong PageSize = 4096;
        private const ulong MaxErrno = 4095;

        internal static bool IsErrValue(ulong ptr) => ptr >= unchecked(0UL - MaxErrno);

        /// <summary>check_pointer_msg: "(null)" for NULL, "(efault)" for the first page and error pointers.</summary>
        private static string? CheckPointerMessage(ulong ptr)
        {
            if (ptr == 0) return "(null)";
            if (ptr < PageSize || IsErrValue(ptr)) return "(efault)";
            return null;
        }

        /// <summary>string_nocheck + widen_string: precision limits, blanks pad to the width.</summary>
        internal static void StringNoCheck(PrintBuffer sb, string s, PrintfSpec spec)
        {
            if (spec.Precision >= 0 && s.Length > spec.Precision)
                s = s.Substring(0, spec.Precision);
            int spaces = spec.FieldWidth - s.Length;
            if (spaces > 0 && (spec.Flags & SpecFlags.Left) == 0) sb.Append(' ', spaces);
            sb.Append(s);
            if (spaces > 0 && (spec.Flags & SpecFlags.Left) != 0) sb.Append(' ', spaces);
        }

        /// <summary>error_string: the kernel's own message, capped at 16 characters when no precision is given.</summary>
        internal static void ErrorString(PrintBuffer sb, string s, PrintfSpec spec)
        {
            if (spec.Precision == -1) spec.Precision = 16;
            StringNoCheck(sb, s, spec);
        }
    }
}
