using KDsl.Symbols;
using KDsl.Text;

namespace KDsl.Binding
{
    public sealed partial class Binder
    {
        /// <summary>
        /// Converts to <paramref name="to"/>: integers convert freely (literals fold), pointers to pointers when equal or
        /// one is void * (any pair when explicit), integers to pointers and back only when explicit (or the literal 0
        /// to a pointer). An integer narrower than long reaches a pointer through long, and a pointer reaches a narrower
        /// integer through long, so every <see cref="BoundConversion"/> is integer-integer or long-pointer.
        /// </summary>
        private BoundExpression Convert(BoundExpression expression, TypeSymbol to, bool isExplicit, TextSpan span)
        {
            var from = expression.Type;
            if (from.IsError || to.IsError) return expression;
            if (from.Equals(to)) return expression;

            if (from.IsInteger && to.IsInteger) return ConvertInteger(expression, to);

            if (from.IsPointer && to.IsPointer)
            {
                if (isExplicit || from.Element!.Kind == TypeKind.Void || to.Element!.Kind == TypeKind.Void)
                    return new BoundConversion(expression, to, expression.Span);
                _diagnostics.ReportCannotConvert(span, from, to, "add a cast");
                return new BoundErrorExpression(expression.Span);
            }

            if (from.IsInteger && to.IsPointer)
            {
                if (isExplicit || IsNullConstant(expression))
                    return new BoundConversion(ConvertInteger(expression, TypeSymbol.Long), to, expression.Span);
                _diagnostics.ReportCannotConvert(span, from, to, "an integer becomes a pointer only with a cast");
                return new BoundErrorExpression(expression.Span);
            }

            // KDsl's older spelling: a function of the file used as a value is its address as a long (kthread_run(worker, 1))
            if (expression is BoundFunctionAddress function && to.Equals(TypeSymbol.Long))
                return new BoundFunctionAddress(function.Function, to, expression.Span);

            if (from.IsPointer && to.IsInteger)
            {
                if (isExplicit || to.Kind == TypeKind.Bool) // C11 6.3.1.2: any scalar converts to _Bool, a pointer to 1 unless null
                {
                    var asLong = new BoundConversion(expression, TypeSymbol.Long, expression.Span);
                    return to.Equals(TypeSymbol.Long) ? asLong : new BoundConversion(asLong, to, expression.Span);
                }
                _diagnostics.ReportCannotConvert(span, from, to, "a pointer becomes an integer only with a cast");
                return new BoundErrorExpression(expression.Span);
            }

            if (from.Kind == TypeKind.Void)
            {
                _diagnostics.ReportVoidValueUsed(span);
                return new BoundErrorExpression(expression.Span);
            }
            if (isExplicit) _diagnostics.ReportInvalidCast(span, from, to);
            else _diagnostics.ReportCannotConvert(span, from, to);
            return new BoundErrorExpression(expression.Span);
        }

        private static BoundExpression ConvertInteger(BoundExpression expression, TypeSymbol to)
        {
            if (expression.Type.Equals(to)) return expression;
            if (expression is BoundLiteral literal) return new BoundLiteral(Truncate(literal.Value, to), to, literal.Span);
            return new BoundConversion(expression, to, expression.Span);
        }

        private static bool IsNullConstant(BoundExpression expression) =>
            expression is BoundLiteral { Value: 0 } literal && literal.Type.IsInteger;

        /// <summary>C's integer promotion: _Bool, char and short (signed or not) become int; int, long and their unsigned types stay.</summary>
        private static BoundExpression Promote(BoundExpression expression) =>
            expression.Type.IsError ? expression : ConvertInteger(expression, PromotedType(expression.Type));

        private static TypeSymbol PromotedType(TypeSymbol type) =>
            type.Kind is TypeKind.Bool or TypeKind.Char or TypeKind.Short ? TypeSymbol.Int : type;

        /// <summary>
        /// The usual arithmetic conversions of two promoted types (C11 6.3.1.8 on LP64): the wider one wins; of equal width
        /// the unsigned one; long against unsigned int is long, which holds every unsigned int.
        /// </summary>
        private static TypeSymbol CommonType(TypeSymbol left, TypeSymbol right)
        {
            if (left.Kind == TypeKind.Long || right.Kind == TypeKind.Long)
            {
                bool isUnsigned = (left.Kind == TypeKind.Long && left.IsUnsigned) || (right.Kind == TypeKind.Long && right.IsUnsigned);
                return isUnsigned ? TypeSymbol.ULong : TypeSymbol.Long;
            }
            return left.IsUnsigned || right.IsUnsigned ? TypeSymbol.UInt : TypeSymbol.Int;
        }

        public static long Truncate(long value, TypeSymbol type) => type.Truncate(value);

        /// <summary>Bytes a pointer step moves: the pointee's size, 1 for void * (as GCC does).</summary>
        private static long ElementSize(TypeSymbol pointer)
        {
            var element = pointer.Element!;
            return element.Kind == TypeKind.Void ? 1 : element.Size;
        }

        /// <summary>index (a long) times size: a literal when the index is one, the index itself for size 1.</summary>
        private static BoundExpression Scale(BoundExpression index, long size, TextSpan span)
        {
            if (size == 1) return index;
            if (index is BoundLiteral literal) return new BoundLiteral(unchecked(literal.Value * size), TypeSymbol.Long, literal.Span);
            return new BoundBinary(index, BoundBinaryOperator.Multiply, new BoundLiteral(size, TypeSymbol.Long, span), false, TypeSymbol.Long, span);
        }
    }
}
