using System.Collections.Generic;
using System.Linq;
using KDsl.Profiles;
using KDsl.Runtime.Kernel.Oops;
using KDsl.Runtime.Kernel.Printk;

namespace KDsl.Runtime.Kernel
{
    /// <summary>arch/x86/kernel/dumpstack.c: die(), the call trace, oops_end() and kernel/panic.c's panic().</summary>
    public sealed partial class LinuxKernel
    {
        /// <summary>
        /// die(str, regs, err): the oops report in the profile's format, then oops_end: taint D, and panic when in
        /// interrupt context (the #DF handler) or with panic_on_oops; otherwise the task is killed and the system
        /// goes on (the experiment ends here, as insmod would never return).
        /// </summary>
        private void Die(string dieString, string kind, RegisterSet regs, ulong errorCode, bool inInterrupt, ulong? cr2Line = null,
            int signal = SigSegv)
        {
            var report = BuildReport(dieString, regs, errorCode, out var reliable);
            var code = report.Code!;
            report.DieCounter = ++_dieCounter;
            report.Cr2Line = cr2Line;
            var chain = Unwinder.CallChain(Kallsyms, Mmu, regs.Rip, reliable);
            var (moduleFunction, depth) = Unwinder.InnermostModuleFrame(chain);

            var printer = new OopsPrinter(Profile, Vsprintf);
            foreach (var line in printer.Die(report))
                Printk(line + "\n");
            _taint |= Taint.Bit(Taint.Die);

            var facts = new OopsFacts
            {
                Kind = kind,
                DieString = dieString,
                Rip = regs.Rip,
                RipSymbol = KDsl.Runtime.Kernel.Printk.Kallsyms.SprintSymbol(Kallsyms, regs.Rip),
                Function = Kallsyms.TryFindFunction(regs.Rip, out var f) ? f.Name : "",
                Rsp = regs.Rsp,
                ModuleFunction = moduleFunction,
                CallChain = chain.Select(f => f.Name).ToList(),
                Depth = depth,
                FaultAddress = regs.Cr2,
                StackBase = Current.Stack,
                StackTop = Current.StackTop,
                CodeBytes = code.Bytes,
                CodeStart = code.Start,
                Panicked = inInterrupt || Config.PanicOnOops,
            };
            Oops ??= facts; // the first oops is the one an experiment is about; later ones add [#2], taint D, ...

            OopsEnd(inInterrupt, signal);
        }

        /// <summary>What die() and __warn() print about the current task at <paramref name="regs"/>: registers, Code:, trace, modules.</summary>
        private OopsReport BuildReport(string dieString, RegisterSet regs, ulong errorCode, out HashSet<ulong> reliable)
        {
            var report = new OopsReport
            {
                DieString = dieString,
                ErrorCode = errorCode,
                DieCounter = _dieCounter,
                Cpu = Profile.Cpu,
                Pid = Current.Pid,
                Comm = Current.Comm,
                TaintMask = _taint,
                Regs = regs,
                Code = CodeDump.Copy(Profile, regs.Rip, ReadKernelByte),
                TaskAddress = Current.Address,
                TaskStackAddress = Current.Stack,
                OopsId = _random.Next(),
            };
            report.CallTrace.AddRange(CallTrace(regs, out reliable));
            report.Modules.AddRange(LoadedModules());
            return report;
        }

        /// <summary>print_modules' list: the experiment's module with its taints and state, unless init failed and freed it.</summary>
        private IEnumerable<LoadedModule> LoadedModules()
        {
            if (Module is not null && !_moduleFreed)
                yield return LoadedModule.Create(Profile, Module.Name, Taint.Bit(Taint.OotModule) | Taint.Bit(Taint.UnsignedModule), _moduleState);
        }

        /// <summary>panic(): the message, the kernel offset notifier, and the end marker; the machine stops.</summary>
        private void Panic(string message)
        {
            foreach (var line in new OopsPrinter(Profile, Vsprintf).Panic(message))
                Printk(line + "\n");
            Outcome = RunOutcome.Panic;
            _finished = true;
            _halted = true;
        }

        /// <summary>
        /// show_trace_log_lvl over the task stack: every word that is a kernel text address, "?" unless the unwinder
        /// found it as a return-address slot. When RSP is off the stack (in the guard page) the scan starts at the
        /// stack's base, as the kernel retries at PAGE_ALIGN(sp). The syscall's pt_regs end the task stack.
        /// </summary>
        private List<CallTraceEntry> CallTrace(RegisterSet regs, out HashSet<ulong> reliable)
        {
            var entries = new List<CallTraceEntry>();
            ulong ptRegs = Current.StackTop - KernelProfile.PtRegsSize;
            reliable = Unwinder.ReliableSlots(Profile, Kallsyms, Mmu, regs.Rip, regs.Rsp, regs.Rbp, Current.Stack, ptRegs);
            if (Profile.TaskStackMarkers) entries.Add(CallTraceEntry.BeginStack(OopsPrinter.TaskStackName));
            ulong start = Current.OnStack(regs.Rsp) ? regs.Rsp : Current.Stack;
            for (ulong slot = start; slot < ptRegs; slot += 8)
            {
                if (Mmu.TryReadU64(slot, out ulong word) && Kallsyms.IsTextAddress(word - 1))
                    entries.Add(CallTraceEntry.Frame(word, reliable.Contains(slot)));
            }
            if (!Profile.LegacyOopsLayout && !Current.KernelThread)
            {
                var user = ReadUserPtRegs();
                entries.Add(CallTraceEntry.RegsOnStack(user, CodeDump.Copy(Profile, user.Rip, ReadKernelByte)));
            }
            if (Profile.TaskStackMarkers) entries.Add(CallTraceEntry.EndStack(OopsPrinter.TaskStackName));
            return entries;
        }

        private bool ReadKernelByte(ulong address, out byte value)
        {
            System.Span<byte> b = stackalloc byte[1];
            bool ok = Mmu.TryRead(address, b);
            value = b[0];
            return ok;
        }
    }
}
