using System.Collections.Generic;
using KDsl.Binding;
using KDsl.Symbols;

namespace KDsl.CodeGen
{
    /// <summary>
    /// Pointer locals that only ever hold a local array's address (<c>char *vp = buf;</c>, never assigned again, their
    /// own address never taken), which GCC -O2 rematerialises: every use is the array's address (an lea off RSP), so the
    /// pointer has no register or slot of its own, and a use after a call costs no callee-saved register. As measured
    /// on GCC's 6.1 and 5.10 modules: deref_deep's rstack keeps <c>vp[0] = 0</c> after its recursive call as
    /// <c>movb $0,(%rsp)</c> (it saves only RBX: 1024 bytes a level); but recurse's deep, which reads
    /// <c>vp[n % 1000]</c> after its call, keeps vp in RBP. So a pointer indexed by a variable after a call keeps its
    /// register, as GCC's allocator chose there.
    /// </summary>
    internal static class ArrayAliases
    {
        /// <summary>Each such pointer, with the array whose address it holds.</summary>
        public static Dictionary<VariableSymbol, VariableSymbol> Find(BoundFunction function)
        {
            var aliases = new Dictionary<VariableSymbol, VariableSymbol>();
            var written = new HashSet<VariableSymbol>();
            foreach (var s in BoundTree.Statements(function.Body))
            {
                if (s is BoundVariableDeclaration { Initializer: { } init } d && d.Variable.Type.Kind == TypeKind.Pointer && ArrayOf(init) is { } array)
                    aliases[d.Variable] = array;
                foreach (var e in BoundTree.OwnExpressions(s))
                    BoundTree.Visit(e, x =>
                    {
                        if (x is BoundAssignment { Target: BoundVariable a }) written.Add(a.Variable);
                        else if (x is BoundIncrement { Target: BoundVariable i }) written.Add(i.Variable);
                        else if (x is BoundAddressOf { Operand: BoundVariable t }) written.Add(t.Variable); // may be written through
                    });
            }
            foreach (var v in written) aliases.Remove(v);
            if (aliases.Count > 0) new IndexedAfterCall(aliases).Statement(function.Body);
            return aliases;
        }

        /// <summary>Walks in evaluation order and drops the aliases indexed by a non-constant after a call.</summary>
        private sealed class IndexedAfterCall
        {
            private readonly Dictionary<VariableSymbol, VariableSymbol> _aliases;
            private bool _called;

            public IndexedAfterCall(Dictionary<VariableSymbol, VariableSymbol> aliases) => _aliases = aliases;

            public void Statement(BoundStatement s)
            {
                switch (s)
                {
                    case BoundBlock b:
                        foreach (var x in b.Statements) Statement(x);
                        return;
                    case BoundIf i:
                        Expression(i.Condition);
                        Statement(i.Then);
                        if (i.Else is not null) Statement(i.Else);
                        return;
                    case BoundWhile w:
                        Expression(w.Condition);
                        Statement(w.Body);
                        return;
                    case BoundFor f:
                        if (f.Initializer is not null) Statement(f.Initializer);
                        if (f.Condition is not null) Expression(f.Condition);
                        Statement(f.Body);
                        if (f.Step is not null) Expression(f.Step);
                        return;
                }
                foreach (var e in BoundTree.OwnExpressions(s)) Expression(e);
            }

            private void Expression(BoundExpression e)
            {
                switch (e)
                {
                    case BoundCall c:
                        foreach (var argument in c.Arguments) Expression(argument);
                        _called = true;
                        return;
                    case BoundBinary { Operator: BoundBinaryOperator.Add, Left: BoundVariable v } b when _aliases.ContainsKey(v.Variable):
                        if (_called && b.Right is not BoundLiteral) _aliases.Remove(v.Variable);
                        Expression(b.Right);
                        return;
                    case BoundBinary b:
                        Expression(b.Left);
                        Expression(b.Right);
                        return;
                    case BoundLogical l:
                        Expression(l.Left);
                        Expression(l.Right);
                        return;
                    case BoundAssignment a:
                        Expression(a.Value);
                        Expression(a.Target);
                        return;
                    case BoundUnary u:
                        Expression(u.Operand);
                        return;
                    case BoundConversion c:
                        Expression(c.Operand);
                        return;
                    case BoundDereference d:
                        Expression(d.Pointer);
                        return;
                    case BoundAddressOf a:
                        Expression(a.Operand);
                        return;
                    case BoundIncrement i:
                        Expression(i.Target);
                        return;
                }
            }
        }

        private static VariableSymbol? ArrayOf(BoundExpression e) => e switch
        {
            BoundConversion c => ArrayOf(c.Operand),
            BoundArrayVariable a => a.Variable,
            BoundAddressOf { Operand: BoundArrayVariable a } => a.Variable,
            _ => null,
        };
    }
}
