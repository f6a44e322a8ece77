using System.Collections.Generic;
using KDsl.Runtime.Kernel.Printk;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// The printk ring buffer as the console prints it, stamped with virtual time: the guest's retired instructions at
    /// one nanosecond each, plus one microsecond per line for the console, from a fixed boot offset. So the same
    /// experiment prints the same bytes on every machine. Records reach the console in ringbuffer order: while one is
    /// reserved and not yet committed, the ones logged after it wait behind it (the readers stop at a record that is not
    /// final), and they are printed when it is committed, or never.
    /// </summary>
    public sealed class PrintkLog
    {
        /// <summary>Virtual time at which the machine KDsl boots hands over to the experiment (insmod).</summary>
        public const ulong BootNs = 1_000_000_000;
        private const ulong ConsoleNsPerLine = 1_000;

        private readonly List<string> _lines = new List<string>();
        private readonly List<string> _behindReserved = new List<string>();
        private readonly System.Func<long> _instructions;
        private ulong _consoleNs;
        private bool _reserved;

        public PrintkLog(System.Func<long> instructions) => _instructions = instructions;

        /// <summary>The lines the console printed.</summary>
        public IReadOnlyList<string> Lines => _lines;

        /// <summary>Lines in the ringbuffer the console never printed: logged behind a record that was never committed.</summary>
        public IReadOnlyList<string> Unprinted => _behindReserved;

        public ulong NowNs => BootNs + (ulong)_instructions() + _consoleNs;

        /// <summary>Appends text as printk does: one record per line, a record without newline still ends the line here.</summary>
        public void Emit(string text)
        {
            string body = KernLevel.ParsePrefix(text, out _, out _);
            if (body.EndsWith('\n')) body = body.Substring(0, body.Length - 1); // ordinal: the culture-aware string overload costs ICU collation per record
            foreach (var line in body.Split('\n'))
            {
                Records++;
                (_reserved ? _behindReserved : _lines).Add(PrintkTime.Format(NowNs) + line);
                _consoleNs += ConsoleNsPerLine;
            }
        }

        /// <summary>
        /// Time passes without the guest running instructions (the CPU was stuck until a timer fired): the clock moves on
        /// to <paramref name="ns"/>, never back.
        /// </summary>
        public void AdvanceTo(ulong ns)
        {
            if (ns > NowNs) _consoleNs += ns - NowNs;
        }

        /// <summary>prb_reserve: the next record's place is taken; nothing logged from now on is printed before it.</summary>
        public void Reserve() => _reserved = true;

        /// <summary>The records (lines) logged so far.</summary>
        public long Records { get; private set; }

        /// <summary>Whether a record is reserved and not yet committed.</summary>
        public bool Reserved => _reserved;

        /// <summary>prb_final_commit of the reserved record (its text, if any): it is printed, then what waited behind it.</summary>
        public void Commit(string? text)
        {
            _reserved = false;
            if (text != null) Emit(text);
            _lines.AddRange(_behindReserved);
            _behindReserved.Clear();
        }
    }
}
