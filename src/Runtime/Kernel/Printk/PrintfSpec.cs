using System;

namespace KDsl.Runtime.Kernel.Printk
{
    /// <summary>struct printf_spec's flags (lib/vsprintf.c).</summary>
    [Flags]
    internal enum SpecFlags
    {
        None = 0,
        ZeroPad = 1,   // '0'
        Sign = 2,      // signed conversion
        Plus = 4,      // '+'
        Space = 8,     // ' '
        Left = 16,     // '-'
        Small = 32,    // lowercase hex digits and "0x"
        Special = 64,  // '#'
    }

    /// <summary>The length modifier format_decode recorded (h, hh, l, ll/L, z/Z, t or none).</summary>
    internal enum Qualifier { None, H, HH, L, LL, Z, T }

    /// <summary>struct printf_spec: one decoded conversion. FieldWidth and Precision are -1 when absent.</summary>
    internal struct PrintfSpec
    {
        public SpecFlags Flags;
        public int FieldWidth;
        public int Precision;
        public int Base;

        public static PrintfSpec New() => new PrintfSpec { FieldWidth = -1, Precision = -1, Base = 10 };
    }
}
