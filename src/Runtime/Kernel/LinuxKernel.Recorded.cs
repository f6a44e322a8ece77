using System;
using System.Collections.Generic;
using System.Globalization;
using KDsl.Profiles;
using KDsl.Runtime.Cpu;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// The parts of the kernel whose footprint is recorded from the real kernel (Profiles/Footprints): the syscall path
    /// that hands the module's init the stack and registers the real one does, and the host branches that steer the
    /// recorded printk text along the real run.
    /// </summary>
    public sealed partial class LinuxKernel
    {
        /// <summary>
        /// finit_module as recorded: pt_regs at the top of the stack, below them the syscall path's frames word for word
        /// as the real kernel left them when do_one_initcall called the init (return addresses, saved registers, stale
        /// data), the registers it passed, and the CPU at the init's first instruction.
        /// </summary>
        private void EnterInitAsRecorded(KernelFootprint footprint, ulong init, ulong ptRegs)
        {
            ulong rsp = ptRegs - (ulong)(8 * footprint.InitWords.Count);
            for (int i = 0; i < footprint.InitWords.Count; i++)
                Mmu.TryWriteU64(rsp + (ulong)(8 * i), RecordedWord(footprint.InitWords[i], init));
            SetRecordedRegisters(footprint.InitRegisters, init);
            Cpu.Rsp = rsp;
            Cpu.Rflags = 0x246;
            Cpu.Rip = init;
        }

        /// <summary>
        /// kthread_run's new thread as recorded: pt_regs at the top of its stack, below them ret_from_fork's and kthread's
        /// frames word for word as the real kernel had them when kthread called the thread function, which starts with
        /// kthread's registers and its argument in RDI and returns into kthread (where the C# kernel ends the thread: <see cref="ThreadReturned"/>).
        /// </summary>
        private void EnterThreadAsRecorded(KernelFootprint footprint, TaskStruct task, ulong threadfn, ulong data)
        {
            StartOnStack(task, threadfn);
            ulong top = task.StackTop - KernelProfile.PtRegsSize;
            ulong rsp = top - (ulong)(8 * footprint.ThreadWords.Count);
            for (int i = 0; i < footprint.ThreadWords.Count; i++)
                Mmu.TryWriteU64(rsp + (ulong)(8 * i), RecordedWord(footprint.ThreadWords[i], threadfn));
            // kthread's registers, not the previous task's: what the thread's first frames save (and a later scan finds)
            SetRecordedRegisters(footprint.ThreadRegisters, threadfn);
            Cpu.Rsp = rsp;
            Cpu[Reg.Rdi] = data;
        }

        /// <summary>Recorded registers (<see cref="RecordedWord"/> tokens), <paramref name="function"/> being the one entered.</summary>
        private void SetRecordedRegisters(IEnumerable<KeyValuePair<string, string>> registers, ulong function)
        {
            foreach (var r in registers)
                if (Enum.TryParse<Reg>(r.Key, ignoreCase: true, out var reg)) Cpu[reg] = RecordedWord(r.Value, function);
        }

        /// <summary>
        /// The thread function returned into kthread: kthread_exit(ret), KDsl's do_exit path (its frames are KDsl's, below
        /// kthread's recorded ones).
        /// </summary>
        private void ThreadReturned() => Cpu.Rip = Kallsyms.AddressOf("do_exit");

        /// <summary>
        /// A recorded stack word or register (<see cref="FootprintWord"/>) in this machine's layout: kernel text and data
        /// as they were, the module's init, a module text address at the same offset (anything else in the module is not
        /// modelled: 0), a stack address at the same distance below this task's stack top.
        /// </summary>
        private ulong RecordedWord(string token, ulong init)
        {
            var word = FootprintWord.Parse(token);
            return word.Kind switch
            {
                FootprintWordKind.ModuleInit => init,
                FootprintWordKind.BelowStackTop => Current.StackTop - word.Value,
                FootprintWordKind.ModuleSection => word.Section == ".text" && Module != null ? Module.TextBase + word.Value : 0,
                _ => word.Value,
            };
        }

        /// <summary>
        /// A module called an allocator whose path is recorded (__kmalloc, kfree, vmalloc, __get_free_pages, free_pages):
        /// the C# kernel makes the allocation now, the real function's recorded text runs its stack footprint, and the
        /// result is in RAX when it returns. A call on another recorded path (kfree inside vmalloc's) is that path's own.
        /// </summary>
        private void RecordedAllocatorCall(string function)
        {
            if (_replay is null || _replay.InCall || _replay.InKernelPath) return;
            StackModelService(function);
            _replay.BeginAllocatorCall(function, Cpu.Rsp + 8, Cpu.InstructionCount, Cpu[Reg.Rax]);
        }

        /// <summary>
        /// A service's vmcall stands over a recorded instruction (KernelTextCompiler.ServicePoint): when that loaded a
        /// constant into a register (__stack_chk_fail's format for panic), the service does the load.
        /// </summary>
        private void LoadCoveredConstant(ulong address)
        {
            if (!_coveredConstants.TryGetValue(address, out var load))
                _coveredConstants[address] = load = CoveredConstant(address); // decoded once per service site
            if (load is var (reg, value)) Cpu[reg] = value;
        }

        private readonly Dictionary<ulong, (Reg, ulong)?> _coveredConstants = new Dictionary<ulong, (Reg, ulong)?>();

        private (Reg, ulong)? CoveredConstant(ulong address) =>
            Footprint?.InstructionBytes(address) is { } bytes &&
            KDsl.CodeGen.FootprintText.TryConstantLoad(bytes, address, out var register, out ulong value) &&
            Enum.TryParse<Reg>(register.ToString(), ignoreCase: true, out var reg)
                ? (reg, value) : null;

        /// <summary>
        /// A hlt of the recorded text where the real kernel branched on data: go where the recorded run went. Past the
        /// reservation point the record holds the console's place; at the commit point the printk's line is logged
        /// first; a call whose push hits an unmapped page faults as the call
        /// instruction would (#PF at its address, which becomes #DF on the guard page).
        /// </summary>
        private bool TakeHostBranch()
        {
            ulong at = Cpu.Rip - 1;
            if (_replay is null || !_replay.TryGetBranch(at, out var branch)) return false;
            if (_replay.InOops) LogCommittedOopsLines();
            if (_replay.AtCommit)
            {
                _replay.Commit();
                Log.Commit(_pendingPrintk); // final in the ringbuffer: it reaches the console even if this path dies
                _pendingPrintk = null;
            }
            if (_replay.TryTake(Cpu, at, branch, out ulong target))
            {
                Cpu.Rip = target;
                if (_replay.AtReserve)
                {
                    _replay.Reserve();
                    Log.Reserve(); // a fault from here to the commit leaves the record reserved for ever
                }
                return true;
            }
            Cpu.Rip = at;
            Cpu.Cr2 = Cpu.Rsp - 8;
            Dispatch(Cpu.DeliverException(Vectors.PF, 0x2)); // a supervisor write to a not-present page
            return true;
        }
    }
}
