using System.Collections.Immutable;
using System.Linq;
using KDsl.Binding;
using KDsl.Symbols;

namespace KDsl.CodeGen
{
    /// <summary>
    /// A local initialised with a constant that is next used by an accumulation (<c>long sum = 0; ... sum += f();</c>)
    /// has no value of its own until then: in GCC's SSA form the accumulation reads the constant (sum_2 = 0 + _6 is
    /// sum_2 = _6) and the initialisation is dead, so no register holds the constant across the statements between.
    /// loop2_BUF.c's rec, once unrolled, computes sum from its first call's result on, and its callee-saved register
    /// still holds the caller's value during that call: the real 5.10 trace shows it in every level's frame (the init's
    /// address, "? 0xffffffffc0007000"). The rewrite: the declaration loses its initialiser and the first use becomes
    /// <c>sum = 0 + f()</c>, folded. Only where that use is the next mention of the local in straight-line code of the
    /// same block (statements between may not mention it, nor jump: no labels), and reads the local only as its target.
    /// </summary>
    internal static class ConstantInitializers
    {
        public static BoundProgram Lower(BoundProgram program)
        {
            var functions = program.Functions.Select(Lower).ToImmutableArray();
            bool changed = false;
            for (int i = 0; i < functions.Length; i++) changed |= !ReferenceEquals(functions[i], program.Functions[i]);
            return changed ? program.WithFunctions(functions) : program;
        }

        private static BoundFunction Lower(BoundFunction function)
        {
            var occurrences = new Occurrences(function.Body);
            if (occurrences.HasLabels) return function;
            var rewriter = new Rewriter(occurrences);
            var body = (BoundBlock)rewriter.Statement(function.Body);
            return ReferenceEquals(body, function.Body) || rewriter.MetUnknownNode ? function : new BoundFunction(function.Symbol, body, function.Locals, function.Span);
        }

        private sealed class Rewriter : BoundTreeRewriter
        {
            private readonly Occurrences _occurrences;

            public Rewriter(Occurrences occurrences) => _occurrences = occurrences;

            public override BoundStatement Statement(BoundStatement s)
            {
                if (s is not BoundBlock block) return base.Statement(s);
                var statements = block.Statements.ToBuilder();
                bool changed = false;
                for (int i = 0; i < statements.Count; i++)
                {
                    if (statements[i] is not BoundVariableDeclaration { Initializer: BoundLiteral constant } d) continue;
                    var v = d.Variable;
                    if (!v.Type.IsInteger || _occurrences.AddressTaken.Contains(v)) continue;
                    // the next mention in the text is the next in this block's straight-line order: the statement holding it
                    int next = NextMention(v, d.Span.End);
                    int j = next < 0 ? -1 : StatementAt(statements, i + 1, next);
                    if (j < 0) continue;
                    if (Accumulate(statements[j], v, constant) is { } rewritten)
                    {
                        statements[i] = new BoundVariableDeclaration(v, null, d.Span);
                        statements[j] = rewritten;
                        changed = true;
                    }
                }
                var result = changed ? new BoundBlock(statements.ToImmutable(), block.Span) : block;
                return base.Statement(result);
            }

            /// <summary>The statement that first mentions <paramref name="v"/>, with its accumulation reading the constant instead.</summary>
            private static BoundStatement? Accumulate(BoundStatement s, VariableSymbol v, BoundLiteral constant)
            {
                switch (s)
                {
                    case BoundBlock b:
                    {
                        for (int k = 0; k < b.Statements.Length; k++)
                        {
                            if (!Mentions(b.Statements[k], v)) continue;
                            if (Accumulate(b.Statements[k], v, constant) is not { } inner) return null;
                            return new BoundBlock(b.Statements.SetItem(k, inner), b.Span);
                        }
                        return null;
                    }
                    case BoundExpressionStatement { Expression: BoundAssignment { CompoundOperator: { } op, Target: BoundVariable t } a }
                        when t.Variable == v && !Mentions(a.Value, v) && op is BoundBinaryOperator.Add or BoundBinaryOperator.BitwiseOr or BoundBinaryOperator.BitwiseXor:
                    {
                        var value = a.Value.Type.Equals(v.Type) ? a.Value : new BoundConversion(a.Value, v.Type, a.Value.Span);
                        BoundExpression sum = constant.Value == 0 ? value
                            : new BoundBinary(new BoundLiteral(constant.Value, v.Type, constant.Span), op, value, v.Type.IsUnsigned, v.Type, a.Span);
                        return new BoundExpressionStatement(new BoundAssignment(t, null, a.IsUnsigned, sum, a.Span), s.Span);
                    }
                    default:
                        return null;
                }
            }

            /// <summary>Where <paramref name="v"/> next occurs at or after <paramref name="from"/> in the text, or -1.</summary>
            private int NextMention(VariableSymbol v, int from)
            {
                foreach (var (at, _) in _occurrences.Of(v))
                    if (at >= from) return at;
                return -1;
            }

            /// <summary>The statement of <paramref name="statements"/>, from <paramref name="first"/> on, whose text holds <paramref name="at"/>, or -1.</summary>
            private static int StatementAt(ImmutableArray<BoundStatement>.Builder statements, int first, int at)
            {
                int lo = first, hi = statements.Count - 1;
                while (lo <= hi)
                {
                    int mid = (lo + hi) / 2;
                    var span = statements[mid].Span;
                    if (at < span.Start) hi = mid - 1;
                    else if (at >= span.End) lo = mid + 1;
                    else return mid;
                }
                return -1;
            }

            private static bool Mentions(BoundStatement s, VariableSymbol v) =>
                BoundTree.AllExpressions(s).Any(x => x is BoundVariable bv && bv.Variable == v) ||
                BoundTree.Statements(s).Any(x => x is BoundVariableDeclaration d && d.Variable == v);

            private static bool Mentions(BoundExpression e, VariableSymbol v) =>
                BoundTree.Contains(e, x => x is BoundVariable bv && bv.Variable == v);
        }
    }
}
