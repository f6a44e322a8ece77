using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace KDsl.Runtime.RealKernel
{
    /// <summary>
    /// The field-by-field comparison of two <see cref="KernelLogFields"/>, a real kernel's and KDsl's: each field's value
    /// as compared and as a table shows it. The replay tests and `kdsl oracle` read the same fields the same way.
    /// </summary>
    public static class LogComparison
    {
        /// <summary>The compared fields, in table order.</summary>
        public static readonly string[] Fields =
            { "lines", "buffer offsets", "CR2", "RIP", "call trace", "stale entries", "end of run", "processes" };

        /// <summary>A process's "comm[pid]: " prefix (show_signal_msg's line): pids are not the same on two systems.</summary>
        private static readonly Regex PidPrefix = new(@"^([^\s\[\]]+)\[\d+\]: ", RegexOptions.Compiled);

        /// <summary>
        /// One field's value as compared (Items) and as the table shows it (Display); null when the log cannot say.
        /// <paramref name="sameBytes"/>: both runs ran the same module bytes, so a module function's offsets are
        /// compared too (otherwise only its name: its offsets are its compiler's, not the kernel's).
        /// </summary>
        public static FieldValue? Field(KernelLogFields f, string field, bool sameBytes = false)
        {
            switch (field)
            {
                case "lines":
                    var lines = f.ModuleLines.Select(l => PidPrefix.Replace(Regex.Replace(l, @"\b[0-9a-f]{16}\b", "ADDR"), "$1[PID]: ")).ToList();
                    return new FieldValue(lines, $"{lines.Count}: " + RunLength(lines));
                case "buffer offsets":
                    if (f.BufferAddresses.Count == 0) return FieldValue.None("(no addresses)");
                    if (f.BufferOffsetsFromTop is not { } offsets) return null;
                    var items = offsets.Select(o => "top" + Signed(-o)).ToList();
                    return new FieldValue(items, Progression(offsets.Select(o => -o).ToList(), "top"));
                case "CR2":
                    if (f.FirstReport is null || !f.FirstReport.Contains("stack guard page", StringComparison.Ordinal))
                        return FieldValue.None("(no guard-page hit)");
                    if (f.GuardPageOffsetFromBase is not long cr2) return null;
                    return FieldValue.One("base" + Signed(cr2));
                case "RIP":
                    if (f.Rip is null) return FieldValue.None("(no RIP)");
                    var rip = Regex.Match(f.Rip, @"^([A-Za-z_.$][\w.$]*)\+0x([0-9a-f]+)/0x([0-9a-f]+)(?: \[([\w-]+)\])?$");
                    if (!rip.Success) return FieldValue.One(f.Rip);
                    var entry = new TraceEntry(true, rip.Groups[1].Value, KernelLogFields.Hex(rip.Groups[2].Value), KernelLogFields.Hex(rip.Groups[3].Value),
                        rip.Groups[4].Success ? rip.Groups[4].Value : null, null, f.Rip);
                    return FieldValue.One(Key(entry, sameBytes));
                case "call trace":
                    return Sequence(f.Reliable.Select(e => Key(e, sameBytes)).ToList(), f.FirstReport is null ? "(no oops)" : "(none)");
                case "stale entries":
                    return Sequence(f.Stale.Select(e => Key(e, sameBytes)).ToList(), f.FirstReport is null ? "(no oops)" : "(none)");
                case "end of run":
                    // the panic message can name a module function (stack-protector's "corrupted in: overrun+0x45/0xffb
                    // [mod]"): compared as the trace compares it
                    return FieldValue.One(sameBytes ? f.EndOfRun : ModuleSymbol.Replace(f.EndOfRun, m => TraceEntry.SourceFunction(m.Groups[1].Value) + " [module]"));
                case "processes":
                    if (f.Processes.Count == 0) return FieldValue.None("(no processes)");
                    return new FieldValue(f.Processes.SelectMany(p => p.Output.Select(o => $"{p.Name}> {o}").Append(p.Key)).ToList(),
                        string.Join("; ", f.Processes.SelectMany(p => p.Output.Select(o => $"{p.Name}> {o}").Append(p.ToString()))));
                default:
                    throw new ArgumentOutOfRangeException(nameof(field), field, null);
            }
        }

        /// <summary>"✓" when the values agree, "✗" when not, "n/a" when the real log cannot give the field.</summary>
        public static string Verdict(FieldValue? real, FieldValue? kdsl) =>
            real is null ? "n/a" : kdsl is not null && real.Items.SequenceEqual(kdsl.Items) ? "✓" : "✗";

        private static string Key(TraceEntry e, bool sameBytes) => sameBytes ? e.ExactKey : e.Key;

        /// <summary>A module function with its offset and size in running text, "overrun.cold+0x27/0xf8f [mod]": by name only,
        /// clone suffix dropped and cold part kept, as <see cref="TraceEntry.Key"/> names it.</summary>
        private static readonly Regex ModuleSymbol = new(@"\b([A-Za-z_$][\w$]*(?:\.[\w.]+)?)\+0x[0-9a-f]+/0x[0-9a-f]+ \[[\w-]+\]", RegexOptions.Compiled);

        private static FieldValue Sequence(IReadOnlyList<string> items, string empty) =>
            items.Count == 0 ? FieldValue.None(empty) : new FieldValue(items, RunLength(items));

        /// <summary>"a; b ×3; c": repeated neighbours collapsed.</summary>
        public static string RunLength(IReadOnlyList<string> items)
        {
            var parts = new List<string>();
            for (int i = 0; i < items.Count;)
            {
                int j = i;
                while (j < items.Count && items[j] == items[i]) j++;
                parts.Add(j - i > 1 ? $"{items[i]} ×{j - i}" : items[i]);
                i = j;
            }
            return string.Join("; ", parts);
        }

        /// <summary>"top-0x1240, then every -0x1018 (3 values)" for an arithmetic sequence, else every value.</summary>
        private static string Progression(IReadOnlyList<long> values, string origin)
        {
            if (values.Count >= 3)
            {
                long step = values[1] - values[0];
                if (Enumerable.Range(1, values.Count - 1).All(i => values[i] - values[i - 1] == step))
                    return $"{origin}{Signed(values[0])} … {origin}{Signed(values[^1])}, step {Signed(step)} ({values.Count} values)";
            }
            return string.Join(", ", values.Select(v => origin + Signed(v)));
        }

        private static string Signed(long v) => v < 0 ? $"-0x{-v:x}" : $"+0x{v:x}";

        /// <summary>
        /// KDsl's dmesg as the oracle harness captures a real run: the log, then "ORACLE: insmod exit status=N" when insmod
        /// returned (kmod's insmod exits 0 when init returned 0, 1 when init_module failed; the shell's 128+N for a kill),
        /// then each process's lines as the harness's runner prints them (run-process.c). <paramref name="insmod"/>: the
        /// experiment has a module (a file of processes alone loads none).
        /// </summary>
        public static List<string> HarnessLog(RunResult run, bool insmod = true)
        {
            var lines = run.Log.ToList();
            if (insmod && run.Outcome == RunOutcome.LoadFailed)
                lines.Add("ORACLE: insmod exit status=1");
            else if (insmod && run.InsmodSignal != 0)
                lines.Add($"ORACLE: insmod exit status={128 + run.InsmodSignal}");
            else if (insmod && (run.Outcome == RunOutcome.Completed || run.Processes.Count > 0 && run.InitReturn is not null))
                lines.Add($"ORACLE: insmod exit status={(run.InitReturn == 0 ? 0 : 1)}"); // insmod returned before the processes ran
            foreach (var p in run.Processes)
            {
                if (!p.Ended) continue; // the machine stopped first: the runner never reported it
                foreach (var line in ProcessOutputLines(p.OutputBytes)) lines.Add($"ORACLE: process {p.Name} output: {line}");
                foreach (var (signo, code, _) in p.Handled.Take(MaxCaughtSignals))
                    lines.Add($"ORACLE: process {p.Name} caught: signo={signo} code={code}");
                if (DumpsCore(p.Signal) && !p.KilledByOops) // an oops's do_exit(signr) delivers no signal: no core, no siginfo
                    lines.Add($"ORACLE: process {p.Name} siginfo: signo={p.Signal} code={p.SiCode} addr=0x{p.SiAddr:x} vma=" +
                        (p.SiAddrVmaStart is ulong vma ? $"0x{vma:x}" : "none"));
                lines.Add($"ORACLE: process {p.Name} exit status={p.ExitStatus} signal={p.Signal}");
            }
            return lines;
        }

        /// <summary>
        /// How many of a process's caught signals the runner prints (run-process.c's MAX_CAUGHT): a handler that returns to
        /// a fault that repeats is delivered the signal again and again, on each kernel until its own end.
        /// </summary>
        public const int MaxCaughtSignals = 8;

        /// <summary>
        /// The signals whose default action dumps core (include/linux/signal.h's SIG_KERNEL_COREDUMP_MASK, the ones KDsl
        /// sends): only their siginfo reaches the runner, through the core's NT_SIGINFO note.
        /// </summary>
        private static bool DumpsCore(int signo) =>
            signo is Signals.SIGILL or Signals.SIGTRAP or Signals.SIGFPE or Signals.SIGBUS or Signals.SIGSEGV;

        /// <summary>Output bytes as the runner prints them: split at '\n', printable ASCII kept, '\\' doubled, the rest \xNN.</summary>
        public static IEnumerable<string> ProcessOutputLines(byte[] output)
        {
            var line = new System.Text.StringBuilder();
            for (int i = 0; i < output.Length; i++)
            {
                byte c = output[i];
                if (c == (byte)'\n')
                {
                    yield return line.ToString();
                    line.Clear();
                }
                else if (c == (byte)'\\') line.Append("\\\\");
                else if (c >= 0x20 && c < 0x7f) line.Append((char)c);
                else line.Append("\\x").Append(c.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }
            if (line.Length > 0) yield return line.ToString();
        }
    }

    /// <summary>A field's compared items and its table text.</summary>
    public sealed record FieldValue(IReadOnlyList<string> Items, string Display)
    {
        public static FieldValue One(string value) => new(new[] { value }, value);
        /// <summary>An absence, compared by what is absent: "(no oops)" is not "(none)" (an oops without such entries).</summary>
        public static FieldValue None(string display) => new(new[] { display }, display);
        public override string ToString() => Display;
    }
}
