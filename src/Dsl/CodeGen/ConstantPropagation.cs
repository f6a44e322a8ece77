using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using KDsl.Binding;
using KDsl.Symbols;

namespace KDsl.CodeGen
{
    /// <summary>
    /// The constants GCC -O2 sees through, which decide how many registers a function keeps across its calls:
    /// a local initialised with a constant and never written again is that constant wherever it is read (SSA constant
    /// propagation: no register holds it, `mov $38,%esi` loads it again after a call), and a parameter every caller
    /// passes the same constant (a recursive call may pass it on unchanged) is that constant in the function (ipa-cp,
    /// the clone objdump names `f.constprop.0`). Measured on GCC 12 against the 6.1 headers (tools/gcc-frames/fuzz.py):
    /// of 49 frames that differed from KDsl's, 25 were such clones. ipa-cp's other clones, made when only some
    /// callers agree and its cost model says so, are not modelled: those parameters stay variables.
    /// The rewrite is done on the bound tree, before code generation and the stack analysis, so both see it.
    /// </summary>
    internal static class ConstantPropagation
    {
        /// <summary>Rounds at most: a constant parameter passed on to another function makes that one's constant next round.</summary>
        private const int MaxRounds = 16;

        /// <param name="program">The bound module, after <see cref="TailRecursion"/>.</param>
        /// <param name="exported">Functions called from outside the module as well: their callers are not all known.</param>
        public static BoundProgram Propagate(BoundProgram program, IReadOnlyCollection<string>? exported = null)
        {
            var functions = program.Functions.ToArray();
            var addressTaken = AddressTaken(program, exported);
            bool any = false;
            for (int round = 0; round < MaxRounds; round++)
            {
                bool changed = false;
                var parameters = ConstantParameters(functions, addressTaken);
                for (int i = 0; i < functions.Length; i++)
                {
                    var constants = ConstantLocals(functions[i]);
                    foreach (var p in functions[i].Symbol.Parameters)
                        if (parameters.TryGetValue(p, out long value)) constants[p] = value;
                    if (constants.Count == 0 && round > 0) continue; // the first round folds what the source wrote constant
                    var rewritten = new Substitution(constants).Rewrite(functions[i]);
                    if (ReferenceEquals(rewritten, functions[i])) continue;
                    functions[i] = rewritten;
                    changed = any = true;
                }
                if (!changed) break;
            }
            return any ? program.WithFunctions(functions.ToImmutableArray()) : program;
        }

        /// <summary>
        /// The functions ipa-cp clones (f.constprop.0): those with a parameter every call passes the same constant, as the
        /// program's calls are written (a constant found only after another's substitution is not looked for).
        /// </summary>
        public static HashSet<FunctionSymbol> Cloned(BoundProgram program, IReadOnlyCollection<string>? exported)
        {
            var functions = program.Functions.ToArray();
            var constant = ConstantParameters(functions, AddressTaken(program, exported));
            return new HashSet<FunctionSymbol>(functions.Where(f => f.Symbol.Parameters.Any(constant.ContainsKey)).Select(f => f.Symbol));
        }

        /// <summary>The value <paramref name="e"/> stores into a <paramref name="type"/>, when it is an integer constant that fits unchanged.</summary>
        internal static long? Constant(BoundExpression e, TypeSymbol type)
        {
            while (e is BoundConversion c) e = c.Operand;
            if (e is not BoundLiteral { Type.IsInteger: true } literal || !type.IsInteger) return null;
            return type.Truncate(literal.Value) == literal.Value ? literal.Value : null;
        }

        /// <summary>
        /// Functions whose callers are not all known: their address is taken (in code, or in a global's initializer) or
        /// they are <paramref name="exported"/>. GCC's interprocedural passes (ipa-cp here, ipa-profile in
        /// <see cref="TextSections"/>) leave them as they are.
        /// </summary>
        internal static HashSet<FunctionSymbol> AddressTaken(BoundProgram program, IReadOnlyCollection<string>? exported)
        {
            var inData = new HashSet<string>(program.Globals.SelectMany(g => g.Data.Pointers).Where(p => p.Symbol is not null).Select(p => p.Symbol!));
            var taken = new HashSet<FunctionSymbol>(program.Functions.Select(f => f.Symbol)
                .Where(f => inData.Contains(f.LinkName) || exported is not null && exported.Contains(f.Name)));
            foreach (var e in Expressions(program.Functions))
                if (e is BoundFunctionAddress a) taken.Add(a.Function);
            return taken;
        }

        private static IEnumerable<BoundExpression> Expressions(IEnumerable<BoundFunction> functions)
        {
            var all = new List<BoundExpression>();
            foreach (var f in functions)
                foreach (var s in BoundTree.Statements(f.Body))
                    foreach (var own in BoundTree.OwnExpressions(s))
                        BoundTree.Visit(own, all.Add);
            return all;
        }

        /// <summary>
        /// Parameters every call passes the same constant: all calls of a user function whose address is not taken,
        /// a call of the function itself that passes the parameter on unchanged agreeing with any value; never written.
        /// </summary>
        private static Dictionary<VariableSymbol, long> ConstantParameters(BoundFunction[] functions, HashSet<FunctionSymbol> addressTaken)
        {
            var values = new Dictionary<VariableSymbol, long?>();
            var seen = new HashSet<VariableSymbol>();
            foreach (var f in functions)
                foreach (var s in BoundTree.Statements(f.Body))
                    foreach (var own in BoundTree.OwnExpressions(s))
                        BoundTree.Visit(own, e =>
                        {
                            if (e is not BoundCall { Function.Kind: FunctionKind.User } call || addressTaken.Contains(call.Function)) return;
                            var parameters = call.Function.Parameters;
                            for (int k = 0; k < parameters.Length && k < call.Arguments.Length; k++)
                            {
                                var p = parameters[k];
                                if (ReferenceEquals(call.Function, f.Symbol) && call.Arguments[k] is BoundVariable v && v.Variable == p) continue;
                                long? value = Constant(call.Arguments[k], p.Type);
                                values[p] = !seen.Add(p) && values[p] != value ? null : value;
                            }
                        });
            var written = Written(functions);
            var result = new Dictionary<VariableSymbol, long>();
            foreach (var pair in values)
                if (pair.Value is long value && !written.Contains(pair.Key)) result[pair.Key] = value;
            return result;
        }

        /// <summary>Locals declared with a constant that fits their type, not volatile, and never written or addressed after.</summary>
        private static Dictionary<VariableSymbol, long> ConstantLocals(BoundFunction function)
        {
            var declared = new Dictionary<VariableSymbol, long?>();
            foreach (var s in BoundTree.Statements(function.Body))
                if (s is BoundVariableDeclaration d && d.Variable.Kind == VariableKind.Local && !d.Variable.IsVolatile)
                    declared[d.Variable] = declared.ContainsKey(d.Variable) || d.Initializer is null ? null : Constant(d.Initializer, d.Variable.Type);
            var written = Written(new[] { function });
            var result = new Dictionary<VariableSymbol, long>();
            foreach (var pair in declared)
                if (pair.Value is long value && !written.Contains(pair.Key)) result[pair.Key] = value;
            return result;
        }

        /// <summary>Variables assigned, incremented or whose address is taken anywhere in <paramref name="functions"/>.</summary>
        private static HashSet<VariableSymbol> Written(IEnumerable<BoundFunction> functions)
        {
            var written = new HashSet<VariableSymbol>();
            foreach (var e in Expressions(functions))
            {
                var target = e switch
                {
                    BoundAssignment a => a.Target,
                    BoundIncrement i => i.Target,
                    BoundAddressOf a => a.Operand,
                    _ => null,
                };
                if (target is BoundVariable v) written.Add(v.Variable);
            }
            return written;
        }

        /// <summary>
        /// An integer operation on literals is its value, as GCC folds it (C's wrap-around per type, the same
        /// arithmetic the stack analysis evaluates guards with); a division by zero stays, to fault at run time.
        /// </summary>
        internal static BoundExpression? Fold(BoundExpression e)
        {
            bool foldable = e switch
            {
                BoundBinary b => b.Left is BoundLiteral && b.Right is BoundLiteral,
                BoundUnary u => u.Operand is BoundLiteral,
                BoundConversion c => c.Operand is BoundLiteral { Type.IsInteger: true },
                _ => false,
            };
            if (!foldable || !e.Type.IsInteger) return null;
            return Analysis.ConstantEvaluator.Evaluate(e, Empty) is long value ? new BoundLiteral(value, e.Type, e.Span) : null;
        }

        private static readonly Dictionary<VariableSymbol, long> Empty = new Dictionary<VariableSymbol, long>();

        /// <summary>Reads of the constants become literals; a constant local's declaration goes, and with it its home.</summary>
        private sealed class Substitution : BoundTreeRewriter
        {
            private readonly Dictionary<VariableSymbol, long> _constants;

            public Substitution(Dictionary<VariableSymbol, long> constants) => _constants = constants;

            public BoundFunction Rewrite(BoundFunction function)
            {
                var body = (BoundBlock)Statement(function.Body);
                if (ReferenceEquals(body, function.Body) || MetUnknownNode) return function;
                var locals = function.Locals.Where(v => !_constants.ContainsKey(v)).ToImmutableArray();
                return new BoundFunction(function.Symbol, body, locals, function.Span);
            }

            public override BoundStatement Statement(BoundStatement s) =>
                s is BoundVariableDeclaration d && _constants.ContainsKey(d.Variable)
                    ? new BoundBlock(ImmutableArray<BoundStatement>.Empty, d.Span)
                    : base.Statement(s);

            public override BoundExpression Expression(BoundExpression e)
            {
                if (e is BoundVariable v && _constants.TryGetValue(v.Variable, out long value))
                    return new BoundLiteral(value, v.Type, v.Span);
                var rewritten = base.Expression(e);
                return Fold(rewritten) ?? rewritten;
            }

        }
    }
}
