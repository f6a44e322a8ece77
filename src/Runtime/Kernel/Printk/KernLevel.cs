namespace KDsl.Runtime.Kernel.Printk
{
    /// <summary>
    /// The KERN_&lt;level&gt; prefixes (include/linux/kern_levels.h): KERN_SOH "\001" followed by '0'..'7', 'c'
    /// (KERN_CONT) or, before ≈5.x, 'd' (KERN_DEFAULT). printk strips every leading prefix; the last level wins.
    /// </summary>
    public static class KernLevel
    {
        public const char Soh = '\x01';
        public const string Emerg = "\x01" + "0";
        public const string Alert = "\x01" + "1";
        public const string Crit = "\x01" + "2";
        public const string Err = "\x01" + "3";
        public const string Warning = "\x01" + "4";
        public const string Notice = "\x01" + "5";
        public const string Info = "\x01" + "6";
        public const string Debug = "\x01" + "7";
        public const string Default = "\x01" + "d";
        public const string Cont = "\x01" + "c";

        /// <summary>The level printk uses when a message has none (CONFIG_MESSAGE_LOGLEVEL_DEFAULT).</summary>
        public const int DefaultMessageLevel = 4;

        /// <summary>printk_get_level: the character after KERN_SOH if it is a level, else '\0'.</summary>
        public static char PrintkGetLevel(string text, int index = 0)
        {
            if (text.Length > index + 1 && text[index] == Soh)
            {
                char c = text[index + 1];
                if ((c >= '0' && c <= '7') || c == 'c' || c == 'd')
                    return c;
            }
            return '\0';
        }

        /// <summary>printk_skip_level: the text after one prefix.</summary>
        public static string PrintkSkipLevel(string text) =>
            PrintkGetLevel(text) != '\0' ? text.Substring(2) : text;

        /// <summary>
        /// printk_parse_prefix: strips all leading prefixes. <paramref name="level"/> is 0..7, or -1 when no level was
        /// given (or KERN_DEFAULT), meaning <see cref="DefaultMessageLevel"/>; <paramref name="cont"/> is set by KERN_CONT.
        /// </summary>
        public static string ParsePrefix(string text, out int level, out bool cont)
        {
            level = -1;
            cont = false;
            int i = 0;
            char c;
            while ((c = PrintkGetLevel(text, i)) != '\0')
            {
                if (c == 'c') cont = true;
                else if (c == 'd') level = -1;
                else level = c - '0';
                i += 2;
            }
            return text.Substring(i);
        }
    }
}
