using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using KDsl.Binding;
using KDsl.Profiles;
using KDsl.Symbols;
using KDsl.Text;

namespace KDsl.CodeGen
{
    /// <summary>
    /// GCC's tail recursion elimination (tree-tailcall.cc, the "tailr" pass, on with -foptimize-sibling-calls like the
    /// sibling calls of <see cref="TailCalls"/>): a function's calls of itself in tail position become a jump back to
    /// its start, so the recursion runs in one frame. A call whose result is only added to, subtracted from,
    /// multiplied or negated before it is returned (`return n + f(n - 1);`, `return n * f(n - 1);`, `r = f(n - 1);
    /// return r + 1;`) is eliminated too, through an accumulator: every other return then returns
    /// mult_acc * value + add_acc. Measured on GCC 12 building the kernel's 6.1 modules: + - * and unary - are
    /// eliminated, bitwise operators and shifts are not, nor a load from memory after the call, and nothing is when a
    /// local's address may reach a callee.
    /// The rewrite is done on the bound tree, before code generation and the stack analysis, so both see the loop:
    /// <code>
    /// T add_acc = 0; T mult_acc = 1;
    /// for (;;) { body, with each such call replaced by: accumulate; parameters = arguments; continue; }
    /// </code>
    /// Not done (GCC does them; KDsl keeps the calls): a recursive call inside a loop of the function, and an
    /// accumulated operand that itself calls a function.
    /// </summary>
    internal static class TailRecursion
    {
        public static BoundProgram Lower(BoundProgram program, KernelProfile profile)
        {
            var functions = program.Functions.Select(f => Lower(f, profile)).ToImmutableArray();
            bool changed = false;
            for (int i = 0; i < functions.Length; i++) changed |= !ReferenceEquals(functions[i], program.Functions[i]);
            return changed ? program.WithFunctions(functions) : program;
        }

        public static BoundFunction Lower(BoundFunction function, KernelProfile profile)
        {
            if (profile.FramePointer || function.Symbol.Kind != FunctionKind.User) return function;
            if (TailCalls.AddressEscapes(function.Body)) return function;
            var finder = new SiteFinder(function.Symbol);
            finder.Statement(function.Body, tail: true, inLoop: false);
            if (finder.Sites.Count == 0 || finder.InsideLoop || finder.Unknown) return function;
            return new Rewriter(function, finder).Lower();
        }

        /// <summary>How a recursive call's result becomes the function's: result = m * call + a (null m: 1, null a: 0).</summary>
        private sealed class Site
        {
            public Site(BoundCall call, BoundExpression? m, BoundExpression? a)
            {
                Call = call;
                M = m;
                A = a;
            }

            public BoundCall Call { get; }
            public BoundExpression? M { get; }
            public BoundExpression? A { get; }
        }

        /// <summary>
        /// Finds the tail-recursive statements: `return f(...)` and its accumulated forms, `r = f(...); return r + a;`,
        /// and in a void function `f(...);` as its last action. Keyed by the statement that the jump replaces; for the
        /// two-statement form, the return that follows is dropped.
        /// </summary>
        private sealed class SiteFinder
        {
            private readonly FunctionSymbol _self;
            public SiteFinder(FunctionSymbol self) => _self = self;

            public Dictionary<BoundStatement, Site> Sites { get; } = new Dictionary<BoundStatement, Site>();
            public HashSet<BoundStatement> Dropped { get; } = new HashSet<BoundStatement>();
            public bool InsideLoop { get; private set; }
            /// <summary>A statement the rewrite does not know (a switch, a label): a return in it would miss the accumulators.</summary>
            public bool Unknown { get; private set; }

            private bool Returns => _self.ReturnType.Kind != TypeKind.Void;

            public void Statement(BoundStatement s, bool tail, bool inLoop)
            {
                switch (s)
                {
                    case BoundBlock b:
                        for (int i = 0; i < b.Statements.Length; i++)
                        {
                            var x = b.Statements[i];
                            var next = i + 1 < b.Statements.Length ? b.Statements[i + 1] : null;
                            if (next is BoundReturn r && PairedSite(x, r) is Site paired)
                            {
                                Add(x, paired, inLoop);
                                Dropped.Add(r);
                                i++;
                                continue;
                            }
                            bool last = i == b.Statements.Length - 1 || next is BoundReturn { Value: null };
                            Statement(x, tail && last, inLoop);
                        }
                        break;
                    case BoundIf i:
                        Statement(i.Then, tail, inLoop);
                        if (i.Else is not null) Statement(i.Else, tail, inLoop);
                        break;
                    case BoundWhile w:
                        Statement(w.Body, false, true);
                        break;
                    case BoundFor f:
                        Statement(f.Body, false, true);
                        break;
                    case BoundReturn { Value: { } value } r when Returns && ReturnSite(value, null) is Site site:
                        Add(r, site, inLoop);
                        break;
                    case BoundExpressionStatement { Expression: BoundCall c } e when !Returns && tail && IsSelf(c):
                        Add(e, new Site(c, null, null), inLoop);
                        break;
                    case BoundReturn or BoundExpressionStatement or BoundVariableDeclaration or BoundBreak or BoundContinue:
                        break;
                    default:
                        Unknown = true;
                        break;
                }
            }

            private void Add(BoundStatement s, Site site, bool inLoop)
            {
                Sites[s] = site;
                InsideLoop |= inLoop;
            }

            /// <summary>`r = f(...);` or `T r = f(...);` followed by a return of r, accumulated.</summary>
            private Site? PairedSite(BoundStatement s, BoundReturn r)
            {
                if (!Returns || r.Value is null) return null;
                (VariableSymbol Variable, BoundExpression Value)? store = s switch
                {
                    BoundVariableDeclaration { Initializer: { } init } d => (d.Variable, init),
                    BoundExpressionStatement { Expression: BoundAssignment { CompoundOperator: null, Target: BoundVariable v } a } => (v.Variable, a.Value),
                    _ => null,
                };
                if (store is not { } st || st.Value is not BoundCall c || !IsSelf(c) || !st.Variable.Type.Equals(_self.ReturnType)) return null;
                int uses = 0;
                BoundTree.Visit(r.Value, e => { if (e is BoundVariable v && v.Variable == st.Variable) uses++; });
                return uses == 1 ? ReturnSite(r.Value, (st.Variable, c)) : null;
            }

            /// <summary>
            /// The returned value as m * call + a, where the call is a recursive call (or, for the two-statement form, the
            /// variable <paramref name="stored"/> holding one). Only operations GCC's process_assignment accumulates.
            /// </summary>
            private Site? ReturnSite(BoundExpression value, (VariableSymbol Variable, BoundCall Call)? stored)
            {
                var result = stored?.Variable;
                var type = _self.ReturnType;
                if (IsResult(value, stored, out var call)) return new Site(call, null, null);
                if (!type.Equals(value.Type) || type.Kind is not (TypeKind.Int or TypeKind.Long)) return null;
                switch (value)
                {
                    case BoundUnary { Operator: BoundUnaryOperator.Negate } u when IsResult(u.Operand, stored, out call):
                        return new Site(call, MinusOne(type, u.Span), null);
                    case BoundBinary b when b.Operator is BoundBinaryOperator.Add or BoundBinaryOperator.Multiply or BoundBinaryOperator.Subtract:
                    {
                        bool left = IsResult(b.Left, stored, out call);
                        if (!left && !IsResult(b.Right, stored, out call)) return null;
                        var other = left ? b.Right : b.Left;
                        // C's operands are evaluated left to right here (GCC's gimplifier): an operand after the call,
                        // or any operand of the two-statement form, is computed after it, where GCC takes arithmetic but
                        // fails on a load from memory (process_assignment), as recurse.c's `deep(n - 1) + vp[n % 1000]`
                        if (!Independent(other, result, loadsAllowed: !left && result is null)) return null;
                        return b.Operator switch
                        {
                            BoundBinaryOperator.Add => new Site(call, null, other),
                            BoundBinaryOperator.Multiply => new Site(call, other, null),
                            // call - a: a = -a; a - call: m = -1, a = a
                            _ when left => new Site(call, null, new BoundUnary(BoundUnaryOperator.Negate, other, type, other.Span)),
                            _ => new Site(call, MinusOne(type, b.Span), other),
                        };
                    }
                    default:
                        return null;
                }
            }

            /// <summary>Whether <paramref name="e"/> is the recursive call's result: the call, or the variable it was stored in.</summary>
            private bool IsResult(BoundExpression e, (VariableSymbol Variable, BoundCall Call)? stored, out BoundCall call)
            {
                call = null!;
                if (stored is { } st)
                {
                    if (e is not BoundVariable v || v.Variable != st.Variable) return false;
                    call = st.Call;
                    return true;
                }
                if (e is not BoundCall c || !IsSelf(c) || !c.Type.Equals(_self.ReturnType)) return false;
                call = c;
                return true;
            }

            private bool IsSelf(BoundCall c) => c.Function == _self && c.Arguments.Length == _self.Parameters.Length;

            /// <summary>An operand the accumulator can take before the jump: no call, no store, and not the result itself.</summary>
            private static bool Independent(BoundExpression e, VariableSymbol? result, bool loadsAllowed) =>
                !BoundTree.Contains(e, x => x is BoundCall or BoundAssignment or BoundIncrement || x is BoundVariable v && v.Variable == result ||
                    !loadsAllowed && x is BoundDereference);

            private static BoundExpression MinusOne(TypeSymbol type, TextSpan span) => new BoundLiteral(-1, type, span);
        }

        /// <summary>Rewrites the body: the loop, the jumps, the accumulators, and every other return through them.</summary>
        private sealed class Rewriter
        {
            private readonly BoundFunction _function;
            private readonly Dictionary<BoundStatement, Site> _sites;
            private readonly HashSet<BoundStatement> _dropped;
            private readonly VariableSymbol? _add, _mult;
            private readonly List<VariableSymbol> _locals;

            public Rewriter(BoundFunction function, SiteFinder finder)
            {
                _function = function;
                _sites = finder.Sites;
                _dropped = finder.Dropped;
                _locals = new List<VariableSymbol>(function.Locals);
                var type = function.Symbol.ReturnType;
                var span = function.Span;
                // GCC's names for them (tree-tailcall.cc)
                if (_sites.Values.Any(s => s.A is not null)) _locals.Add(_add = new VariableSymbol("add_acc", type, VariableKind.Local, -1, span));
                if (_sites.Values.Any(s => s.M is not null)) _locals.Add(_mult = new VariableSymbol("mult_acc", type, VariableKind.Local, -1, span));
            }

            public BoundFunction Lower()
            {
                var span = _function.Body.Span;
                var type = _function.Symbol.ReturnType;
                var prologue = ImmutableArray.CreateBuilder<BoundStatement>();
                if (_add is not null) prologue.Add(new BoundVariableDeclaration(_add, new BoundLiteral(0, type, span), span));
                if (_mult is not null) prologue.Add(new BoundVariableDeclaration(_mult, new BoundLiteral(1, type, span), span));
                // Falling off the end leaves the loop as it left the function (a void function's return).
                var body = new BoundBlock(ImmutableArray.Create(Statement(_function.Body), new BoundReturn(null, span)), span);
                prologue.Add(new BoundFor(null, null, null, body, span));
                return new BoundFunction(_function.Symbol, new BoundBlock(prologue.ToImmutable(), span), _locals.ToImmutableArray(), _function.Span);
            }

            private BoundStatement Statement(BoundStatement s)
            {
                if (_sites.TryGetValue(s, out var site)) return Jump(site, s.Span);
                switch (s)
                {
                    case BoundBlock b:
                        var statements = ImmutableArray.CreateBuilder<BoundStatement>();
                        foreach (var x in b.Statements)
                            if (!_dropped.Contains(x)) statements.Add(Statement(x));
                        return new BoundBlock(statements.ToImmutable(), b.Span);
                    case BoundIf i:
                        return new BoundIf(i.Condition, Statement(i.Then), i.Else is null ? null : Statement(i.Else), i.Span);
                    case BoundWhile w:
                        return new BoundWhile(w.Condition, Statement(w.Body), w.IsDoWhile, w.Span);
                    case BoundFor f:
                        return new BoundFor(f.Initializer, f.Condition, f.Step, Statement(f.Body), f.Span);
                    case BoundReturn { Value: { } value } r:
                        return new BoundReturn(Accumulated(value), r.Span);
                    default:
                        return s;
                }
            }

            /// <summary>mult_acc * value + add_acc: what the outermost call returns for the innermost's value.</summary>
            private BoundExpression Accumulated(BoundExpression value)
            {
                if (_mult is not null) value = Binary(Variable(_mult, value.Span), BoundBinaryOperator.Multiply, value);
                if (_add is not null) value = Binary(value, BoundBinaryOperator.Add, Variable(_add, value.Span));
                return value;
            }

            /// <summary>add_acc += mult_acc * a; mult_acc *= m; the parameters take the arguments; back to the loop's start.</summary>
            private BoundStatement Jump(Site site, TextSpan span)
            {
                var statements = ImmutableArray.CreateBuilder<BoundStatement>();
                if (site.A is not null)
                {
                    var a = _mult is null ? site.A : Binary(Variable(_mult, span), BoundBinaryOperator.Multiply, site.A);
                    statements.Add(Store(_add!, Binary(Variable(_add!, span), BoundBinaryOperator.Add, a), span));
                }
                if (site.M is not null)
                    statements.Add(Store(_mult!, Binary(Variable(_mult!, span), BoundBinaryOperator.Multiply, site.M), span));

                var parameters = _function.Symbol.Parameters;
                var values = new BoundExpression[parameters.Length];
                for (int i = 0; i < parameters.Length; i++)
                {
                    values[i] = site.Call.Arguments[i];
                    // An argument that reads a parameter assigned before it goes through a temporary, as C's call would
                    // have read every argument before the parameters change.
                    bool readsEarlier = false;
                    for (int j = 0; j < i; j++) readsEarlier |= !IsParameter(values[j], parameters[j]) && Reads(values[i], parameters[j]);
                    if (!readsEarlier) continue;
                    var temporary = new VariableSymbol("tail_arg" + i, parameters[i].Type, VariableKind.Local, -1, span);
                    _locals.Add(temporary);
                    statements.Insert(0, new BoundVariableDeclaration(temporary, values[i], span));
                    values[i] = Variable(temporary, span);
                }
                for (int i = 0; i < parameters.Length; i++)
                    if (!IsParameter(values[i], parameters[i])) statements.Add(Store(parameters[i], values[i], span));
                statements.Add(new BoundContinue(span));
                return new BoundBlock(statements.ToImmutable(), span);
            }

            private static bool IsParameter(BoundExpression e, VariableSymbol parameter) => e is BoundVariable v && v.Variable == parameter;

            private static bool Reads(BoundExpression e, VariableSymbol v) => BoundTree.Contains(e, x => x is BoundVariable bv && bv.Variable == v);

            private static BoundVariable Variable(VariableSymbol v, TextSpan span) => new BoundVariable(v, span);

            private static BoundStatement Store(VariableSymbol target, BoundExpression value, TextSpan span) =>
                new BoundExpressionStatement(new BoundAssignment(Variable(target, span), null, target.Type.IsUnsigned, value, span), span);

            private BoundExpression Binary(BoundExpression left, BoundBinaryOperator op, BoundExpression right)
            {
                var type = _function.Symbol.ReturnType;
                return new BoundBinary(left, op, right, type.IsUnsigned, type, right.Span);
            }
        }
    }
}
