using System.Collections.Generic;
using System.Collections.Immutable;
using KDsl.Symbols;
using KDsl.Syntax;

namespace KDsl.Binding
{
    /// <summary>Calls: a module, kernel or built-in function with its arguments converted, and printk's format checked.</summary>
    public sealed partial class Binder
    {
        private BoundExpression BindCall(CallExpressionSyntax syntax)
        {
            if (syntax.Callee is null && _scope.Lookup(syntax.Identifier.Text) is null && BindIoctlMacro(syntax) is { } ioctlNumber) return ioctlNumber;
            var arguments = ImmutableArray.CreateBuilder<BoundExpression>();
            foreach (var argument in syntax.Arguments) arguments.Add(BindExpression(argument));

            if (syntax.Callee is not null) return BindPointerCall(BindExpression(syntax.Callee), syntax, arguments);
            var identifier = syntax.Identifier;
            if (identifier.IsMissing) return new BoundErrorExpression(syntax.Span);
            var symbol = _scope.Lookup(identifier.Text);
            if (symbol is null && PrintkLevel(identifier.Text) is char level && arguments.Count > 0 && arguments[0] is BoundStringLiteral levelFormat)
            {
                // pr_info(fmt, ...) is printk(KERN_INFO pr_fmt(fmt), ...) (include/linux/printk.h), pr_fmt(fmt) being fmt
                arguments[0] = new BoundStringLiteral(ImmutableArray.Create((byte)1, (byte)level).AddRange(levelFormat.Bytes), levelFormat.Span);
                symbol = _printk;
            }
            if (symbol is null)
            {
                _diagnostics.ReportUndefinedFunction(identifier.Span, identifier.Text);
                return new BoundErrorExpression(syntax.Span);
            }
            if (symbol is VariableSymbol { Type.IsFunctionPointer: true } or GlobalSymbol { Type.IsFunctionPointer: true })
                return BindPointerCall(BindName(new NameExpressionSyntax(identifier)), syntax, arguments);
            if (symbol is not FunctionSymbol function)
            {
                _diagnostics.ReportNotAFunction(identifier.Span, identifier.Text);
                return new BoundErrorExpression(syntax.Span);
            }

            if (function.Kind == FunctionKind.Builtin) return BindBuiltinCall(function, syntax, arguments);

            int fixedCount = function.Parameters.Length;
            long gfp = GfpKernel;
            if (function.Kind == FunctionKind.Kernel && function.Name is "kmalloc" or "__kmalloc" or KzallocName && arguments.Count == 2 &&
                !TryTakeGfpFlags(syntax, arguments, out gfp))
                return new BoundErrorExpression(syntax.Span);
            int count = arguments.Count;
            if (function.IsVariadic ? count < fixedCount : count != fixedCount)
            {
                _diagnostics.ReportWrongArgumentCount(syntax.Span, function.Name, fixedCount, count, function.IsVariadic);
                return new BoundErrorExpression(syntax.Span);
            }

            var copied = function.Name is CopyFromUserName or CopyToUserName ? arguments[function.Name == CopyToUserName ? 1 : 0] : null;
            bool failed = !ConvertArguments(function, syntax, arguments);
            if (FormatArgument(function) is int format and >= 0) CheckPrintk(syntax, arguments, format);
            if (failed) return new BoundErrorExpression(syntax.Span);
            if (copied != null && function.Kind == FunctionKind.Kernel) return BindUserCopy(function, syntax, copied, arguments);
            if (function.Name == "kmalloc" && function.Kind == FunctionKind.Kernel && arguments[0] is BoundLiteral size)
                return BindConstantKmalloc(size, function.ReturnType, syntax.Span, gfp);
            if (function.Name == KzallocName && function.Kind == FunctionKind.Kernel) return BindKzalloc(arguments[0], function.ReturnType, syntax.Span, gfp);
            if (function.Name == KthreadRunName && function.Kind == FunctionKind.Kernel) return BindKthreadRun(arguments[0], arguments[1], syntax.Span);
            if (function.Name is "kmalloc" or "__kmalloc" && function.Kind == FunctionKind.Kernel && function.Parameters.Length == 1)
                return BindRuntimeKmalloc(function, arguments[0], syntax.Span, gfp);
            return new BoundCall(function, arguments.ToImmutable(), syntax.Span);
        }

        /// <summary>The KERN_ level digit of include/linux/printk.h's pr_* macro <paramref name="name"/>, or null.</summary>
        private static char? PrintkLevel(string name) => name switch
        {
            "pr_emerg" => '0',
            "pr_alert" => '1',
            "pr_crit" => '2',
            "pr_err" => '3',
            "pr_warn" or "pr_warning" => '4',
            "pr_notice" => '5',
            "pr_info" => '6',
            _ => null,
        };

        /// <summary>
        /// A call through a function pointer (`fp(x)`, `(*fp)(x)`, `ops->read(f)`, `table[i](x)`): the arguments convert to
        /// the pointer type's parameters; the callee is known by its type only.
        /// </summary>
        private BoundExpression BindPointerCall(BoundExpression callee, CallExpressionSyntax syntax, ImmutableArray<BoundExpression>.Builder arguments)
        {
            if (callee.Type.IsError) return new BoundErrorExpression(syntax.Span);
            if (!callee.Type.IsFunctionPointer)
            {
                _diagnostics.ReportCalledObjectNotFunction(syntax.Callee?.Span ?? syntax.Identifier.Span, callee.Type);
                return new BoundErrorExpression(syntax.Span);
            }
            var type = callee.Type.Element!;
            var parameters = ImmutableArray.CreateBuilder<VariableSymbol>(type.Parameters.Length);
            for (int i = 0; i < type.Parameters.Length; i++)
                parameters.Add(new VariableSymbol("", type.Parameters[i], VariableKind.Parameter, i, default));
            string name = syntax.Callee is null ? syntax.Identifier.Text : "(*)";
            var function = new FunctionSymbol(name, type.Element!, parameters.MoveToImmutable(), FunctionKind.Pointer, default, linkName: CallPtrName);
            if (arguments.Count != function.Parameters.Length)
            {
                _diagnostics.ReportWrongArgumentCount(syntax.Span, name, function.Parameters.Length, arguments.Count, false);
                return new BoundErrorExpression(syntax.Span);
            }
            if (!ConvertArguments(function, syntax, arguments)) return new BoundErrorExpression(syntax.Span);
            return new BoundCall(function, arguments.ToImmutable(), syntax.Span, callee);
        }

        /// <summary>Converts each argument to its parameter's type (the variadic ones promoted); false when one fails.</summary>
        private bool ConvertArguments(FunctionSymbol function, CallExpressionSyntax syntax, ImmutableArray<BoundExpression>.Builder arguments)
        {
            int fixedCount = function.Parameters.Length;
            int count = arguments.Count;
            bool failed = false;
            for (int i = 0; i < count; i++)
            {
                var argument = arguments[i];
                if (i < fixedCount)
                    argument = Convert(argument, function.Parameters[i].Type, isExplicit: false, syntax.Arguments[i].Span);
                else
                    argument = Promote(argument);
                failed |= argument.Type.IsError;
                arguments[i] = argument;
            }
            return !failed;
        }

        private void CheckPrintk(CallExpressionSyntax syntax, ImmutableArray<BoundExpression>.Builder arguments, int formatArgument)
        {
            var formatSyntax = syntax.Arguments[formatArgument];
            while (formatSyntax is ParenthesizedExpressionSyntax p) formatSyntax = p.Expression;
            if (formatSyntax is not StringExpressionSyntax format)
            {
                if (!arguments[formatArgument].Type.IsError) _diagnostics.ReportPrintkFormatNotLiteral(syntax.Arguments[formatArgument].Span,
                    formatArgument == 0 ? "printk" : syntax.Identifier.Text);
                return;
            }
            var unknown = new List<string>();
            int expected = PrintkFormat.CountArguments(format.Bytes, unknown);
            foreach (var spec in unknown) _diagnostics.ReportPrintkUnknownSpecifier(format.Span, spec);
            int actual = arguments.Count - 1 - formatArgument;
            if (unknown.Count == 0 && expected != actual) _diagnostics.ReportPrintkArgumentMismatch(syntax.Span, expected, actual);
        }
    }
}
