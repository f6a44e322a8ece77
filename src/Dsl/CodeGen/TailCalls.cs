using System.Collections.Generic;
using KDsl.Binding;
using KDsl.Profiles;
using KDsl.Symbols;

namespace KDsl.CodeGen
{
    /// <summary>
    /// GCC's sibling calls (-foptimize-sibling-calls, on at -O2): a call whose result is the function's, or a void
    /// function's last call, becomes "tear the frame down, check the canary, jmp". The kernel turns them off with
    /// CONFIG_FRAME_POINTER (Makefile: -fno-optimize-sibling-calls), so 4.11's code keeps every call; 5.10 and 6.1
    /// (ORC) do them. GCC declines when a local's address may be reachable by the callee (the frame must outlive the
    /// call): step5's rstack passes buf to printk, so its recursion stays a call; overrun's printk (which only gets a
    /// number) is a jmp, so its canary is checked before the line is printed, as on the real kernels.
    /// </summary>
    internal static class TailCalls
    {
        public static HashSet<BoundCall> Find(BoundFunction function, KernelProfile profile)
        {
            var calls = new HashSet<BoundCall>();
            var kind = function.Symbol.Kind;
            if (profile.FramePointer || kind is FunctionKind.Process or FunctionKind.Init) return calls;
            if (AddressEscapes(function.Body)) return calls;
            bool returnsVoid = function.Symbol.ReturnType.Kind == TypeKind.Void;
            Visit(function.Body, returnsVoid, function.Symbol.ReturnType, calls);
            return calls;
        }

        /// <summary>Collects the calls in tail position: <c>return f(...)</c>, and a void function's call that nothing follows.</summary>
        private static void Visit(BoundStatement statement, bool last, TypeSymbol returnType, HashSet<BoundCall> calls)
        {
            switch (statement)
            {
                case BoundBlock b:
                    // the last statement, or one that a `return;` follows
                    for (int i = 0; i < b.Statements.Length; i++)
                        Visit(b.Statements[i], i == b.Statements.Length - 1 ? last : b.Statements[i + 1] is BoundReturn { Value: null }, returnType, calls);
                    break;
                case BoundIf i:
                    Visit(i.Then, last, returnType, calls);
                    if (i.Else is not null) Visit(i.Else, last, returnType, calls);
                    break;
                case BoundWhile w:
                    Visit(w.Body, false, returnType, calls);
                    break;
                case BoundFor f:
                    Visit(f.Body, false, returnType, calls);
                    break;
                case BoundSwitch sw:
                    InSwitch(sw.Body, last, returnType, calls);
                    break;
                case BoundReturn { Value: BoundCall c } when Eligible(c) && c.Type.Equals(returnType):
                    calls.Add(c);
                    break;
                case BoundExpressionStatement { Expression: BoundCall c } when last && Eligible(c):
                    calls.Add(c);
                    break;
            }
        }

        /// <summary>
        /// A switch's body: where the switch is the function's last statement, a call that a <c>break</c> follows (or
        /// nothing, at the body's end) is in tail position too, as GCC makes it (the held-out tri_BUF.c's dispatcher
        /// jumps to each case's callee); a call before the next case label falls through to it and is not.
        /// </summary>
        private static void InSwitch(BoundStatement statement, bool last, TypeSymbol returnType, HashSet<BoundCall> calls)
        {
            switch (statement)
            {
                case BoundBlock b:
                    for (int i = 0; i < b.Statements.Length; i++)
                    {
                        var next = i + 1 < b.Statements.Length ? b.Statements[i + 1] : null;
                        bool tail = next is null ? last : next is BoundReturn { Value: null } || last && next is BoundBreak;
                        InSwitch(b.Statements[i], tail, returnType, calls);
                    }
                    break;
                case BoundIf i:
                    InSwitch(i.Then, last, returnType, calls);
                    if (i.Else is not null) InSwitch(i.Else, last, returnType, calls);
                    break;
                default: // loops (a break in one is the loop's) and nested switches as anywhere
                    Visit(statement, last, returnType, calls);
                    break;
            }
        }

        /// <summary>
        /// A real call (a module or kernel function, not a macro or a system call) with its arguments in registers;
        /// kthread_run's kthread_create_on_node is followed by its wake_up_process, so it is no tail call.
        /// </summary>
        private static bool Eligible(BoundCall c) =>
            c.Function.Kind is FunctionKind.User or FunctionKind.Kernel && c.Arguments.Length <= GprExtensions.ArgumentRegisters.Length &&
            c.Function.Name != Binder.KthreadRunName && !InlinedStringCalls.IsInlined(c);

        /// <summary>
        /// Whether the address of a local may reach a callee: passed as an argument, stored through a pointer, directly or
        /// through a variable that holds such an address (followed to a fixed point).
        /// </summary>
        internal static bool AddressEscapes(BoundStatement body)
        {
            var stores = new List<(VariableSymbol? Variable, BoundExpression Value, bool ThroughPointer)>();
            var arguments = new List<BoundExpression>();
            foreach (var statement in BoundTree.Statements(body))
            {
                if (statement is BoundVariableDeclaration { Initializer: { } init } d) stores.Add((d.Variable, init, false));
                foreach (var expression in BoundTree.OwnExpressions(statement))
                    BoundTree.Visit(expression, e =>
                    {
                        if (e is BoundAssignment a) stores.Add((a.Target is BoundVariable v ? v.Variable : null, a.Value, a.Target is not BoundVariable));
                        else if (e is BoundCall c) arguments.AddRange(c.Arguments);
                    });
            }
            var carriers = new HashSet<VariableSymbol>();
            bool grew = true;
            while (grew)
            {
                grew = false;
                foreach (var (variable, value, _) in stores)
                    if (variable is not null && !carriers.Contains(variable) && Mentions(value, carriers))
                        grew = carriers.Add(variable);
            }
            foreach (var (_, value, throughPointer) in stores)
                if (throughPointer && Mentions(value, carriers)) return true;
            foreach (var argument in arguments)
                if (Mentions(argument, carriers)) return true;
            return false;
        }

        /// <summary>The expression's value may be the address of a local: an array, &amp;x, or a variable holding one.</summary>
        private static bool Mentions(BoundExpression e, HashSet<VariableSymbol> carriers) => e switch
        {
            BoundArrayVariable or BoundAddressOf => true,
            BoundVariable v => carriers.Contains(v.Variable),
            BoundBinary b => Mentions(b.Left, carriers) || Mentions(b.Right, carriers),
            BoundConversion c => Mentions(c.Operand, carriers),
            BoundAssignment a => Mentions(a.Value, carriers),
            BoundLogical l => Mentions(l.Left, carriers) || Mentions(l.Right, carriers),
            _ => false,
        };
    }
}
