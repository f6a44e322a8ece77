using System.Collections.Generic;
using System.Collections.Immutable;
using KDsl.Diagnostics;
using KDsl.Symbols;
using KDsl.Text;

namespace KDsl.Syntax
{
    /// <summary>The parser's types: type clauses, specifiers, struct/union/enum, typedef names, pointers and function-pointer declarators.</summary>
    public sealed partial class Parser
    {
        private TypeClauseSyntax ParseTypeClause()
        {
            var (specifiers, tag) = ParseSpecifiers();
            if (specifiers.IsEmpty)
            {
                if (CanReport()) _diagnostics.ReportExpectedType(Current.Span, SyntaxFacts.Describe(Current));
                specifiers = ImmutableArray.Create(Missing(SyntaxKind.IntKeyword));
            }
            var stars = ParseStars();
            return new TypeClauseSyntax(specifiers, stars, tag, IsAbstractFunctionPointerStart() ? ParseFunctionPointer(named: false, out _) : null);
        }

        /// <summary>
        /// A type's words: qualifiers, basic-type keywords, or one type name (u32, size_t, a typedef). A name counts only
        /// before any other type word, so `unsigned u32` declares a variable u32, as in C.
        /// </summary>
        private (ImmutableArray<SyntaxToken> Specifiers, SyntaxNode? Tag) ParseSpecifiers()
        {
            var specifiers = ImmutableArray.CreateBuilder<SyntaxToken>();
            SyntaxNode? record = null;
            bool sawType = false;
            while (true)
            {
                if (SyntaxFacts.IsTypeQualifier(Current.Kind)) specifiers.Add(NextToken());
                else if (SyntaxFacts.IsRecordKeyword(Current.Kind) && record is null)
                {
                    specifiers.Add(Current);
                    record = ParseRecordSpecifier();
                    sawType = true;
                }
                else if (Current.Kind == SyntaxKind.EnumKeyword && record is null)
                {
                    specifiers.Add(Current);
                    record = ParseEnumSpecifier();
                    sawType = true;
                }
                else if (SyntaxFacts.IsTypeKeyword(Current.Kind))
                {
                    specifiers.Add(NextToken());
                    sawType = true;
                }
                else if (!sawType && IsTypeName(Current))
                {
                    specifiers.Add(NextToken());
                    sawType = true;
                }
                else break;
            }
            return (specifiers.ToImmutable(), record);
        }

        /// <summary>struct [NAME] [{ member declarations }]: each member is a declaration (`int a, *b; char buf[16];`).</summary>
        private RecordSpecifierSyntax ParseRecordSpecifier()
        {
            var keyword = NextToken();
            SyntaxToken? name = Current.Kind == SyntaxKind.IdentifierToken ? NextToken() : null;
            if (Current.Kind != SyntaxKind.OpenBraceToken)
            {
                if (name is null) name = MatchToken(SyntaxKind.IdentifierToken);
                return new RecordSpecifierSyntax(keyword, name, null, ImmutableArray<DeclarationStatementSyntax>.Empty, null);
            }
            if (!Enter()) return new RecordSpecifierSyntax(keyword, name, null, ImmutableArray<DeclarationStatementSyntax>.Empty, null);
            try
            {
                var open = NextToken();
                var members = ImmutableArray.CreateBuilder<DeclarationStatementSyntax>();
                while (Current.Kind != SyntaxKind.CloseBraceToken && Current.Kind != SyntaxKind.EndOfFileToken && !AtMemberKeyword())
                {
                    int start = _read;
                    if (IsTypeStart(0)) members.Add(ParseDeclaration(inForHeader: false));
                    else ReportUnexpected("a member declaration");
                    if (_read == start) NextToken();
                }
                return new RecordSpecifierSyntax(keyword, name, open, members.ToImmutable(), MatchToken(SyntaxKind.CloseBraceToken));
            }
            finally
            {
                Leave();
            }
        }

        /// <summary>enum [NAME] [{ A, B = 4, C, }]: a trailing comma is allowed, as in C99.</summary>
        private EnumSpecifierSyntax ParseEnumSpecifier()
        {
            var keyword = NextToken();
            SyntaxToken? name = Current.Kind == SyntaxKind.IdentifierToken ? NextToken() : null;
            if (Current.Kind != SyntaxKind.OpenBraceToken)
            {
                if (name is null) name = MatchToken(SyntaxKind.IdentifierToken);
                return new EnumSpecifierSyntax(keyword, name, null, ImmutableArray<EnumeratorSyntax>.Empty, null);
            }
            var open = NextToken();
            var enumerators = ImmutableArray.CreateBuilder<EnumeratorSyntax>();
            while (Current.Kind == SyntaxKind.IdentifierToken)
            {
                var identifier = NextToken();
                ExpressionSyntax? value = null;
                if (Current.Kind == SyntaxKind.EqualsToken)
                {
                    NextToken();
                    value = ParseAssignmentExpression();
                }
                enumerators.Add(new EnumeratorSyntax(identifier, value));
                if (Current.Kind != SyntaxKind.CommaToken) break;
                NextToken();
            }
            return new EnumSpecifierSyntax(keyword, name, open, enumerators.ToImmutable(), MatchToken(SyntaxKind.CloseBraceToken));
        }

        /// <summary>typedef TYPE declarators; — the names are types from here on, for the parser as for C.</summary>
        private TypedefDeclarationSyntax ParseTypedef()
        {
            var keyword = NextToken();
            var declaration = ParseDeclaration(inForHeader: false);
            foreach (var declarator in declaration.Declarators)
                if (!declarator.Identifier.IsMissing) _typedefNames.Add(declarator.Identifier.Text);
            return new TypedefDeclarationSyntax(keyword, declaration);
        }

        /// <summary>Stars of a pointer declarator; a qualifier after a star (char *const p) is accepted and not kept.</summary>
        private ImmutableArray<SyntaxToken> ParseStars()
        {
            var stars = ImmutableArray.CreateBuilder<SyntaxToken>();
            while (Current.Kind == SyntaxKind.StarToken)
            {
                stars.Add(NextToken());
                while (SyntaxFacts.IsTypeQualifier(Current.Kind)) NextToken();
            }
            return stars.ToImmutable();
        }

        private readonly HashSet<string> _typedefNames = new HashSet<string>();

        /// <summary>An identifier that names a type: the kernel's integer names (<see cref="KernelTypeNames"/>) or a typedef above.</summary>
        private bool IsTypeName(SyntaxToken token) =>
            token.Kind == SyntaxKind.IdentifierToken && (KernelTypeNames.Contains(token.Text) || _typedefNames.Contains(token.Text));

        /// <summary>
        /// Whether a type starts at the token <paramref name="offset"/> ahead: a basic-type keyword, a type name, or a
        /// qualifier before one (`const NAME = 1;` stays KDsl's constant declaration).
        /// </summary>
        private bool IsTypeStart(int offset)
        {
            var token = Peek(offset);
            if (SyntaxFacts.IsTypeKeyword(token.Kind) || SyntaxFacts.IsTagKeyword(token.Kind) || IsTypeName(token)) return true;
            if (SyntaxFacts.IsTypeQualifier(token.Kind) && Peek(offset + 1).Kind != SyntaxKind.EndOfFileToken) return IsTypeStart(offset + 1);
            return false;
        }

        /// <summary>`(*` after a declaration's type: a function-pointer declarator.</summary>
        private bool IsFunctionPointerStart() => Current.Kind == SyntaxKind.OpenParenToken && Peek(1).Kind == SyntaxKind.StarToken;

        /// <summary>`(*)(`, `(**)(`: a function-pointer type without a name (a cast's, sizeof's, an unnamed parameter's).</summary>
        private bool IsAbstractFunctionPointerStart()
        {
            if (!IsFunctionPointerStart()) return false;
            int offset = 1;
            while (Peek(offset).Kind == SyntaxKind.StarToken || SyntaxFacts.IsTypeQualifier(Peek(offset).Kind)) offset++;
            return Peek(offset).Kind == SyntaxKind.CloseParenToken && Peek(offset + 1).Kind == SyntaxKind.OpenParenToken;
        }

        /// <summary>
        /// `(*name)(params)` (or `(*)(params)` when not <paramref name="named"/>; a name is then optional, as in a
        /// prototype), the current token being its '('.
        /// </summary>
        private FunctionPointerSyntax ParseFunctionPointer(bool named, out SyntaxToken name)
        {
            var open = NextToken();
            var stars = ParseStars();
            name = Current.Kind == SyntaxKind.IdentifierToken || named ? MatchToken(SyntaxKind.IdentifierToken) : Missing(SyntaxKind.IdentifierToken);
            var close = MatchToken(SyntaxKind.CloseParenToken);
            if (!Enter()) return new FunctionPointerSyntax(open, stars, close, Missing(SyntaxKind.OpenParenToken), ImmutableArray<ParameterSyntax>.Empty, Missing(SyntaxKind.CloseParenToken));
            try
            {
                var (openParameters, parameters, closeParameters) = ParseParameterList(namesOptional: true);
                return new FunctionPointerSyntax(open, stars, close, openParameters, parameters, closeParameters);
            }
            finally
            {
                Leave();
            }
        }
    }
}
