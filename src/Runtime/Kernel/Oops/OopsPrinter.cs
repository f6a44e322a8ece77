using System.Collections.Generic;
using KDsl.Profiles;
using KDsl.Runtime.Kernel.Printk;

namespace KDsl.Runtime.Kernel.Oops
{
    /// <summary>
    /// Formats what die() and oops_end() print, line by line, in the order and format of the profile's kernel
    /// (arch/x86/kernel/dumpstack.c, process_64.c, lib/dump_stack.c, kernel/panic.c, kernel/module.c).
    /// Lines carry no timestamp and no newline; the kernel's printk adds the "[ time] " prefix to each.
    /// Every %p goes through <see cref="Vsnprintf"/>, so hashing follows the boot's <see cref="VsprintfConfig"/>.
    /// </summary>
    public sealed partial class OopsPrinter
    {
        public OopsPrinter(KernelProfile profile, VsprintfConfig printk)
        {
            Profile = profile;
            Printk = printk;
        }

        public KernelProfile Profile { get; }
        public VsprintfConfig Printk { get; }

        private bool Legacy => Profile.LegacyOopsLayout;

        private string F(string fmt, params object?[] args) => Vsnprintf.Format(fmt, new PrintkArgList(args), Printk);

        /// <summary>
        /// __die + oops_end up to, not including, the panic: header through the end-trace marker, and on 4.19+ the
        /// executive-summary register dump after it. The caller decides what follows (panic or killing the task).
        /// </summary>
        public IReadOnlyList<string> Die(OopsReport report)
        {
            var lines = new List<string> { DieHeader(report) };
            if (Legacy)
            {
                // 4.x __die: print_modules() before show_regs(), then the one-line summary.
                lines.Add(PrintModules(report));
                ShowRegs(lines, report);
                lines.Add(F("RIP: %pS RSP: %016lx", report.Regs.Rip, report.Regs.Rsp));
                if (report.Cr2Line is ulong legacyCr2) lines.Add(F("CR2: %016lx", legacyCr2));
                lines.Add(OopsEndMarker(report.OopsId));
                return lines;
            }

            // __die_body: show_regs(regs); print_modules(); then oops_end → oops_exit and the executive summary.
            ShowRegs(lines, report);
            lines.Add(PrintModules(report));
            if (report.Cr2Line is ulong cr2) lines.Add(F("CR2: %016lx", cr2));
            lines.Add(OopsEndMarker(report.OopsId));
            ShowRegisters(lines, report.SummaryRegs ?? report.Regs, report.SummaryCode ?? report.Code, ShowRegsMode.All);
            return lines;
        }

        /// <summary>__die_header: "%s: %04lx [#%d]" + the config flags (" PREEMPT", " SMP", " NOPTI" …).</summary>
        public string DieHeader(OopsReport report) =>
            F("%s: %04lx [#%d]", report.DieString, report.ErrorCode & 0xffff, report.DieCounter) + Profile.DieFlags;

        /// <summary>
        /// show_regs(regs): the CPU/Hardware name lines (4.x: plus the task line), the registers in ALL or USER mode,
        /// and, for a kernel-mode context, the call trace (4.x: then the Code: line).
        /// </summary>
        public void ShowRegs(List<string> lines, OopsReport report)
        {
            bool user = report.Regs.IsUserMode;
            lines.AddRange(DumpStackPrintInfo(report));
            if (Legacy)
            {
                lines.Add(F("task: %p task.stack: %p", report.TaskAddress, report.TaskStackAddress));
                ShowRegisters(lines, report.Regs, null, user ? ShowRegsMode.User : ShowRegsMode.All);
                if (!user)
                {
                    lines.AddRange(CallTrace(report.CallTrace));
                    lines.Add(ShowOpcodes(report.Code ?? Unreadable(report.Regs.Rip))!);
                }
                return;
            }
            ShowRegisters(lines, report.Regs, report.Code, user ? ShowRegsMode.User : ShowRegsMode.All);
            if (!user)
                lines.AddRange(CallTrace(report.CallTrace));
        }

        /// <summary>
        /// dump_stack_print_info: "CPU: %d PID: %d Comm: %.20s %s %s %.*s" (tainted, release, version up to where the
        /// profile's Version ends) and "Hardware name: %s".
        /// </summary>
        public IReadOnlyList<string> DumpStackPrintInfo(OopsReport report)
        {
            var lines = new List<string>
            {
                F("CPU: %d PID: %d Comm: %.20s %s %s %s", report.Cpu, report.Pid, report.Comm,
                    PrintTainted(report.TaintMask), Profile.Release, Profile.Version),
            };
            if (Profile.HardwareName.Length > 0)
                lines.Add("Hardware name: " + Profile.HardwareName);
            return lines;
        }

        /// <summary>print_tainted() for this profile.</summary>
        public string PrintTainted(ulong mask) => Taint.PrintTainted(Profile, mask);

        /// <summary>print_modules(): "Modules linked in:" then " name(flags)" per module and the last unloaded one.</summary>
        public string PrintModules(OopsReport report) => PrintModules(report.Modules, report.LastUnloaded);

        public string PrintModules(IEnumerable<LoadedModule> modules, string? lastUnloaded = null)
        {
            var text = "Modules linked in:";
            foreach (var m in modules)
                text += " " + m.Name + m.Flags;
            if (lastUnloaded != null)
                text += " [last unloaded: " + lastUnloaded + "]";
            return text;
        }

        /// <summary>print_oops_end_marker: the random oops id up to ≈5.18, then always zeros.</summary>
        public string OopsEndMarker(ulong oopsId) =>
            F("---[ end trace %016llx ]---", Profile.RandomOopsId ? oopsId : 0UL);

        private CodeDump Unreadable(ulong rip) =>
            new CodeDump(rip, unchecked(rip - (ulong)Profile.CodePrologueBytes), null, truncated: Legacy);
    }
}
