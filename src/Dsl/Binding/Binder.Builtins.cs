using System.Collections.Immutable;
using KDsl.Symbols;
using KDsl.Syntax;

namespace KDsl.Binding
{
    /// <summary>
    /// The kernel's fault-on-purpose vocabulary: BUG(), BUG_ON(cond), WARN_ON(cond) (include/asm-generic/bug.h,
    /// expanded by the code generator into a ud2 with a __bug_table entry), panic(fmt, ...) (a call of the kernel's
    /// panic), and call_ptr(addr), a call through a function pointer (KDsl has no function-pointer types).
    /// </summary>
    public sealed partial class Binder
    {
        public const string BugName = "BUG";
        public const string BugOnName = "BUG_ON";
        public const string WarnOnName = "WARN_ON";
        public const string PanicName = "panic";
        public const string CallPtrName = "call_ptr";
        /// <summary>void *vmalloc(long size): the kernel's vmalloc, a call into the modelled kernel text (0 when out of memory).</summary>
        public const string VmallocName = "vmalloc";

        private FunctionSymbol _panic = null!;

        private void DeclareBuiltins()
        {
            var none = ImmutableArray<VariableSymbol>.Empty;
            var cond = ImmutableArray.Create(new VariableSymbol("condition", TypeSymbol.Long, VariableKind.Parameter, 0, default));
            var addr = ImmutableArray.Create(new VariableSymbol("addr", TypeSymbol.Long, VariableKind.Parameter, 0, default));
            var fmt = ImmutableArray.Create(new VariableSymbol("fmt", TypeSymbol.PointerTo(TypeSymbol.Char), VariableKind.Parameter, 0, default));
            _global.TryDeclare(BugName, new FunctionSymbol(BugName, TypeSymbol.Void, none, FunctionKind.Builtin, default));
            _global.TryDeclare(BugOnName, new FunctionSymbol(BugOnName, TypeSymbol.Void, cond, FunctionKind.Builtin, default));
            _global.TryDeclare(WarnOnName, new FunctionSymbol(WarnOnName, TypeSymbol.Int, cond, FunctionKind.Builtin, default));
            _global.TryDeclare(CallPtrName, new FunctionSymbol(CallPtrName, TypeSymbol.Void, addr, FunctionKind.Builtin, default));
            _panic = new FunctionSymbol(PanicName, TypeSymbol.Void, fmt, FunctionKind.Kernel, default, isVariadic: true, linkName: "panic");
            _global.TryDeclare(PanicName, _panic);
            var size = ImmutableArray.Create(new VariableSymbol("size", TypeSymbol.Long, VariableKind.Parameter, 0, default));
            _global.TryDeclare(VmallocName, new FunctionSymbol(VmallocName, TypeSymbol.PointerTo(TypeSymbol.Void), size, FunctionKind.Kernel, default, linkName: VmallocName));
        }

        /// <summary>
        /// BUG() takes nothing; BUG_ON, WARN_ON take a condition (an integer or a pointer, as `if` does); call_ptr
        /// takes an address (an integer or any pointer). The argument is passed on as a long.
        /// </summary>
        private BoundExpression BindBuiltinCall(FunctionSymbol function, CallExpressionSyntax syntax,
            ImmutableArray<BoundExpression>.Builder arguments)
        {
            int expected = function.Parameters.Length;
            if (arguments.Count != expected)
            {
                _diagnostics.ReportWrongArgumentCount(syntax.Span, function.Name, expected, arguments.Count, false);
                return new BoundErrorExpression(syntax.Span);
            }
            if (expected == 0) return new BoundCall(function, ImmutableArray<BoundExpression>.Empty, syntax.Span);

            var argument = arguments[0];
            if (argument.Type.IsError) return new BoundErrorExpression(syntax.Span);
            if (!argument.Type.IsScalar)
            {
                if (function.Name == CallPtrName)
                    _diagnostics.ReportCannotConvert(syntax.Arguments[0].Span, argument.Type, TypeSymbol.Long, "call_ptr takes an address");
                else
                    _diagnostics.ReportConditionNotScalar(syntax.Arguments[0].Span, argument.Type);
                return new BoundErrorExpression(syntax.Span);
            }
            var converted = Convert(argument, TypeSymbol.Long, isExplicit: true, syntax.Arguments[0].Span);
            if (converted.Type.IsError) return new BoundErrorExpression(syntax.Span);
            return new BoundCall(function, ImmutableArray.Create(converted), syntax.Span);
        }
    }
}
