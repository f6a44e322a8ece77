using System;
using System.Text;
using KDsl.Runtime.Cpu;
using KDsl.Runtime.Kernel.Mm;
using KDsl.Runtime.Memory;

namespace KDsl.Runtime.Kernel
{
    /// <summary>vm_fault_t results KDsl's handle_mm_fault returns.</summary>
    public enum VmFault { Done, SigBus, Oom }

    /// <summary>
    /// Faults from user mode (arch/x86/mm/fault.c do_user_addr_fault, mm/memory.c handle_mm_fault, mm/filemap.c
    /// filemap_fault) and the user-mode traps (traps.c): demand paging, the EOF check that gives SIGBUS, SIGSEGV with
    /// SEGV_MAPERR / SEGV_ACCERR and show_signal_msg's log line.
    /// </summary>
    public sealed partial class LinuxKernel
    {
        private void HandleUserException(UserProcess p, in ExceptionInfo info)
        {
            Charge(KernelWork.TrapEntry);
            switch (info.Vector)
            {
                case Vectors.PF:
                    DoUserAddrFault(p, info, info.ErrorCode, info.Cr2);
                    break;
                case Vectors.UD:
                    // do_error_trap(regs, 0, "invalid opcode", X86_TRAP_UD, …) → do_trap: error_code 0, trap_nr 6.
                    DoTrapArchinfo(p, Vectors.UD, 0);
                    if (!HasHandler(p, Signals.SIGILL)) ShowSignal(p, info, "trap invalid opcode", 0);
                    ForceSigFault(p, info, Signals.SIGILL, Signals.ILL_ILLOPN, info.FaultRip);
                    break;
                case Vectors.DE:
                    DoTrapArchinfo(p, Vectors.DE, 0);
                    if (!HasHandler(p, Signals.SIGFPE)) ShowSignal(p, info, "trap divide error", 0);
                    ForceSigFault(p, info, Signals.SIGFPE, Signals.FPE_INTDIV, info.FaultRip);
                    break;
                case Vectors.GP:
                    // gp_user_force_sig_segv (4.x do_general_protection): thread.error_code = error_code, trap_nr = X86_TRAP_GP.
                    DoTrapArchinfo(p, Vectors.GP, info.ErrorCode);
                    if (!HasHandler(p, Signals.SIGSEGV)) ShowSignal(p, info, "general protection fault", info.ErrorCode);
                    ForceSigFault(p, info, Signals.SIGSEGV, Signals.SI_KERNEL, 0);
                    break;
                default:
                {
                    // do_trap's user branch: show_signal's "trap <str>" line when unhandled, then force_sig (SI_KERNEL).
                    // int3 (do_int3_user) gives SIGTRAP, into's #OF SIGSEGV, #NP/#SS/#AC SIGBUS, x87/SIMD errors SIGFPE.
                    var (signo, what) = UserTrap(info.Vector);
                    DoTrapArchinfo(p, info.Vector, info.HasErrorCode ? info.ErrorCode : 0);
                    if (!HasHandler(p, signo)) ShowSignal(p, info, "trap " + what, info.HasErrorCode ? info.ErrorCode : 0);
                    ForceSigFault(p, info, signo, Signals.SI_KERNEL, 0);
                    break;
                }
            }
        }

        /// <summary>do_trap: <c>tsk->thread.error_code = error_code; tsk->thread.trap_nr = trapnr;</c> (cr2 is left alone).</summary>
        private static void DoTrapArchinfo(UserProcess p, int trapNr, ulong errorCode)
        {
            p.ThreadTrapNr = (ulong)trapNr;
            p.ThreadErrorCode = errorCode;
        }

        /// <summary>
        /// arch/x86/mm/fault.c set_signal_archinfo, before a page fault's SIGSEGV/SIGBUS: <c>tsk->thread.trap_nr =
        /// X86_TRAP_PF; tsk->thread.error_code = error_code | X86_PF_USER; tsk->thread.cr2 = address;</c> (4.x sets the
        /// same three fields in __bad_area_nosemaphore and do_sigbus; the hardware's code already has the user bit).
        /// </summary>
        private static void SetSignalArchinfo(UserProcess p, uint errorCode, ulong address)
        {
            p.ThreadTrapNr = Vectors.PF;
            p.ThreadErrorCode = errorCode | PfError.User;
            p.ThreadCr2 = address;
        }

        /// <summary>The signal and the str of traps.c's handler for a user-mode exception (anything else: #GP's).</summary>
        private static (int Signo, string What) UserTrap(int vector) =>
            ErrorTrap(vector) is { } trap ? (trap.Signo, trap.Str) : (Signals.SIGSEGV, "general protection fault");

        private void DoUserAddrFault(UserProcess p, in ExceptionInfo info, uint error, ulong address)
        {
            if (address >= MmStruct.TaskSize)
            {
                BadArea(p, info, error | PfError.Prot, address, Signals.SEGV_MAPERR);
                return;
            }
            var vma = p.Mm.FindVma(address);
            if (vma is null)
            {
                BadArea(p, info, error, address, Signals.SEGV_MAPERR);
                return;
            }
            if (AccessError(error, vma))
            {
                BadArea(p, info, error, address, Signals.SEGV_ACCERR);
                return;
            }
            switch (HandleMmFault(p.Mm, vma, address, (error & PfError.Write) != 0))
            {
                case VmFault.SigBus:
                    // do_sigbus: SIGBUS, BUS_ADRERR, si_addr = the faulting address; the kernel prints nothing.
                    SetSignalArchinfo(p, error, address);
                    ForceSigFault(p, info, Signals.SIGBUS, Signals.BUS_ADRERR, address);
                    return;
                case VmFault.Oom:
                    // The allocator's slow path found nothing to reclaim: out_of_memory, run as kernel text (Mm/OomKill.cs).
                    OutOfMemory(p, info);
                    return;
            }
            // Back to the faulting instruction (iretq).
            Cpu.Cs = Selectors.UserCs;
            Cpu.Ss = Selectors.UserDs;
            Cpu.Rip = info.FaultRip;
            Cpu.Rsp = info.FaultRsp;
            Cpu.Rflags = info.FaultRflags;
        }

        /// <summary>access_error(): write needs VM_WRITE; a read of a present page is a protection error; else VM_READ|WRITE|EXEC.</summary>
        private static bool AccessError(uint error, VmAreaStruct vma)
        {
            if ((error & PfError.Write) != 0) return (vma.Flags & VmFlags.Write) == 0;
            if ((error & PfError.Prot) != 0) return true;
            return (vma.Flags & (VmFlags.Read | VmFlags.Write | VmFlags.Exec)) == 0;
        }

        /// <summary>__bad_area_nosemaphore: show_signal_msg (no handler) and SIGSEGV with the code.</summary>
        private void BadArea(UserProcess p, in ExceptionInfo info, uint error, ulong address, int code)
        {
            if (!HasHandler(p, Signals.SIGSEGV)) ShowSignalMsg(p, info, error, address); // only when unhandled_signal()
            SetSignalArchinfo(p, error, address);
            ForceSigFault(p, info, Signals.SIGSEGV, code, address);
        }

        /// <summary>
        /// handle_mm_fault for one page: an anonymous zero page (do_anonymous_page), or a file page through
        /// filemap_fault (EOF check → VM_FAULT_SIGBUS; a page not yet in the page cache is a major fault), mapped
        /// shared (MAP_SHARED writes reach the page cache) or copied on write (do_cow_fault / do_wp_page).
        /// </summary>
        public VmFault HandleMmFault(MmStruct mm, VmAreaStruct vma, ulong address, bool write)
        {
            ulong va = address & ~PhysicalMemory.PageMask;
            ulong leaf = Tables.GetLeaf(mm.Root, va);
            PteFlags flags = PteFlags.Present | PteFlags.User | PteFlags.Accessed;
            if ((vma.Flags & VmFlags.Exec) == 0) flags |= PteFlags.NoExecute;
            bool writable = (vma.Flags & VmFlags.Write) != 0;

            if (leaf != 0 && (leaf & (ulong)PteFlags.Present) != 0)
            {
                // Present: a write to a read-only pte of a writable VMA (do_wp_page): a private file page gets its copy.
                if (!write || !writable) return VmFault.Done;
                ulong old = leaf & PageTables.AddressMask;
                bool shared = vma.IsShared || vma.File is null;
                ulong target = old;
                if (!shared)
                {
                    if (!TryCopyPage(old, out target)) return OomFault(OomAllocation.CowPage);
                }
                Tables.SetLeaf(mm.Root, va, target | (ulong)(flags | PteFlags.Writable | PteFlags.Dirty));
                Mmu.FlushAll();
                mm.MinorFaults++;
                return VmFault.Done;
            }

            if (vma.File is null)
            {
                if (!Memory.TryAllocPage(out ulong page)) return OomFault(OomAllocation.AnonymousPage);
                Memory.Fill(page, PhysicalMemory.PageSize, 0);
                if (writable) flags |= PteFlags.Writable | PteFlags.Dirty;
                if (!Tables.Map4K(mm.Root, va, page, flags))
                {
                    Memory.FreePage(page);
                    return OomFault(OomAllocation.AnonymousPage); // the pte table's page (pte_alloc) could not be had
                }
                mm.MinorFaults++;
                return VmFault.Done;
            }

            // filemap_fault: max_idx = DIV_ROUND_UP(i_size, PAGE_SIZE); index >= max_idx → VM_FAULT_SIGBUS.
            var inode = vma.File;
            long index = vma.Pgoff + (long)((va - vma.Start) >> PhysicalMemory.PageShift);
            long maxIndex = (inode.Size + PhysicalMemory.PageSize - 1) >> PhysicalMemory.PageShift;
            if (index >= maxIndex) return VmFault.SigBus;
            bool major = false;
            if (!inode.PageCache.TryGetValue(index, out ulong cached))
            {
                if (!Memory.TryAllocPage(out cached)) return OomFault(OomAllocation.PageCachePage);
                Memory.Fill(cached, PhysicalMemory.PageSize, 0);
                inode.PageCache[index] = cached;
                major = true; // count_vm_event(PGMAJFAULT): the page had to be read in
            }
            ulong mapped = cached;
            if (vma.IsShared)
            {
                if (writable) flags |= PteFlags.Writable | PteFlags.Dirty;
            }
            else if (write)
            {
                if (!TryCopyPage(cached, out mapped)) return OomFault(OomAllocation.CowPage); // do_cow_fault
                flags |= PteFlags.Writable | PteFlags.Dirty;
            }
            if (!Tables.Map4K(mm.Root, va, mapped, flags)) return OomFault(OomAllocation.PageCachePage);
            if (major) mm.MajorFaults++;
            else mm.MinorFaults++;
            return VmFault.Done;
        }

        private bool TryCopyPage(ulong source, out ulong copy)
        {
            if (!Memory.TryAllocPage(out copy)) return false;
            var buffer = new byte[PhysicalMemory.PageSize];
            Memory.Read(source, buffer);
            Memory.Write(copy, buffer);
            return true;
        }

        /// <summary>
        /// show_signal_msg: "comm[pid]: segfault at ADDR ip IP sp SP error E in file[start+size]" (+ " likely on CPU …"
        /// on 6.1), then, on 5.x/6.x, the user Code: line (show_opcodes).
        /// </summary>
        private void ShowSignalMsg(UserProcess p, in ExceptionInfo info, uint error, ulong address)
        {
            var line = new StringBuilder();
            line.Append($"{p.Result.Name}[{p.Result.Pid}]: segfault at {address:x} ip {info.FaultRip:x16} sp {info.FaultRsp:x16} error {error:x}");
            AppendVmaAddr(p, line, info.FaultRip, " in ");
            if (Profile.SegfaultCpuSuffix) line.Append($" likely on CPU {Profile.Cpu} (core 0, socket 0)");
            Printk(line + "\n");
            ShowUserOpcodes(p, info.FaultRip);
        }

        /// <summary>traps.c show_signal: "traps: comm[pid] trap invalid opcode ip:… sp:… error:… in file[start+size]".</summary>
        private void ShowSignal(UserProcess p, in ExceptionInfo info, string description, uint error)
        {
            var line = new StringBuilder($"traps: {p.Result.Name}[{p.Result.Pid}] {description} ip:{info.FaultRip:x} sp:{info.FaultRsp:x} error:{error:x}");
            AppendVmaAddr(p, line, info.FaultRip, " in ");
            Printk(line + "\n");
            ShowUserOpcodes(p, info.FaultRip);
        }

        /// <summary>print_vma_addr: " in NAME[start+size]" when ip lies in a file-backed VMA (the program's own).</summary>
        private static void AppendVmaAddr(UserProcess p, StringBuilder line, ulong ip, string prefix)
        {
            var vma = p.Mm.FindVma(ip);
            if (vma?.Name is null || vma.Name.StartsWith("[", StringComparison.Ordinal)) return;
            line.Append($"{prefix}{vma.Name}[{vma.Start:x}+{vma.End - vma.Start:x}]");
        }

        private void ShowUserOpcodes(UserProcess p, ulong rip)
        {
            if (Profile.LegacyOopsLayout) return; // 4.11's show_signal_msg has no Code: line
            ulong prologue = rip - (ulong)Profile.CodePrologueBytes;
            var bytes = new byte[KDsl.Runtime.Kernel.Oops.CodeDump.OpcodeBufSize];
            for (int i = 0; i < bytes.Length; i++)
            {
                if (!TryReadUserMapped(p, prologue + (ulong)i, out bytes[i]))
                {
                    Printk($"Code: Unable to access opcode bytes at 0x{prologue:x}.\n");
                    return;
                }
            }
            var line = new StringBuilder("Code:");
            for (int i = 0; i < bytes.Length; i++)
                line.Append(i == Profile.CodePrologueBytes ? $" <{bytes[i]:x2}>" : $" {bytes[i]:x2}");
            Printk(line + "\n");
        }

        /// <summary>A byte of user memory as copy_from_user_nmi reads it: only through a present pte, never faulting.</summary>
        private bool TryReadUserMapped(UserProcess p, ulong va, out byte value)
        {
            value = 0;
            var walk = Tables.Walk(p.Mm.Root, va);
            if (!walk.Present || va >= MmStruct.TaskSize) return false;
            value = Memory.ReadU8(walk.PhysicalAddress);
            return true;
        }
    }
}
