using System.Collections.Immutable;
using KDsl.Profiles;
using KDsl.Symbols;
using KDsl.Syntax;
using KDsl.Text;

namespace KDsl.Binding
{
    /// <summary>
    /// copy_from_user(to, from, n) and copy_to_user(to, from, n) as include/linux/uaccess.h expands them inline on x86
    /// (no INLINE_COPY_*_USER): check_copy_size(obj, n, is_source) first, then lib/usercopy.c's _copy_from_user or
    /// _copy_to_user. check_copy_size (include/linux/thread_info.h) compares n with __builtin_object_size(obj, 0): a
    /// constant n larger than the object is GCC's compile-time error (__bad_copy_to / __bad_copy_from); a run-time n
    /// larger than it calls __copy_overflow(size, n) (6.1: mm/maccess.c's WARN, "Buffer overflow detected (%d &lt; %lu)!")
    /// and copies nothing (the result is n); otherwise, for a run-time n, __check_object_size(obj, n, to_user)
    /// (CONFIG_HARDENED_USERCOPY: mm/usercopy.c's checks, the process stack's bounds among them) runs before the copy.
    /// Checked against GCC 12 on Debian's 6.1 headers: `cmp $0x40,%r12; ja` to __copy_overflow(64, len), else
    /// __check_object_size(buf, len, 0) then _copy_from_user(buf, from, len).
    /// </summary>
    public sealed partial class Binder
    {
        private FunctionSymbol _checkObjectSize = null!;
        private FunctionSymbol? _copyOverflow;

        private void DeclareUserCopyHelpers(KernelProfile profile)
        {
            _checkObjectSize = new FunctionSymbol("__check_object_size", TypeSymbol.Void,
                Parameters(("ptr", VoidPointer), ("n", TypeSymbol.ULong), ("to_user", TypeSymbol.Bool)), FunctionKind.Kernel, default,
                linkName: "__check_object_size");
            // 5.10's copy_overflow is an inline WARN in the caller (not modelled); 6.1 calls the out-of-line __copy_overflow
            _copyOverflow = KernelProfile.CopyOverflowCalled(profile.Name)
                ? new FunctionSymbol("__copy_overflow", TypeSymbol.Void, Parameters(("size", TypeSymbol.Int), ("count", TypeSymbol.ULong)),
                    FunctionKind.Kernel, default, linkName: "__copy_overflow")
                : null;
        }

        /// <summary>The call, lowered; <paramref name="object"/> is its kernel-side argument as written (before its conversion to void *), whose size GCC may know.</summary>
        private BoundExpression BindUserCopy(FunctionSymbol function, CallExpressionSyntax syntax, BoundExpression @object,
            ImmutableArray<BoundExpression>.Builder arguments)
        {
            bool toUser = function.Name == CopyToUserName;
            var span = syntax.Span;
            var obj = arguments[toUser ? 1 : 0];
            var n = arguments[2];
            var copy = new BoundCall(function, arguments.ToImmutable(), span);
            long size = ObjectSize(@object);
            if (n is BoundLiteral constant)
            {
                // a constant size: GCC folds the checks away, or stops with the error attribute of __bad_copy_to/_from
                if (size >= 0 && (ulong)size < (ulong)constant.Value)
                    _diagnostics.Report(Diagnostics.DiagnosticDescriptors.CopySizeTooSmall, syntax.Arguments[toUser ? 1 : 0].Span,
                        $"call to '{(toUser ? "__bad_copy_from" : "__bad_copy_to")}' declared with attribute error: copy {(toUser ? "source" : "destination")} size is too small ({size} < {constant.Value})");
                return copy;
            }
            if (HasSideEffects(obj) || HasSideEffects(n))
            {
                _diagnostics.ReportNotSupported(span, $"{function.Name} with an object or size that has side effects (check_copy_size evaluates them again)");
                return new BoundErrorExpression(span);
            }
            var check = new BoundCall(_checkObjectSize, ImmutableArray.Create(obj, n, new BoundLiteral(toUser ? 1 : 0, TypeSymbol.Bool, span)), span);
            BoundExpression checkedCopy = new BoundSequence(check, copy, span);
            if (size < 0 || _copyOverflow is null) return checkedCopy;
            var overflow = new BoundSequence(
                new BoundCall(_copyOverflow, ImmutableArray.Create<BoundExpression>(new BoundLiteral(size, TypeSymbol.Int, span), n), span), n, span);
            var tooLong = new BoundBinary(n, BoundBinaryOperator.Greater, new BoundLiteral(size, TypeSymbol.ULong, span), isUnsigned: true, TypeSymbol.Int, span);
            return new BoundConditional(tooLong, overflow, checkedCopy, TypeSymbol.ULong, span);
        }

        public const string CopyFromUserName = "copy_from_user", CopyToUserName = "copy_to_user";

        /// <summary>
        /// __builtin_object_size(obj, 0) where KDsl sees it as GCC does: a whole local or static object, by name or by its
        /// address (a decayed array, &amp;var); -1 (unknown) for anything else, a pointer parameter among them. GCC also
        /// knows the rest of an object from an element or member address (&amp;buf[4], &amp;s.data); KDsl does not.
        /// </summary>
        private static long ObjectSize(BoundExpression e)
        {
            while (e is BoundConversion c) e = c.Operand;
            return e switch
            {
                BoundAddressOf { Operand: BoundArrayVariable a } => a.Variable.Type.Size,
                BoundAddressOf { Operand: BoundVariable v } => v.Variable.Type.Size,
                BoundGlobalAddress g => g.Global.Type.Size,
                _ => -1,
            };
        }

        private static bool HasSideEffects(BoundExpression e) =>
            BoundTree.Contains(e, x => x is BoundCall or BoundAssignment or BoundIncrement);
    }
}
