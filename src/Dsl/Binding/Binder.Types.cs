using KDsl.Symbols;
using KDsl.Syntax;

namespace KDsl.Binding
{
    /// <summary>Types written in the source: C's specifier combinations (unsigned long, short int, ...) and the kernel's names.</summary>
    public sealed partial class Binder
    {
        private TypeSymbol BindType(TypeClauseSyntax syntax) => BindType(syntax, syntax.Stars.Length);

        private TypeSymbol BindType(TypeClauseSyntax syntax, int stars)
        {
            var type = BindSpecifiers(syntax);
            for (int i = 0; i < stars && !type.IsError; i++) type = TypeSymbol.PointerTo(type);
            return type;
        }

        /// <summary>Whether the type's specifiers include `const` (the declared object is read-only).</summary>
        private static bool IsConst(TypeClauseSyntax syntax)
        {
            foreach (var token in syntax.Specifiers)
                if (token.Kind == SyntaxKind.ConstKeyword) return true;
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
            int words = voids + chars + shorts + ints + longs + signeds + unsigneds + (name is null ? 0 : 1) + (syntax.Record is null ? 0 : 1);
            if (words == 0) return TypeSymbol.Int; // a missing type: reported by the parser
            if (syntax.Record is not null)
            {
                var record = BindRecordSpecifier(syntax.Record); // bound even when misused, so its members are checked once
                if (words == 1) return record;
                _diagnostics.ReportInvalidTypeSpecifiers(syntax.SpecifierSpan, "two or more data types in declaration specifiers");
                return TypeSymbol.Error;
            }

            string? problem = null;
            if (name is not null)
            {
                if (words > 1) problem = "two or more data types in declaration specifiers";
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
