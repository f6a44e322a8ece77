using System.Collections.Generic;
using KDsl.Binding;
using KDsl.Diagnostics;
using KDsl.Symbols;

namespace KDsl.Analysis
{
    /// <summary>
    /// `max_depth N` is the author's word, and the analysis keeps it; but when the file calls the function with constant
    /// arguments and its recursion from there follows from them (each activation certainly makes the recursive call,
    /// with arguments the analysis computes), the depth is known, and a bound below it is wrong: KDSL1005 says so at the
    /// call. "Certainly" is conservative: only an `if` whose condition is a known constant, straight-line statements and
    /// operands C always evaluates are followed; a loop, switch, label, unknown condition, return or a builtin that may
    /// not return ends the search, so a recursion KDsl cannot follow never gets the warning.
    /// </summary>
    public sealed partial class StackAnalyzer
    {
        private void CheckMaxDepths(List<Diagnostic> diagnostics)
        {
            foreach (var pair in _calls)
            {
                var known = Known(pair.Key, System.Array.Empty<long?>());
                foreach (var (site, call) in pair.Value)
                {
                    if (call is null || site.Target is null || site.IsKernel || site.Target == pair.Key ||
                        !_maxDepth.TryGetValue(site.Target, out int bound))
                        continue;
                    var args = Arguments(call, known);
                    if (System.Array.IndexOf(args, null) >= 0) continue;
                    int depth = CertainDepth(site.Target, args);
                    if (depth <= bound) continue;
                    string reached = depth > MaxActivations ? $"more than {MaxActivations}" : depth.ToString();
                    diagnostics.Add(Report(DiagnosticDescriptors.MaxDepthContradicted, call.Call.Span,
                        $"'{call.Call.Function.Name}' states max_depth {bound}, but this call's constant arguments make it recurse to {reached} " +
                        "activations; the analysis still counts at most " + bound));
                }
            }
        }

        /// <summary>How many activations of <paramref name="function"/> a call with <paramref name="args"/> certainly stacks up (at least 1).</summary>
        private int CertainDepth(string function, long?[] args)
        {
            var self = _functions[function];
            int depth = 1;
            while (depth <= MaxActivations)
            {
                var known = Known(function, args);
                var walk = new CertainCallWalk(self.Symbol, known);
                walk.Statement(self.Body);
                if (walk.Found is null) break;
                var next = new long?[walk.Found.Arguments.Length];
                for (int i = 0; i < next.Length; i++)
                    next[i] = ConstantEvaluator.Evaluate(walk.Found.Arguments[i], known.Parameters, known.Values);
                args = next;
                depth++;
            }
            return depth;
        }

        /// <summary>Follows a function's body in execution order, as far as it is certain, to its first call of itself.</summary>
        private sealed class CertainCallWalk
        {
            private readonly FunctionSymbol _self;
            private readonly KnownValues _known;

            public CertainCallWalk(FunctionSymbol self, KnownValues known)
            {
                _self = self;
                _known = known;
            }

            /// <summary>The recursive call every activation with these arguments makes, once found.</summary>
            public BoundCall? Found { get; private set; }

            /// <summary>False when the walk must stop: the call was found, or what follows is not certain to run.</summary>
            public bool Statement(BoundStatement s)
            {
                switch (s)
                {
                    case BoundBlock b:
                        foreach (var x in b.Statements)
                            if (!Statement(x)) return false;
                        return true;
                    case BoundVariableDeclaration d:
                        return d.Initializer is null || Expression(d.Initializer);
                    case BoundExpressionStatement e:
                        return Expression(e.Expression);
                    case BoundReturn r:
                        if (r.Value is not null) Expression(r.Value);
                        return false;
                    case BoundIf i:
                        if (!Expression(i.Condition)) return false;
                        if (Evaluate(i.Condition) is not long condition) return false;
                        var taken = condition != 0 ? i.Then : i.Else;
                        return taken is null || Statement(taken);
                    default:
                        return false; // loops, switch, labels, goto, break, continue: not followed
                }
            }

            private bool Expression(BoundExpression e)
            {
                switch (e)
                {
                    case BoundCall c:
                        if (c.Callee is not null && !Expression(c.Callee)) return false;
                        foreach (var a in c.Arguments)
                            if (!Expression(a)) return false;
                        if (ReferenceEquals(c.Function, _self))
                        {
                            Found = c;
                            return false;
                        }
                        // BUG(), panic(), exit() and the like need not return
                        return c.Function.Kind is FunctionKind.User or FunctionKind.Kernel or FunctionKind.Pointer && c.Function.Name != Binder.PanicName;
                    case BoundLogical l:
                        return Expression(l.Left); // the right operand runs only sometimes
                    case BoundConditional q:
                        if (!Expression(q.Condition)) return false;
                        if (Evaluate(q.Condition) is not long condition) return true;
                        return Expression(condition != 0 ? q.WhenTrue : q.WhenFalse);
                    case BoundBinary b: return Expression(b.Left) && Expression(b.Right);
                    case BoundSequence q: return Expression(q.Left) && Expression(q.Right);
                    case BoundAssignment a: return Expression(a.Target) && Expression(a.Value);
                    case BoundUnary u: return Expression(u.Operand);
                    case BoundConversion c: return Expression(c.Operand);
                    case BoundDereference d: return Expression(d.Pointer);
                    case BoundAddressOf a: return Expression(a.Operand);
                    case BoundIncrement i: return Expression(i.Target);
                    default: return true;
                }
            }

            private long? Evaluate(BoundExpression condition) => ConstantEvaluator.Evaluate(condition, _known.Parameters, _known.Values);
        }
    }
}
