using System;
using KDsl.Binding;
using KDsl.Symbols;
using static Iced.Intel.AssemblerRegisters;

namespace KDsl.CodeGen
{
    /// <summary>Where an expression's intermediate values wait: a free caller-saved register, or a slot at the frame's bottom.</summary>
    internal sealed partial class FunctionEmitter
    {
        private int AllocateTemporary()
        {
            int index = _temporariesInUse++;
            if (_temporariesInUse > MaxTemporaries) MaxTemporaries = _temporariesInUse;
            if (index >= _frame.Temporaries) throw new InvalidOperationException("expression too complex");
            return index;
        }

        private void FreeTemporary() => _temporariesInUse--;

        /// <summary>No call, kernel call, built-in or system call anywhere in the expression.</summary>
        private static bool CallFree(BoundExpression e) => !EvaluationOrder.HasCall(e);

        private Iced.Intel.AssemblerMemoryOperand Temporary(int index) => __qword_ptr[rsp + (_frame.TemporaryOffset(index) + _pushed)];

        /// <summary>
        /// Evaluates Left into RAX and Right into RCX. When Right is not simple, the operand evaluated first waits in a
        /// caller-saved register if the other one makes no call (GCC's shape: <c>deep(n - 1) + buf[n]</c> keeps the
        /// call's result in a register, no stack slot), else in a stack temporary.
        /// </summary>
        private void EmitOperands(BoundExpression left, BoundExpression right)
        {
            if (IsSimple(right))
            {
                EmitExpression(left);
                EmitSimple(Gpr.Rcx, right);
                return;
            }
            bool rightCallFree = CallFree(right);
            var registerTemporaries = _frame.RegisterTemporaries;
            if (_registerTemporariesInUse < registerTemporaries.Length && (rightCallFree || CallFree(left)))
            {
                // the register is taken once the first operand's value waits in it, not while that operand is computed:
                // a chain a + b*c + d*e + ... keeps one partial sum waiting at a time, as GCC's does (manyloc: eight
                // products summed after a call, no stack slot)
                EmitExpression(rightCallFree ? left : right);
                var held = registerTemporaries[_registerTemporariesInUse++];
                if (_registerTemporariesInUse > MaxRegisterTemporaries) MaxRegisterTemporaries = _registerTemporariesInUse;
                A.mov(held.Q(), rax);
                if (rightCallFree)
                {
                    EmitExpression(right);
                    A.mov(rcx, rax);
                    A.mov(rax, held.Q());
                }
                else
                {
                    EmitExpression(left);
                    A.mov(rcx, held.Q());
                }
                _registerTemporariesInUse--;
                return;
            }
            EmitExpression(right);
            int t = AllocateTemporary();
            A.mov(Temporary(t), rax);
            EmitExpression(left);
            A.mov(rcx, Temporary(t));
            FreeTemporary();
        }
    }
}
