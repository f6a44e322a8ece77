using System;
using System.Collections.Immutable;
using KDsl.Symbols;

namespace KDsl.Analysis
{
    /// <summary>The analysis' small value types: what is known of an activation's arguments, and its memo key.</summary>
    public sealed partial class StackAnalyzer
    {
        /// <summary>A function's parameters and the values known for them (null: unknown), for <see cref="ConstantEvaluator"/>.</summary>
        private readonly struct KnownValues
        {
            public KnownValues(ImmutableArray<VariableSymbol> parameters, long?[] values)
            {
                Parameters = parameters;
                Values = values;
            }

            public ImmutableArray<VariableSymbol> Parameters { get; }
            public long?[] Values { get; }
        }

        /// <summary>
        /// An activation's memo key by value: the function, its known arguments, and the activation counts of the
        /// max_depth functions. A struct compared field by field: a recursion 100 levels deep builds 100 of them,
        /// so no strings are formatted for it.
        /// </summary>
        private readonly struct ActivationKey : IEquatable<ActivationKey>
        {
            private readonly string _function;
            private readonly long?[] _args;
            private readonly int[]? _counts;
            private readonly int _hash;

            public ActivationKey(string function, long?[] args, int[]? counts)
            {
                _function = function;
                _args = args;
                _counts = counts;
                int hash = StringComparer.Ordinal.GetHashCode(function);
                foreach (var a in args) hash = unchecked(hash * 31 + (a is long v ? v.GetHashCode() : 0x5bd1e995));
                if (counts is not null)
                    foreach (int c in counts) hash = unchecked(hash * 31 + c);
                _hash = hash;
            }

            public bool Equals(ActivationKey other)
            {
                if (_hash != other._hash || !string.Equals(_function, other._function, StringComparison.Ordinal) || _args.Length != other._args.Length)
                    return false;
                for (int i = 0; i < _args.Length; i++)
                    if (_args[i] != other._args[i]) return false;
                if (_counts is null || other._counts is null) return _counts is null && other._counts is null;
                if (_counts.Length != other._counts.Length) return false;
                for (int i = 0; i < _counts.Length; i++)
                    if (_counts[i] != other._counts[i]) return false;
                return true;
            }

            public override bool Equals(object? obj) => obj is ActivationKey other && Equals(other);

            public override int GetHashCode() => _hash;
        }
    }
}
