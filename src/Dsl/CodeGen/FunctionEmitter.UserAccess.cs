using KDsl.Binding;
using static Iced.Intel.AssemblerRegisters;

namespace KDsl.CodeGen
{
    /// <summary>
    /// get_user and put_user (Binder.GetPutUser): the asm call of __get_user_N / __put_user_N with their registers.
    /// Only RAX, RCX and RDX are used around the call, none of them a home, so every variable in a register survives it
    /// as GCC's asm constraints let it (Liveness); put_user's clobber of RBX is the frame's (FrameLayout).
    /// </summary>
    internal sealed partial class FunctionEmitter
    {
        /// <summary>
        /// RAX = ptr, call; then the value in RDX, as *ptr's type, goes to x; the result, 0 or -EFAULT, is in EAX. An x in
        /// memory has its address computed before the call into RCX, which the helper leaves alone.
        /// </summary>
        private void EmitGetUser(BoundCall call)
        {
            var assignment = (BoundAssignment)call.Arguments[0];
            var read = UserRead(assignment.Value);
            if (assignment.Target is BoundVariable v)
            {
                EmitExpression(read.Pointer);
                _code.CallSymbol(call.Function.LinkName);
                Normalize(Gpr.Rdx, read.Type);
                StoreVariable(v.Variable, Gpr.Rdx);
            }
            else
            {
                var target = (BoundDereference)assignment.Target;
                EmitOperands(read.Pointer, target.Pointer);
                _code.CallSymbol(call.Function.LinkName);
                Normalize(Gpr.Rdx, read.Type);
                Normalize(Gpr.Rdx, target.Type);
                Store(Gpr.Rcx, Gpr.Rdx, target.Type);
            }
            Normalize(Gpr.Rax, call.Type);
        }

        /// <summary>The *ptr read get_user's assignment holds, under its conversion to x's type.</summary>
        private static BoundDereference UserRead(BoundExpression value) =>
            value is BoundConversion c ? UserRead(c.Operand) : (BoundDereference)value;

        /// <summary>RAX = the value (already *ptr's type), RCX = ptr, call; the result comes back in ECX.</summary>
        private void EmitPutUser(BoundCall call)
        {
            EmitOperands(call.Arguments[0], call.Arguments[1]);
            _code.CallSymbol(call.Function.LinkName);
            A.mov(eax, ecx);
            Normalize(Gpr.Rax, call.Type);
        }
    }
}
