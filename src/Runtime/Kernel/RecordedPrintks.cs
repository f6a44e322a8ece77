using System;
using System.Collections.Generic;
using KDsl.Image;
using KDsl.Profiles;
using KDsl.Runtime.Cpu;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// A profile's recorded printk and allocator calls, panic and oops paths as the footprint text runs them: the host
    /// branches by address, and per recorded path where control went at each of them and when a printk's record was
    /// committed. Immutable, built once per profile.
    /// </summary>
    public sealed class RecordedPrintks
    {
        private readonly KernelFootprint _footprint;
        private readonly Dictionary<RecordedPath, Path> _paths = new Dictionary<RecordedPath, Path>();
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
            foreach (var p in footprint.Printks) _paths[p] = Walk(p, _printkEntry);
            if (footprint.Panic is { } panic)
            {
                ulong entry = footprint.AddressOf(KernelFootprint.PanicEntry);
                foreach (string name in new[] { KernelFootprint.PanicEntry, "panic", "dump_stack" })
                    PanicStarts[footprint.AddressOf(name)] = -1;
                Panic = Walk(panic, entry);
            }
            foreach (var oops in footprint.OopsPaths) OopsPaths[oops.Key] = Walk(oops.Value, footprint.AddressOf(KernelFootprint.OopsPathEntry(oops.Key)));
            foreach (var call in footprint.CallPaths()) _paths[call.Value] = Walk(call.Value, footprint.AddressOf(call.Key));
        }

        /// <summary>The recorded path a module's <paramref name="index"/>-th call of the allocator <paramref name="function"/> replays (<see cref="KernelFootprint.CallFor"/>).</summary>
        public Path CallFor(string function, int index) =>
            _footprint.CallFor(function, index) is { } recorded && _paths.TryGetValue(recorded, out var path) ? path : Path.Empty;

        /// <summary>The recorded oops paths (<see cref="KernelFootprint.OopsPaths"/>) by the exception entry they start at.</summary>
        public Dictionary<string, Path> OopsPaths { get; } = new Dictionary<string, Path>(StringComparer.Ordinal);

        /// <summary>panic's recorded path (<see cref="KernelFootprint.Panic"/>), or an empty one.</summary>
        public Path Panic { get; } = Path.Empty;

        /// <summary>Where panic's path stands (host branches taken) when it enters __stack_chk_fail, panic and dump_stack.</summary>
        public Dictionary<ulong, int> PanicStarts { get; } = new Dictionary<ulong, int>();

        public Dictionary<ulong, HostBranch> Branches { get; } = new Dictionary<ulong, HostBranch>();

        /// <summary>The recorded call <see cref="KernelFootprint.PrintkFor"/> picks for the format, as a path to replay.</summary>
        public Path For(string format) =>
            _footprint.PrintkFor(format) is { } recorded && _paths.TryGetValue(recorded, out var path) ? path : Path.Empty;

        /// <summary>
        /// Replays the recording's control flow from printk's entry: the next instruction unless the recording jumped,
        /// and notes where control went after each host branch.
        /// </summary>
        private Path Walk(RecordedPath path, ulong entry)
        {
            var targets = new List<Target>();
            var commits = new List<int>();
            int printkCalls = 0;
            ulong commitReturn = 0;
            int reserve = int.MaxValue;
            // Where each step stands against the host branches: how many came before it, how many steps since the last
            // (KDsl retires one instruction per step between host branches; a rep instruction, which the recording
            // stepped per iteration, once: the allocators' memset and clear_page run one).
            var branchesAfter = new List<int>(path.Steps);
            var sinceBranch = new List<int>(path.Steps);
            int since = 0;
            foreach (var step in _footprint.Steps(path, entry))
            {
                ulong pc = step.Key, next = step.Value;
                if (PanicStarts.TryGetValue(pc, out int start) && start < 0) PanicStarts[pc] = targets.Count;
                if (pc == _printkEntry) printkCalls++;
                if (next == _reserveEntry && reserve == int.MaxValue) reserve = targets.Count;
                if (next == _commitEntry) commitReturn = pc + (ulong)_footprint.InstructionBytes(pc)!.Length;
                else if (pc == commitReturn)
                {
                    commits.Add(targets.Count);
                    commitReturn = 0;
                }
                if (Branches.ContainsKey(pc))
                {
                    targets.Add(new Target(pc, next));
                    since = 0;
                }
                else if (next != pc) since++; // a string instruction's iterations, stepped one by one, retire once here
                branchesAfter.Add(targets.Count);
                sinceBranch.Add(since);
            }
            var writes = new List<TimedWrite>(path.Writes.Count);
            foreach (var w in path.Writes)
            {
                int producer = Math.Min(w.Step, branchesAfter.Count) - 1; // "after STEP steps": the step that wrote it
                if (producer < 0) continue;
                writes.Add(new TimedWrite(branchesAfter[producer], sinceBranch[producer], Word(w.Below, w.Value)));
            }
            return new Path(targets.ToArray(), commits.ToArray(), reserve, Residue(path), writes.ToArray(), printkCalls);
        }

        /// <summary>The recorded call's residue in this machine's terms; the module's own code words are left as the run wrote them.</summary>
        private static ResidueWord[] Residue(RecordedPath path)
        {
            var words = new List<ResidueWord>(path.Residue.Count);
            foreach (var r in path.Residue)
            {
                var word = Word(r.Key, r.Value);
                if (word.Word.Kind != FootprintWordKind.ModuleCode) words.Add(word);
            }
            return words.ToArray();
        }

        private static ResidueWord Word(int below, string token) => new ResidueWord(below, FootprintWord.Parse(token));


        /// <summary>
        /// One recorded call: where control went at each host branch, how many it took before the record was reserved
        /// (the last one before prb_reserve's call of <see cref="ReserveFunction"/>: no stack write lies between them that
        /// could fault) and before the commit.
        /// </summary>
        public sealed class Path
        {
            public static readonly Path Empty = new Path(Array.Empty<Target>(), Array.Empty<int>(), int.MaxValue, Array.Empty<ResidueWord>(), Array.Empty<TimedWrite>());

            public Path(Target[] targets, int[] commits, int reserve, ResidueWord[] residue, TimedWrite[] writes, int printkCalls = 0)
            {
                PrintkCalls = printkCalls;
                Targets = targets;
                Commits = commits;
                Commit = commits.Length > 0 ? commits[0] : int.MaxValue;
                Reserve = reserve;
                Residue = residue;
                Writes = writes;
            }

            /// <summary>The same words as the call went (<see cref="RecordedPath.Writes"/>), in step order.</summary>
            public TimedWrite[] Writes { get; }

            /// <summary>What the call left below its caller's RSP (<see cref="RecordedPath.Residue"/>).</summary>
            public ResidueWord[] Residue { get; }

            public Target[] Targets { get; }
            /// <summary>Host branches taken before each commit of a whole record (prb_final_commit's return), in order.</summary>
            public int[] Commits { get; }
            /// <summary>How many times the recording entered printk (a kernel path's own printks; a printk path's is 1).</summary>
            public int PrintkCalls { get; }
            /// <summary>The first of <see cref="Commits"/>: a printk's own record.</summary>
            public int Commit { get; }
            public int Reserve { get; }
        }

        /// <summary>A word the recorded call left <see cref="Below"/> bytes below its caller's RSP: a value, or an offset from that RSP.</summary>
        public readonly record struct ResidueWord(int Below, FootprintWord Word)
        {
            /// <summary>The word's value in a run whose printk caller's RSP is <paramref name="callerRsp"/>.</summary>
            public ulong ValueBelow(ulong callerRsp) =>
                Word.Kind == FootprintWordKind.FromCaller ? unchecked(callerRsp + Word.Value) : Word.Value;
        }

        /// <summary>
        /// A <see cref="ResidueWord"/> the recorded call wrote once <see cref="Branches"/> host branches were taken and
        /// <see cref="Since"/> instructions retired after the last of them (0: the host branch itself wrote it, a call's push).
        /// </summary>
        public readonly record struct TimedWrite(int Branches, int Since, ResidueWord Word);

        /// <summary>At the host branch at <see cref="From"/>, the recorded run went on at <see cref="To"/>.</summary>
        public readonly record struct Target(ulong From, ulong To);
    }
}
