using KDsl.Symbols;
using KDsl.Syntax;
using KDsl.Text;

namespace KDsl.Binding
{
    public sealed partial class Binder
    {
        private BoundExpression BindBinary(BinaryExpressionSyntax syntax)
        {
            var opKind = syntax.OperatorToken.Kind;
            if (opKind == SyntaxKind.AmpersandAmpersandToken || opKind == SyntaxKind.PipePipeToken)
            {
                var l = BindCondition(syntax.Left);
                var r = BindCondition(syntax.Right);
                if (l.Type.IsError || r.Type.IsError) return new BoundErrorExpression(syntax.Span);
                bool isAnd = opKind == SyntaxKind.AmpersandAmpersandToken;
                if (l is BoundLiteral ll && r is BoundLiteral rl)
                {
                    bool value = isAnd ? ll.Value != 0 && rl.Value != 0 : ll.Value != 0 || rl.Value != 0;
                    return new BoundLiteral(value ? 1 : 0, TypeSymbol.Int, syntax.Span);
                }
                return new BoundLogical(l, isAnd, r, syntax.Span);
            }

            var left = BindExpression(syntax.Left);
            var right = BindExpression(syntax.Right);
            if (left.Type.IsError || right.Type.IsError) return new BoundErrorExpression(syntax.Span);
            var op = BinaryOperator(opKind);
            var result = BindBinaryOperator(op, left, right, syntax.Span, syntax.Right.Span);
            if (result is null)
            {
                _diagnostics.ReportInvalidBinaryOperands(syntax.OperatorToken.Span, syntax.OperatorToken.Text, left.Type, right.Type);
                return new BoundErrorExpression(syntax.Span);
            }
            return result;
        }

        /// <summary>
        /// cond ? a : b with C11 6.5.15's result type: the usual arithmetic conversions of two integers, the pointer type
        /// of two equal pointers or of a pointer and the null constant, void * when one arm is void *, void for two voids.
        /// A constant condition chooses its arm at compile time (the other is not evaluated in C either).
        /// </summary>
        private BoundExpression BindConditional(ConditionalExpressionSyntax syntax)
        {
            var condition = BindCondition(syntax.Condition);
            var whenTrue = BindExpression(syntax.WhenTrue, allowVoid: true);
            var whenFalse = BindExpression(syntax.WhenFalse, allowVoid: true);
            if (condition.Type.IsError || whenTrue.Type.IsError || whenFalse.Type.IsError) return new BoundErrorExpression(syntax.Span);
            var t = whenTrue.Type;
            var f = whenFalse.Type;
            TypeSymbol type;
            if (t.IsInteger && f.IsInteger) type = CommonType(Promote(whenTrue).Type, Promote(whenFalse).Type);
            else if (t.Kind == TypeKind.Void && f.Kind == TypeKind.Void) type = TypeSymbol.Void;
            else if (t.IsPointer && (f.Equals(t) || IsNullConstant(whenFalse))) type = t;
            else if (f.IsPointer && IsNullConstant(whenTrue)) type = f;
            else if (t.IsPointer && f.IsPointer && (t.Element!.Kind == TypeKind.Void || f.Element!.Kind == TypeKind.Void))
                type = TypeSymbol.PointerTo(TypeSymbol.Void);
            else
            {
                _diagnostics.ReportInvalidBinaryOperands(syntax.QuestionToken.Span, "?:", t, f);
                return new BoundErrorExpression(syntax.Span);
            }
            whenTrue = Convert(whenTrue, type, isExplicit: false, syntax.WhenTrue.Span);
            whenFalse = Convert(whenFalse, type, isExplicit: false, syntax.WhenFalse.Span);
            if (condition is BoundLiteral constant) return constant.Value != 0 ? whenTrue : whenFalse;
            return new BoundConditional(condition, whenTrue, whenFalse, type, syntax.Span);
        }

        /// <summary>Null when the operator does not apply to these operand types (the caller reports).</summary>
        private BoundExpression? BindBinaryOperator(BoundBinaryOperator op, BoundExpression left, BoundExpression right, TextSpan span, TextSpan rightSpan)
        {
            var lt = left.Type;
            var rt = right.Type;
            bool ints = lt.IsInteger && rt.IsInteger;
            switch (op)
            {
                case BoundBinaryOperator.Add:
                    if (ints) return Arithmetic(op, left, right, span, rightSpan);
                    if (lt.IsPointer && rt.IsInteger) return PointerOffset(left, op, right, span);
                    if (lt.IsInteger && rt.IsPointer) return PointerOffset(right, op, left, span);
                    return null;
                case BoundBinaryOperator.Subtract:
                    if (ints) return Arithmetic(op, left, right, span, rightSpan);
                    if (lt.IsPointer && rt.IsInteger) return PointerOffset(left, op, right, span);
                    if (lt.IsPointer && rt.IsPointer && lt.Equals(rt)) return PointerDifference(left, right, span);
                    return null;
                case BoundBinaryOperator.ShiftLeft:
                case BoundBinaryOperator.ShiftRight:
                {
                    if (!ints) return null;
                    var l = Promote(left);
                    var r = ConvertInteger(right, l.Type);
                    return Fold(op, l, r, l.Type, span) ?? new BoundBinary(l, op, r, l.Type.IsUnsigned, l.Type, span);
                }
                case BoundBinaryOperator.Equal:
                case BoundBinaryOperator.NotEqual:
                case BoundBinaryOperator.Less:
                case BoundBinaryOperator.LessOrEqual:
                case BoundBinaryOperator.Greater:
                case BoundBinaryOperator.GreaterOrEqual:
                    return Comparison(op, left, right, span);
                default:
                    return ints ? Arithmetic(op, left, right, span, rightSpan) : null;
            }
        }

        private BoundExpression Arithmetic(BoundBinaryOperator op, BoundExpression left, BoundExpression right, TextSpan span, TextSpan rightSpan)
        {
            var type = CommonType(Promote(left).Type, Promote(right).Type);
            var l = ConvertInteger(left, type);
            var r = ConvertInteger(right, type);
            if ((op == BoundBinaryOperator.Divide || op == BoundBinaryOperator.Remainder) && r is BoundLiteral { Value: 0 })
            {
                _diagnostics.ReportDivisionByZero(rightSpan);
                return new BoundBinary(l, op, r, type.IsUnsigned, type, span);
            }
            return Fold(op, l, r, type, span) ?? new BoundBinary(l, op, r, type.IsUnsigned, type, span);
        }

        private BoundExpression? Comparison(BoundBinaryOperator op, BoundExpression left, BoundExpression right, TextSpan span)
        {
            var lt = left.Type;
            var rt = right.Type;
            if (lt.IsInteger && rt.IsInteger)
            {
                var type = CommonType(Promote(left).Type, Promote(right).Type);
                var l = ConvertInteger(left, type);
                var r = ConvertInteger(right, type);
                return Fold(op, l, r, TypeSymbol.Int, span) ?? new BoundBinary(l, op, r, type.IsUnsigned, TypeSymbol.Int, span);
            }
            if (lt.IsPointer && rt.IsPointer)
            {
                if (lt.Equals(rt)) return new BoundBinary(left, op, right, true, TypeSymbol.Int, span);
                if (lt.Element!.Kind == TypeKind.Void || rt.Element!.Kind == TypeKind.Void)
                    return new BoundBinary(left, op, new BoundConversion(right, lt, right.Span), true, TypeSymbol.Int, span);
                return null;
            }
            if (lt.IsPointer && IsNullConstant(right))
                return new BoundBinary(left, op, Convert(right, lt, isExplicit: false, right.Span), true, TypeSymbol.Int, span);
            if (rt.IsPointer && IsNullConstant(left))
                return new BoundBinary(Convert(left, rt, isExplicit: false, left.Span), op, right, true, TypeSymbol.Int, span);
            return null;
        }

        /// <summary>pointer ± integer: the integer becomes a long scaled by the pointee size; the result has the pointer's type.</summary>
        private static BoundExpression PointerOffset(BoundExpression pointer, BoundBinaryOperator op, BoundExpression index, TextSpan span)
        {
            var offset = Scale(ConvertInteger(index, TypeSymbol.Long), ElementSize(pointer.Type), index.Span);
            return new BoundBinary(pointer, op, offset, false, pointer.Type, span);
        }

        /// <summary>pointer - pointer: (long)a - (long)b, divided by the element size; a long.</summary>
        private static BoundExpression PointerDifference(BoundExpression left, BoundExpression right, TextSpan span)
        {
            long size = ElementSize(left.Type);
            var l = new BoundConversion(left, TypeSymbol.Long, left.Span);
            var r = new BoundConversion(right, TypeSymbol.Long, right.Span);
            BoundExpression difference = new BoundBinary(l, BoundBinaryOperator.Subtract, r, false, TypeSymbol.Long, span);
            if (size != 1)
                difference = new BoundBinary(difference, BoundBinaryOperator.Divide, new BoundLiteral(size, TypeSymbol.Long, span), false, TypeSymbol.Long, span);
            return difference;
        }

        /// <summary>Folds two literal operands (already of the operation's type) into a literal of <paramref name="resultType"/>.</summary>
        private static BoundExpression? Fold(BoundBinaryOperator op, BoundExpression left, BoundExpression right, TypeSymbol resultType, TextSpan span)
        {
            if (left is not BoundLiteral l || right is not BoundLiteral r) return null;
            long a = l.Value, b = r.Value;
            int bits = l.Type.Kind == TypeKind.Long ? 64 : 32;
            // Operands of an unsigned type hold their value zero-extended, so 64-bit unsigned arithmetic is theirs too.
            bool isUnsigned = l.Type.IsUnsigned;
            ulong ua = (ulong)a, ub = (ulong)b;
            long value;
            unchecked
            {
                switch (op)
                {
                    case BoundBinaryOperator.Add: value = a + b; break;
                    case BoundBinaryOperator.Subtract: value = a - b; break;
                    case BoundBinaryOperator.Multiply: value = a * b; break;
                    case BoundBinaryOperator.Divide:
                        if (b == 0) return null;
                        value = isUnsigned ? (long)(ua / ub) : b == -1 ? -a : a / b;
                        break;
                    case BoundBinaryOperator.Remainder:
                        if (b == 0) return null;
                        value = isUnsigned ? (long)(ua % ub) : b == -1 ? 0 : a % b;
                        break;
                    case BoundBinaryOperator.ShiftLeft: value = a << (int)(b & (bits - 1)); break;
                    case BoundBinaryOperator.ShiftRight: value = isUnsigned ? (long)(ua >> (int)(b & (bits - 1))) : a >> (int)(b & (bits - 1)); break;
                    case BoundBinaryOperator.BitwiseAnd: value = a & b; break;
                    case BoundBinaryOperator.BitwiseOr: value = a | b; break;
                    case BoundBinaryOperator.BitwiseXor: value = a ^ b; break;
                    case BoundBinaryOperator.Equal: value = a == b ? 1 : 0; break;
                    case BoundBinaryOperator.NotEqual: value = a != b ? 1 : 0; break;
                    case BoundBinaryOperator.Less: value = (isUnsigned ? ua < ub : a < b) ? 1 : 0; break;
                    case BoundBinaryOperator.LessOrEqual: value = (isUnsigned ? ua <= ub : a <= b) ? 1 : 0; break;
                    case BoundBinaryOperator.Greater: value = (isUnsigned ? ua > ub : a > b) ? 1 : 0; break;
                    case BoundBinaryOperator.GreaterOrEqual: value = (isUnsigned ? ua >= ub : a >= b) ? 1 : 0; break;
                    default: return null;
                }
            }
            return new BoundLiteral(Truncate(value, resultType), resultType, span);
        }

        private static BoundBinaryOperator BinaryOperator(SyntaxKind kind) => kind switch
        {
            SyntaxKind.PlusToken => BoundBinaryOperator.Add,
            SyntaxKind.MinusToken => BoundBinaryOperator.Subtract,
            SyntaxKind.StarToken => BoundBinaryOperator.Multiply,
            SyntaxKind.SlashToken => BoundBinaryOperator.Divide,
            SyntaxKind.PercentToken => BoundBinaryOperator.Remainder,
            SyntaxKind.LessLessToken => BoundBinaryOperator.ShiftLeft,
            SyntaxKind.GreaterGreaterToken => BoundBinaryOperator.ShiftRight,
            SyntaxKind.AmpersandToken => BoundBinaryOperator.BitwiseAnd,
            SyntaxKind.PipeToken => BoundBinaryOperator.BitwiseOr,
            SyntaxKind.CaretToken => BoundBinaryOperator.BitwiseXor,
            SyntaxKind.EqualsEqualsToken => BoundBinaryOperator.Equal,
            SyntaxKind.BangEqualsToken => BoundBinaryOperator.NotEqual,
            SyntaxKind.LessToken => BoundBinaryOperator.Less,
            SyntaxKind.LessEqualsToken => BoundBinaryOperator.LessOrEqual,
            SyntaxKind.GreaterToken => BoundBinaryOperator.Greater,
            SyntaxKind.GreaterEqualsToken => BoundBinaryOperator.GreaterOrEqual,
            _ => BoundBinaryOperator.Add,
        };
    }
}
