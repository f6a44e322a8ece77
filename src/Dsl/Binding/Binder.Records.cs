using System.Collections.Generic;
using KDsl.Symbols;
using KDsl.Syntax;
using KDsl.Text;

namespace KDsl.Binding
{
    /// <summary>
    /// Structs and unions: their definitions (tags share one namespace, as in C), member access, and the rule that a
    /// record is used through its members or its address: it is never a value in a register.
    /// </summary>
    public sealed partial class Binder
    {
        private readonly Dictionary<string, RecordSymbol> _records = KernelRecords.Create(); // the kernel's own, as its headers give them

        /// <summary>The record a specifier names or defines; a reference to an unknown tag declares it incomplete (struct file *f).</summary>
        private TypeSymbol BindRecordSpecifier(RecordSpecifierSyntax syntax)
        {
            string tag = syntax.Name is { IsMissing: false } name ? name.Text : "";
            RecordSymbol? record = null;
            if (tag.Length > 0 && _enums.ContainsKey(tag))
            {
                _diagnostics.ReportWrongKindOfTag(syntax.Name!.Span, tag);
                return TypeSymbol.Error;
            }
            if (tag.Length > 0 && _records.TryGetValue(tag, out var known))
            {
                if (known.IsUnion != syntax.IsUnion)
                {
                    _diagnostics.ReportWrongKindOfTag(syntax.Name!.Span, tag);
                    return TypeSymbol.Error;
                }
                record = known;
            }
            if (!syntax.IsDefinition)
            {
                if (record is null)
                {
                    record = new RecordSymbol(tag, syntax.IsUnion);
                    if (tag.Length > 0) _records[tag] = record;
                }
                return TypeSymbol.RecordOf(record);
            }
            if (record is { IsComplete: true })
            {
                _diagnostics.ReportRecordRedefinition(syntax.Name!.Span, record.ToString());
                return TypeSymbol.RecordOf(record);
            }
            if (record is null)
            {
                record = new RecordSymbol(tag, syntax.IsUnion);
                if (tag.Length > 0) _records[tag] = record; // before the members: a member may point to its own record
            }
            record.Complete(BindRecordMembers(syntax));
            return TypeSymbol.RecordOf(record);
        }

        private List<(string, TypeSymbol, TextSpan)> BindRecordMembers(RecordSpecifierSyntax syntax)
        {
            var members = new List<(string, TypeSymbol, TextSpan)>();
            var names = new HashSet<string>();
            foreach (var declaration in syntax.Members)
            {
                var baseType = BindType(declaration.Type, 0);
                foreach (var declarator in declaration.Declarators)
                {
                    var type = DeclaratorType(baseType, declarator);
                    var span = declarator.Identifier.Span;
                    string name = declarator.Identifier.Text;
                    if (declarator.Initializer != null) _diagnostics.ReportNotSupported(declarator.Initializer.Span, "a member initializer");
                    if (declarator.Identifier.IsMissing || type.IsError) continue;
                    if (type.Kind == TypeKind.Void || (type.Kind == TypeKind.Record && !type.Record!.IsComplete))
                    {
                        _diagnostics.ReportIncompleteField(span, name);
                        continue;
                    }
                    if (!names.Add(name))
                    {
                        _diagnostics.ReportDuplicateMember(span, name);
                        continue;
                    }
                    members.Add((name, type, span));
                }
            }
            return members;
        }

        /// <summary>
        /// A declarator's type: the base type, its stars, then its dimensions (`int m[3][4]` is an array of 3 arrays of 4
        /// ints). `[]` takes its length from the initializer (`char s[] = "abc"`: 4).
        /// </summary>
        private TypeSymbol DeclaratorType(TypeSymbol baseType, DeclaratorSyntax declarator)
        {
            var type = baseType;
            if (type.IsError) return type;
            for (int i = 0; i < declarator.Stars.Length; i++) type = TypeSymbol.PointerTo(type);
            if (declarator.FunctionPointer is { } functionPointer) type = FunctionPointerType(type, functionPointer);
            if (!declarator.IsArray || type.IsError) return type;
            if (type.Kind == TypeKind.Void) return type; // reported by the caller
            for (int i = declarator.InnerSizes.Length - 1; i >= 0; i--)
            {
                long inner = BindArraySize(declarator.InnerSizes[i], type);
                type = TypeSymbol.ArrayOf(type, inner > 0 ? inner : 1);
            }
            long length;
            if (declarator.Size is not null) length = BindArraySize(declarator.Size, type);
            else
            {
                length = declarator.Initializer is null ? -1 : InferredLength(type, declarator.Initializer);
                if (length <= 0)
                    _diagnostics.Report(Diagnostics.DiagnosticDescriptors.ArraySizeNotConstant, declarator.Identifier.Span,
                        $"array size missing in '{declarator.Identifier.Text}'");
            }
            return TypeSymbol.ArrayOf(type, length > 0 ? length : 1);
        }

        /// <summary>s.member (s a struct lvalue) or p-&gt;member (p a pointer to one): the member as an lvalue.</summary>
        private BoundExpression BindMemberAccess(MemberAccessExpressionSyntax syntax)
        {
            bool arrow = syntax.OperatorToken.Kind == SyntaxKind.ArrowToken;
            var operand = arrow ? BindExpression(syntax.Expression) : BindCore(syntax.Expression);
            if (operand.Type.IsError || syntax.Name.IsMissing) return new BoundErrorExpression(syntax.Span);
            var recordType = arrow ? (operand.Type.IsPointer ? operand.Type.Element! : null) : operand.Type;
            if (recordType is null || recordType.Kind != TypeKind.Record)
            {
                if (arrow) _diagnostics.ReportInvalidArrow(syntax.OperatorToken.Span, operand.Type);
                else _diagnostics.ReportMemberOfNonRecord(syntax.Name.Span, syntax.Name.Text);
                return new BoundErrorExpression(syntax.Span);
            }
            var record = recordType.Record!;
            if (!record.IsComplete)
            {
                _diagnostics.ReportUndefinedRecordUse(syntax.Expression.Span, record.ToString());
                return new BoundErrorExpression(syntax.Span);
            }
            var field = record.Find(syntax.Name.Text);
            if (field is null)
            {
                _diagnostics.ReportNoSuchMember(syntax.Name.Span, record.ToString(), syntax.Name.Text);
                return new BoundErrorExpression(syntax.Span);
            }
            var address = arrow ? operand : RecordAddress(operand);
            return new BoundDereference(FieldAddress(address, field, syntax.Span), field.Type, syntax.Span);
        }

        /// <summary>Where a record lvalue lies: a local's address, or the pointer a dereference reads through.</summary>
        private static BoundExpression RecordAddress(BoundExpression record) => record switch
        {
            BoundDereference d => d.Pointer,
            _ => new BoundAddressOf(record, TypeSymbol.PointerTo(record.Type), record.Span),
        };

        /// <summary>
        /// The member's address: the record's plus the member's byte offset, one addition even for s.a.b (offsets fold),
        /// so a local's member is one [rsp + N] operand as GCC addresses it.
        /// </summary>
        private static BoundExpression FieldAddress(BoundExpression address, FieldSymbol field, TextSpan span)
        {
            var pointer = TypeSymbol.PointerTo(field.Type);
            long offset = field.Offset;
            if (address is BoundBinary { Operator: BoundBinaryOperator.Add, Right: BoundLiteral inner } sum && sum.Type.IsPointer)
            {
                offset += inner.Value;
                address = sum.Left;
            }
            var retyped = address switch
            {
                BoundAddressOf a => new BoundAddressOf(a.Operand, pointer, a.Span),
                _ => address.Type.Equals(pointer) ? address : new BoundConversion(address, pointer, address.Span),
            };
            if (offset == 0) return retyped;
            return new BoundBinary(retyped, BoundBinaryOperator.Add, new BoundLiteral(offset, TypeSymbol.Long, span), false, pointer, span);
        }
    }
}
