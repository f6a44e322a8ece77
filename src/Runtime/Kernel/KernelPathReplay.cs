using System;
using System.Collections.Generic;
using KDsl.Image;
using KDsl.Profiles;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// Steers the footprint text along a recorded run of the real kernel. The text keeps the real stack operations but
    /// not the data a branch depends on, so every data-dependent branch is a host branch (a hlt); this class knows,
    /// for the printk call under way, where the real kernel went at each of them, in order.
    /// </summary>
    public sealed class KernelPathReplay
    {
        private readonly Dictionary<ulong, HostBranch> _branches = new Dictionary<ulong, HostBranch>();
        private readonly Dictionary<ulong, int> _lengths = new Dictionary<ulong, int>();
        private readonly Dictionary<PrintkFootprint, (Target[] Targets, int Commit)> _targets = new Dictionary<PrintkFootprint, (Target[], int)>();
        private readonly KernelFootprint _footprint;
        private readonly ulong _printkEntry;
        private readonly ulong _commitEntry;
        private Target[] _current = Array.Empty<Target>();
        private int _next, _commit;

        /// <summary>
        /// The function whose return makes a printk's record final in the ringbuffer (kernel/printk/printk_ringbuffer.c):
        /// from then on the line reaches the console, if not by this call then by the panic's flush of the records.
        /// </summary>
        public const string CommitFunction = "prb_final_commit";

        public KernelPathReplay(KernelFootprint footprint, KernelTextImage text, ulong textBase, ulong printkEntry)
        {
            _footprint = footprint;
            _printkEntry = printkEntry;
            foreach (var s in footprint.Symbols)
                if (s.Name == CommitFunction) _commitEntry = s.Address;
            foreach (var b in text.Branches) _branches[textBase + (ulong)b.Offset] = b;
            foreach (var i in footprint.Instructions) _lengths[i.Address] = i.Bytes.Length;
        }

        /// <summary>Host branches taken off the recorded run (a bug in KDsl's text or data; 0 on every recorded path).</summary>
        public int Desyncs { get; private set; }

        public bool IsBranch(ulong address) => _branches.ContainsKey(address);

        public HostBranch BranchAt(ulong address) => _branches[address];

        /// <summary>
        /// printk was called with this format: follow the recorded call of the same format, or of the recorded format
        /// closest to it (same conversions first; printk's stack footprint does not depend on the arguments' values).
        /// </summary>
        public void BeginPrintk(string format)
        {
            (_current, _commit) = TargetsOf(Closest(format));
            _next = 0;
            Committed = false;
        }

        /// <summary>Whether the printk under way has committed its record (its <see cref="CommitFunction"/> returned).</summary>
        public bool Committed { get; private set; }

        /// <summary>Where control goes from the host branch at <paramref name="address"/>.</summary>
        public ulong Next(ulong address)
        {
            if (_next >= _commit) Committed = true;
            if (_next < _current.Length && _current[_next].From == address) return _current[_next++].To;
            Desyncs++;
            if (Environment.GetEnvironmentVariable("KDSL_DEBUG_REPLAY") != null)
                Console.Error.WriteLine($"replay desync at {address:x}: expected {(_next < _current.Length ? _current[_next].From : 0):x} (#{_next} of {_current.Length})");
            return address + (ulong)_branches[address].Length; // off the recording: fall through
        }

        private PrintkFootprint Closest(string format)
        {
            string wanted = Conversions(format);
            PrintkFootprint? best = null;
            int bestScore = int.MaxValue;
            foreach (var p in _footprint.Printks)
            {
                if (StripLevel(p.Format) == StripLevel(format)) return p;
                string have = Conversions(p.Format);
                int score = (have == wanted ? 0 : 1000) + Math.Abs(have.Length - wanted.Length) * 10 + Math.Abs(p.Format.Length - format.Length) / 8;
                if (score < bestScore) { bestScore = score; best = p; }
            }
            return best!;
        }

        /// <summary>The conversion characters of a format ("%d %s %px" → "dsp"): what decides vsnprintf's calls.</summary>
        private static string Conversions(string format)
        {
            var chars = new System.Text.StringBuilder();
            for (int i = 0; i < format.Length; i++)
            {
                if (format[i] != '%') continue;
                i++;
                while (i < format.Length && "-+ #0123456789.*lhzjt".IndexOf(format[i]) >= 0) i++;
                if (i < format.Length && format[i] != '%') chars.Append(format[i]);
            }
            return chars.ToString();
        }

        private static string StripLevel(string format) =>
            format.Length >= 2 && format[0] == '\u0001' ? format.Substring(2) : format;

        /// <summary>
        /// Replays the recording's control flow from printk's entry: the next instruction unless the recording jumped,
        /// and notes where control went after each host branch.
        /// </summary>
        private (Target[], int) TargetsOf(PrintkFootprint path)
        {
            if (_targets.TryGetValue(path, out var cached)) return cached;
            var targets = new List<Target>();
            ulong pc = _printkEntry, commitReturn = 0;
            int j = 0, commit = int.MaxValue;
            for (int step = 0; step < path.Steps; step++)
            {
                ulong next;
                if (j < path.Jumps.Count && path.Jumps[j].Key == pc) next = path.Jumps[j++].Value;
                else if (_lengths.TryGetValue(pc, out int length)) next = pc + (ulong)length;
                else throw new InvalidOperationException($"footprint path of \"{path.Format}\" leaves the recorded instructions at {pc:x}");
                if (next == _commitEntry) commitReturn = pc + (ulong)_lengths[pc];
                else if (pc == commitReturn && commit == int.MaxValue) commit = targets.Count;
                if (_branches.ContainsKey(pc)) targets.Add(new Target(pc, next));
                pc = next;
            }
            var result = (targets.ToArray(), commit);
            _targets[path] = result;
            return result;
        }

        private readonly struct Target
        {
            public Target(ulong from, ulong to)
            {
                From = from;
                To = to;
            }

            public ulong From { get; }
            public ulong To { get; }
        }
    }
}
