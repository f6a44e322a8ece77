using System;
using System.Collections.Generic;
using KDsl.Image;
using KDsl.Profiles;
using KDsl.Runtime.Cpu;
using KDsl.Runtime.Kernel.Fs;
using KDsl.Runtime.Kernel.Mm;
using KDsl.Runtime.Memory;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// User processes: each `process NAME { }` runs after insmod (or alone) in its own task, with its own page tables
    /// (the user half its own, the kernel half the kernel's PML4 entries), the program's text and rodata mapped at
    /// 0x401000 like a static ELF, a demand-paged stack VMA below TASK_SIZE with unmapped space below it, and
    /// `syscall` entering the kernel through MSR_LSTAR.
    /// </summary>
    public sealed partial class LinuxKernel
    {
        public const ulong UserElfBase = UserProgram.ElfBase;
        public const ulong UserTextBase = UserProgram.TextBase;
        public const ulong UserStackTop = MmStruct.TaskSize;
        public const ulong UserStackSize = 8UL << 20; // RLIMIT_STACK
        /// <summary>mmap_base: below the stack and its gap (top-down allocation starts here).</summary>
        public const ulong UserMmapBase = 0x7ffff7fff000;

        private readonly Tmpfs _tmpfs = new Tmpfs();
        private UserProcess? _process;

        /// <summary>Every process's result, in the order they ran.</summary>
        public List<ProcessResult> Processes { get; } = new List<ProcessResult>();

        /// <summary>Runs each `process` block of the image, one after another (insmod first when the file has init).</summary>
        public void RunProcesses(ModuleImage image)
        {
            var names = image.ProcessNames;
            for (int i = 0; i < names.Count; i++)
            {
                if (_halted || Outcome is RunOutcome.Panic or RunOutcome.TripleFault or RunOutcome.LoadFailed or RunOutcome.Hung) return;
                var result = new ProcessResult(names[i], ProcessPid(i));
                Processes.Add(result);
                RunProcess(image, result);
            }
        }

        private void RunProcess(ModuleImage image, ProcessResult result)
        {
            var savedTask = Current;
            ulong savedGs = Cpu.GsBase;
            var task = TryCreateTask(result.Pid, result.Name);
            if (task is null || !Memory.TryAllocPage(out ulong root))
            {
                result.ExitStatus = 128 + Signals.SIGKILL;
                result.Signal = Signals.SIGKILL;
                return;
            }
            Memory.Fill(root, PhysicalMemory.PageSize, 0);
            for (int i = 256; i < 512; i++) Memory.WriteU64(root + (ulong)(8 * i), Memory.ReadU64(Root + (ulong)(8 * i)));
            var mm = new MmStruct(root, UserMmapBase);
            if (!LoadProgram(image, mm, result.Name, out ulong entry, out ulong exitStub, out ulong tls, out VmAreaStruct text))
            {
                result.ExitStatus = 128 + Signals.SIGKILL;
                result.Signal = Signals.SIGKILL;
                return;
            }
            MapVdso(mm);
            var p = new UserProcess(task, mm, result, text) { KernelGs = savedGs };
            _process = p;
            Current = task;

            // The stack VMA; main's return address is the exit stub (exit(main's return value), as __libc_start_main does).
            mm.Insert(new VmAreaStruct(UserStackTop - UserStackSize, UserStackTop, VmFlags.Read | VmFlags.Write | VmFlags.GrowsDown, null, 0, "[stack]"));
            ulong rsp = UserStackTop - 0x100 - 8;
            Cpu.Cr3 = root;
            if (!TryPutUser(p, rsp, BitConverter.GetBytes(exitStub))) p.Exited = true;

            Cpu.Lstar = Kallsyms.AddressOf(KernelProfile.UserSyscallEntry);
            Cpu.Tss.Rsp0 = task.StackTop;
            Cpu.GsBase = tls; // the user's TLS: the canary at %gs:0x28 (KDsl's code reads the canary through GS)
            for (int r = 0; r < 16; r++) Cpu[(Reg)r] = 0;
            Cpu.Rflags = 0x202;
            Cpu.SetUserMode(entry, rsp);
            _finished = false;
            if (!p.Exited) RunProcessUntilDone(p);
            result.Ended = p.Exited && !p.DiedInExit;
            result.DiedInExit = p.DiedInExit;

            _driverCall = null; // a handler that oopsed never returned
            ExitMmap(p);
            result.MinorFaults = mm.MinorFaults;
            result.MajorFaults = mm.MajorFaults;
            result.OutputBytes = p.Output.ToArray();
            _process = null;
            Cpu.Cr3 = Root;
            Cpu.GsBase = savedGs;
            Cpu.Cs = Selectors.KernelCs;
            Cpu.Ss = Selectors.KernelDs;
            Current = savedTask;
        }

        private void RunProcessUntilDone(UserProcess p)
        {
            long end = Cpu.InstructionCount + InstructionBudget;
            RunProcessLoop(p, end);
            if (_finished && !p.Exited && Current.ExitSignal != 0) KillByOops(p); // a recorded oops path ended the task
        }

        private void RunProcessLoop(UserProcess p, long end)
        {
            while (!_finished && !p.Exited)
            {
                long budget = end - Cpu.InstructionCount;
                if (budget <= 0)
                {
                    StoppedByBudget(p);
                    return;
                }
                switch (Cpu.Run(budget))
                {
                    case StopReason.Hypercall:
                        if (Cpu.Cpl == 3) KillProcess(p, Signals.SIGILL, Signals.ILL_ILLOPN, Cpu.Rip - 3); // vmcall in user mode: #UD
                        else if (_services.TryGetValue(Cpu.Rip, out var site) && site.Function == KernelProfile.UserSyscallEntry) EntrySyscall64(p);
                        else Service();
                        break;
                    case StopReason.Exception:
                        if ((Cpu.LastException.FaultCs & 3) == 3) HandleUserException(p, Cpu.LastException);
                        else
                        {
                            // A kernel-mode exception in this task (a driver's handler, say): a fault the kernel resolves
                            // or fixes up (copy_from_user's) resumes; an oops on a recorded path runs on as kernel text
                            // until oops_end, whose make_task_dead ends the task with its signal.
                            HandleException(Cpu.LastException);
                            if (_recordedOops is null && (_finished || _halted)) KillByOops(p);
                        }
                        break;
                    case StopReason.TripleFault:
                        Outcome = RunOutcome.TripleFault;
                        _finished = true;
                        break;
                    case StopReason.Halt:
                        if (TakeHostBranch()) break; // the recorded kernel text's data-dependent branch
                        KillProcess(p, Signals.SIGKILL, 0, 0);
                        break;
                    case StopReason.Unimplemented:
                        StopAtUnimplemented();
                        return;
                    case StopReason.BudgetExhausted:
                        StoppedByBudget(p);
                        return;
                }
            }
        }

        /// <summary>oops_end's make_task_dead(signr): the process dies of the oops's signal (SIGKILL after a page fault's, SIGSEGV after die()'s).</summary>
        private void KillByOops(UserProcess p)
        {
            if (!p.Exited) p.Result.KilledByOops = true;
            KillProcess(p, Current.ExitSignal != 0 ? Current.ExitSignal : Signals.SIGKILL, 0, 0);
        }

        /// <summary>The run's instruction budget ran out in user space: the process is stopped (reported as SIGKILL).</summary>
        private void StoppedByBudget(UserProcess p)
        {
            p.Result.StoppedByBudget = true;
            KillProcess(p, Signals.SIGKILL, 0, 0);
        }

        /// <summary>
        /// The program image as a static ELF maps it (<see cref="UserProgram"/>, the bytes `kdsl oracle` puts in the real
        /// executable): an r-- header page at 0x400000, r-x text at 0x401000, r-- rodata, and an rw- page holding the
        /// TLS (canary at +0x28, random with its low byte zero as glibc makes it).
        /// </summary>
        /// <summary>
        /// arch_setup_additional_pages (map_vdso): [vvar] and [vdso] in one area get_unmapped_area gives at exec, so
        /// the process's own mmaps land below them, as on the real kernel. Their contents are not modelled.
        /// </summary>
        private void MapVdso(MmStruct mm)
        {
            var (vvar, vdso) = Profile.VdsoPages;
            if (vvar + vdso == 0) return;
            ulong start = mm.GetUnmappedArea((ulong)(vvar + vdso) * PhysicalMemory.PageSize);
            if (start == 0) return;
            ulong text = start + (ulong)vvar * PhysicalMemory.PageSize;
            mm.Insert(new VmAreaStruct(start, text, VmFlags.Read, null, 0, "[vvar]"));
            mm.Insert(new VmAreaStruct(text, text + (ulong)vdso * PhysicalMemory.PageSize, VmFlags.Read | VmFlags.Exec, null, 0, "[vdso]"));
        }

        private bool LoadProgram(ModuleImage image, MmStruct mm, string name, out ulong entry, out ulong exitStub, out ulong tls, out VmAreaStruct textVma)
        {
            var program = UserProgram.Create(image, name);
            entry = program.Entry;
            exitStub = program.ExitStub;
            tls = program.DataBase;
            textVma = null!;

            const PteFlags user = PteFlags.Present | PteFlags.User | PteFlags.Accessed;
            var tlsPage = new byte[PhysicalMemory.PageSize];
            BitConverter.GetBytes(_random.Next() & ~0xffUL).CopyTo(tlsPage, UserProgram.CanaryOffset);
            if (!ModuleLoader.MapCopy(new byte[PhysicalMemory.PageSize], UserElfBase, user | PteFlags.NoExecute, Memory, Tables, mm.Root) ||
                !ModuleLoader.MapCopy(program.Text, UserTextBase, user, Memory, Tables, mm.Root) ||
                !ModuleLoader.MapCopy(program.RoData, program.RoBase, user | PteFlags.NoExecute, Memory, Tables, mm.Root) ||
                (program.Variables.Length > 0 && !ModuleLoader.MapCopy(program.Variables, program.VarBase, user | PteFlags.Writable | PteFlags.Dirty | PteFlags.NoExecute, Memory, Tables, mm.Root)) ||
                !ModuleLoader.MapCopy(tlsPage, program.DataBase, user | PteFlags.Writable | PteFlags.Dirty | PteFlags.NoExecute, Memory, Tables, mm.Root))
                return false;
            mm.Insert(new VmAreaStruct(UserElfBase, UserTextBase, VmFlags.Read, null, 0, name));
            textVma = new VmAreaStruct(UserTextBase, program.TextEnd, VmFlags.Read | VmFlags.Exec, null, 0, name);
            mm.Insert(textVma);
            mm.Insert(new VmAreaStruct(program.RoBase, program.RoEnd, VmFlags.Read, null, 0, name));
            if (program.Variables.Length > 0) mm.Insert(new VmAreaStruct(program.VarBase, program.DataBase, VmFlags.Read | VmFlags.Write, null, 0, name));
            mm.Insert(new VmAreaStruct(program.DataBase, program.DataEnd, VmFlags.Read | VmFlags.Write, null, 0, name));
            return true;
        }

        /// <summary>exit_mmap: every VMA unmapped, its anonymous and private pages freed (the page cache stays with the file).</summary>
        private void ExitMmap(UserProcess p)
        {
            var vmas = p.Mm.Vmas.ToArray();
            for (int i = vmas.Length - 1; i >= 0; i--) // from the list's end: each removal is its last
                Unmap(p, vmas[i].Start, vmas[i].End);
        }

        /// <summary>Kills the process with a signal's default action (no handlers in KDsl yet): exit status 128 + signo.</summary>
        private static void KillProcess(UserProcess p, int signo, int code, ulong address)
        {
            if (p.Exited) return;
            p.Result.Signal = signo;
            p.Result.SiCode = code;
            p.Result.SiAddr = address;
            p.Result.SiAddrVmaStart = p.Mm.FindVma(address)?.Start;
            p.Result.ExitStatus = 128 + signo;
            p.Exited = true;
        }
    }
}
