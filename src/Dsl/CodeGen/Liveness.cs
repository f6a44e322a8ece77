using System;
using System.Collections.Generic;
using KDsl.Binding;
using KDsl.Symbols;

namespace KDsl.CodeGen
{
    /// <summary>
    /// Which variables live across a call (and so need a callee-saved register or a stack slot, as GCC decides:
    /// <see cref="LiveVariables"/>), which have their address taken, and what the calls load. Positions number the
    /// uses in evaluation order; a call takes its position after its arguments.
    /// </summary>
    internal sealed class Liveness
    {
        private readonly HashSet<VariableSymbol> _addressTaken = new HashSet<VariableSymbol>();
        private readonly List<int> _calls = new List<int>();
        /// <summary>The positions of the calls that are not the function calling itself.</summary>
        private readonly List<int> _otherCalls = new List<int>();
        private FunctionSymbol _self = null!;
        /// <summary>
        /// Where a pointer was indexed by a non-constant (<c>p[i]</c>: p + i) outside any loop, by position: in a loop
        /// GCC's induction variables walk the array from an lea off RSP instead (ivopts), so the pointer needs no register.
        /// </summary>
        private readonly List<(VariableSymbol Pointer, int At)> _variableIndexed = new List<(VariableSymbol, int)>();
        /// <summary>
        /// Where an aggregate's own address (<c>&amp;s</c>, a decayed <c>buf</c>) or a pointer variable is used as a value, by
        /// position: passed, stored or compared, not the base of a dereference or of pointer arithmetic.
        /// </summary>
        private readonly List<(VariableSymbol Variable, int At)> _addressValues = new List<(VariableSymbol, int)>();
        private int _position;
        private int _loops;
        private LiveVariables _live = null!;

        public static Liveness Analyze(BoundFunction function)
        {
            var l = new Liveness { _live = LiveVariables.Analyze(function), _self = function.Symbol };
            l.Statement(function.Body);
            return l;
        }

        public bool HasCalls => _calls.Count > 0;

        /// <summary>Whether the function calls put_user, whose helper clobbers RBX (arch/x86/include/asm/uaccess.h's "ebx").</summary>
        public bool ClobbersRbx { get; private set; }

        /// <summary>
        /// get_user and put_user, whose inline asm names the registers its call touches (RAX, RCX, RDX, RBX): every other
        /// caller-saved register keeps its value across it, as across no call at all (GCC keeps ioctl's cmd in ESI).
        /// </summary>
        public static bool IsUserAccess(BoundCall c) =>
            c.Function.Kind == FunctionKind.Builtin && c.Function.Name is Binder.GetUserName or Binder.PutUserName;

        /// <summary>The most argument registers a call of the function loads: all of them for a built-in or system call.</summary>
        public int MaxRegisterArguments { get; private set; }

        public bool IsAddressTaken(VariableSymbol v) => _addressTaken.Contains(v);

        public bool LivesAcrossCall(VariableSymbol v) => _live.LivesAcrossCall(v);

        /// <summary>What the emitter loads again after <paramref name="call"/> (<see cref="LiveVariables.ReloadsAfter"/>).</summary>
        public IReadOnlyList<(VariableSymbol Variable, long Value)> ReloadsAfter(BoundCall call) => _live.ReloadsAfter(call);

        /// <summary>The two are live at once somewhere (<see cref="LiveVariables.Interfere"/>).</summary>
        public bool Interfere(VariableSymbol a, VariableSymbol b) => _live.Interfere(a, b);

        /// <summary>
        /// Whether <paramref name="pointer"/> is indexed by a non-constant after the function's first call, or, when
        /// <paramref name="selfCalls"/> is false, after its first call of another function.
        /// </summary>
        public bool IndexedByVariableAfterCall(VariableSymbol pointer, bool selfCalls = true)
        {
            return UsedAfterFirst(_variableIndexed, pointer, selfCalls ? _calls : _otherCalls);
        }

        /// <summary>
        /// Whether the address <paramref name="v"/> holds (an aggregate's own, or a pointer variable's value) is used as a
        /// value after the function's first call.
        /// </summary>
        public bool AddressUsedAfterCall(VariableSymbol v) => UsedAfterFirst(_addressValues, v, _calls);

        /// <summary>Whether one of <paramref name="uses"/> of <paramref name="v"/> comes after the first of <paramref name="calls"/>.</summary>
        private static bool UsedAfterFirst(List<(VariableSymbol Variable, int At)> uses, VariableSymbol v, List<int> calls)
        {
            if (calls.Count == 0) return false;
            foreach (var (x, at) in uses)
                if (x == v && at > calls[0]) return true;
            return false;
        }

        /// <summary>How often <paramref name="v"/> is read or written in the body (its declaration counts as a write).</summary>
        public int Uses(VariableSymbol v) => _uses.TryGetValue(v, out int n) ? n : 0;

        private readonly Dictionary<VariableSymbol, int> _uses = new Dictionary<VariableSymbol, int>();

        private void Use(VariableSymbol v)
        {
            ++_position;
            _uses[v] = Uses(v) + 1;
        }

        private void Statement(BoundStatement s)
        {
            switch (s)
            {
                case BoundBlock b:
                    foreach (var x in b.Statements) Statement(x);
                    break;
                case BoundVariableDeclaration d:
                    // an address a pointer is initialised with is that pointer's from then on: its uses are the pointer's
                    if (d.Initializer is not null) Expression(d.Initializer, asBase: d.Variable.Type.IsPointer);
                    Use(d.Variable);
                    break;
                case BoundExpressionStatement e:
                    Expression(e.Expression);
                    break;
                case BoundIf i:
                    Expression(i.Condition);
                    Statement(i.Then);
                    if (i.Else is not null) Statement(i.Else);
                    break;
                case BoundWhile w:
                    _loops++;
                    Expression(w.Condition);
                    Statement(w.Body);
                    _loops--;
                    break;
                case BoundFor f:
                    if (f.Initializer is not null) Statement(f.Initializer);
                    _loops++;
                    if (f.Condition is not null) Expression(f.Condition);
                    Statement(f.Body);
                    if (f.Step is not null) Expression(f.Step);
                    _loops--;
                    break;
                case BoundReturn r:
                    if (r.Value is not null) Expression(r.Value);
                    break;
                case BoundSwitch sw:
                    Expression(sw.Value);
                    Statement(sw.Body);
                    break;
            }
        }

        /// <param name="e">The expression, walked in evaluation order.</param>
        /// <param name="asBase">e is the pointer a dereference or pointer arithmetic starts from, not a value of its own.</param>
        private void Expression(BoundExpression e, bool asBase = false)
        {
            if (!asBase) // at the position its use below takes
            {
                if (e is BoundAddressOf { Operand: BoundArrayVariable aggregate }) _addressValues.Add((aggregate.Variable, _position + 1));
                else if (e is BoundVariable { Type.IsPointer: true } pointerValue) _addressValues.Add((pointerValue.Variable, _position + 1));
            }
            switch (e)
            {
                case BoundVariable v:
                    Use(v.Variable);
                    break;
                case BoundArrayVariable a:
                    Use(a.Variable);
                    break;
                case BoundDereference d:
                    Expression(d.Pointer, asBase: true);
                    break;
                case BoundAddressOf a:
                    if (a.Operand is BoundVariable av) _addressTaken.Add(av.Variable);
                    Expression(a.Operand);
                    break;
                case BoundUnary u:
                    Expression(u.Operand);
                    break;
                case BoundBinary b:
                {
                    var (first, second) = EvaluationOrder.Operands(b.Left, b.Right);
                    bool arithmetic = b.Type.IsPointer && b.Operator is BoundBinaryOperator.Add or BoundBinaryOperator.Subtract;
                    Expression(first, asBase: arithmetic && first == b.Left);
                    if (b is { Operator: BoundBinaryOperator.Add, Left: BoundVariable pointer, Right: not BoundLiteral } && _loops == 0)
                        _variableIndexed.Add((pointer.Variable, _position));
                    Expression(second, asBase: arithmetic && second == b.Left);
                    break;
                }
                case BoundLogical l:
                    Expression(l.Left);
                    Expression(l.Right);
                    break;
                case BoundConditional c: // both arms in order: a use in the second counts after a call in the first (conservative)
                    Expression(c.Condition);
                    Expression(c.WhenTrue);
                    Expression(c.WhenFalse);
                    break;
                case BoundSequence s:
                    Expression(s.Left);
                    Expression(s.Right);
                    break;
                case BoundAssignment { Target: BoundDereference d } a:
                {
                    // as EmitAssignment: *p = v evaluates the two as operands, *p op= v the address first
                    var (first, second) = a.CompoundOperator is null ? EvaluationOrder.Operands(d.Pointer, a.Value) : (d.Pointer, a.Value);
                    Expression(first, asBase: first == d.Pointer);
                    Expression(second, asBase: second == d.Pointer);
                    break;
                }
                case BoundAssignment a:
                    Expression(a.Value);
                    Expression(a.Target, asBase: true); // written, not read as a value
                    break;
                case BoundIncrement i:
                    Expression(i.Target);
                    break;
                case BoundCall c when IsUserAccess(c):
                    // get_user/put_user: an asm call that clobbers only what it names, no call for the allocator
                    foreach (var arg in c.Arguments) Expression(arg);
                    ClobbersRbx |= c.Function.Name == Binder.PutUserName;
                    break;
                case BoundCall c when InlinedStringCalls.IsInlined(c):
                    // expanded in place (GCC's rep movs / rep stos): no call for the allocator; the argument registers it
                    // uses (RDI, RSI, RDX, and RCX for the count) are no variable's home
                    foreach (var arg in EvaluationOrder.Arguments(c)) Expression(arg);
                    MaxRegisterArguments = Math.Max(MaxRegisterArguments, 4);
                    break;
                case BoundCall c:
                    foreach (var arg in EvaluationOrder.Arguments(c)) Expression(arg);
                    _calls.Add(++_position);
                    if (c.Function != _self || c.Callee is not null) _otherCalls.Add(_position);
                    int loaded = c.Function.Kind is FunctionKind.User or FunctionKind.Kernel or FunctionKind.Pointer ? c.Arguments.Length : GprExtensions.ArgumentRegisters.Length;
                    MaxRegisterArguments = Math.Max(MaxRegisterArguments, Math.Min(loaded, GprExtensions.ArgumentRegisters.Length));
                    break;
                case BoundConversion c:
                    Expression(c.Operand);
                    break;
            }
        }
    }
}
