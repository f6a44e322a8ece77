namespace KDsl.Syntax
{
    public static class SyntaxFacts
    {
        public static SyntaxKind GetKeywordKind(string text) => text switch
        {
            "module" => SyntaxKind.ModuleKeyword,
            "config" => SyntaxKind.ConfigKeyword,
            "const" => SyntaxKind.ConstKeyword,
            "init" => SyntaxKind.InitKeyword,
            "exit" => SyntaxKind.ExitKeyword,
            "expect" => SyntaxKind.ExpectKeyword,
            "void" => SyntaxKind.VoidKeyword,
            "char" => SyntaxKind.CharKeyword,
            "int" => SyntaxKind.IntKeyword,
            "long" => SyntaxKind.LongKeyword,
            "short" => SyntaxKind.ShortKeyword,
            "signed" => SyntaxKind.SignedKeyword,
            "unsigned" => SyntaxKind.UnsignedKeyword,
            "volatile" => SyntaxKind.VolatileKeyword,
            "struct" => SyntaxKind.StructKeyword,
            "union" => SyntaxKind.UnionKeyword,
            "enum" => SyntaxKind.EnumKeyword,
            "typedef" => SyntaxKind.TypedefKeyword,
            "if" => SyntaxKind.IfKeyword,
            "else" => SyntaxKind.ElseKeyword,
            "while" => SyntaxKind.WhileKeyword,
            "do" => SyntaxKind.DoKeyword,
            "for" => SyntaxKind.ForKeyword,
            "break" => SyntaxKind.BreakKeyword,
            "continue" => SyntaxKind.ContinueKeyword,
            "return" => SyntaxKind.ReturnKeyword,
            "sizeof" => SyntaxKind.SizeofKeyword,
            _ => SyntaxKind.IdentifierToken,
        };

        /// <summary>A keyword that names (part of) a basic type: void, char, short, int, long, signed, unsigned.</summary>
        public static bool IsTypeKeyword(SyntaxKind kind) =>
            kind is SyntaxKind.VoidKeyword or SyntaxKind.CharKeyword or SyntaxKind.IntKeyword or SyntaxKind.LongKeyword
                or SyntaxKind.ShortKeyword or SyntaxKind.SignedKeyword or SyntaxKind.UnsignedKeyword;

        public static bool IsRecordKeyword(SyntaxKind kind) => kind is SyntaxKind.StructKeyword or SyntaxKind.UnionKeyword;

        /// <summary>struct, union or enum: a keyword that starts a tagged type.</summary>
        public static bool IsTagKeyword(SyntaxKind kind) => IsRecordKeyword(kind) || kind == SyntaxKind.EnumKeyword;

        /// <summary>A type qualifier: accepted in a type, and `const` makes the declared variable read-only.</summary>
        public static bool IsTypeQualifier(SyntaxKind kind) => kind is SyntaxKind.ConstKeyword or SyntaxKind.VolatileKeyword;

        /// <summary>
        /// Storage-class and function-specifier words kernel C puts before a declaration: `static` (internal linkage; on a
        /// local, static storage), `inline` and the kernel's spellings. Contextual: they count only before a type.
        /// </summary>
        public static bool IsStorageWord(SyntaxToken token) =>
            token.Kind == SyntaxKind.IdentifierToken && token.Text is "static" or "inline" or "__inline" or "__inline__" or
                "__always_inline" or "noinline" or "__init" or "__exit" or "__initdata" or "__read_mostly";

        /// <summary>
        /// Words kernel C writes in types and declarations that mean nothing to the compiler, dropped by the lexer as the
        /// preprocessor drops them: sparse's address-space and cast annotations, which include/linux/compiler_types.h
        /// defines empty outside __CHECKER__ (`char __user *buf`, `(__force u32)x`, `void __iomem *regs`, `__rcu`), and
        /// the attributes that change no code (__must_check: warn_unused_result; __maybe_unused, __always_unused: unused;
        /// the sections and noinline below).
        /// </summary>
        public static bool IsEmptyAnnotation(string text) => text.Length > 4 && text is
            "__user" or "__kernel" or "__iomem" or "__force" or "__nocast" or "__safe" or "__percpu" or "__rcu" or "__private" or
            "__bitwise" or "__must_check" or "__maybe_unused" or "__always_unused" or
            // section and inlining attributes, wherever kernel C puts them (`static int __init f(void)`): KDsl has one
            // text section and never inlines
            "__init" or "__exit" or "__initdata" or "__exitdata" or "__initconst" or "__read_mostly" or "__cold" or "noinline";

        /// <summary>Whether one of <paramref name="tokens"/> is the word <paramref name="text"/>.</summary>
        public static bool Has(System.Collections.Immutable.ImmutableArray<SyntaxToken> tokens, string text)
        {
            foreach (var t in tokens)
                if (t.Text == text) return true;
            return false;
        }

        public static bool IsKeyword(SyntaxKind kind) => kind >= SyntaxKind.ModuleKeyword && kind <= SyntaxKind.SizeofKeyword;

        /// <summary>Precedence of a binary operator (higher binds tighter), 0 if the token is not one.</summary>
        public static int GetBinaryPrecedence(SyntaxKind kind) => kind switch
        {
            SyntaxKind.StarToken or SyntaxKind.SlashToken or SyntaxKind.PercentToken => 10,
            SyntaxKind.PlusToken or SyntaxKind.MinusToken => 9,
            SyntaxKind.LessLessToken or SyntaxKind.GreaterGreaterToken => 8,
            SyntaxKind.LessToken or SyntaxKind.LessEqualsToken or SyntaxKind.GreaterToken or SyntaxKind.GreaterEqualsToken => 7,
            SyntaxKind.EqualsEqualsToken or SyntaxKind.BangEqualsToken => 6,
            SyntaxKind.AmpersandToken => 5,
            SyntaxKind.CaretToken => 4,
            SyntaxKind.PipeToken => 3,
            SyntaxKind.AmpersandAmpersandToken => 2,
            SyntaxKind.PipePipeToken => 1,
            _ => 0,
        };

        public static bool IsAssignmentOperator(SyntaxKind kind) =>
            kind is SyntaxKind.EqualsToken or SyntaxKind.PlusEqualsToken or SyntaxKind.MinusEqualsToken or SyntaxKind.StarEqualsToken
                or SyntaxKind.SlashEqualsToken or SyntaxKind.PercentEqualsToken or SyntaxKind.AmpersandEqualsToken
                or SyntaxKind.PipeEqualsToken or SyntaxKind.CaretEqualsToken or SyntaxKind.LessLessEqualsToken
                or SyntaxKind.GreaterGreaterEqualsToken;

        /// <summary>The fixed text of a punctuation or keyword kind, null for identifiers, literals and nodes.</summary>
        public static string? GetText(SyntaxKind kind) => kind switch
        {
            SyntaxKind.OpenParenToken => "(",
            SyntaxKind.CloseParenToken => ")",
            SyntaxKind.OpenBraceToken => "{",
            SyntaxKind.CloseBraceToken => "}",
            SyntaxKind.OpenBracketToken => "[",
            SyntaxKind.CloseBracketToken => "]",
            SyntaxKind.SemicolonToken => ";",
            SyntaxKind.CommaToken => ",",
            SyntaxKind.DotToken => ".",
            SyntaxKind.ArrowToken => "->",
            SyntaxKind.QuestionToken => "?",
            SyntaxKind.ColonToken => ":",
            SyntaxKind.PlusToken => "+",
            SyntaxKind.MinusToken => "-",
            SyntaxKind.StarToken => "*",
            SyntaxKind.SlashToken => "/",
            SyntaxKind.PercentToken => "%",
            SyntaxKind.AmpersandToken => "&",
            SyntaxKind.PipeToken => "|",
            SyntaxKind.CaretToken => "^",
            SyntaxKind.TildeToken => "~",
            SyntaxKind.BangToken => "!",
            SyntaxKind.LessToken => "<",
            SyntaxKind.GreaterToken => ">",
            SyntaxKind.LessLessToken => "<<",
            SyntaxKind.GreaterGreaterToken => ">>",
            SyntaxKind.LessEqualsToken => "<=",
            SyntaxKind.GreaterEqualsToken => ">=",
            SyntaxKind.EqualsEqualsToken => "==",
            SyntaxKind.BangEqualsToken => "!=",
            SyntaxKind.AmpersandAmpersandToken => "&&",
            SyntaxKind.PipePipeToken => "||",
            SyntaxKind.PlusPlusToken => "++",
            SyntaxKind.MinusMinusToken => "--",
            SyntaxKind.EqualsToken => "=",
            SyntaxKind.PlusEqualsToken => "+=",
            SyntaxKind.MinusEqualsToken => "-=",
            SyntaxKind.StarEqualsToken => "*=",
            SyntaxKind.SlashEqualsToken => "/=",
            SyntaxKind.PercentEqualsToken => "%=",
            SyntaxKind.AmpersandEqualsToken => "&=",
            SyntaxKind.PipeEqualsToken => "|=",
            SyntaxKind.CaretEqualsToken => "^=",
            SyntaxKind.LessLessEqualsToken => "<<=",
            SyntaxKind.GreaterGreaterEqualsToken => ">>=",
            SyntaxKind.ModuleKeyword => "module",
            SyntaxKind.ConfigKeyword => "config",
            SyntaxKind.ConstKeyword => "const",
            SyntaxKind.InitKeyword => "init",
            SyntaxKind.ExitKeyword => "exit",
            SyntaxKind.ExpectKeyword => "expect",
            SyntaxKind.VoidKeyword => "void",
            SyntaxKind.CharKeyword => "char",
            SyntaxKind.IntKeyword => "int",
            SyntaxKind.LongKeyword => "long",
            SyntaxKind.ShortKeyword => "short",
            SyntaxKind.SignedKeyword => "signed",
            SyntaxKind.UnsignedKeyword => "unsigned",
            SyntaxKind.VolatileKeyword => "volatile",
            SyntaxKind.StructKeyword => "struct",
            SyntaxKind.UnionKeyword => "union",
            SyntaxKind.EnumKeyword => "enum",
            SyntaxKind.TypedefKeyword => "typedef",
            SyntaxKind.IfKeyword => "if",
            SyntaxKind.ElseKeyword => "else",
            SyntaxKind.WhileKeyword => "while",
            SyntaxKind.DoKeyword => "do",
            SyntaxKind.ForKeyword => "for",
            SyntaxKind.BreakKeyword => "break",
            SyntaxKind.ContinueKeyword => "continue",
            SyntaxKind.ReturnKeyword => "return",
            SyntaxKind.SizeofKeyword => "sizeof",
            _ => null,
        };

        /// <summary>How an expected token kind reads in "expected X, found Y".</summary>
        public static string Describe(SyntaxKind kind) => kind switch
        {
            SyntaxKind.IdentifierToken => "an identifier",
            SyntaxKind.NumberToken => "a number",
            SyntaxKind.StringToken => "a string literal",
            SyntaxKind.CharacterToken => "a character literal",
            SyntaxKind.EndOfFileToken => "end of file",
            _ => GetText(kind) is string t ? "'" + t + "'" : kind.ToString(),
        };

        /// <summary>How an actual token reads in "expected X, found Y".</summary>
        public static string Describe(SyntaxToken token) => token.Kind switch
        {
            SyntaxKind.EndOfFileToken => "end of file",
            SyntaxKind.IdentifierToken => "identifier '" + token.Text + "'",
            SyntaxKind.NumberToken => "number '" + token.Text + "'",
            SyntaxKind.StringToken => "a string literal",
            SyntaxKind.CharacterToken => "a character literal",
            _ => IsKeyword(token.Kind) ? "keyword '" + token.Text + "'" : "'" + token.Text + "'",
        };
    }
}
