using System;

namespace KDsl.Image
{
    public enum ExpectationKind
    {
        /// <summary>`printk "text" count N;` (or without count: at least one line contains the text).</summary>
        Printk,
        /// <summary>`oops stack_guard [in FUNCTION];` the run ends in an oops of this kind.</summary>
        Oops,
        /// <summary>`no fault;` init returns and nothing oopses.</summary>
        NoFault,
    }

    /// <summary>One line of an `expect` block, with the 1-based line it was written on (so a failure points back to it).</summary>
    public sealed class Expectation : IEquatable<Expectation>
    {
        public Expectation(ExpectationKind kind, string text, int count, string? function, int line)
        {
            Kind = kind;
            Text = text;
            Count = count;
            Function = function;
            Line = line;
        }

        public ExpectationKind Kind { get; }
        /// <summary>Printk: the text a line must contain. Oops: the kind (stack_guard).</summary>
        public string Text { get; }
        /// <summary>Printk: the exact number of matching lines, or -1 for "at least one".</summary>
        public int Count { get; }
        /// <summary>Oops: the function RIP must be in, or null.</summary>
        public string? Function { get; }
        public int Line { get; }

        public bool Equals(Expectation? other) =>
            other is not null && Kind == other.Kind && Text == other.Text && Count == other.Count &&
            Function == other.Function && Line == other.Line;
        public override bool Equals(object? obj) => Equals(obj as Expectation);
        public override int GetHashCode() => ((int)Kind * 397) ^ Text.GetHashCode() ^ Line;
        public override string ToString() => Kind switch
        {
            ExpectationKind.Printk => Count >= 0 ? $"printk \"{Text}\" count {Count}" : $"printk \"{Text}\"",
            ExpectationKind.Oops => Function is null ? $"oops {Text}" : $"oops {Text} in {Function}",
            _ => "no fault",
        };
    }
}
