using System.Collections.Generic;
using KDsl.Runtime.Kernel.Printk;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// The printk ring buffer as dmesg shows it, stamped with virtual time: the guest's retired instructions at one
    /// nanosecond each, plus one microsecond per line for the console, from a fixed boot offset. So the same
    /// experiment prints the same bytes on every machine.
    /// </summary>
    public sealed class PrintkLog
    {
        /// <summary>Virtual time at which the machine KDsl boots hands over to the experiment (insmod).</summary>
        public const ulong BootNs = 1_000_000_000;
        private const ulong ConsoleNsPerLine = 1_000;

        private readonly List<string> _lines = new List<string>();
        private readonly System.Func<long> _instructions;
        private ulong _consoleNs;

        public PrintkLog(System.Func<long> instructions) => _instructions = instructions;

        public IReadOnlyList<string> Lines => _lines;

        public ulong NowNs => BootNs + (ulong)_instructions() + _consoleNs;

        /// <summary>Appends text as printk does: one record per line, a record without newline still ends the line here.</summary>
        public void Emit(string text)
        {
            string body = KernLevel.ParsePrefix(text, out _, out _);
            if (body.EndsWith('\n')) body = body.Substring(0, body.Length - 1); // ordinal: the culture-aware string overload costs ICU collation per record
            foreach (var line in body.Split('\n'))
            {
                _lines.Add(PrintkTime.Format(NowNs) + line);
                _consoleNs += ConsoleNsPerLine;
            }
        }
    }
}
