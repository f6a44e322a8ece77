using System;

namespace KDsl.Image
{
    /// <summary>What one line of an `expect` block checks.</summary>
    public enum ExpectationKind
    {
        /// <summary>`printk "text" [count N];` lines containing the text: exactly N, or at least one without count.</summary>
        Printk,
        /// <summary>`oops KIND [in FUNCTION] [depth N [of FUNCTION]];` the run ends in an oops of this kind.</summary>
        Oops,
        /// <summary>`no fault;` init returns and nothing oopses.</summary>
        NoFault,
        /// <summary>`printk line "text" [count N];` lines whose message (after the timestamp) is exactly the text.</summary>
        PrintkLine,
        /// <summary>`printk match "regex" [count N];` lines whose message matches the .NET regular expression.</summary>
        PrintkPattern,
        /// <summary>`stack max N;` the task stack's high-water mark is at most N bytes (<see cref="Expectation.Count"/>).</summary>
        StackMax,
        /// <summary>`signal SIGBUS BUS_ADRERR at mmap+4096;` Text "SIGBUS BUS_ADRERR" (code may be absent), Function the `at` target ("mmap", "mmap+4096", "0x1000") or null.</summary>
        Signal,
        /// <summary>`exit N;` the first process's exit status in Count.</summary>
        ExitStatus,
    }

    /// <summary>One line of an `expect` block, with the 1-based line it was written on (so a failure points back to it).</summary>
    public sealed class Expectation : IEquatable<Expectation>
    {
        /// <summary>
        /// The kinds `oops KIND` accepts: the guard page hit, a page-fault oops, BUG(), the stack protector, the
        /// watchdog's soft lockup, the other exceptions the runtime reports (OopsFacts.Kind), `oom`: the OOM killer
        /// killed a process, and `hang`: the CPU halted with interrupts off (neither is an oops, but each is the run's end
        /// an experiment is about).
        /// </summary>
        public static readonly System.Collections.Generic.IReadOnlyList<string> OopsKinds = new[]
        {
            "stack_guard", "page_fault", "bug", "stack_protector", "soft_lockup",
            "double_fault", "invalid_opcode", "general_protection", "divide_error", "oom", "int3", "hang",
        };

        /// <summary>An expectation without a depth (see the properties for what each argument means per kind).</summary>
        public Expectation(ExpectationKind kind, string text, int count, string? function, int line)
            : this(kind, text, count, function, line, -1, null)
        {
        }

        /// <summary>An expectation; <paramref name="depth"/> -1 when it states none.</summary>
        public Expectation(ExpectationKind kind, string text, int count, string? function, int line, int depth, string? depthFunction)
        {
            Kind = kind;
            Text = text;
            Count = count;
            Function = function;
            Line = line;
            Depth = depth;
            DepthFunction = depthFunction;
        }

        /// <summary>What the line checks.</summary>
        public ExpectationKind Kind { get; }
        /// <summary>Printk: the text (or pattern) a line must show. Oops: the kind (stack_guard, page_fault, bug, ...).</summary>
        public string Text { get; }
        /// <summary>Printk kinds: the exact number of matching lines, or -1 for "at least one". StackMax: the bound in bytes.</summary>
        public int Count { get; }
        /// <summary>Oops: the function RIP must be in, or null.</summary>
        public string? Function { get; }
        /// <summary>1-based .kdsl line of the expectation.</summary>
        public int Line { get; }
        /// <summary>Oops: how many frames of <see cref="DepthFunction"/> the reliable call trace holds at the fault, or -1.</summary>
        public int Depth { get; }
        /// <summary>Oops with a depth: the function whose frames are counted (the `in` function unless `of` names another).</summary>
        public string? DepthFunction { get; }

        /// <inheritdoc/>
        public bool Equals(Expectation? other) =>
            other is not null && Kind == other.Kind && Text == other.Text && Count == other.Count &&
            Function == other.Function && Line == other.Line && Depth == other.Depth && DepthFunction == other.DepthFunction;
        /// <inheritdoc/>
        public override bool Equals(object? obj) => Equals(obj as Expectation);
        /// <inheritdoc/>
        public override int GetHashCode() => ((int)Kind * 397) ^ Text.GetHashCode() ^ Line ^ (Depth << 16);
        /// <summary>The expectation as the expect block writes it: `oops stack_guard in rstack depth 4`.</summary>
        public override string ToString() => Kind switch
        {
            ExpectationKind.Printk => $"printk \"{Text}\"" + CountSuffix,
            ExpectationKind.PrintkLine => $"printk line \"{Text}\"" + CountSuffix,
            ExpectationKind.PrintkPattern => $"printk match \"{Text}\"" + CountSuffix,
            ExpectationKind.Oops => $"oops {Text}" + (Function is null ? "" : $" in {Function}") +
                (Depth < 0 ? "" : $" depth {Depth}" + (DepthFunction == Function ? "" : $" of {DepthFunction}")),
            ExpectationKind.StackMax => $"stack max {Count}",
            ExpectationKind.Signal => $"signal {Text}" + (Function is null ? "" : $" at {Function}"),
            ExpectationKind.ExitStatus => $"exit {Count}",
            _ => "no fault",
        };

        private string CountSuffix => Count >= 0 ? $" count {Count}" : "";
    }
}
