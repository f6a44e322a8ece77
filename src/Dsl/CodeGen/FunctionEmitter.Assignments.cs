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
    }
}
