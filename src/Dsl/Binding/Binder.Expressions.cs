using System.Collections.Generic;
using System.Collections.Immutable;
using KDsl.Symbols;
using KDsl.Syntax;
using KDsl.Text;

namespace KDsl.Binding
{
    public sealed partial class Binder
    {
        private const int MaxBindDepth = 4096;
        private int _depth;
        private bool _tooDeepReported;

        /// <summary>An rvalue: arrays decay to a pointer to their first element; a void value is an error unless allowed.</summary>
        private BoundExpression BindExpression(ExpressionSyntax syntax, bool allowVoid = false) =>
            ToRValue(BindCore(syntax), allowVoid);

        private BoundExpression ToRValue(BoundExpression expression, bool allowVoid)
        {
            var type = expression.Type;
            if (type.Kind == TypeKind.Array)
            {
                var pointer = TypeSymbol.PointerTo(type.Element!);
                if (expression is BoundArrayVariable) return new BoundAddressOf(expression, pointer, expression.Span);
                if (expression is BoundDereference d) return new BoundConversion(d.Pointer, pointer, expression.Span);
            }
            if (type.Kind == TypeKind.Record)
            {
                _diagnostics.ReportNotSupported(expression.Span, "a struct or union used as a value (copied, passed or returned whole)");
                return new BoundErrorExpression(expression.Span);
            }
            if (type.Kind == TypeKind.Void && !allowVoid)
            {
                _diagnostics.ReportVoidValueUsed(expression.Span);
                return new BoundErrorExpression(expression.Span);
            }
            return expression;
        }

        /// <summary>Binds without decaying arrays (for sizeof, &amp;, assignment targets).</summary>
        private BoundExpression BindCore(ExpressionSyntax syntax)
        {
            if (_depth >= MaxBindDepth)
            {
                if (!_tooDeepReported) _diagnostics.ReportNestingTooDeep(syntax.Span, MaxBindDepth);
                _tooDeepReported = true;
                return new BoundErrorExpression(syntax.Span);
            }
            _depth++;
            try
            {
                return BindCoreUnguarded(syntax);
            }
            finally
            {
                _depth--;
            }
        }

        private BoundExpression BindCoreUnguarded(ExpressionSyntax syntax)
        {
            switch (syntax)
            {
                case LiteralExpressionSyntax literal: return BindLiteral(literal);
                case StringExpressionSyntax s:
                    return s.IsMissing ? new BoundErrorExpression(s.Span) : new BoundStringLiteral(s.Bytes, s.Span);
                case NameExpressionSyntax name: return BindName(name);
                case ParenthesizedExpressionSyntax p: return BindCore(p.Expression);
                case CallExpressionSyntax call: return BindCall(call);
                case IndexExpressionSyntax index: return BindIndex(index);
                case MemberAccessExpressionSyntax member: return BindMemberAccess(member);
                case OffsetofExpressionSyntax offsetof: return BindOffsetof(offsetof);
                case ConditionalExpressionSyntax conditional: return BindConditional(conditional);
                case CommaExpressionSyntax comma:
                {
                    var left = BindExpression(comma.Left, allowVoid: true);
                    var right = BindExpression(comma.Right, allowVoid: true);
                    if (left.Type.IsError || right.Type.IsError) return new BoundErrorExpression(syntax.Span);
                    return new BoundSequence(left, right, syntax.Span);
                }
                case UnaryExpressionSyntax unary: return BindUnary(unary);
                case PostfixExpressionSyntax postfix:
                    return BindIncrement(postfix.Operand, postfix.OperatorToken.Kind == SyntaxKind.PlusPlusToken ? 1 : -1, isPrefix: false, postfix.Span);
                case BinaryExpressionSyntax binary: return BindBinary(binary);
                case AssignmentExpressionSyntax assignment: return BindAssignment(assignment);
                case CastExpressionSyntax cast: return BindCast(cast);
                case SizeofTypeExpressionSyntax sizeofType: return BindSizeof(BindType(sizeofType.Type), sizeofType.Type.Span, sizeofType.Span);
                case SizeofExpressionSyntax sizeofExpression:
                {
                    var operand = BindCore(sizeofExpression.Operand);
                    if (operand.Type.IsError) return new BoundErrorExpression(syntax.Span);
                    return BindSizeof(operand.Type, sizeofExpression.Operand.Span, sizeofExpression.Span);
                }
                case InitializerListSyntax list:
                    _diagnostics.ReportInvalidInitializer(list.Span, "a braced initializer list is allowed only after '=' in a declaration");
                    return new BoundErrorExpression(syntax.Span);
                default:
                    return new BoundErrorExpression(syntax.Span); // MissingExpression: already reported
            }
        }

        private BoundExpression BindLiteral(LiteralExpressionSyntax syntax)
        {
            var token = syntax.Token;
            if (token.Kind == SyntaxKind.CharacterToken)
                return new BoundLiteral(token.Value is long c ? c : 0, TypeSymbol.Int, syntax.Span);
            if (token.Value is not long value) return new BoundErrorExpression(syntax.Span); // reported by the parser
            return new BoundLiteral(value, NumberLiteral.TypeOf(token.Text, value), syntax.Span);
        }

        private BoundExpression BindName(NameExpressionSyntax syntax)
        {
            var identifier = syntax.Identifier;
            if (identifier.IsMissing) return new BoundErrorExpression(syntax.Span);
            switch (_scope.Lookup(identifier.Text))
            {
                case VariableSymbol variable:
                    if (variable.Type.IsAggregate) return new BoundArrayVariable(variable, syntax.Span);
                    if (variable.Type.IsError) return new BoundErrorExpression(syntax.Span);
                    return new BoundVariable(variable, syntax.Span);
                case GlobalSymbol global:
                    if (global.Type.IsError) return new BoundErrorExpression(syntax.Span);
                    return GlobalUse(global, syntax.Span);
                case ConstantSymbol constant:
                    if (constant.Type.IsError) return new BoundErrorExpression(syntax.Span);
                    return new BoundLiteral(constant.Value, constant.Type, syntax.Span);
                case FunctionSymbol function when function.Kind == FunctionKind.User:
                    // A function's address (C's function-to-pointer conversion): a function pointer's value, a signal handler
                    // in a process, a thread function for kthread_run, call_ptr's target.
                    return new BoundFunctionAddress(function, function.PointerType, syntax.Span);
                case FunctionSymbol function:
                    _diagnostics.ReportFunctionUsedAsValue(syntax.Span, function.Name);
                    return new BoundErrorExpression(syntax.Span);
                // include/linux/stddef.h: enum { false = 0, true = 1 }, so both are int constants a declaration may shadow.
                case null when identifier.Text == "true":
                    return new BoundLiteral(1, TypeSymbol.Int, syntax.Span);
                case null when identifier.Text == "false":
                    return new BoundLiteral(0, TypeSymbol.Int, syntax.Span);
                default:
                    _diagnostics.ReportUndefinedName(syntax.Span, identifier.Text);
                    return new BoundErrorExpression(syntax.Span);
            }
        }

        private BoundExpression BindSizeof(TypeSymbol type, TextSpan operandSpan, TextSpan span)
        {
            if (type.Kind == TypeKind.Record && !type.Record!.IsComplete)
            {
                _diagnostics.ReportUndefinedRecordUse(operandSpan, type.Record.ToString());
                return new BoundErrorExpression(span);
            }
            if (type.Kind == TypeKind.Void)
            {
                _diagnostics.ReportInvalidUnaryOperand(operandSpan, "sizeof", type);
                return new BoundErrorExpression(span);
            }
            return new BoundLiteral(type.Size, TypeSymbol.Long, span);
        }

        // --- lvalues, pointers, indexing -----------------------------------------------------------------------------

        private BoundExpression BindIndex(IndexExpressionSyntax syntax)
        {
            var raw = BindCore(syntax.Expression);
            var baseValue = ToRValue(raw, allowVoid: false);
            var index = BindExpression(syntax.Index);
            if (baseValue.Type.IsError || index.Type.IsError) return new BoundErrorExpression(syntax.Span);
            if (!baseValue.Type.IsPointer)
            {
                _diagnostics.ReportIndexNonPointer(syntax.Expression.Span, baseValue.Type);
                return new BoundErrorExpression(syntax.Span);
            }
            if (!index.Type.IsInteger)
            {
                _diagnostics.ReportCannotConvert(syntax.Index.Span, index.Type, TypeSymbol.Long, "an index must be an integer");
                return new BoundErrorExpression(syntax.Span);
            }
            var element = baseValue.Type.Element!;
            if (element.Kind == TypeKind.Void)
            {
                _diagnostics.ReportVoidPointerDereference(syntax.Span);
                return new BoundErrorExpression(syntax.Span);
            }
            if (raw is BoundArrayVariable array && index is BoundLiteral constant &&
                (constant.Value < 0 || constant.Value >= array.Type.Length))
                _diagnostics.ReportConstantIndexOutOfRange(syntax.Index.Span, constant.Value, array.Variable.Name, array.Type.Length);

            var offset = Scale(ConvertInteger(index, TypeSymbol.Long), element.Size, syntax.Index.Span);
            var address = offset is BoundLiteral { Value: 0 }
                ? baseValue
                : new BoundBinary(baseValue, BoundBinaryOperator.Add, offset, false, baseValue.Type, syntax.Span);
            return new BoundDereference(address, element, syntax.Span);
        }

        private BoundExpression BindDereference(UnaryExpressionSyntax syntax)
        {
            var pointer = BindExpression(syntax.Operand);
            if (pointer.Type.IsError) return new BoundErrorExpression(syntax.Span);
            if (!pointer.Type.IsPointer)
            {
                _diagnostics.ReportDereferenceNonPointer(syntax.Operand.Span, pointer.Type);
                return new BoundErrorExpression(syntax.Span);
            }
            if (pointer.Type.Element!.Kind == TypeKind.Void)
            {
                _diagnostics.ReportVoidPointerDereference(syntax.Span);
                return new BoundErrorExpression(syntax.Span);
            }
            // *fp is the function, which becomes its address again wherever it is used (C11 6.3.2.1p4): (*fp)(x) is fp(x).
            // Not an lvalue: `*fp = g` is an error, as in C.
            if (pointer.Type.IsFunctionPointer) return new BoundConversion(pointer, pointer.Type, syntax.Span);
            return new BoundDereference(pointer, pointer.Type.Element, syntax.Span);
        }

        private BoundExpression BindAddressOf(UnaryExpressionSyntax syntax)
        {
            var operand = BindCore(syntax.Operand);
            switch (operand)
            {
                case BoundErrorExpression:
                    return new BoundErrorExpression(syntax.Span);
                case BoundVariable:
                case BoundArrayVariable:
                case BoundDereference:
                    return new BoundAddressOf(operand, TypeSymbol.PointerTo(operand.Type), syntax.Span);
                case BoundFunctionAddress f when syntax.Operand is NameExpressionSyntax:
                    return new BoundFunctionAddress(f.Function, f.Type, syntax.Span); // &f is f's address, as f alone is
                default:
                    if (!operand.Type.IsError) _diagnostics.ReportAddressOfRvalue(syntax.Operand.Span);
                    return new BoundErrorExpression(syntax.Span);
            }
        }

        /// <summary>Binds an assignment target; reports and returns null when it is not a scalar lvalue.</summary>
        private BoundExpression? BindLvalue(ExpressionSyntax syntax)
        {
            var target = BindCore(syntax);
            if (target.Type.IsError) return null;
            if (target.Type.Kind == TypeKind.Record)
            {
                _diagnostics.ReportNotSupported(syntax.Span, "assigning a whole struct or union (assign its members, or memcpy)");
                return null;
            }
            if (target is BoundArrayVariable array)
            {
                _diagnostics.ReportArrayNotAssignable(syntax.Span, array.Variable.Name);
                return null;
            }
            if (target is BoundVariable { Variable.IsReadOnly: true } constant)
            {
                _diagnostics.ReportReadOnlyAssignment(syntax.Span, constant.Variable.Name);
                return null;
            }
            if (ReadOnlyGlobal(target) is { } readOnly)
            {
                _diagnostics.ReportReadOnlyAssignment(syntax.Span, readOnly.Name);
                return null;
            }
            if ((target is BoundVariable || target is BoundDereference) && target.Type.IsScalar) return target;
            _diagnostics.ReportNotAnLvalue(syntax.Span);
            return null;
        }

        private BoundExpression BindIncrement(ExpressionSyntax operand, int direction, bool isPrefix, TextSpan span)
        {
            var target = BindLvalue(operand);
            if (target is null) return new BoundErrorExpression(span);
            long step = target.Type.IsPointer ? ElementSize(target.Type) : 1;
            return new BoundIncrement(target, direction * step, isPrefix, span);
        }

        private BoundExpression BindAssignment(AssignmentExpressionSyntax syntax)
        {
            var target = BindLvalue(syntax.Left);
            // Without a target the value is only checked for its own errors: `a = b` of two structs is one error, not two.
            var value = target is null ? BindCore(syntax.Right) : BindExpression(syntax.Right);
            if (target is null || value.Type.IsError) return new BoundErrorExpression(syntax.Span);

            var opKind = syntax.OperatorToken.Kind;
            if (opKind == SyntaxKind.EqualsToken)
            {
                var converted = Convert(value, target.Type, isExplicit: false, syntax.Right.Span);
                if (converted.Type.IsError) return new BoundErrorExpression(syntax.Span);
                return new BoundAssignment(target, null, false, converted, syntax.Span);
            }

            var op = CompoundOperator(opKind);
            string opText = SyntaxFacts.GetText(opKind) ?? "?";
            if (target.Type.IsPointer)
            {
                if ((op == BoundBinaryOperator.Add || op == BoundBinaryOperator.Subtract) && value.Type.IsInteger)
                {
                    var offset = Scale(ConvertInteger(value, TypeSymbol.Long), ElementSize(target.Type), syntax.Right.Span);
                    return new BoundAssignment(target, op, false, offset, syntax.Span);
                }
                _diagnostics.ReportInvalidBinaryOperands(syntax.OperatorToken.Span, opText, target.Type, value.Type);
                return new BoundErrorExpression(syntax.Span);
            }
            if (!value.Type.IsInteger)
            {
                _diagnostics.ReportInvalidBinaryOperands(syntax.OperatorToken.Span, opText, target.Type, value.Type);
                return new BoundErrorExpression(syntax.Span);
            }
            var promotedTarget = PromotedType(target.Type);
            var operationType = op is BoundBinaryOperator.ShiftLeft or BoundBinaryOperator.ShiftRight
                ? promotedTarget
                : CommonType(promotedTarget, Promote(value).Type);
            var operand = ConvertInteger(value, operationType);
            if ((op == BoundBinaryOperator.Divide || op == BoundBinaryOperator.Remainder) && operand is BoundLiteral { Value: 0 })
                _diagnostics.ReportDivisionByZero(syntax.Right.Span);
            return new BoundAssignment(target, op, operationType.IsUnsigned, operand, syntax.Span);
        }

        private static BoundBinaryOperator CompoundOperator(SyntaxKind kind) => kind switch
        {
            SyntaxKind.PlusEqualsToken => BoundBinaryOperator.Add,
            SyntaxKind.MinusEqualsToken => BoundBinaryOperator.Subtract,
            SyntaxKind.StarEqualsToken => BoundBinaryOperator.Multiply,
            SyntaxKind.SlashEqualsToken => BoundBinaryOperator.Divide,
            SyntaxKind.PercentEqualsToken => BoundBinaryOperator.Remainder,
            SyntaxKind.AmpersandEqualsToken => BoundBinaryOperator.BitwiseAnd,
            SyntaxKind.PipeEqualsToken => BoundBinaryOperator.BitwiseOr,
            SyntaxKind.CaretEqualsToken => BoundBinaryOperator.BitwiseXor,
            SyntaxKind.LessLessEqualsToken => BoundBinaryOperator.ShiftLeft,
            _ => BoundBinaryOperator.ShiftRight,
        };

        private BoundExpression BindCast(CastExpressionSyntax syntax)
        {
            var type = BindType(syntax.Type);
            var operand = BindExpression(syntax.Operand);
            if (operand.Type.IsError) return new BoundErrorExpression(syntax.Span);
            if (type.Kind == TypeKind.Void)
            {
                _diagnostics.ReportInvalidCast(syntax.Span, operand.Type, type);
                return new BoundErrorExpression(syntax.Span);
            }
            var converted = Convert(operand, type, isExplicit: true, syntax.Span);
            if (converted.Type.IsError) return new BoundErrorExpression(syntax.Span);
            if (ReferenceEquals(converted, operand)) return converted;
            return WithSpan(converted, syntax.Span);
        }

        /// <summary>A cast's outermost node covers the whole cast expression.</summary>
        private static BoundExpression WithSpan(BoundExpression expression, TextSpan span) => expression switch
        {
            BoundLiteral l => new BoundLiteral(l.Value, l.Type, span),
            BoundConversion c => new BoundConversion(c.Operand, c.Type, span),
            _ => expression,
        };

        // --- unary -------------------------------------------------------------------------------------------------

        private BoundExpression BindUnary(UnaryExpressionSyntax syntax)
        {
            var opKind = syntax.OperatorToken.Kind;
            switch (opKind)
            {
                case SyntaxKind.StarToken: return BindDereference(syntax);
                case SyntaxKind.AmpersandToken: return BindAddressOf(syntax);
                case SyntaxKind.PlusPlusToken: return BindIncrement(syntax.Operand, 1, isPrefix: true, syntax.Span);
                case SyntaxKind.MinusMinusToken: return BindIncrement(syntax.Operand, -1, isPrefix: true, syntax.Span);
            }

            var operand = BindExpression(syntax.Operand);
            if (operand.Type.IsError) return new BoundErrorExpression(syntax.Span);
            string opText = syntax.OperatorToken.Text;

            if (opKind == SyntaxKind.BangToken)
            {
                if (!operand.Type.IsScalar)
                {
                    _diagnostics.ReportInvalidUnaryOperand(syntax.OperatorToken.Span, opText, operand.Type);
                    return new BoundErrorExpression(syntax.Span);
                }
                operand = Promote(operand);
                if (operand is BoundLiteral l) return new BoundLiteral(l.Value == 0 ? 1 : 0, TypeSymbol.Int, syntax.Span);
                return new BoundUnary(BoundUnaryOperator.LogicalNot, operand, TypeSymbol.Int, syntax.Span);
            }

            if (!operand.Type.IsInteger)
            {
                _diagnostics.ReportInvalidUnaryOperand(syntax.OperatorToken.Span, opText, operand.Type);
                return new BoundErrorExpression(syntax.Span);
            }
            operand = Promote(operand);
            if (opKind == SyntaxKind.PlusToken) return operand;
            var op = opKind == SyntaxKind.MinusToken ? BoundUnaryOperator.Negate : BoundUnaryOperator.BitwiseNot;
            if (operand is BoundLiteral literal)
            {
                long folded = op == BoundUnaryOperator.Negate ? unchecked(-literal.Value) : ~literal.Value;
                return new BoundLiteral(Truncate(folded, operand.Type), operand.Type, syntax.Span);
            }
            return new BoundUnary(op, operand, operand.Type, syntax.Span);
        }
    }
}
