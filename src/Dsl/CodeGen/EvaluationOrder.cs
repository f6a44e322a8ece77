using System.Collections.Generic;
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

        /// <summary>
        /// A call's arguments with every read EmitCall makes after a call counted after it: those that make calls first,
        /// then the others (a simple one is loaded into its register just before the call, so in f(x, g()) x is read after
        /// g's call; a call-free computation EmitCall may do earlier only counts as later, which is safe).
        /// A function pointer called is read last unless it makes a call (then it is computed first and waits in a temporary).
        /// </summary>
        public static IEnumerable<BoundExpression> Arguments(BoundCall call)
        {
            if (call.Callee is { } first && HasCall(first)) yield return first;
            foreach (var a in call.Arguments) if (HasCall(a)) yield return a;
            foreach (var a in call.Arguments) if (!HasCall(a)) yield return a;
            if (call.Callee is { } last && !HasCall(last)) yield return last;
        }

        public static bool HasCall(BoundExpression e) => BoundTree.Contains(e, IsCall);

        private static readonly System.Func<BoundExpression, bool> IsCall = x => x is BoundCall;
    }
}
