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
                        switch (d.Type.Kind)
                        {
                            case TypeKind.Char: A.mov(__byte_ptr[local], (byte)value); break;
                            case TypeKind.Int: A.mov(__dword_ptr[local], value); break;
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
                if (!IsSimple(args[i])) direct = i;
            if (direct >= registerCount) direct = -1;

            var temps = new int[args.Length];
            for (int i = 0; i < args.Length; i++)
            {
                temps[i] = -1;
                if (IsSimple(args[i]) || i == direct) continue;
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
                else EmitSimple(Gpr.Rax, args[i]);
                A.push(rax);
                _pushed += 8;
                _code.SetCfa(Cfa + _frame.LocalSize + _pushed);
            }

            for (int i = 0; i < registerCount; i++)
            {
                if (i == direct) continue;
                var reg = GprExtensions.ArgumentRegisters[i];
                if (temps[i] >= 0) A.mov(reg.Q(), Temporary(temps[i]));
                else EmitSimple(reg, args[i]);
            }
            for (int i = 0; i < args.Length; i++)
                if (temps[i] >= 0) FreeTemporary();

            if (call.Function.IsVariadic) A.xor(eax, eax); // AL = number of vector registers used
            if (_tailCalls.Contains(call) && stackArgs == 0 && _pushed == 0)
            {
                EmitTailJump(call.Function.Kind == Symbols.FunctionKind.Kernel ? KernelSymbol(call.Function) : call.Function.LinkName);
                return;
            }
            if (call.Function.Kind == Symbols.FunctionKind.Syscall)
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

        /// <summary>The kernel's name for a function the language knows by its C name (printk is _printk since 5.15).</summary>
        private string KernelSymbol(Symbols.FunctionSymbol function) =>
            function.Name == "printk" ? _profile.PrintkSymbol : function.LinkName;
    }
}
