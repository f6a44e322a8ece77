using System;
using KDsl.Binding;
using KDsl.Symbols;
using static Iced.Intel.AssemblerRegisters;

namespace KDsl.CodeGen
{
    internal sealed partial class FunctionEmitter
    {
        /// <summary>
        /// An expression evaluated for its side effect only (a statement, a for step): assignments and increments skip
        /// materialising their value, and a store of a constant into a local array element is one instruction.
        /// </summary>
        private void EmitEffect(BoundExpression e)
        {
            switch (e)
            {
                case BoundSequence s:
                    EmitEffect(s.Left);
                    EmitEffect(s.Right);
                    break;
                case BoundAssignment { CompoundOperator: null, Target: BoundVariable v } a when _frame.HomeOf(v.Variable).Register is Gpr r:
                    if (IsSimple(a.Value)) EmitSimple(r, a.Value);
                    else
                    {
                        EmitExpression(a.Value);
                        A.mov(r.Q(), rax);
                    }
                    Normalize(r, v.Type);
                    break;
                case BoundAssignment { CompoundOperator: null, Target: BoundDereference d } a when TryLocalAddress(d.Pointer, out var local):
                    if (a.Value is BoundLiteral literal && literal.Value >= int.MinValue && literal.Value <= int.MaxValue)
                    {
                        int value = (int)literal.Value;
                        switch (d.Type.Size)
                        {
                            case 1: A.mov(__byte_ptr[local], (byte)value); break;
                            case 2: A.mov(__word_ptr[local], (ushort)value); break;
                            case 4: A.mov(__dword_ptr[local], value); break;
                            default: A.mov(__qword_ptr[local], value); break;
                        }
                    }
                    else
                    {
                        EmitExpression(a.Value);
                        Store(local, Gpr.Rax, d.Type);
                    }
                    break;
                case BoundIncrement { Target: BoundVariable v } inc when _frame.HomeOf(v.Variable).Register is Gpr r:
                    A.add(r.Q(), checked((int)inc.Delta));
                    Normalize(r, v.Type);
                    break;
                default:
                    EmitExpression(e);
                    break;
            }
        }

        private void EmitAssignment(BoundAssignment a)
        {
            if (a.CompoundOperator is null)
            {
                if (a.Target is BoundVariable v)
                {
                    EmitExpression(a.Value);
                    StoreVariable(v.Variable, Gpr.Rax);
                    if (_frame.HomeOf(v.Variable).Register is Gpr r) A.mov(rax, r.Q());
                    return;
                }
                var deref = (BoundDereference)a.Target;
                EmitOperands(deref.Pointer, a.Value); // RAX = address, RCX = value
                Store(Gpr.Rax, Gpr.Rcx, deref.Type);
                A.mov(rax, rcx);
                Normalize(Gpr.Rax, deref.Type);
                return;
            }

            var op = a.CompoundOperator.Value;
            if (a.Target is BoundVariable target)
            {
                EmitOperands(target, a.Value);
                ApplyOperator(op, a.IsUnsigned, a.Value.Type);
                StoreVariable(target.Variable, Gpr.Rax);
                if (_frame.HomeOf(target.Variable).Register is Gpr r) A.mov(rax, r.Q());
                return;
            }

            // *p op= v: the address is evaluated once and kept in a temporary while v is evaluated.
            var d = (BoundDereference)a.Target;
            EmitExpression(d.Pointer);
            int t = AllocateTemporary();
            A.mov(Temporary(t), rax);
            EmitExpression(a.Value);
            A.mov(rcx, rax);
            A.mov(rdx, Temporary(t));
            Load(Gpr.Rax, Gpr.Rdx, d.Type);
            ApplyOperator(op, a.IsUnsigned, a.Value.Type);
            A.mov(rdx, Temporary(t));
            FreeTemporary();
            Store(Gpr.Rdx, Gpr.Rax, d.Type);
            Normalize(Gpr.Rax, d.Type);
        }

        private void EmitIncrement(BoundIncrement inc)
        {
            if (inc.Target is BoundVariable v && _frame.HomeOf(v.Variable).Register is Gpr r)
            {
                if (!inc.IsPrefix) A.mov(rax, r.Q());
                A.add(r.Q(), checked((int)inc.Delta));
                Normalize(r, v.Type);
                if (inc.IsPrefix) A.mov(rax, r.Q());
                return;
            }

            // A variable in a stack slot or *p: work through its address in RDX.
            switch (inc.Target)
            {
                case BoundVariable sv:
                    A.lea(rdx, __[rsp + (_frame.HomeOf(sv.Variable).Offset + _pushed)]);
                    break;
                case BoundDereference d:
                    EmitExpression(d.Pointer);
                    A.mov(rdx, rax);
                    break;
                default:
                    throw new InvalidOperationException("increment of a non-lvalue");
            }
            // Slots hold whole normalised quadwords; memory behind a pointer holds the type's size.
            var storageType = inc.Target is BoundVariable ? Symbols.TypeSymbol.Long : inc.Target.Type;
            Load(Gpr.Rax, Gpr.Rdx, storageType);
            A.lea(rcx, __[rax + checked((int)inc.Delta)]);
            Normalize(Gpr.Rcx, inc.Target.Type);
            Store(Gpr.Rdx, Gpr.Rcx, storageType);
            if (inc.IsPrefix) A.mov(rax, rcx);
        }

        private void EmitCall(BoundCall call)
        {
            if (call.Function.Kind == Symbols.FunctionKind.Builtin)
            {
                EmitBuiltin(call);
                return;
            }
            var args = call.Arguments;
            int registerCount = Math.Min(args.Length, GprExtensions.ArgumentRegisters.Length);

            // Complex arguments first, each into a temporary, so that loading the argument registers clobbers nothing;
            // the last complex one that goes in a register is evaluated straight into it (GCC's shape: no spill slot).
            int direct = -1;
            for (int i = 0; i < args.Length; i++)
                if (!IsSimpleArgument(args[i])) direct = i;
            if (direct >= registerCount) direct = -1;

            // A function pointer that takes more than a load is computed into RAX once only the argument registers remain to
            // be loaded (GCC's shape: mov 0x8(%rdi),%rax; xor %edi,%edi; call); when computing it could clobber an argument
            // already in its register, or it makes a call, it is computed first and waits in a temporary.
            int callee = -1;
            bool calleeLast = false;
            if (call.Callee is { } pointer && !IsSimple(pointer))
            {
                if (direct < 0 && !EvaluationOrder.HasCall(pointer)) calleeLast = true;
                else
                {
                    EmitExpression(pointer);
                    callee = AllocateTemporary();
                    A.mov(Temporary(callee), rax);
                }
            }

            var temps = new int[args.Length];
            for (int i = 0; i < args.Length; i++)
            {
                temps[i] = -1;
                if (IsSimpleArgument(args[i]) || i == direct) continue;
                EmitExpression(args[i]);
                temps[i] = AllocateTemporary();
                A.mov(Temporary(temps[i]), rax);
            }
            if (direct >= 0)
            {
                EmitExpression(args[direct]);
                A.mov(GprExtensions.ArgumentRegisters[direct].Q(), rax);
            }

            // Stack arguments are pushed right to left; each push moves every RSP-relative offset.
            int stackArgs = args.Length - registerCount;
            for (int i = args.Length - 1; i >= registerCount; i--)
            {
                if (temps[i] >= 0) A.mov(rax, Temporary(temps[i]));
                else EmitSimpleArgument(Gpr.Rax, args[i]);
                A.push(rax);
                _pushed += 8;
                _code.SetCfa(Cfa + _frame.LocalSize + _pushed);
            }

            if (calleeLast) EmitExpression(call.Callee!);
            for (int i = 0; i < registerCount; i++)
            {
                if (i == direct) continue;
                var reg = GprExtensions.ArgumentRegisters[i];
                if (temps[i] >= 0) A.mov(reg.Q(), Temporary(temps[i]));
                else EmitSimpleArgument(reg, args[i]);
            }
            for (int i = 0; i < args.Length; i++)
                if (temps[i] >= 0) FreeTemporary();

            if (call.Function.IsVariadic) A.xor(eax, eax); // AL = number of vector registers used
            if (_tailCalls.Contains(call) && stackArgs == 0 && _pushed == 0)
            {
                EmitTailJump(call.Function.Kind == Symbols.FunctionKind.Kernel ? KernelSymbol(call.Function) : call.Function.LinkName);
                return;
            }
            if (call.Callee is not null)
            {
                // an indirect call (with retpolines GCC calls __x86_indirect_thunk_rax, which leaves the same stack behind)
                if (callee >= 0)
                {
                    A.mov(rax, Temporary(callee));
                    FreeTemporary();
                }
                else if (!calleeLast) EmitSimple(Gpr.Rax, call.Callee);
                A.call(rax);
            }
            else if (call.Function.Kind == Symbols.FunctionKind.Syscall)
                EmitSyscall(call.Function);
            else if (call.Function.Kind == Symbols.FunctionKind.Kernel)
                _code.CallSymbol(KernelSymbol(call.Function));
            else
                _code.CallSymbol(call.Function.LinkName);

            if (stackArgs > 0)
            {
                A.add(rsp, 8 * stackArgs);
                _pushed -= 8 * stackArgs;
                _code.SetCfa(Cfa + _frame.LocalSize + _pushed);
            }
            Normalize(Gpr.Rax, call.Type);
        }

        /// <summary>
        /// An argument loaded straight into its register, with nothing clobbered: a simple expression, or a variable plus
        /// or minus a constant, which GCC computes with one lea (printk("%d %d", n, n + 1), rec(n - 1)) where a spill slot
        /// would make the frame bigger than GCC's.
        /// </summary>
        private static bool IsSimpleArgument(BoundExpression e) => IsSimple(e) || IsVariablePlusConstant(e, out _, out _);

        private static bool IsVariablePlusConstant(BoundExpression e, out BoundVariable variable, out int offset)
        {
            variable = null!;
            offset = 0;
            if (e is not BoundBinary { Operator: BoundBinaryOperator.Add or BoundBinaryOperator.Subtract, Left: BoundVariable v, Right: BoundLiteral k } b ||
                b.Type.Kind is not (TypeKind.Int or TypeKind.Long) || v.Type.Kind != b.Type.Kind)
                return false;
            long value = b.Operator == BoundBinaryOperator.Add ? k.Value : -k.Value;
            if (value < int.MinValue || value > int.MaxValue) return false;
            variable = v;
            offset = (int)value;
            return true;
        }

        /// <summary>
        /// Loads an argument (<see cref="IsSimpleArgument"/>) into <paramref name="target"/>. An int's sum is computed in 32
        /// bits, as GCC does (lea 0x1(%rbx),%edi): the callee reads only the low half of an int argument.
        /// </summary>
        private void EmitSimpleArgument(Gpr target, BoundExpression e)
        {
            if (!IsVariablePlusConstant(e, out var v, out int offset))
            {
                EmitSimple(target, e);
                return;
            }
            Gpr source = target;
            if (_frame.HomeOf(v.Variable).Register is Gpr home) source = home;
            else LoadVariable(target, v.Variable);
            if (e.Type.Kind == TypeKind.Int) A.lea(target.D(), __[source.Q() + offset]);
            else A.lea(target.Q(), __[source.Q() + offset]);
        }

        /// <summary>The kernel's name for a function the language knows by its C name (printk is _printk since 5.15).</summary>
        private string KernelSymbol(Symbols.FunctionSymbol function) =>
            function.Name == "printk" ? _profile.PrintkSymbol : function.LinkName;
    }
}
