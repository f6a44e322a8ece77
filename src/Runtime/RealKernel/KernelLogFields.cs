using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace KDsl.Runtime.RealKernel
{
    /// <summary>
    /// What a kernel log says about one run of a module, field by field: the module's printk lines, the stack addresses they
    /// print, the guard-page hit, RIP, the call trace (reliable and "?" entries) and how the run ended. The same parser reads
    /// a real kernel's serial-console capture (the replay tests' logs, `kdsl oracle`'s boots) and KDsl's dmesg, so the two compare with no KDsl-specific rules.
    /// Understands the 4.11, 5.10 and 6.1 wordings (with or without &lt;TASK&gt; markers, "TASK" in the BUG line, hashed pointers).
    /// </summary>
    public sealed class KernelLogFields
    {
        /// <summary>THREAD_SIZE of every kernel replayed here (x86-64, KASAN off: PAGE_SIZE &lt;&lt; 2).</summary>
        public const ulong ThreadSize = 16384;

        private static readonly Regex Timestamp = new(@"^\[\s*\d+\.\d+\] ?", RegexOptions.Compiled);
        private static readonly Regex Address = new(@"\b[0-9a-f]{16}\b", RegexOptions.Compiled);
        private static readonly Regex GuardLine = new(
            @"^BUG: (?:TASK )?stack guard page was hit at (\S+) \(stack is (\S+?)\.\.(\S+)\)", RegexOptions.Compiled);
        private static readonly Regex LoaderLine = new(
            @"^[\w-]+: (loading out-of-tree module taints kernel\.|module verification failed: .*|module license .* taints kernel\.)$",
            RegexOptions.Compiled);
        /// <summary>
        /// Lines that are not the module's: late boot messages that can land among them (the TSC's refined calibration),
        /// the harness's `cat /proc/modules` after insmod returned, and the power-off at the end of a run that completed.
        /// </summary>
        private static readonly Regex BootLine = new(@"^((tsc|clocksource|ACPI|reboot): |acpi_power_off called$|\w+ \d+ \d+ - (Live|Loading|Unloading) 0x)", RegexOptions.Compiled);
        private static readonly Regex ReportStart = new(
            @"^(BUG: |Oops: |general protection fault|kernel BUG at |WARNING: |Kernel panic - not syncing|watchdog: |" +
            @"stack guard page: |kernel stack overflow|double fault: |divide error: |invalid opcode: |stack segment: )",
            RegexOptions.Compiled);
        private static readonly Regex TraceEntryLine = new(
            @"^(\? )?(?:([A-Za-z_.$][\w.$]*)\+0x([0-9a-f]+)/0x([0-9a-f]+)(?: \[([\w-]+)\])?|0x([0-9a-f]+))$", RegexOptions.Compiled);
        private static readonly Regex RegisterLine = new(
            @"^(RIP|RSP|RAX|RBX|RCX|RDX|RSI|RDI|RBP|R\d+|Code|FS|CS|CR\d|DR\d|PKRU|task):", RegexOptions.Compiled);

        /// <summary>The module's printk lines in order (text after the timestamp), up to the first kernel report.</summary>
        public IReadOnlyList<string> ModuleLines { get; private set; } = Array.Empty<string>();
        /// <summary>The first raw kernel address each module line prints (the step5 buffers), in order.</summary>
        public IReadOnlyList<ulong> BufferAddresses { get; private set; } = Array.Empty<ulong>();
        /// <summary>The task stack's lowest address, or null when the log prints none that can be trusted.</summary>
        public ulong? StackBase { get; private set; }
        /// <summary>Where <see cref="StackBase"/> comes from: the BUG line, or the THREAD_SIZE alignment of the first buffer.</summary>
        public string StackBaseSource { get; private set; } = "none";
        /// <summary>The guard-page address the BUG line names (its CR2), or CR2's register line when the BUG line is hashed.</summary>
        public ulong? GuardPageAddress { get; private set; }
        public string GuardPageSource { get; private set; } = "none";
        /// <summary>The first "RIP: 0010:" value, e.g. "rstack+0x2d/0x7f [step5_4096]" or "number+0x20/0x3b0".</summary>
        public string? Rip { get; private set; }
        /// <summary>The first Call Trace's entries in order (markers such as &lt;TASK&gt; and register lines left out).</summary>
        public IReadOnlyList<TraceEntry> Trace { get; private set; } = Array.Empty<TraceEntry>();
        /// <summary>The first kernel report line (BUG/oops/panic), or null when the log has none.</summary>
        public string? FirstReport { get; private set; }
        /// <summary>"Kernel panic - not syncing: MESSAGE"'s MESSAGE.</summary>
        public string? PanicMessage { get; private set; }
        /// <summary>"---[ end Kernel panic - not syncing: ... ]---" is printed.</summary>
        public bool PanicEndMarker { get; private set; }
        /// <summary>"---[ end trace ... ]---" is printed.</summary>
        public bool EndTrace { get; private set; }
        /// <summary>The oracle harness's "ORACLE: insmod exit status=N" (insmod returned).</summary>
        public int? InsmodExitStatus { get; private set; }
        /// <summary>The experiment's processes as the oracle's runner reports them (run-process.c), in the order they ended.</summary>
        public IReadOnlyList<ProcessEnd> Processes { get; private set; } = Array.Empty<ProcessEnd>();

        public IEnumerable<TraceEntry> Reliable => Trace.Where(e => e.Reliable);
        public IEnumerable<TraceEntry> Stale => Trace.Where(e => !e.Reliable);

        /// <summary>The log ends after the module's last line: no report, no panic, insmod never returned, no process ended.</summary>
        public bool Hang => FirstReport is null && PanicMessage is null && InsmodExitStatus is null && Processes.Count == 0;

        public ulong? StackTop => StackBase + ThreadSize;

        /// <summary>Each buffer's distance below the stack top (top = base + THREAD_SIZE).</summary>
        public IReadOnlyList<long>? BufferOffsetsFromTop =>
            StackTop is ulong top ? BufferAddresses.Select(a => (long)(top - a)).ToList() : null;

        /// <summary>The guard-page address relative to the stack base (negative: below it).</summary>
        public long? GuardPageOffsetFromBase =>
            StackBase is ulong b && GuardPageAddress is ulong g ? (long)(g - b) : null;

        /// <summary>The end of the run in one phrase: panic (with or without its end marker), insmod's exit, a report with
        /// nothing after it, or a hang.</summary>
        public string EndOfRun
        {
            get
            {
                if (PanicMessage is not null)
                    return $"panic \"{PanicMessage}\"" + (PanicEndMarker ? " + end marker" : ", no end marker");
                if (InsmodExitStatus is int status)
                    return (FirstReport is null ? "" : "report, then ") + $"insmod exit status={status}";
                if (Processes.Count > 0)
                    return (FirstReport is null ? "" : "report, then ") + "the processes ended"; // a file of processes alone: no insmod
                if (FirstReport is not null)
                    return "report, no panic" + (EndTrace ? " (log ends after end trace)" : "");
                return "hang (log ends after the module's lines)";
            }
        }

        public static KernelLogFields Parse(string text) => Parse(text.Replace("\r", "").Split('\n'));

        public static KernelLogFields Parse(IEnumerable<string> rawLines)
        {
            var lines = rawLines.Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).Select(StripTimestamp).ToList();
            // Serial captures start with the harness line; everything before it is boot noise.
            int start = lines.FindIndex(l => l.StartsWith("ORACLE: running", StringComparison.Ordinal));
            if (start >= 0) lines = lines.Skip(start + 1).ToList();

            var f = new KernelLogFields();
            var moduleLines = new List<string>();
            int report = -1;
            for (int i = 0; i < lines.Count; i++)
            {
                string l = lines[i];
                if (ReportStart.IsMatch(l)) { report = i; break; }
                if (l.StartsWith("ORACLE:", StringComparison.Ordinal) || LoaderLine.IsMatch(l) || BootLine.IsMatch(l)) continue;
                moduleLines.Add(l);
            }
            f.ModuleLines = moduleLines;
            f.FirstReport = report >= 0 ? lines[report] : null;
            f.BufferAddresses = moduleLines
                .Select(l => Address.Matches(l).Select(m => Hex(m.Value)).Where(IsKernelAddress).Cast<ulong?>().FirstOrDefault())
                .Where(a => a.HasValue).Select(a => a!.Value).ToList();

            var guard = lines.Select(l => GuardLine.Match(l)).FirstOrDefault(m => m.Success);
            ulong? guardBase = null, guardHit = null;
            if (guard is not null)
            {
                guardHit = TryKernelAddress(guard.Groups[1].Value);
                guardBase = TryKernelAddress(guard.Groups[2].Value);
            }
            if (guardBase is ulong b)
            {
                f.StackBase = b;
                f.StackBaseSource = "BUG line";
            }
            else if (f.BufferAddresses.Count > 0)
            {
                // Hashed (5.10 ignores no_hash_pointers): vmalloc'd task stacks are THREAD_SIZE-aligned, and the first
                // buffer lies in the stack's top page, so its aligned-down address is the base.
                f.StackBase = f.BufferAddresses[0] & ~(ThreadSize - 1);
                f.StackBaseSource = "alignment of the first buffer";
            }
            if (guardHit is ulong hit)
            {
                f.GuardPageAddress = hit;
                f.GuardPageSource = "BUG line";
            }
            else if (guard is not null)
            {
                var cr2 = lines.Skip(report < 0 ? 0 : report).Select(l => Regex.Match(l, @"^CR2: ([0-9a-f]{16})")).FirstOrDefault(m => m.Success);
                if (cr2 is not null) { f.GuardPageAddress = Hex(cr2.Groups[1].Value); f.GuardPageSource = "CR2 register"; }
            }

            var rip = lines.Select(l => Regex.Match(l, @"^RIP: 0010:(.+)$")).FirstOrDefault(m => m.Success);
            f.Rip = rip?.Groups[1].Value.Trim();

            f.Trace = ParseTrace(lines);

            var panic = lines.Select(l => Regex.Match(l, @"^Kernel panic - not syncing: (.*)$")).FirstOrDefault(m => m.Success);
            f.PanicMessage = panic?.Groups[1].Value.TrimEnd();
            f.PanicEndMarker = lines.Any(l => l.StartsWith("---[ end Kernel panic", StringComparison.Ordinal));
            f.EndTrace = lines.Any(l => l.StartsWith("---[ end trace", StringComparison.Ordinal));
            var exit = lines.Select(l => Regex.Match(l, @"^ORACLE: insmod exit status=(-?\d+)")).FirstOrDefault(m => m.Success);
            f.InsmodExitStatus = exit is null ? null : int.Parse(exit.Groups[1].Value, CultureInfo.InvariantCulture);
            f.Processes = ParseProcesses(lines);
            return f;
        }

        private static readonly Regex ProcessLine = new(
            @"^ORACLE: process (\S+) (?:output: (.*)|siginfo: signo=(\d+) code=(-?\d+) addr=0x([0-9a-f]+) vma=(?:0x([0-9a-f]+)|none)|exit status=(\d+) signal=(\d+)|caught: signo=(\d+) code=(-?\d+))$", RegexOptions.Compiled);

        /// <summary>The runner's lines: each process's output lines, the signals it caught and its siginfo, closed by its exit line.</summary>
        private static List<ProcessEnd> ParseProcesses(List<string> lines)
        {
            var ended = new List<ProcessEnd>();
            var output = new List<string>();
            var caught = new List<(int Signo, int Code)>();
            (int Code, ulong Addr, ulong? Vma)? siginfo = null;
            foreach (var l in lines)
            {
                var m = ProcessLine.Match(l);
                if (!m.Success) continue;
                if (m.Groups[2].Success) output.Add(m.Groups[2].Value);
                else if (m.Groups[9].Success)
                    caught.Add((int.Parse(m.Groups[9].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[10].Value, CultureInfo.InvariantCulture)));
                else if (m.Groups[3].Success)
                    siginfo = (int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture), Hex(m.Groups[5].Value),
                        m.Groups[6].Success ? Hex(m.Groups[6].Value) : null);
                else
                {
                    int signal = int.Parse(m.Groups[8].Value, CultureInfo.InvariantCulture);
                    var info = signal != 0 ? siginfo : null;
                    ended.Add(new ProcessEnd(m.Groups[1].Value, int.Parse(m.Groups[7].Value, CultureInfo.InvariantCulture), signal,
                        info?.Code, info?.Addr, info?.Vma, output.ToList(), caught.ToList()));
                    output.Clear();
                    caught.Clear();
                    siginfo = null;
                }
            }
            return ended;
        }

        private static List<TraceEntry> ParseTrace(List<string> lines)
        {
            var entries = new List<TraceEntry>();
            int at = lines.FindIndex(l => l.TrimStart() == "Call Trace:");
            if (at < 0) return entries;
            for (int i = at + 1; i < lines.Count; i++)
            {
                string t = lines[i].Trim();
                if (t.StartsWith('<') && t.EndsWith('>')) continue;              // <TASK>, </TASK>, <IRQ>, ...
                var m = TraceEntryLine.Match(t);
                if (m.Success)
                {
                    entries.Add(m.Groups[6].Success
                        ? new TraceEntry(!m.Groups[1].Success, null, 0, 0, null, Hex(m.Groups[6].Value), t)
                        : new TraceEntry(!m.Groups[1].Success, m.Groups[2].Value, Hex(m.Groups[3].Value), Hex(m.Groups[4].Value),
                            m.Groups[5].Success ? m.Groups[5].Value : null, null, t));
                    continue;
                }
                if (RegisterLine.IsMatch(t)) continue;                            // 6.1 prints the user registers inside <TASK>
                break;
            }
            return entries;
        }

        private static string StripTimestamp(string line) => Timestamp.Replace(line, "", 1);

        /// <summary>A kernel-half address: 4-level (ffff8…) or 5-level (ff…) paging; hashed pointers (00000000…) are not.</summary>
        private static bool IsKernelAddress(ulong a) => (a >> 56) == 0xff;

        private static ulong? TryKernelAddress(string s) =>
            Regex.IsMatch(s, "^[0-9a-f]{16}$") && IsKernelAddress(Hex(s)) ? Hex(s) : null;

        public static ulong Hex(string s) => ulong.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// How one process ended: the wait status as a shell shows it (exit(N)'s N, or 128 + the signal), the killing signal
    /// (0: none), the fatal signal's si_code and si_addr when known with the start of the mapping holding si_addr, and
    /// its output lines (C-escaped, as the runner prints them), and the signals its handlers caught (signo, si_code).
    /// </summary>
    public sealed record ProcessEnd(string Name, int ExitStatus, int Signal, int? SiCode, ulong? SiAddr, ulong? SiAddrVma, IReadOnlyList<string> Output,
        IReadOnlyList<(int Signo, int Code)> Caught)
    {
        /// <summary>
        /// The value compared with the other kernel: "sigbus: exit status=135 signal=7 si_code=2 si_addr=vma+0x1000",
        /// si_addr as an offset into its mapping (where the mapping lies is the address-space layout's business,
        /// shown but not compared), or as an address when no mapping holds it.
        /// </summary>
        public string Key =>
            $"{Name}: " + (Caught.Count > 0 ? "caught " + string.Join(", ", Caught.Select(x => $"{Signals.Name(x.Signo)} {Signals.CodeName(x.Signo, x.Code)}".TrimEnd())) + "; " : "") +
            $"exit status={ExitStatus} signal={Signal}" + (SiCode is int c ? $" si_code={c}" : "") +
            (SiAddr is ulong a ? SiAddrVma is ulong v ? $" si_addr=vma+0x{a - v:x}" : $" si_addr=0x{a:x}" : "");

        public override string ToString() => Key + (SiAddr is ulong a && SiAddrVma is ulong v ? $" (0x{a:x}, vma 0x{v:x})" : "");
    }

    /// <summary>One Call Trace line: "func+0xoff/0xsize", "func+0xoff/0xsize [mod]" or a raw address, reliable or "?".</summary>
    public sealed record TraceEntry(bool Reliable, string? Function, ulong Offset, ulong Size, string? Module, ulong? RawAddress, string Text)
    {
        public bool IsModuleFrame => Module is not null;

        /// <summary>
        /// The value compared with the other kernel: a kernel symbol in full ("vsnprintf+0x1a8/0x550"); a module's own function
        /// by name only ("rstack [module]": its offsets depend on the module's compiler, not on the kernel); a raw address
        /// ("? 0xffffffffc0529000") by where it points ("module address" in the module area). A module function's clone
        /// suffix is GCC's (.constprop.0, .isra.0): it names the same source function; its cold part (.cold, which KDsl
        /// splits off as GCC does) is kept: "rec.cold [module]".
        /// </summary>
        public string Key =>
            RawAddress is ulong a ? (a >= 0xffffffffc0000000 ? "module address" : "address")
            : Module is not null ? $"{SourceFunction(Function!)} [module]"
            : $"{Function}+0x{Offset:x}/0x{Size:x}";

        /// <summary>"rec" for rec.constprop.0 and rec.isra.0 (GCC's clones are the same function), "rec.cold" for rec.isra.0.cold.</summary>
        public static string SourceFunction(string name) =>
            name.Split('.')[0] + (name.EndsWith(KDsl.Image.ModuleSymbol.ColdSuffix, System.StringComparison.Ordinal) ? KDsl.Image.ModuleSymbol.ColdSuffix : "");

        /// <summary>
        /// As <see cref="Key"/>, but a module's function with its offset and size too: the value to compare when both
        /// kernels ran the same bytes (`kdsl oracle` loads the .ko built from KDsl's own image).
        /// </summary>
        public string ExactKey =>
            Module is not null ? $"{Function}+0x{Offset:x}/0x{Size:x} [module]" : Key;
    }
}
