using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Text.Json;
using KDsl.Image;
using KDsl.Runtime;

namespace KDsl.Cli
{
    /// <summary>
    /// `kdsl run FILE [--scenario NAME|all] [--set key=value ...] [--json] [--svg OUT.svg]`: runs the default scenario
    /// (the file's top-level config and expect), one named scenario, or all of them; prints dmesg (or, with --json, one
    /// JSON document of results), optionally draws the kernel stack at the fault as SVG, and exits 0 when every run
    /// ends as its expect says, 1 when not, 2 on compile errors or an unknown scenario, 3 when KDsl failed inside.
    /// </summary>
    internal static class RunCommand
    {
        public static Command Create()
        {
            var file = new Argument<FileInfo>("file") { Description = "The .kdsl experiment to run" };
            var set = new Option<string[]>("--set") { Description = "Override a config setting or a constant, e.g. --set profile=linux-4.11 --set BUF=2048", AllowMultipleArgumentsPerToken = false };
            var scenario = new Option<string?>("--scenario") { Description = "Run this scenario instead of the default (the top-level config and expect), or \"all\"" };
            var json = new Option<bool>("--json") { Description = "Print the results as one JSON document instead of dmesg: per scenario the outcome, log lines, oops facts, stack high-water mark and expectation failures" };
            var svg = new Option<FileInfo?>("--svg") { Description = "Draw the kernel stack at the fault (or at the high-water mark when nothing faulted) into this SVG file; with several scenarios, one file per scenario (OUT-NAME.svg)" };
            var command = new Command("run", "Compile an experiment, boot the emulated machine, insmod it and print dmesg") { file, set, scenario, json, svg };
            command.SetAction(parse => Run(parse.GetValue(file)!, parse.GetValue(set), parse.GetValue(scenario), parse.GetValue(json), parse.GetValue(svg)));
            return command;
        }

        private static int Run(FileInfo file, string[]? set, string? only, bool json, FileInfo? svg)
        {
            if (!Settings.TryParse(set, out var settings, out string? error))
            {
                Console.Error.WriteLine($"kdsl: {error}");
                return 2;
            }
            if (!Compilation.TryCompile(file, settings, out CompileResult? compiled, showInfo: false))
                return 2;

            var scenarios = Select(compiled!.Scenarios, only);
            if (scenarios is null)
            {
                Compilation.ReportNoScenario(file, only!, compiled.Scenarios);
                return 2;
            }

            int failed = 0;
            var runs = new List<(Scenario Scenario, RunResult Result, IReadOnlyList<ExpectationFailure> Failures)>();
            foreach (var scenario in scenarios)
            {
                if (scenarios.Count > 1 && !json) Console.Out.WriteLine($"=== scenario {scenario.Name}: {scenario.Image.Config}");
                var result = Machine.Run(scenario.Image);
                if (!json)
                {
                    Console.Out.Write(result.Dmesg);
                    if (result.Unprinted.Count > 0)
                    {
                        Console.Error.WriteLine($"kdsl: the console stops here: a printk died holding a reserved ringbuffer record, and the {result.Unprinted.Count} records logged after it were never printed:");
                        foreach (var line in result.Unprinted) Console.Error.WriteLine("kdsl:   " + line);
                    }
                    if (result.Outcome == RunOutcome.Unimplemented)
                        Console.Error.WriteLine($"kdsl: the run stops here: {result.InternalError}. The real CPU runs it; KDsl's emulated one cannot, so what follows is unknown (docs/diagnostics.md)");
                    else if (result.InternalError is { } internalError)
                        Console.Error.WriteLine($"kdsl: internal error, the run stops here: {internalError}. This is a bug in KDsl, not the kernel's behaviour: please report it with {file.Name}");
                    if (result.Outcome == RunOutcome.Hung)
                        Console.Error.WriteLine($"kdsl: the CPU halted with interrupts disabled at {result.HaltedAt:x16}: the machine hangs here, silently (QEMU's guests have no NMI watchdog to report it)");
                    // What the shell says when the oops killed insmod ("Killed" after a page fault, "Segmentation fault" after die())
                    if (result.InsmodSignal != 0)
                        Console.Out.WriteLine($"insmod: {Signals.Description(result.InsmodSignal)} (exit status {128 + result.InsmodSignal})");
                    Console.Out.WriteLine("counters: " + string.Join(" ", result.Counters.Select(c => $"{c.Key}={c.Value}")));
                    // What the shell would say about each user process: its output, then "Bus error", "exit 135"...
                    foreach (var process in result.Processes)
                    {
                        Console.Out.Write(process.Output);
                        Console.Out.WriteLine(process.Signal != 0 && !process.StoppedByBudget ? $"{process} ({process.ShellMessage})" : process.ToString());
                    }
                }

                var failures = ExpectationCheck.Check(scenario.Image.Expectations, result);
                runs.Add((scenario, result, failures));
                if (svg is not null)
                {
                    string path = scenarios.Count > 1
                        ? Path.Combine(svg.DirectoryName ?? ".", Path.GetFileNameWithoutExtension(svg.Name) + "-" + scenario.Name + Path.GetExtension(svg.Name))
                        : svg.FullName;
                    // The run is replayed to the fault, for its frames' exact ends, or when nothing faulted to the moment its
                    // stack was deepest, to draw the frames there.
                    var replayed = result.Oops is { } oops ? StackAtHighWater.AtOops(scenario.Image, null, oops)
                        : StackAtHighWater.Replay(scenario.Image, null, result.StackHighWater);
                    File.WriteAllText(path, StackSvg.Render(scenario.Image, result, replayed));
                    if (!json) Console.Error.WriteLine($"kdsl: wrote {path}");
                }
                if (failures.Count == 0) continue;
                failed++;
                if (!json) Console.Error.WriteLine(ExpectationCheck.Report(file.FullName, scenario.Name, scenario.Image.Config, failures));
            }
            // 3: KDsl failed inside, or met an instruction it does not implement, on some scenario (its result says nothing about the kernel); 1: expectations not met
            int exit = runs.Exists(r => r.Result.Outcome is RunOutcome.InternalError or RunOutcome.Unimplemented) ? 3 : failed == 0 ? 0 : 1;
            if (json) WriteJson(Console.Out, file, runs, exit);
            else if (scenarios.Count > 1)
                Console.Error.WriteLine($"kdsl: {scenarios.Count - failed} of {scenarios.Count} scenarios met their expectations");
            return exit;
        }

        /// <summary>
        /// The --json document: { file, exitCode, scenarios: [{ name, config, outcome, passed, initReturn, instructions,
        /// stackHighWater, log[], unprinted[] (records behind a never-committed one), oops {...} | null, expectationFailures[] }] }. Addresses are hex strings as dmesg prints them.
        /// </summary>
        internal static void WriteJson(TextWriter output, FileInfo file, IReadOnlyList<(Scenario Scenario, RunResult Result, IReadOnlyList<ExpectationFailure> Failures)> runs, int exit)
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                w.WriteString("file", file.FullName);
                w.WriteNumber("exitCode", exit);
                w.WriteStartArray("scenarios");
                foreach (var (scenario, result, failures) in runs)
                {
                    var c = scenario.Image.Config;
                    w.WriteStartObject();
                    w.WriteString("name", scenario.Name);
                    w.WriteStartObject("config");
                    w.WriteString("profile", c.Profile);
                    w.WriteNumber("threadSize", c.ThreadSize);
                    w.WriteBoolean("vmapStack", c.VmapStack);
                    w.WriteBoolean("hashPointers", c.HashPointers);
                    w.WriteBoolean("panicOnOops", c.PanicOnOops);
                    w.WriteBoolean("stackCache", c.StackCache);
                    w.WriteBoolean("threadInfoOnStack", c.ThreadInfoOnStack);
                    w.WriteBoolean("schedStackEndCheck", c.SchedStackEndCheck);
                    w.WriteBoolean("debugSg", c.DebugSg);
                    w.WriteEndObject();
                    w.WriteStartObject("counters");
                    foreach (var counter in result.Counters) w.WriteNumber(counter.Key, counter.Value);
                    w.WriteEndObject();
                    w.WriteString("outcome", result.Outcome.ToString());
                    if (result.InternalError is not null) w.WriteString("internalError", result.InternalError);
                    w.WriteBoolean("passed", failures.Count == 0);
                    if (result.InitReturn is long ret) w.WriteNumber("initReturn", ret); else w.WriteNull("initReturn");
                    w.WriteNumber("insmodSignal", result.InsmodSignal);
                    w.WriteNumber("instructions", result.Instructions);
                    w.WriteNumber("stackHighWater", result.StackHighWater);
                    w.WriteStartArray("log");
                    foreach (var line in result.Log) w.WriteStringValue(line);
                    w.WriteEndArray();
                    w.WriteStartArray("unprinted");
                    foreach (var line in result.Unprinted) w.WriteStringValue(line);
                    w.WriteEndArray();
                    ProcessJson.WriteArray(w, result.Processes);
                    if (result.Oops is { } o)
                    {
                        w.WriteStartObject("oops");
                        w.WriteString("kind", o.Kind);
                        w.WriteString("dieString", o.DieString);
                        w.WriteString("rip", Hex(o.Rip));
                        w.WriteString("ripSymbol", o.RipSymbol);
                        w.WriteString("function", o.Function);
                        w.WriteString("rsp", Hex(o.Rsp));
                        w.WriteString("moduleFunction", o.ModuleFunction);
                        w.WriteNumber("depth", o.Depth);
                        w.WriteStartArray("callChain");
                        foreach (var f in o.CallChain) w.WriteStringValue(f);
                        w.WriteEndArray();
                        w.WriteString("faultAddress", Hex(o.FaultAddress));
                        w.WriteString("stackBase", Hex(o.StackBase));
                        w.WriteString("stackTop", Hex(o.StackTop));
                        w.WriteBoolean("panicked", o.Panicked);
                        w.WriteEndObject();
                    }
                    else w.WriteNull("oops");
                    w.WriteStartArray("expectationFailures");
                    foreach (var f in failures)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("line", f.Expectation.Line);
                        w.WriteString("kind", f.Expectation.Kind.ToString());
                        w.WriteString("expected", f.Expected);
                        w.WriteString("actual", f.Actual);
                        w.WriteString("message", f.Format(file.FullName));
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        }

        private static string Hex(ulong value) => value.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>The default scenario, the one named <paramref name="only"/> (null when there is none), or all for "all".</summary>
        private static IReadOnlyList<Scenario>? Select(IReadOnlyList<Scenario> all, string? only)
        {
            if (only is null) return new[] { all[0] };
            if (only == "all") return all;
            foreach (var s in all)
                if (s.Name == only) return new[] { s };
            return null;
        }
    }
}
