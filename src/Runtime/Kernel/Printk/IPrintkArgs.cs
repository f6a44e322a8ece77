namespace KDsl.Runtime.Kernel.Printk
{
    /// <summary>
    /// Where vsnprintf gets its varargs and guest memory from. The kernel layer supplies SysV varargs
    /// (rsi, rdx, rcx, r8, r9, then the caller's stack) one 64-bit slot at a time, exactly as va_arg would.
    /// </summary>
    public interface IPrintkArgs
    {
        /// <summary>The next 64-bit argument slot; vsnprintf narrows it per the conversion's length modifier.</summary>
        ulong NextArg();

        /// <summary>
        /// Reads a NUL-terminated string at <paramref name="address"/>, at most <paramref name="maxLength"/>
        /// characters when it is not -1 (a precision stops the kernel's read early, so an unterminated buffer is
        /// fine). False when the memory is not readable.
        /// </summary>
        bool TryReadString(ulong address, int maxLength, out string value);
    }
}
