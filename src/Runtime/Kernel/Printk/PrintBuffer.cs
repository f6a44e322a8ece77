using System;
using System.Text;

namespace KDsl.Runtime.Kernel.Printk
{
    /// <summary>
    /// vsnprintf's buf and end: characters are stored while there is room and only counted after it, as lib/vsprintf.c's
    /// <c>if (buf &lt; end) *buf = c; ++buf;</c> does. <see cref="Length"/> is what vsnprintf returns (every character it
    /// would have written), so a field 8 million blanks wide costs its count, not 8 million stored characters.
    /// </summary>
    internal sealed class PrintBuffer
    {
        private readonly StringBuilder _text = new StringBuilder();
        private readonly int _room;

        /// <param name="size">vsnprintf's size: size - 1 characters are kept (the last byte holds the NUL).</param>
        public PrintBuffer(int size) => _room = Math.Max(size - 1, 0);

        /// <summary>Every character written, the ones past the end included.</summary>
        public long Length { get; private set; }

        /// <summary>What the buffer holds: the first size - 1 characters.</summary>
        public override string ToString() => _text.ToString();

        public void Append(char c) => Append(c, 1);

        public void Append(char c, int count)
        {
            if (count <= 0) return;
            int kept = (int)Math.Min(count, Math.Max(_room - _text.Length, 0));
            if (kept > 0) _text.Append(c, kept);
            Length += count;
        }

        public void Append(string s)
        {
            int kept = Math.Min(s.Length, Math.Max(_room - _text.Length, 0));
            if (kept > 0) _text.Append(s, 0, kept);
            Length += s.Length;
        }
    }
}
