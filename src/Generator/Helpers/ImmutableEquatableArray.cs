using System;
using System.Collections;
using System.Collections.Generic;

namespace KDsl.Generator.Helpers
{
    /// <summary>
    /// An immutable array with structural equality, for the generator's model: ImmutableArray compares by
    /// reference, which would defeat incremental caching (after dotnet/runtime's ImmutableEquatableArray).
    /// </summary>
    internal sealed class ImmutableEquatableArray<T> : IEquatable<ImmutableEquatableArray<T>>, IReadOnlyList<T>
        where T : IEquatable<T>
    {
        public static ImmutableEquatableArray<T> Empty { get; } = new ImmutableEquatableArray<T>(Array.Empty<T>());

        private readonly T[] _values;

        public ImmutableEquatableArray(IEnumerable<T> values) => _values = new List<T>(values).ToArray();

        private ImmutableEquatableArray(T[] values) => _values = values;

        public T this[int index] => _values[index];
        public int Count => _values.Length;

        public bool Equals(ImmutableEquatableArray<T>? other)
        {
            if (ReferenceEquals(this, other)) return true;
            if (other is null || other._values.Length != _values.Length) return false;
            for (int i = 0; i < _values.Length; i++)
            {
                if (!EqualityComparer<T>.Default.Equals(_values[i], other._values[i])) return false;
            }
            return true;
        }

        public override bool Equals(object? obj) => obj is ImmutableEquatableArray<T> other && Equals(other);

        public override int GetHashCode()
        {
            unchecked
            {
                int hash = 17;
                foreach (T value in _values)
                {
                    hash = (hash * 31) + (value is null ? 0 : value.GetHashCode());
                }
                return hash;
            }
        }

        public Enumerator GetEnumerator() => new Enumerator(_values);
        IEnumerator<T> IEnumerable<T>.GetEnumerator() => ((IEnumerable<T>)_values).GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => _values.GetEnumerator();

        public struct Enumerator
        {
            private readonly T[] _values;
            private int _index;

            internal Enumerator(T[] values)
            {
                _values = values;
                _index = -1;
            }

            public bool MoveNext() => ++_index < _values.Length;
            public readonly T Current => _values[_index];
        }
    }

    internal static class ImmutableEquatableArray
    {
        public static ImmutableEquatableArray<T> ToImmutableEquatableArray<T>(this IEnumerable<T>? values)
            where T : IEquatable<T> =>
            values is null ? ImmutableEquatableArray<T>.Empty : new ImmutableEquatableArray<T>(values);
    }
}
