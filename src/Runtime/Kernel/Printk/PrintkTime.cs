namespace KDsl.Runtime.Kernel.Printk
{
    /// <summary>The dmesg timestamp (kernel/printk/printk.c print_time).</summary>
    public static class PrintkTime
    {
        /// <summary>
        /// "[%5lu.%06lu] " from a local_clock() nanosecond count: seconds right-aligned in 5 columns, microseconds.
        /// 4.x puts the space inside the format, 5.10+ appends it in info_print_prefix; the text is the same.
        /// </summary>
        public static string Format(ulong nanoseconds)
        {
            ulong seconds = nanoseconds / 1_000_000_000UL;
            ulong remNs = nanoseconds % 1_000_000_000UL;
            return Vsnprintf.Sprintf(null, "[%5lu.%06lu] ", seconds, remNs / 1000);
        }
    }
}
