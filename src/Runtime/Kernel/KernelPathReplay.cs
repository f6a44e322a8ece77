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
        /// <summary>A printk or allocator call from outside the recorded paths is under way (its path is <c>_current</c>).</summary>
        private bool _inCall;
        /// <summary>What the allocator call under way returns (the C# kernel's allocation), or null for a printk.</summary>
        private ulong? _callResult;
        private ulong _callerRsp;
        private ulong _faultIp;
        private int _commitsPassed;
        private int _oopsPrintks;
        private long _lastBranchInstructions;
        /// <summary>How many times the module has called each recorded allocator: the next call replays that one's recording.</summary>
        private readonly Dictionary<string, int> _allocatorCalls = new Dictionary<string, int>(StringComparer.Ordinal);

        public KernelPathReplay(RecordedPrintks recorded) => _recorded = recorded;

        public bool TryGetBranch(ulong address, out HostBranch branch) => _recorded.Branches.TryGetValue(address, out branch);

        /// <summary>printk was called with this format: follow its recorded path (<see cref="RecordedPrintks.For"/>).</summary>
        public void BeginPrintk(string format, ulong callerRsp, long instructions) => BeginCall(_recorded.For(format), callerRsp, instructions, null);

        /// <summary>
        /// A recorded allocator was called: follow the recorded path of its call as the module's how-many-th (<see cref="RecordedPrintks.CallFor"/>); it returns
        /// <paramref name="result"/>, the allocation the C# kernel made.
        /// </summary>
        public void BeginAllocatorCall(string function, ulong callerRsp, long instructions, ulong result)
        {
            _allocatorCalls.TryGetValue(function, out int made);
            _allocatorCalls[function] = made + 1;
            BeginCall(_recorded.CallFor(function, made), callerRsp, instructions, result);
        }

        /// <summary>A printk or allocator call from outside the recorded paths is under way: calls it makes start no path of their own.</summary>
        public bool InCall => _inCall;

        private void BeginCall(RecordedPrintks.Path path, ulong callerRsp, long instructions, ulong? result)
        {
            _current = path;
            _callResult = result;
            _callerRsp = callerRsp;
            _lastBranchInstructions = instructions;
            _inCall = true;
            _next = 0;
            Committed = false;
            Reserved = false;
        }

        /// <summary>
        /// panic's recorded path was entered at <paramref name="function"/>'s entry (__stack_chk_fail, panic or dump_stack):
        /// follow it from there to show_stack. The printks on it are part of the path: they start no recording of their
        /// own (<see cref="InPanic"/>), and the C# kernel prints panic's lines.
        /// </summary>
        public void BeginPanic(ulong function, long instructions)
        {
            _current = _recorded.Panic;
            _next = _recorded.PanicStarts.TryGetValue(function, out int first) ? first : _current.Targets.Length;
            _lastBranchInstructions = instructions;
            _inCall = false;
            InPanic = true;
            // the path's printks log nothing of their own (the C# kernel prints panic's lines): no record to reserve or commit
            Committed = true;
            Reserved = true;
        }

        /// <summary>panic's recorded path is under way (<see cref="BeginPanic"/>) until <see cref="EndPanic"/>.</summary>
        public bool InPanic { get; private set; }

        /// <summary>
        /// A kernel-mode exception entered the oops path recorded from its gate, <paramref name="entry"/>, RSP at the frame
        /// the CPU pushed (<paramref name="frameRsp"/>): follow it into the call trace. Its printks start no recording of their own; the
        /// C# kernel logs the report's lines as the recorded ones are committed (<see cref="OopsRecordsCommitted"/>).
        /// </summary>
        public void BeginOops(string entry, ulong frameRsp, ulong faultIp, long instructions)
        {
            _current = _recorded.OopsPaths.TryGetValue(entry, out var path) ? path : RecordedPrintks.Path.Empty;
            _next = 0;
            _commitsPassed = 0;
            _oopsPrintks = 0;
            _callerRsp = frameRsp; // the recorded writes are relative to the entry's RSP
            _faultIp = faultIp;
            _lastBranchInstructions = instructions;
            _inCall = false;
            InOops = true;
            Committed = true;
            Reserved = true;
        }

        /// <summary>The recorded oops path is under way (<see cref="BeginOops"/>) until <see cref="EndOops"/> or a fault in it.</summary>
        public bool InOops { get; private set; }

        /// <summary>
        /// printk was entered on the oops path: false for one of the path's own printks, true for its last step, the entry
        /// of the printk of the call trace's second entry, where the recording ends (the C# kernel prints the rest).
        /// </summary>
        public bool OopsPrintkEndsPath() => ++_oopsPrintks >= _current.PrintkCalls;

        /// <summary>A recorded kernel path (panic's or the oops's) is under way: printk's entry starts no recording of its own.</summary>
        public bool InKernelPath => InPanic || InOops;

        /// <summary>The oops path's recording has ended (the C# kernel prints the rest of the report).</summary>
        public void EndOops()
        {
            InOops = false;
            _current = RecordedPrintks.Path.Empty;
        }

        /// <summary>
        /// How many of the oops path's printks have committed a whole line to the ringbuffer by now (the host branch about
        /// to be taken is the <c>_next</c>-th): the report's lines up to that count are in the log.
        /// </summary>
        public int OopsRecordsCommitted
        {
            get
            {
                var commits = _current.Commits;
                while (_commitsPassed < commits.Length && commits[_commitsPassed] <= _next) _commitsPassed++;
                return _commitsPassed;
            }
        }

        /// <summary>show_stack was reached: the C# kernel prints the trace, and the path's recording ends here.</summary>
        public void EndPanic()
        {
            InPanic = false;
            _current = RecordedPrintks.Path.Empty;
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
                if (_inCall && cpu.Rsp == _callerRsp)
                {
                    // the call's own return (not a nested call of the same function): what it left, what it returns
                    LeaveResidue(cpu, cpu.Rsp);
                    if (_callResult is ulong result) cpu[Reg.Rax] = result;
                    _inCall = false;
                }
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
            _lastBranchInstructions = cpu.InstructionCount;
            return true;
        }

        /// <summary>
        /// An exception stops the printk under way for good (the task dies in it): the words the recorded call had changed
        /// by the same step, above the faulting RSP, take its values, as the scan of the oops would find them on the real
        /// kernel (the store path's return addresses the console path wrote over through other pointers, say). How far
        /// the call got is the host branches taken and the instructions retired since the last.
        /// </summary>
        public void Interrupted(X64Cpu cpu, ulong rsp)
        {
            if (!_inCall && !InOops) return;
            _inCall = false;
            InOops = false;
            long since = cpu.InstructionCount - _lastBranchInstructions;
            foreach (var w in _current.Writes)
            {
                if (w.Branches > _next || (w.Branches == _next && w.Since > since)) break;
                ulong address = _callerRsp - (ulong)w.Word.Below;
                if (address >= rsp && w.Word.Word.Kind != FootprintWordKind.ModuleCode)
                    cpu.Mmu.TryWriteU64(address, w.Word.Word.Kind == FootprintWordKind.FaultIp ? _faultIp : w.Word.ValueBelow(_callerRsp));
            }
        }

        /// <summary>
        /// printk returned to a caller whose RSP is <paramref name="callerRsp"/>: below it, the words the recorded call
        /// changed take the values it left (the recorded text replays return addresses and stack writes, not the data
        /// the real path stored through other pointers, such as port->serial_in).
        /// </summary>
        private void LeaveResidue(X64Cpu cpu, ulong callerRsp)
        {
            foreach (var word in _current.Residue)
                cpu.Mmu.TryWriteU64(callerRsp - (ulong)word.Below, word.ValueBelow(callerRsp));
        }

        /// <summary>Where control goes from <paramref name="branch"/>, the host branch at <paramref name="address"/>: where the recorded run went.</summary>
        private ulong Next(ulong address, in HostBranch branch)
        {
            var targets = _current.Targets;
            if (_next < targets.Length && targets[_next].From == address) return targets[_next++].To;
            // Off the recording: the text took a way the recorded run did not (the replay lost step with it), so where the
            // real kernel would go is unknown. Falling through would loop until a soft-lockup report the real kernel never
            // prints; this is KDsl's failure, and Machine.Run's boundary reports it as one.
            throw new InvalidOperationException(
                $"the recorded kernel path left its recording at {address:x} (host branch {_next} of {targets.Length})");
        }
    }

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
        public readonly struct ResidueWord
        {
            public ResidueWord(int below, FootprintWord word)
            {
                Below = below;
                Word = word;
            }

            public int Below { get; }
            public FootprintWord Word { get; }

            /// <summary>The word's value in a run whose printk caller's RSP is <paramref name="callerRsp"/>.</summary>
            public ulong ValueBelow(ulong callerRsp) =>
                Word.Kind == FootprintWordKind.FromCaller ? unchecked(callerRsp + Word.Value) : Word.Value;
        }

        /// <summary>
        /// A <see cref="ResidueWord"/> the recorded call wrote once <see cref="Branches"/> host branches were taken and
        /// <see cref="Since"/> instructions retired after the last of them (0: the host branch itself wrote it, a call's push).
        /// </summary>
        public readonly struct TimedWrite
        {
            public TimedWrite(int branches, int since, ResidueWord word)
            {
                Branches = branches;
                Since = since;
                Word = word;
            }

            public int Branches { get; }
            public int Since { get; }
            public ResidueWord Word { get; }
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
