using System.Collections.Generic;
using System.Collections.Immutable;
using KDsl.Symbols;
using KDsl.Syntax;

namespace KDsl.Binding
{
    /// <summary>Types written in the source: C's specifier combinations (unsigned long, short int, ...) and the kernel's names.</summary>
    public sealed partial class Binder
    {
        private readonly Dictionary<string, TypeSymbol> _typedefs = new Dictionary<string, TypeSymbol>();
        private readonly Dictionary<string, TypeSymbol> _enums = new Dictionary<string, TypeSymbol>();

        /// <summary>typedef TYPE NAME...; each name stands for its declarator's type. Redefining one to the same type is allowed (C11).</summary>
        private void BindTypedef(TypedefDeclarationSyntax syntax)
        {
            var baseType = BindType(syntax.Declaration.Type, 0);
            foreach (var declarator in syntax.Declaration.Declarators)
            {
                if (declarator.Identifier.IsMissing) continue;
                if (declarator.Initializer != null) _diagnostics.ReportNotSupported(declarator.Initializer.Span, "an initializer in a typedef");
                var type = DeclaratorType(baseType, declarator);
                string name = declarator.Identifier.Text;
                if (_typedefs.TryGetValue(name, out var previous) && !previous.Equals(type))
                    _diagnostics.ReportRedeclaration(declarator.Identifier.Span, name);
                else _typedefs[name] = type;
            }
        }

        /// <summary>
        /// enum [NAME] { A, B = 4, C }: each enumerator an int constant, one more than the previous unless given (C11 6.7.2.2).
        /// The enum type is GCC's: unsigned int when no enumerator is negative, else int.
        /// </summary>
        private TypeSymbol BindEnumSpecifier(EnumSpecifierSyntax syntax)
        {
            string tag = syntax.Name is { IsMissing: false } name ? name.Text : "";
            if (syntax.OpenBrace is null)
            {
                if (_enums.TryGetValue(tag, out var known)) return known;
                _diagnostics.ReportUndefinedRecordUse(syntax.Span, "enum " + tag);
                return TypeSymbol.Error;
            }
            long next = 0;
            bool negative = false;
            foreach (var enumerator in syntax.Enumerators)
            {
                if (enumerator.Value != null)
                {
                    var value = BindExpression(enumerator.Value);
                    if (value is BoundLiteral { Type.IsInteger: true } literal) next = literal.Value;
                    else if (!value.Type.IsError) _diagnostics.ReportConstantExpected(enumerator.Value.Span);
                }
                negative |= next < 0;
                var type = next >= int.MinValue && next <= int.MaxValue ? TypeSymbol.Int : TypeSymbol.Long;
                var symbol = new ConstantSymbol(enumerator.Identifier.Text, next, type, enumerator.Identifier.Span);
                if (!enumerator.Identifier.IsMissing && !_global.TryDeclare(symbol.Name, symbol))
                    _diagnostics.ReportRedeclaration(enumerator.Identifier.Span, symbol.Name);
                next = unchecked(next + 1);
            }
            var enumType = negative ? TypeSymbol.Int : TypeSymbol.UInt;
            if (tag.Length > 0)
            {
                if (_enums.ContainsKey(tag) || _records.ContainsKey(tag)) _diagnostics.ReportRecordRedefinition(syntax.Name!.Span, "enum " + tag);
                else _enums[tag] = enumType;
            }
            return enumType;
        }

        /// <summary>offsetof(TYPE, a.b): the byte offset of the member, a long constant like sizeof.</summary>
        private BoundExpression BindOffsetof(OffsetofExpressionSyntax syntax)
        {
            var type = BindType(syntax.Type);
            if (type.IsError) return new BoundErrorExpression(syntax.Span);
            long offset = 0;
            foreach (var member in syntax.Members)
            {
                if (member.IsMissing) return new BoundErrorExpression(syntax.Span);
                if (type.Kind != TypeKind.Record)
                {
                    _diagnostics.ReportMemberOfNonRecord(member.Span, member.Text);
                    return new BoundErrorExpression(syntax.Span);
                }
                if (!type.Record!.IsComplete)
                {
                    _diagnostics.ReportUndefinedRecordUse(syntax.Type.Span, type.Record.ToString());
                    return new BoundErrorExpression(syntax.Span);
                }
                var field = type.Record.Find(member.Text);
                if (field is null)
                {
                    _diagnostics.ReportNoSuchMember(member.Span, type.Record.ToString(), member.Text);
                    return new BoundErrorExpression(syntax.Span);
                }
                offset += field.Offset;
                type = field.Type;
            }
            return new BoundLiteral(offset, TypeSymbol.Long, syntax.Span);
        }
        private TypeSymbol BindType(TypeClauseSyntax syntax) => BindType(syntax, syntax.Stars.Length);

        /// <summary>
        /// `R (*name)(params)`: a pointer (one per star inside the parentheses) to the function type returning
        /// <paramref name="returnType"/> with the parameters' types. A function returns a scalar or void, as KDsl's own do.
        /// </summary>
        private TypeSymbol FunctionPointerType(TypeSymbol returnType, FunctionPointerSyntax syntax)
        {
            if (returnType.IsAggregate)
            {
                _diagnostics.ReportNotSupported(syntax.Span, "a function returning a struct, union or array by value (return a pointer)");
                return TypeSymbol.Error;
            }
            var parameters = ImmutableArray.CreateBuilder<TypeSymbol>(syntax.Parameters.Length);
            foreach (var p in syntax.Parameters)
            {
                var type = ParameterType(p);
                if (type.IsError) return type;
                parameters.Add(type);
            }
            var result = TypeSymbol.FunctionOf(returnType, parameters.MoveToImmutable());
            for (int i = 0; i < syntax.Stars.Length; i++) result = TypeSymbol.PointerTo(result);
            return result;
        }

        /// <summary>A parameter's type: a scalar (an integer, a pointer, a function pointer); void and a struct by value are reported.</summary>
        private TypeSymbol ParameterType(ParameterSyntax p)
        {
            var type = BindType(p.Type);
            if (type.IsError) return type;
            if (p.FunctionPointer is not null) return FunctionPointerType(type, p.FunctionPointer);
            if (type.Kind == TypeKind.Void)
            {
                _diagnostics.ReportInvalidParameterType(p.Type.Span, p.Identifier.Text);
                return TypeSymbol.Error;
            }
            if (type.Kind == TypeKind.Record)
            {
                _diagnostics.ReportNotSupported(p.Type.Span, "passing a struct or union by value (pass a pointer)");
                return TypeSymbol.Error;
            }
            return type;
        }

        private TypeSymbol BindType(TypeClauseSyntax syntax, int stars)
        {
            var type = BindSpecifiers(syntax);
            for (int i = 0; i < stars && !type.IsError; i++) type = TypeSymbol.PointerTo(type);
            if (syntax.FunctionPointer is { } functionPointer && stars == syntax.Stars.Length && !type.IsError)
                type = FunctionPointerType(type, functionPointer);
            return type;
        }

        /// <summary>Whether the type's specifiers include `const` (the declared object is read-only).</summary>
        private static bool IsConst(TypeClauseSyntax syntax) => HasQualifier(syntax, SyntaxKind.ConstKeyword);

        private static bool HasQualifier(TypeClauseSyntax syntax, SyntaxKind qualifier)
        {
            foreach (var token in syntax.Specifiers)
                if (token.Kind == qualifier) return true;
            return false;
        }

        /// <summary>
        /// The type the specifiers name, by C11 6.7.2's list of valid combinations (in any order): void; char, signed char,
        /// unsigned char; short [int]; int, signed, unsigned; long [int]; long long [int], each with signed or unsigned
        /// where C allows it; or one type name. `long long` is `long` (both 64 bits on x86-64). Invalid combinations
        /// are reported with GCC's words and bind as the error type, so nothing that uses them is reported again.
        /// </summary>
        private TypeSymbol BindSpecifiers(TypeClauseSyntax syntax)
        {
            int voids = 0, chars = 0, shorts = 0, ints = 0, longs = 0, signeds = 0, unsigneds = 0;
            SyntaxToken? name = null;
            foreach (var token in syntax.Specifiers)
            {
                switch (token.Kind)
                {
                    case SyntaxKind.VoidKeyword: voids++; break;
                    case SyntaxKind.CharKeyword: chars++; break;
                    case SyntaxKind.ShortKeyword: shorts++; break;
                    case SyntaxKind.IntKeyword: ints++; break;
                    case SyntaxKind.LongKeyword: longs++; break;
                    case SyntaxKind.SignedKeyword: signeds++; break;
                    case SyntaxKind.UnsignedKeyword: unsigneds++; break;
                    case SyntaxKind.IdentifierToken: name = token; break;
                }
            }
            bool tagged = syntax.Record is not null || syntax.Enum is not null;
            int words = voids + chars + shorts + ints + longs + signeds + unsigneds + (name is null ? 0 : 1) + (tagged ? 1 : 0);
            if (words == 0) return TypeSymbol.Int; // a missing type: reported by the parser
            if (tagged)
            {
                // bound even when misused, so its members are checked once
                var record = syntax.Record is not null ? BindRecordSpecifier(syntax.Record) : BindEnumSpecifier(syntax.Enum!);
                if (words == 1) return record;
                _diagnostics.ReportInvalidTypeSpecifiers(syntax.SpecifierSpan, "two or more data types in declaration specifiers");
                return TypeSymbol.Error;
            }

            string? problem = null;
            if (name is not null)
            {
                if (words > 1) problem = "two or more data types in declaration specifiers";
                else if (_typedefs.TryGetValue(name.Text, out var defined)) return defined;
                else if (KernelTypeNames.TryGet(name.Text, out var named)) return named;
            }
            else if (signeds + unsigneds > 1) problem = signeds > 0 && unsigneds > 0
                ? "both 'signed' and 'unsigned' in declaration specifiers" : "duplicate signedness in declaration specifiers";
            else if (voids > 0) problem = words > 1 ? "two or more data types in declaration specifiers" : null;
            else if (chars > 0) problem = chars + shorts + ints + longs > 1 ? "two or more data types in declaration specifiers" : null;
            else if (shorts > 0 && longs > 0) problem = "both 'long' and 'short' in declaration specifiers";
            else if (shorts > 1 || ints > 1) problem = "two or more data types in declaration specifiers";
            else if (longs > 2) problem = "'long long long' is too long for GCC";

            if (problem is not null)
            {
                _diagnostics.ReportInvalidTypeSpecifiers(syntax.SpecifierSpan, problem);
                return TypeSymbol.Error;
            }
            if (voids > 0) return TypeSymbol.Void;
            bool isUnsigned = unsigneds > 0;
            if (chars > 0) return isUnsigned ? TypeSymbol.UChar : TypeSymbol.Char; // char and signed char are alike here
            if (shorts > 0) return isUnsigned ? TypeSymbol.UShort : TypeSymbol.Short;
            if (longs > 0) return isUnsigned ? TypeSymbol.ULong : TypeSymbol.Long;
            return isUnsigned ? TypeSymbol.UInt : TypeSymbol.Int;
        }
    }
}
