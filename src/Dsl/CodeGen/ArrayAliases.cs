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
    /// register, as GCC's allocator chose there, unless that indexing is in a loop, which GCC walks with an induction
    /// pointer started from RSP (tools/gcc-frames/fuzz.py: a fill loop after a printk keeps no pointer).
    /// </summary>
    internal static class ArrayAliases
    {
        /// <summary>Each such pointer, with the array whose address it holds.</summary>
        public static Dictionary<VariableSymbol, VariableSymbol> Find(BoundFunction function, Liveness liveness)
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
            foreach (var v in new List<VariableSymbol>(aliases.Keys))
                if (liveness.IndexedByVariableAfterCall(v)) aliases.Remove(v);
            return aliases;
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
