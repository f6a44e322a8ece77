using System.Collections.Generic;
using System.Collections.Immutable;
using KDsl.Symbols;
using KDsl.Syntax;

namespace KDsl.Binding
{
    public sealed partial class Binder
    {
        private BoundBlock BindBlock(BlockStatementSyntax syntax, bool newScope)
        {
            var saved = _scope;
            if (newScope) _scope = new BoundScope(_scope);
            var statements = ImmutableArray.CreateBuilder<BoundStatement>();
            foreach (var statement in syntax.Statements)
            {
                if (_diagnostics.IsFull) break; // too many errors: the compilation stops, as GCC's -fmax-errors stops it
                if (statement is DeclarationStatementSyntax declaration) statements.AddRange(BindDeclaration(declaration));
                else statements.Add(BindStatement(statement));
            }
            _scope = saved;
            return new BoundBlock(statements.ToImmutable(), syntax.Span);
        }

        private BoundStatement BindStatement(StatementSyntax syntax)
        {
            switch (syntax)
            {
                case BlockStatementSyntax block:
                    return BindBlock(block, newScope: true);
                case DeclarationStatementSyntax declaration:
                {
                    var list = BindDeclaration(declaration);
                    return list.Count == 1 ? list[0] : new BoundBlock(list.ToImmutableArray(), syntax.Span);
                }
                case ExpressionStatementSyntax e:
                    return new BoundExpressionStatement(BindExpression(e.Expression, allowVoid: true), syntax.Span);
                case EmptyStatementSyntax:
                    return new BoundBlock(ImmutableArray<BoundStatement>.Empty, syntax.Span);
                case IfStatementSyntax i:
                {
                    var condition = BindCondition(i.Condition);
                    var then = BindStatement(i.Then);
                    var @else = i.Else is null ? null : BindStatement(i.Else);
                    return new BoundIf(condition, then, @else, syntax.Span);
                }
                case WhileStatementSyntax w:
                {
                    var condition = BindCondition(w.Condition);
                    return new BoundWhile(condition, BindLoopBody(w.Body), isDoWhile: false, syntax.Span);
                }
                case DoWhileStatementSyntax d:
                {
                    var body = BindLoopBody(d.Body);
                    return new BoundWhile(BindCondition(d.Condition), body, isDoWhile: true, syntax.Span);
                }
                case ForStatementSyntax f:
                    return BindFor(f);
                case JumpStatementSyntax j:
                    if (j.Kind == SyntaxKind.BreakStatement && _loopDepth == 0 && _breakDepth == 0) _diagnostics.ReportBreakOutsideLoop(j.Keyword.Span);
                    if (j.Kind == SyntaxKind.ContinueStatement && _loopDepth == 0) _diagnostics.ReportContinueOutsideLoop(j.Keyword.Span);
                    return j.Kind == SyntaxKind.BreakStatement ? new BoundBreak(syntax.Span) : new BoundContinue(syntax.Span);
                case ReturnStatementSyntax r:
                    return BindReturn(r);
                case SwitchStatementSyntax sw:
                    return BindSwitch(sw);
                case CaseLabelSyntax c:
                    return BindCaseLabel(c);
                case LabelStatementSyntax l:
                    return BindLabel(l);
                case GotoStatementSyntax g:
                    return BindGoto(g);
                default:
                    return new BoundBlock(ImmutableArray<BoundStatement>.Empty, syntax.Span);
            }
        }

        private BoundStatement BindLoopBody(StatementSyntax body)
        {
            _loopDepth++;
            var result = BindStatement(body);
            _loopDepth--;
            return result;
        }

        private BoundStatement BindFor(ForStatementSyntax syntax)
        {
            var saved = _scope;
            _scope = new BoundScope(_scope);
            BoundStatement? initializer = syntax.Initializer is EmptyStatementSyntax ? null : BindStatement(syntax.Initializer);
            var condition = syntax.Condition is null ? null : BindCondition(syntax.Condition);
            var step = syntax.Step is null ? null : BindExpression(syntax.Step, allowVoid: true);
            var body = BindLoopBody(syntax.Body);
            _scope = saved;
            return new BoundFor(initializer, condition, step, body, syntax.Span);
        }

        private BoundStatement BindReturn(ReturnStatementSyntax syntax)
        {
            var function = _function!;
            if (syntax.Expression is null)
            {
                if (function.Kind is FunctionKind.Init or FunctionKind.Process)
                    return new BoundReturn(new BoundLiteral(0, TypeSymbol.Int, syntax.Keyword.Span), syntax.Span);
                if (function.ReturnType.Kind != TypeKind.Void && !function.ReturnType.IsError)
                    _diagnostics.ReportMissingReturnValue(syntax.Span, function.Name, function.ReturnType);
                return new BoundReturn(null, syntax.Span);
            }
            if (function.ReturnType.Kind == TypeKind.Void)
            {
                var ignored = BindExpression(syntax.Expression, allowVoid: true);
                if (!ignored.Type.IsError) _diagnostics.ReportReturnValueInVoidFunction(syntax.Expression.Span, function.Name);
                return new BoundReturn(null, syntax.Span);
            }
            var value = BindExpression(syntax.Expression);
            if (function.ReturnType.IsPointer && IsLocalAddress(value))
            {
                // GCC -O2 (gimple-ssa-isolate-paths) warns and returns a null pointer in its place: the caller gets NULL.
                _diagnostics.ReportReturnLocalAddress(syntax.Expression.Span);
                value = new BoundLiteral(0, TypeSymbol.Int, syntax.Expression.Span);
            }
            return new BoundReturn(Convert(value, function.ReturnType, isExplicit: false, syntax.Expression.Span), syntax.Span);
        }

        private List<BoundStatement> BindDeclaration(DeclarationStatementSyntax syntax)
        {
            var result = new List<BoundStatement>();
            if (syntax.IsStatic)
            {
                BindStaticDeclaration(syntax, isLocal: true);
                return result;
            }
            foreach (var (declarator, type, isReadOnly) in DeclaredObjects(syntax))
            {
                string name = declarator.Identifier.Text;
                BoundExpression? initializer = null;
                List<InitializedScalar>? aggregate = null;
                if (declarator.Initializer != null && type.IsAggregate)
                    aggregate = BindInitializer(type, declarator.Initializer);
                else if (declarator.Initializer is InitializerListSyntax list)
                {
                    var scalars = BindInitializer(type, list);
                    if (scalars.Count > 0) initializer = scalars[0].Value;
                }
                else if (declarator.Initializer != null)
                {
                    var value = BindExpression(declarator.Initializer);
                    initializer = Convert(value, type, isExplicit: false, declarator.Initializer.Span);
                }

                bool isVolatile = declarator.Stars.IsEmpty && HasQualifier(syntax.Type, SyntaxKind.VolatileKeyword);
                var variable = new VariableSymbol(name, type, VariableKind.Local, -1, declarator.Identifier.Span, isReadOnly, isVolatile);
                if (!declarator.Identifier.IsMissing && !_scope.TryDeclare(name, variable))
                    _diagnostics.ReportRedeclaration(declarator.Identifier.Span, name);
                _locals.Add(variable);
                result.Add(new BoundVariableDeclaration(variable, initializer, syntax.Span));
                if (aggregate != null && !type.IsError) LowerLocalInitializer(variable, declarator.Initializer!, aggregate, result);
            }
            return result;
        }

        /// <summary>The element count of a local array, or -1 after reporting why it is not a valid constant.</summary>
        private long BindArraySize(ExpressionSyntax syntax, TypeSymbol element)
        {
            var size = BindExpression(syntax);
            if (size.Type.IsError) return -1;
            if (size is not BoundLiteral literal || !literal.Type.IsInteger)
            {
                _diagnostics.ReportArraySizeNotConstant(syntax.Span);
                return -1;
            }
            if (literal.Value <= 0)
            {
                _diagnostics.ReportArraySizeNotPositive(syntax.Span, literal.Value);
                return -1;
            }
            long elementSize = element.IsError ? 1 : System.Math.Max(1, element.Size);
            if (literal.Value > int.MaxValue / elementSize)
            {
                _diagnostics.ReportArrayTooLarge(syntax.Span, literal.Value > long.MaxValue / elementSize ? long.MaxValue : literal.Value * elementSize);
                return -1;
            }
            return literal.Value;
        }

        /// <summary>The address of a local or parameter (or of an element or member of one): dead once the function returns.</summary>
        private static bool IsLocalAddress(BoundExpression e)
        {
            while (true)
            {
                switch (e)
                {
                    case BoundConversion c: e = c.Operand; continue;
                    case BoundBinary { Operator: BoundBinaryOperator.Add or BoundBinaryOperator.Subtract } b when b.Type.IsPointer: e = b.Left; continue;
                    case BoundAddressOf { Operand: BoundVariable or BoundArrayVariable }: return true;
                    default: return false;
                }
            }
        }

        /// <summary>A struct or union declared but not defined, or an array of one: it has no size.</summary>
        private static bool IsIncomplete(TypeSymbol type)
        {
            while (type.Kind == TypeKind.Array) type = type.Element!;
            return type.Kind == TypeKind.Record && !type.Record!.IsComplete;
        }

        private BoundExpression BindCondition(ExpressionSyntax syntax)
        {
            var condition = BindExpression(syntax);
            if (!condition.Type.IsError && !condition.Type.IsScalar)
            {
                _diagnostics.ReportConditionNotScalar(syntax.Span, condition.Type);
                return new BoundErrorExpression(condition.Span);
            }
            return condition;
        }
    }
}
