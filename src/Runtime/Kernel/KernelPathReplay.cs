using System;
using System.Collections.Generic;
using KDsl.Image;
using KDsl.Profiles;
using KDsl.Runtime.Cpu;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// Steers the footprint text along a recorded run of the real kernel. The text keeps the real stack operations but
    /// not the data a branch depends on, so every data-dependent branch is a host branch (a hlt); this class follows,
    /// for the printk call under way, where the real kernel went at each of them, in order (one per machine; what it
    /// follows is the profile's shared <see cref="RecordedPrintks"/>).
    /// </summary>
    public sealed class KernelPathReplay
    {
        private readonly RecordedPrintks _recorded;
        private RecordedPrintks.Path _current = RecordedPrintks.Path.Empty;
        private int _next;

        public KernelPathReplay(RecordedPrintks recorded) => _recorded = recorded;

        public bool TryGetBranch(ulong address, out HostBranch branch) => _recorded.Branches.TryGetValue(address, out branch);

        /// <summary>printk was called with this format: follow its recorded path (<see cref="RecordedPrintks.For"/>).</summary>
        public void BeginPrintk(string format)
        {
            _current = _recorded.For(format);
            _next = 0;
            Committed = false;
            Reserved = false;
        }

        /// <summary>
        /// Whether the printk under way has reserved its record in the ringbuffer (<see cref="RecordedPrintks.ReserveFunction"/>
        /// is next): from then until the commit, the console reader cannot get past it.
        /// </summary>
        public bool Reserved { get; private set; }

        /// <summary>The host branch just taken was the last before the reservation (<see cref="Reserve"/> it now).</summary>
        public bool AtReserve => !Reserved && _next >= _current.Reserve;

        public void Reserve() => Reserved = true;

        /// <summary>Whether the printk under way has committed its record (<see cref="RecordedPrintks.CommitFunction"/> returned).</summary>
        public bool Committed { get; private set; }

        /// <summary>The next host branch is the first after the commit: the kernel logs the line (<see cref="Commit"/>) before it is taken.</summary>
        public bool AtCommit => !Committed && _next >= _current.Commit;

        public void Commit() => Committed = true;

        /// <summary>
        /// Takes <paramref name="branch"/>, the host branch at <paramref name="at"/>, as the recorded run took it: a call
        /// pushes the address after the real instruction, a retpoline's ret pops the word it returns through. False for
        /// a call whose push hits an unmapped page (nothing changed: the kernel delivers the fault).
        /// </summary>
        public bool TryTake(X64Cpu cpu, ulong at, in HostBranch branch, out ulong target)
        {
            target = 0;
            if (branch.ReturnsToCaller)
            {
                cpu.Mmu.TryReadU64(cpu.Rsp, out target); // printk's entry read the same word
                cpu.Rsp += 8;
                Next(at, branch); // stays in step with the recording
                LeaveResidue(cpu, cpu.Rsp);
                return true;
            }
            if (branch.IsCall)
            {
                ulong sp = cpu.Rsp - 8;
                if (!cpu.Mmu.TryWriteU64(sp, at + (ulong)branch.Length)) return false;
                cpu.Rsp = sp;
            }
            else if (branch.StackWords < 0) cpu.Rsp += 8;
            target = Next(at, branch);
            return true;
        }

        /// <summary>
        /// printk returned to a caller whose RSP is <paramref name="callerRsp"/>: below it, the words the recorded call
        /// changed take the values it left (the recorded text replays return addresses and stack writes, not the data
        /// the real path stored through other pointers, such as port->serial_in).
        /// </summary>
        private void LeaveResidue(X64Cpu cpu, ulong callerRsp)
        {
            foreach (var word in _current.Residue)
                cpu.Mmu.TryWriteU64(callerRsp - (ulong)word.Below, word.StackRelative ? unchecked(callerRsp + word.Value) : word.Value);
        }

        /// <summary>Where control goes from <paramref name="branch"/>, the host branch at <paramref name="address"/>.</summary>
        private ulong Next(ulong address, in HostBranch branch)
        {
            var targets = _current.Targets;
            if (_next < targets.Length && targets[_next].From == address) return targets[_next++].To;
            // Off the recording (a branch the recorded text runs but this call's recording does not have): fall through.
            return address + (ulong)branch.Length;
        }
    }

    /// <summary>
    /// A profile's recorded printk calls as the footprint text runs them: the host branches by address, and per recorded
    /// call where control went at each of them and when its record was committed. Immutable, built once per profile.
    /// </summary>
    public sealed class RecordedPrintks
    {
        private readonly KernelFootprint _footprint;
        private readonly List<(string Format, string Conversions, Path Path)> _paths = new List<(string, string, Path)>();
        private readonly ulong _printkEntry;
        private readonly ulong _commitEntry;
        private readonly ulong _reserveEntry;

        /// <summary>
        /// The function whose return makes a printk's record final in the ringbuffer (kernel/printk/printk_ringbuffer.c):
        /// from then on the line reaches the console, if not by this call then by the panic's flush of the records.
        /// </summary>
        public const string CommitFunction = "prb_final_commit";

        /// <summary>
        /// prb_reserve calls this once desc_reserve (inlined) has set the new descriptor to the reserved state: a record
        /// that is reserved and never committed stops every reader (_prb_read_valid: "Non-existent/non-finalized record.
        /// Must stop."), so nothing logged after it reaches the console.
        /// </summary>
        public const string ReserveFunction = "data_alloc";

        public RecordedPrintks(KernelFootprint footprint, KernelTextImage text, ulong textBase, string printkSymbol)
        {
            _footprint = footprint;
            _commitEntry = footprint.AddressOf(CommitFunction);
            _reserveEntry = footprint.AddressOf(ReserveFunction);
            _printkEntry = footprint.AddressOf(printkSymbol);
            foreach (var b in text.Branches) Branches[textBase + (ulong)b.Offset] = b;
            foreach (var p in footprint.Printks) _paths.Add((StripLevel(p.Format), Conversions(p.Format), Walk(p)));
        }

        public Dictionary<ulong, HostBranch> Branches { get; } = new Dictionary<ulong, HostBranch>();

        /// <summary>
        /// The recorded call of the same format, or of the recorded format closest to it (same conversions first;
        /// printk's stack footprint does not depend on the arguments' values).
        /// </summary>
        public Path For(string format)
        {
            string text = StripLevel(format), wanted = Conversions(format);
            var best = Path.Empty;
            int bestScore = int.MaxValue;
            foreach (var (recorded, conversions, path) in _paths)
            {
                if (recorded == text) return path;
                int score = (conversions == wanted ? 0 : 1000) + Math.Abs(conversions.Length - wanted.Length) * 10 + Math.Abs(recorded.Length - text.Length) / 8;
                if (score < bestScore) { bestScore = score; best = path; }
            }
            return best;
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
        private Path Walk(PrintkFootprint path)
        {
            var targets = new List<Target>();
            ulong commitReturn = 0;
            int commit = int.MaxValue, reserve = int.MaxValue;
            foreach (var step in _footprint.Steps(path, _printkEntry))
            {
                ulong pc = step.Key, next = step.Value;
                if (next == _reserveEntry && reserve == int.MaxValue) reserve = targets.Count;
                if (next == _commitEntry) commitReturn = pc + (ulong)_footprint.InstructionLengths[pc];
                else if (pc == commitReturn && commit == int.MaxValue) commit = targets.Count;
                if (Branches.ContainsKey(pc)) targets.Add(new Target(pc, next));
            }
            return new Path(targets.ToArray(), commit, reserve, Residue(path));
        }

        /// <summary>The recorded call's residue in this machine's terms; the module's own words are left as the run wrote them.</summary>
        private static ResidueWord[] Residue(PrintkFootprint path)
        {
            var words = new List<ResidueWord>(path.Residue.Count);
            foreach (var r in path.Residue)
            {
                string v = r.Value;
                if (v == "m") continue;
                if (v[0] == 't') words.Add(new ResidueWord(r.Key, Hex(v.Substring(1)), false));
                else if (v.StartsWith("c-", StringComparison.Ordinal)) words.Add(new ResidueWord(r.Key, unchecked(0 - Hex(v.Substring(2))), true));
                else if (v.StartsWith("c+", StringComparison.Ordinal)) words.Add(new ResidueWord(r.Key, Hex(v.Substring(2)), true));
                else words.Add(new ResidueWord(r.Key, Hex(v), false));
            }
            return words.ToArray();
        }

        private static ulong Hex(string s) => ulong.Parse(s, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>
        /// One recorded call: where control went at each host branch, how many it took before the record was reserved
        /// (the last one before prb_reserve's call of <see cref="ReserveFunction"/>: no stack write lies between them that
        /// could fault) and before the commit.
        /// </summary>
        public sealed class Path
        {
            public static readonly Path Empty = new Path(Array.Empty<Target>(), int.MaxValue, int.MaxValue, Array.Empty<ResidueWord>());

            public Path(Target[] targets, int commit, int reserve, ResidueWord[] residue)
            {
                Targets = targets;
                Commit = commit;
                Reserve = reserve;
                Residue = residue;
            }

            /// <summary>What the call left below its caller's RSP (<see cref="PrintkFootprint.Residue"/>).</summary>
            public ResidueWord[] Residue { get; }

            public Target[] Targets { get; }
            public int Commit { get; }
            public int Reserve { get; }
        }

        /// <summary>A word the recorded call left <see cref="Below"/> bytes below its caller's RSP: a value, or an offset from that RSP.</summary>
        public readonly struct ResidueWord
        {
            public ResidueWord(int below, ulong value, bool stackRelative)
            {
                Below = below;
                Value = value;
                StackRelative = stackRelative;
            }

            public int Below { get; }
            public ulong Value { get; }
            public bool StackRelative { get; }
        }

        public readonly struct Target
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
