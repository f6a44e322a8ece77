using System.Collections.Immutable;
using KDsl.Symbols;
using KDsl.Syntax;

namespace KDsl.Binding
{
    /// <summary>
    /// get_user(x, ptr) and put_user(x, ptr) as arch/x86/include/asm/uaccess.h defines them (5.10, 6.1): inline asm that
    /// calls __get_user_N / __put_user_N for N = sizeof(*ptr), with a register convention of its own, and evaluates to 0
    /// or -EFAULT (an int). get_user: ptr in RAX; the value comes back in RDX and is assigned to x as
    /// <c>(x) = (__typeof__(*(ptr))) __val_gu</c> (0 after a fault). put_user: x converted to *ptr's type in RAX, ptr in
    /// RCX, the result in ECX, RBX clobbered. As the asm tells GCC exactly what the call touches, values in other
    /// caller-saved registers survive it (FunctionEmitter.UserAccess, Liveness).
    /// </summary>
    public sealed partial class Binder
    {
        public const string GetUserName = "get_user", PutUserName = "put_user";

        private void DeclareGetPutUser()
        {
            var parameters = Parameters(("x", TypeSymbol.Long), ("ptr", VoidPointer));
            _global.TryDeclare(GetUserName, new FunctionSymbol(GetUserName, TypeSymbol.Int, parameters, FunctionKind.Builtin, default));
            _global.TryDeclare(PutUserName, new FunctionSymbol(PutUserName, TypeSymbol.Int, parameters, FunctionKind.Builtin, default));
        }

        /// <summary>
        /// The call bound as a builtin named after the helper it calls (its link name __get_user_N or __put_user_N).
        /// get_user's one argument is the assignment it makes, <c>x = (T)*ptr</c>, so every analysis sees x written with a
        /// value it cannot know; put_user's are the value converted to T and the pointer.
        /// </summary>
        private BoundExpression BindGetPutUser(FunctionSymbol function, CallExpressionSyntax syntax, ImmutableArray<BoundExpression>.Builder arguments)
        {
            var span = syntax.Span;
            if (arguments.Count != 2)
            {
                _diagnostics.ReportWrongArgumentCount(span, function.Name, 2, arguments.Count, false);
                return new BoundErrorExpression(span);
            }
            var x = arguments[0];
            var pointer = arguments[1];
            if (x.Type.IsError || pointer.Type.IsError) return new BoundErrorExpression(span);
            var pointerSpan = syntax.Arguments[1].Span;
            if (!pointer.Type.IsPointer || pointer.Type.Element is not { } element || element.Kind is TypeKind.Void or TypeKind.Function)
            {
                _diagnostics.ReportCannotConvert(pointerSpan, pointer.Type, "a pointer to a simple variable",
                    $"{function.Name}'s second argument points to the user variable (int __user *)");
                return new BoundErrorExpression(span);
            }
            if (!element.IsScalar || System.Array.IndexOf(CodeGen.KernelUaccessFunctions.UserAccessSizes, (int)element.Size) < 0)
            {
                // the kernel's __get_user_bad()/__put_user_bad(): a link error for any other size
                _diagnostics.ReportNotSupported(pointerSpan, $"{function.Name} of a {element.Size}-byte '{element}' (only 1, 2, 4 or 8-byte simple variables; use copy_{(function.Name == GetUserName ? "from" : "to")}_user)");
                return new BoundErrorExpression(span);
            }
            bool get = function.Name == GetUserName;
            string link = (get ? CodeGen.KernelUaccessFunctions.GetUserPrefix : CodeGen.KernelUaccessFunctions.PutUserPrefix) + element.Size;
            var helper = new FunctionSymbol(function.Name, TypeSymbol.Int, function.Parameters, FunctionKind.Builtin, default, linkName: link);
            if (get)
            {
                var target = BindLvalue(syntax.Arguments[0]);
                if (target is null) return new BoundErrorExpression(span);
                var value = Convert(new BoundDereference(pointer, element, pointerSpan), target.Type, isExplicit: false, syntax.Arguments[0].Span);
                if (value.Type.IsError) return new BoundErrorExpression(span);
                return new BoundCall(helper, ImmutableArray.Create<BoundExpression>(new BoundAssignment(target, null, false, value, span)), span);
            }
            var converted = Convert(x, element, isExplicit: false, syntax.Arguments[0].Span);
            if (converted.Type.IsError) return new BoundErrorExpression(span);
            return new BoundCall(helper, ImmutableArray.Create(converted, pointer), span);
        }
    }
}
