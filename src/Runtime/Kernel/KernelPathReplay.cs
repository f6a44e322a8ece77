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
        private OopsFault _fault;
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
        public void BeginOops(string entry, ulong frameRsp, OopsFault fault, long instructions)
        {
            _current = _recorded.OopsPaths.TryGetValue(entry, out var path) ? path : RecordedPrintks.Path.Empty;
            _next = 0;
            _commitsPassed = 0;
            _oopsPrintks = 0;
            _callerRsp = frameRsp; // the recorded writes are relative to the entry's RSP
            _fault = fault;
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
                    cpu.Mmu.TryWriteU64(address, ValueOf(cpu, w.Word));
            }
        }

        /// <summary>A recorded write's value on this machine: on the oops path, the faulting context's words as this fault has them.</summary>
        private ulong ValueOf(X64Cpu cpu, RecordedPrintks.ResidueWord word) => word.Word.Kind switch
        {
            FootprintWordKind.FaultIp => unchecked(_fault.Ip + word.Word.Value),
            FootprintWordKind.FaultSymbolStart => _fault.SymbolStart,
            FootprintWordKind.FaultSymbolEnd => _fault.SymbolEnd,
            FootprintWordKind.ModuleData => _fault.ModuleData,
            // the interrupted register's pt_regs slot, which the entry's pushes filled and no recorded write touches
            FootprintWordKind.EntryWord => cpu.Mmu.TryReadU64(_callerRsp - word.Word.Value, out ulong saved) ? saved : 0,
            _ => word.ValueBelow(_callerRsp),
        };

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
}
