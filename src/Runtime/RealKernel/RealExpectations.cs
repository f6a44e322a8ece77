using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using KDsl.Image;

namespace KDsl.Runtime.RealKernel
{
    /// <summary>One `expect` line checked against a real kernel's console: met, not met (with what the log shows), or not readable from a console.</summary>
    public sealed record RealExpectation(Expectation Expectation, bool? Met, string Actual);

    /// <summary>
    /// A file's `expect` block checked against a real kernel's console, with ExpectationCheck's rules where a console can
    /// say: printk lines (the same matching), and an oops's kind (its report's first line), function (RIP) and depth
    /// (the reliable trace's frames of the function, plus the faulting one); a process's exit status and signal as the
    /// oracle's runner reports them (the file's first process, as ExpectationCheck reads them; a signal a handler caught
    /// from the runner's signal_deliver trace). What only KDsl measures
    /// (stack max) is left unchecked, and so is `at mmap`: the real mmap's result reaches no console.
    /// </summary>
    public static class RealExpectations
    {
        /// <summary>The report's first line → the `oops KIND` it is (include/linux and arch/x86 wordings of 5.10 and 6.1).</summary>
        private static readonly (string Prefix, string Kind)[] Reports =
        {
            ("BUG: TASK stack guard page was hit", "stack_guard"), ("BUG: stack guard page was hit", "stack_guard"),
            ("BUG: kernel NULL pointer dereference", "page_fault"), ("BUG: unable to handle page fault", "page_fault"),
            ("BUG: unable to handle kernel", "page_fault"), ("kernel BUG at", "bug"), ("divide error:", "divide_error"),
            ("invalid opcode:", "invalid_opcode"), ("general protection fault", "general_protection"), ("double fault:", "double_fault"),
            ("Kernel panic - not syncing: stack-protector:", "stack_protector"), ("watchdog: BUG: soft lockup", "soft_lockup"), ("int3:", "int3"),
        };

        public static IReadOnlyList<RealExpectation> Check(IReadOnlyList<Expectation> expectations, IReadOnlyList<string> console, KernelLogFields fields)
        {
            // the module's run only: boot messages before the harness's "running" line are not the experiment's
            int start = Enumerable.Range(0, console.Count).FirstOrDefault(i => console[i].StartsWith("ORACLE: running", StringComparison.Ordinal));
            var log = console.Skip(start).ToList();
            var results = new List<RealExpectation>();
            foreach (var e in expectations)
            {
                switch (e.Kind)
                {
                    case ExpectationKind.Printk:
                    case ExpectationKind.PrintkLine:
                    case ExpectationKind.PrintkPattern:
                        int n = ExpectationCheck.MatchingLines(log, e).Count;
                        results.Add(new RealExpectation(e, e.Count >= 0 ? n == e.Count : n > 0, $"{n} matching lines"));
                        break;
                    case ExpectationKind.Oops:
                        results.Add(Oops(e, log, fields));
                        break;
                    case ExpectationKind.ExitStatus:
                    case ExpectationKind.Signal:
                        results.Add(Process(e, fields));
                        break;
                    default:
                        results.Add(new RealExpectation(e, null, "not in a kernel console"));
                        break;
                }
            }
            return results;
        }

        private static RealExpectation Process(Expectation e, KernelLogFields fields)
        {
            if (fields.Processes.Count == 0) return new RealExpectation(e, false, "no process ended in the real run");
            var p = fields.Processes[0];
            if (e.Kind == ExpectationKind.ExitStatus)
                return new RealExpectation(e, p.ExitStatus == e.Count, $"{p.Name} ended with status {p.ExitStatus}");
            var parts = e.Text.Split(' ');
            // `signal` is the fatal signal, else the first one a handler caught (as ExpectationCheck reads KDsl's run): the
            // runner reads a caught one from the signal_deliver trace event, which has its si_code but not its si_addr
            bool caught = p.Signal == 0 && p.Caught.Count > 0;
            int signo = caught ? p.Caught[0].Signo : p.Signal;
            int? siCode = caught ? p.Caught[0].Code : p.SiCode;
            string actual = signo == 0 ? $"{p.Name} got no signal (exit status {p.ExitStatus}; its handlers caught none)"
                : $"{p.Name} {(caught ? "caught" : "got")} {Signals.Name(signo)}" + (siCode is int c ? $" {Signals.CodeName(signo, c)}" : "") +
                  (!caught && p.SiAddr is ulong a ? $" at 0x{a:x}" : "") +
                  (!caught && p.SiAddr is ulong b && p.SiAddrVma is ulong v ? $" (its mapping +{b - v})" : "");
            if (Signals.Name(signo) != parts[0]) return new RealExpectation(e, false, actual);
            if (parts.Length > 1 && (siCode is not int code || Signals.CodeName(signo, code) != parts[1]))
                return new RealExpectation(e, siCode is null ? null : false, actual + (siCode is null ? " (no siginfo: no core)" : ""));
            // si_addr against `at mmap+N` needs the real mmap's result, which the real run does not print
            return new RealExpectation(e, e.Function is null ? true : null, actual + (e.Function is null ? "" : $"; `at {e.Function}` unchecked (the real mmap's result is not printed)"));
        }

        private static RealExpectation Oops(Expectation e, IReadOnlyList<string> log, KernelLogFields fields)
        {
            // the first report that is an oops (a WARNING before it is not one, as KDsl's RunResult.Oops is not), and
            // the function it names: the RIP printed after it, or for __stack_chk_fail's panic the function it names
            int at = -1;
            string? reported = null;
            for (int i = 0; i < log.Count && reported is null; i++)
            {
                string message = ExpectationCheck.Message(log[i]);
                reported = Reports.FirstOrDefault(r => message.StartsWith(r.Prefix, StringComparison.Ordinal)).Kind;
                if (reported is not null) at = i;
            }
            string? kind = e.Text switch
            {
                "hang" => fields.Hang ? "hang" : null,
                "oom" => log.Any(l => ExpectationCheck.Message(l).StartsWith("Out of memory: Killed process", StringComparison.Ordinal)) ? "oom" : null,
                _ => reported,
            };
            if (kind != e.Text)
                return new RealExpectation(e, false, fields.FirstReport is null ? "no kernel report" : $"the report was \"{fields.FirstReport}\"");
            string? rip = null;
            if (at >= 0)
            {
                var corrupted = Regex.Match(ExpectationCheck.Message(log[at]), @"corrupted in: (\S+)");
                rip = kind == "stack_protector" && corrupted.Success ? corrupted.Groups[1].Value
                    : log.Skip(at).Select(l => Regex.Match(ExpectationCheck.Message(l), @"^RIP: 0010:(\S+)")).FirstOrDefault(m => m.Success)?.Groups[1].Value;
            }
            string? ripFunction = rip?.Split('+')[0];
            if (e.Function is not null && ripFunction != e.Function)
                return new RealExpectation(e, false, $"RIP was {rip ?? "not printed"}");
            if (e.Depth >= 0 && e.DepthFunction is not null)
            {
                int depth = fields.Reliable.Count(t => t.Function == e.DepthFunction) + (ripFunction == e.DepthFunction ? 1 : 0);
                if (depth != e.Depth) return new RealExpectation(e, false, $"the reliable call trace had {depth} frames of {e.DepthFunction}");
            }
            return new RealExpectation(e, true, rip ?? kind);
        }
    }
}
