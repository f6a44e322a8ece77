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
            var arguments = ImmutableArray.CreateBuilder<BoundExpression>();
            foreach (var argument in syntax.Arguments) arguments.Add(BindExpression(argument));

            var identifier = syntax.Identifier;
            if (identifier.IsMissing) return new BoundErrorExpression(syntax.Span);
            var symbol = _scope.Lookup(identifier.Text);
            if (symbol is null)
            {
                _diagnostics.ReportUndefinedFunction(identifier.Span, identifier.Text);
                return new BoundErrorExpression(syntax.Span);
            }
            if (symbol is not FunctionSymbol function)
            {
                _diagnostics.ReportNotAFunction(identifier.Span, identifier.Text);
                return new BoundErrorExpression(syntax.Span);
            }

            if (function.Kind == FunctionKind.Builtin) return BindBuiltinCall(function, syntax, arguments);

            int fixedCount = function.Parameters.Length;
            int count = arguments.Count;
            if (function.IsVariadic ? count < fixedCount : count != fixedCount)
            {
                _diagnostics.ReportWrongArgumentCount(syntax.Span, function.Name, fixedCount, count, function.IsVariadic);
                return new BoundErrorExpression(syntax.Span);
            }

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

            if (ReferenceEquals(function, _printk) || ReferenceEquals(function, _panic)) CheckPrintk(syntax, arguments);
            if (failed) return new BoundErrorExpression(syntax.Span);
            if (function.Name == "kmalloc" && function.Kind == FunctionKind.Kernel && arguments[0] is BoundLiteral size)
                return BindConstantKmalloc(size, function.ReturnType, syntax.Span);
            return new BoundCall(function, arguments.ToImmutable(), syntax.Span);
        }

        private void CheckPrintk(CallExpressionSyntax syntax, ImmutableArray<BoundExpression>.Builder arguments)
        {
            var formatSyntax = syntax.Arguments[0];
            while (formatSyntax is ParenthesizedExpressionSyntax p) formatSyntax = p.Expression;
            if (formatSyntax is not StringExpressionSyntax format)
            {
                if (!arguments[0].Type.IsError) _diagnostics.ReportPrintkFormatNotLiteral(syntax.Arguments[0].Span);
                return;
            }
            var unknown = new List<string>();
            int expected = PrintkFormat.CountArguments(format.Bytes, unknown);
            foreach (var spec in unknown) _diagnostics.ReportPrintkUnknownSpecifier(format.Span, spec);
            int actual = arguments.Count - 1;
            if (unknown.Count == 0 && expected != actual) _diagnostics.ReportPrintkArgumentMismatch(syntax.Span, expected, actual);
        }
    }
}
