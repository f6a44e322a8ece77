using System.Collections.Generic;
using System.Collections.Immutable;
using KDsl.Binding;
using KDsl.Symbols;

namespace KDsl.Analysis
{
    /// <summary>Evaluates an expression over known parameter values, with C's wrap-around per type; null when it cannot.</summary>
    public static class ConstantEvaluator
    {
        public static long? Evaluate(BoundExpression e, IReadOnlyDictionary<VariableSymbol, long> known)
        {
            var lookup = new DictionaryLookup(known);
            return Evaluate(e, ref lookup);
        }

        /// <summary>
        /// The stack analyzer's form: <paramref name="values"/>[i] is <paramref name="parameters"/>[i]'s value, null when
        /// unknown. No dictionary per activation: the analysis evaluates guards once per recursion level.
        /// </summary>
        public static long? Evaluate(BoundExpression e, ImmutableArray<VariableSymbol> parameters, long?[] values)
        {
            var lookup = new ParameterLookup(parameters, values);
            return Evaluate(e, ref lookup);
        }

        private interface IValueLookup
        {
            bool TryGet(VariableSymbol variable, out long value);
        }

        private readonly struct DictionaryLookup : IValueLookup
        {
            private readonly IReadOnlyDictionary<VariableSymbol, long> _known;
            public DictionaryLookup(IReadOnlyDictionary<VariableSymbol, long> known) => _known = known;
            public bool TryGet(VariableSymbol variable, out long value) => _known.TryGetValue(variable, out value);
        }

        private readonly struct ParameterLookup : IValueLookup
        {
            private readonly ImmutableArray<VariableSymbol> _parameters;
            private readonly long?[] _values;

            public ParameterLookup(ImmutableArray<VariableSymbol> parameters, long?[] values)
            {
                _parameters = parameters;
                _values = values;
            }

            public bool TryGet(VariableSymbol variable, out long value)
            {
                for (int i = 0; i < _values.Length && i < _parameters.Length; i++)
                {
                    if (!ReferenceEquals(_parameters[i], variable)) continue;
                    value = _values[i].GetValueOrDefault();
                    return _values[i].HasValue;
                }
                value = 0;
                return false;
            }
        }

        // Generic over the lookup struct, so each form is specialised without an interface call per variable.
        private static long? Evaluate<TLookup>(BoundExpression e, ref TLookup known)
            where TLookup : struct, IValueLookup
        {
            switch (e)
            {
                case BoundLiteral l:
                    return l.Value;
                case BoundVariable v:
                    return known.TryGet(v.Variable, out long value) ? value : (long?)null;
                case BoundConversion c:
                    var operand = Evaluate(c.Operand, ref known);
                    return operand is long o ? Truncate(o, c.Type) : null;
                case BoundUnary u:
                {
                    if (Evaluate(u.Operand, ref known) is not long x) return null;
                    long r = u.Operator switch
                    {
                        BoundUnaryOperator.Negate => unchecked(-x),
                        BoundUnaryOperator.BitwiseNot => ~x,
                        _ => x == 0 ? 1 : 0,
                    };
                    return Truncate(r, u.Type);
                }
                case BoundLogical l:
                {
                    if (Evaluate(l.Left, ref known) is not long a) return null;
                    if (l.IsAnd && a == 0) return 0;
                    if (!l.IsAnd && a != 0) return 1;
                    return Evaluate(l.Right, ref known) is long b ? (b != 0 ? 1 : 0) : (long?)null;
                }
                case BoundBinary b:
                {
                    if (Evaluate(b.Left, ref known) is not long x || Evaluate(b.Right, ref known) is not long y) return null;
                    return Binary(b.Operator, x, y, b.IsUnsigned, b.Type);
                }
                default:
                    return null;
            }
        }

        private static long? Binary(BoundBinaryOperator op, long x, long y, bool unsigned, TypeSymbol type)
        {
            ulong ux = (ulong)x, uy = (ulong)y;
            long r;
            switch (op)
            {
                case BoundBinaryOperator.Add: r = unchecked(x + y); break;
                case BoundBinaryOperator.Subtract: r = unchecked(x - y); break;
                case BoundBinaryOperator.Multiply: r = unchecked(x * y); break;
                case BoundBinaryOperator.Divide:
                    if (y == 0 || (x == long.MinValue && y == -1)) return null;
                    r = unsigned ? (long)(ux / uy) : x / y;
                    break;
                case BoundBinaryOperator.Remainder:
                    if (y == 0 || (x == long.MinValue && y == -1)) return null;
                    r = unsigned ? (long)(ux % uy) : x % y;
                    break;
                case BoundBinaryOperator.ShiftLeft: r = x << (int)(y & 63); break;
                case BoundBinaryOperator.ShiftRight: r = unsigned ? (long)(ux >> (int)(y & 63)) : x >> (int)(y & 63); break;
                case BoundBinaryOperator.BitwiseAnd: r = x & y; break;
                case BoundBinaryOperator.BitwiseOr: r = x | y; break;
                case BoundBinaryOperator.BitwiseXor: r = x ^ y; break;
                case BoundBinaryOperator.Equal: return x == y ? 1 : 0;
                case BoundBinaryOperator.NotEqual: return x != y ? 1 : 0;
                case BoundBinaryOperator.Less: return (unsigned ? ux < uy : x < y) ? 1 : 0;
                case BoundBinaryOperator.LessOrEqual: return (unsigned ? ux <= uy : x <= y) ? 1 : 0;
                case BoundBinaryOperator.Greater: return (unsigned ? ux > uy : x > y) ? 1 : 0;
                default: return (unsigned ? ux >= uy : x >= y) ? 1 : 0;
            }
            return Truncate(r, type);
        }

        private static long Truncate(long value, TypeSymbol type) => type.Truncate(value);
    }
}
