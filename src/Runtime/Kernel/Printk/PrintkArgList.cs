using System;
using System.Collections.Generic;

namespace KDsl.Runtime.Kernel.Printk
{
    /// <summary>
    /// Host-side arguments for vsnprintf: the kernel's own messages (oops, panic) and tests format with C# values.
    /// Integers are passed as their 64-bit slot; a string gets a fake address that <see cref="TryReadString"/>
    /// resolves, so %s works the same way as for guest strings; a null string is the NULL pointer.
    /// </summary>
    public sealed class PrintkArgList : IPrintkArgs
    {
        // Fake addresses well above PAGE_SIZE and below the error-pointer range, so no "(null)"/"(efault)" checks fire.
        private const ulong HandleBase = 0x00007f0000000000;
        private const ulong HandleStride = 0x1000;

        private readonly ulong[] _slots;
        private readonly Dictionary<ulong, string> _strings = new();
        private int _next;

        public PrintkArgList(params object?[] args)
        {
            _slots = new ulong[args.Length];
            for (int i = 0; i < args.Length; i++)
                _slots[i] = ToSlot(args[i], i);
        }

        public ulong NextArg()
        {
            // va_arg past the last argument reads whatever is there; zero is the tidy stand-in.
            return _next < _slots.Length ? _slots[_next++] : 0;
        }

        public bool TryReadString(ulong address, int maxLength, out string value)
        {
            if (_strings.TryGetValue(address, out var s))
            {
                value = maxLength >= 0 && s.Length > maxLength ? s.Substring(0, maxLength) : s;
                return true;
            }
            value = "";
            return false;
        }

        private ulong ToSlot(object? arg, int index)
        {
            switch (arg)
            {
                case null: return 0;
                case string s:
                    ulong handle = HandleBase + (ulong)index * HandleStride;
                    _strings[handle] = s;
                    return handle;
                case ulong u: return u;
                case long l: return unchecked((ulong)l);
                case int i: return unchecked((ulong)(long)i);
                case uint ui: return ui;
                case short sh: return unchecked((ulong)(long)sh);
                case ushort us: return us;
                case byte b: return b;
                case sbyte sb: return unchecked((ulong)(long)sb);
                case char c: return c;
                case bool flag: return flag ? 1UL : 0UL;
                default: throw new ArgumentException($"unsupported printk argument type {arg.GetType().Name}", nameof(arg));
            }
        }
    }
}
