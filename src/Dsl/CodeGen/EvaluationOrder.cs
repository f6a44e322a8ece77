using KDsl.Binding;

namespace KDsl.CodeGen
{
    /// <summary>
    /// The order in which the code generator evaluates two operands (<c>FunctionEmitter.EmitOperands</c>): a right
    /// operand that makes a call goes first, so the left one's value need not wait in a stack slot across the call
    /// (GCC's choice for <c>n + f(n - 1)</c> too, which keeps n in a callee-saved register). Whatever reasons about
    /// "before" and "after" a call (which variables live across one, which call comes first) follows this order.
    /// </summary>
    internal static class EvaluationOrder
    {
        public static (BoundExpression First, BoundExpression Second) Operands(BoundExpression left, BoundExpression right) =>
            HasCall(right) ? (right, left) : (left, right);

        public static bool HasCall(BoundExpression e) => BoundTree.Contains(e, x => x is BoundCall);
    }
}
