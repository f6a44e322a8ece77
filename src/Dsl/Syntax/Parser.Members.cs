using System.Collections.Generic;
using System.Collections.Immutable;
using KDsl.Diagnostics;
using KDsl.Symbols;
using KDsl.Text;

namespace KDsl.Syntax
{
    /// <summary>The parser's top level: module header, config, const, functions, init/exit/later, expect, scenarios.</summary>
    public sealed partial class Parser
    {
        // --- members -------------------------------------------------------------------------------------------------

        public CompilationUnitSyntax ParseCompilationUnit()
        {
            var members = ImmutableArray.CreateBuilder<MemberSyntax>();
            bool junkReported = false;
            while (Current.Kind != SyntaxKind.EndOfFileToken)
            {
                var member = ParseMember();
                if (member != null)
                {
                    members.Add(member);
                    junkReported = false;
                    continue;
                }
                if (!junkReported && CanReport())
                    _diagnostics.ReportExpectedDeclaration(Current.Span, SyntaxFacts.Describe(Current));
                junkReported = true;
                NextToken();
            }
            return new CompilationUnitSyntax(members.ToImmutable(), Current);
        }

        private MemberSyntax? ParseMember()
        {
            switch (Current.Kind)
            {
                case SyntaxKind.ModuleKeyword: return ParseModuleHeader();
                case SyntaxKind.ConfigKeyword: return ParseConfigBlock();
                case SyntaxKind.ConstKeyword when !IsTypeStart(0): return ParseConst();
                case SyntaxKind.InitKeyword: return new EntryBlockSyntax(SyntaxKind.InitBlock, NextToken(), ParseBlock());
                case SyntaxKind.ExitKeyword: return new EntryBlockSyntax(SyntaxKind.ExitBlock, NextToken(), ParseBlock());
                case SyntaxKind.ExpectKeyword: return ParseExpectBlock();
                default:
                    if (IsContextual("scenario") && Peek(1).Kind == SyntaxKind.IdentifierToken) return ParseScenario();
                    if (IsContextual("process") && Peek(1).Kind == SyntaxKind.IdentifierToken && Peek(2).Kind == SyntaxKind.OpenBraceToken)
                        return new ProcessBlockSyntax(NextToken(), NextToken(), ParseBlock());
                    if (IsContextual("later") && Peek(1).Kind == SyntaxKind.OpenBraceToken)
                        return new EntryBlockSyntax(SyntaxKind.LaterBlock, NextToken(), ParseBlock());
                    if (Current.Kind == SyntaxKind.TypedefKeyword) return ParseTypedef();
                    if (IsStorageStart(0) || IsTypeStart(0))
                    {
                        // `struct tag { ... };` defines a type; `struct tag *f(...)` begins a function; anything else
                        // declares variables (`static int count = 1, *p;`).
                        var storage = ParseStorage();
                        var type = ParseTypeClause();
                        if (type.FunctionPointer is { } unnamed) // `int (*)(int) x;`: the name belongs inside the parentheses
                            _diagnostics.ReportUnexpectedToken(unnamed.CloseParen.Span, "an identifier", "')'");
                        if (Current.Kind == SyntaxKind.SemicolonToken && type.Stars.IsEmpty && storage.IsEmpty && (type.Record ?? (SyntaxNode?)type.Enum) is not null)
                            return new TagDeclarationSyntax(type, NextToken());
                        if (Current.Kind == SyntaxKind.IdentifierToken && Peek(1).Kind == SyntaxKind.OpenParenToken)
                            return ParseFunction(type, storage);
                        var specifiers = new TypeClauseSyntax(type.Specifiers, ImmutableArray<SyntaxToken>.Empty, (SyntaxNode?)type.Record ?? type.Enum);
                        return new GlobalDeclarationSyntax(ParseDeclarators(specifiers, type.Stars, storage, inForHeader: false));
                    }
                    return null;
            }
        }

        /// <summary>scenario NAME { config { ... } expect { ... } } ('scenario' is contextual, not reserved).</summary>
        private ScenarioSyntax ParseScenario()
        {
            var keyword = NextToken();
            var name = NextToken();
            var open = MatchToken(SyntaxKind.OpenBraceToken);
            var members = ImmutableArray.CreateBuilder<MemberSyntax>();
            while (Current.Kind != SyntaxKind.CloseBraceToken && Current.Kind != SyntaxKind.EndOfFileToken)
            {
                if (Current.Kind == SyntaxKind.ConfigKeyword) members.Add(ParseConfigBlock());
                else if (Current.Kind == SyntaxKind.ExpectKeyword) members.Add(ParseExpectBlock());
                else if (IsMemberKeyword(Current.Kind) || IsTypeStart(0)) break; // a missing '}'
                else
                {
                    ReportUnexpected("'config', 'expect' or '}'");
                    NextToken();
                }
            }
            return new ScenarioSyntax(keyword, name, open, members.ToImmutable(), MatchToken(SyntaxKind.CloseBraceToken));
        }

        private ModuleHeaderSyntax ParseModuleHeader()
        {
            var keyword = NextToken();
            var name = MatchToken(SyntaxKind.IdentifierToken);
            var description = ParseRequiredString();
            return new ModuleHeaderSyntax(keyword, name, description, ExpectSemicolon());
        }

        private StringExpressionSyntax ParseRequiredString()
        {
            if (Current.Kind != SyntaxKind.StringToken)
                return new StringExpressionSyntax(ImmutableArray.Create(MatchToken(SyntaxKind.StringToken)));
            var tokens = ImmutableArray.CreateBuilder<SyntaxToken>();
            while (Current.Kind == SyntaxKind.StringToken) tokens.Add(NextToken());
            return new StringExpressionSyntax(tokens.ToImmutable());
        }

        private ConfigBlockSyntax ParseConfigBlock()
        {
            var keyword = NextToken();
            var open = MatchToken(SyntaxKind.OpenBraceToken);
            var entries = ImmutableArray.CreateBuilder<ConfigEntrySyntax>();
            while (Current.Kind != SyntaxKind.CloseBraceToken && Current.Kind != SyntaxKind.EndOfFileToken && !AtMemberKeyword())
            {
                int start = _position;
                var entry = ParseConfigEntry();
                if (entry != null) entries.Add(entry);
                if (_position == start) NextToken();
            }
            return new ConfigBlockSyntax(keyword, open, entries.ToImmutable(), MatchToken(SyntaxKind.CloseBraceToken));
        }

        private ConfigEntrySyntax? ParseConfigEntry()
        {
            if (Current.Kind != SyntaxKind.IdentifierToken)
            {
                ReportUnexpected("a config key");
                while (Current.Kind != SyntaxKind.SemicolonToken && Current.Kind != SyntaxKind.CloseBraceToken &&
                       Current.Kind != SyntaxKind.EndOfFileToken)
                    NextToken();
                if (Current.Kind == SyntaxKind.SemicolonToken) NextToken();
                return null;
            }
            var key = NextToken();
            // `severity KDSL1001 = error;`: the one key that takes an argument, a diagnostic id.
            SyntaxToken? argument = key.Text == "severity" && Current.Kind == SyntaxKind.IdentifierToken ? NextToken() : null;
            var equals = MatchToken(SyntaxKind.EqualsToken);
            int first = _position;
            while (Current.Kind != SyntaxKind.SemicolonToken && Current.Kind != SyntaxKind.CloseBraceToken &&
                   Current.Kind != SyntaxKind.EndOfFileToken && (_position == first || !CurrentIsOnNewLine))
                NextToken();
            string value = "";
            TextSpan valueSpan;
            if (_position == first)
            {
                valueSpan = new TextSpan(Current.Position, 0);
                if (CanReport()) _diagnostics.ReportExpectedConfigValue(Current.Span, key.Text);
            }
            else
            {
                valueSpan = TextSpan.FromBounds(_tokens[first].Position, Previous.Span.End);
                value = _text.ToString(valueSpan);
            }
            return new ConfigEntrySyntax(key, equals, value, valueSpan, ExpectSemicolon(), argument);
        }

        private ConstDeclarationSyntax ParseConst()
        {
            var keyword = NextToken();
            var identifier = MatchToken(SyntaxKind.IdentifierToken);
            var equals = MatchToken(SyntaxKind.EqualsToken);
            var value = ParseExpression();
            return new ConstDeclarationSyntax(keyword, identifier, equals, value, ExpectSemicolon());
        }

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
                    int start = _position;
                    if (IsTypeStart(0)) members.Add(ParseDeclaration(inForHeader: false));
                    else ReportUnexpected("a member declaration");
                    if (_position == start) NextToken();
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

        private FunctionDeclarationSyntax ParseFunction(TypeClauseSyntax returnType, ImmutableArray<SyntaxToken> storage)
        {
            var identifier = MatchToken(SyntaxKind.IdentifierToken);
            var (open, parameters, close) = ParseParameterList(namesOptional: false);
            // `void walk(long n) max_depth 50 { ... }`: a recursion bound stated by the author (contextual word).
            SyntaxToken? maxDepthKeyword = null;
            ExpressionSyntax? maxDepth = null;
            if (IsContextual("max_depth") && Peek(1).Kind != SyntaxKind.OpenBraceToken)
            {
                maxDepthKeyword = NextToken();
                maxDepth = ParseExpression();
            }
            return new FunctionDeclarationSyntax(returnType, identifier, open, parameters, close, ParseBlock(),
                maxDepthKeyword, maxDepth, storage);
        }

        /// <summary>
        /// ( parameters ) of a function or a function-pointer type: `(void)`, `()` or declarations, each a type and a name
        /// (optional in a function-pointer type, as in a prototype) or a function pointer `int (*cb)(int)`.
        /// </summary>
        private (SyntaxToken Open, ImmutableArray<ParameterSyntax> Parameters, SyntaxToken Close) ParseParameterList(bool namesOptional)
        {
            var open = MatchToken(SyntaxKind.OpenParenToken);
            var parameters = ImmutableArray.CreateBuilder<ParameterSyntax>();
            if (Current.Kind == SyntaxKind.VoidKeyword && Peek(1).Kind == SyntaxKind.CloseParenToken)
                NextToken(); // f(void)
            else
            {
                while (Current.Kind != SyntaxKind.CloseParenToken && Current.Kind != SyntaxKind.OpenBraceToken &&
                       Current.Kind != SyntaxKind.EndOfFileToken)
                {
                    int start = _position;
                    if (IsVariadicMark())
                    {
                        var first = Current;
                        for (int dot = 0; dot < 3; dot++) NextToken();
                        _diagnostics.ReportNotSupported(TextSpan.FromBounds(first.Span.Start, Previous.Span.End), "a variadic parameter list ('...')");
                        break;
                    }
                    var type = ParseTypeClause();
                    if (IsFunctionPointerStart())
                    {
                        var pointer = ParseFunctionPointer(named: !namesOptional, out var name);
                        parameters.Add(new ParameterSyntax(type, name, pointer));
                    }
                    else
                    {
                        var name = Current.Kind == SyntaxKind.IdentifierToken || !namesOptional ? MatchToken(SyntaxKind.IdentifierToken) : Missing(SyntaxKind.IdentifierToken);
                        parameters.Add(new ParameterSyntax(type, name));
                    }
                    if (Current.Kind == SyntaxKind.CommaToken) NextToken();
                    else break;
                    if (_position == start) NextToken();
                }
            }
            return (open, parameters.ToImmutable(), MatchToken(SyntaxKind.CloseParenToken));
        }

        private bool IsVariadicMark() =>
            Current.Kind == SyntaxKind.DotToken && Peek(1).Kind == SyntaxKind.DotToken && Peek(2).Kind == SyntaxKind.DotToken;

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

        private ExpectBlockSyntax ParseExpectBlock()
        {
            var keyword = NextToken();
            var open = MatchToken(SyntaxKind.OpenBraceToken);
            var items = ImmutableArray.CreateBuilder<ExpectationSyntax>();
            while (Current.Kind != SyntaxKind.CloseBraceToken && Current.Kind != SyntaxKind.EndOfFileToken && !AtMemberKeyword())
            {
                int start = _position;
                var item = ParseExpectation();
                if (item != null) items.Add(item);
                if (_position == start) NextToken();
            }
            return new ExpectBlockSyntax(keyword, open, items.ToImmutable(), MatchToken(SyntaxKind.CloseBraceToken));
        }

        private ExpectationSyntax? ParseExpectation()
        {
            if (IsContextual("printk"))
            {
                var keyword = NextToken();
                SyntaxToken? mode = null;
                if ((IsContextual("line") || IsContextual("match")) && Peek(1).Kind == SyntaxKind.StringToken) mode = NextToken();
                var text = ParseRequiredString();
                SyntaxToken? countKeyword = null, count = null;
                if (IsContextual("count"))
                {
                    countKeyword = NextToken();
                    count = MatchToken(SyntaxKind.NumberToken);
                }
                return new PrintkExpectationSyntax(keyword, text, countKeyword, count, ExpectSemicolon(), mode);
            }
            if (IsContextual("stack"))
            {
                var keyword = NextToken();
                SyntaxToken max;
                if (IsContextual("max")) max = NextToken();
                else
                {
                    ReportUnexpected("'max'");
                    max = Missing(SyntaxKind.IdentifierToken);
                }
                var bytes = MatchToken(SyntaxKind.NumberToken);
                return new StackExpectationSyntax(keyword, max, bytes, ExpectSemicolon());
            }
            if (IsContextual("oops"))
            {
                var keyword = NextToken();
                var kind = MatchToken(SyntaxKind.IdentifierToken);
                SyntaxToken? inKeyword = null, function = null;
                if (IsContextual("in"))
                {
                    inKeyword = NextToken();
                    function = Current.Kind is SyntaxKind.InitKeyword or SyntaxKind.ExitKeyword
                        ? NextToken() : MatchToken(SyntaxKind.IdentifierToken);
                }
                SyntaxToken? depthKeyword = null, depth = null, depthFunction = null;
                if (IsContextual("depth"))
                {
                    depthKeyword = NextToken();
                    depth = MatchToken(SyntaxKind.NumberToken);
                    if (IsContextual("of"))
                    {
                        NextToken();
                        depthFunction = Current.Kind is SyntaxKind.InitKeyword or SyntaxKind.ExitKeyword
                            ? NextToken() : MatchToken(SyntaxKind.IdentifierToken);
                    }
                }
                return new OopsExpectationSyntax(keyword, kind, inKeyword, function, ExpectSemicolon(), depthKeyword, depth, depthFunction);
            }
            if (IsContextual("signal") || (Current.Kind == SyntaxKind.ExitKeyword && Peek(1).Kind != SyntaxKind.OpenBraceToken))
                return ParseProcessExpectation();
            if (IsContextual("no"))
            {
                var no = NextToken();
                SyntaxToken fault;
                if (IsContextual("fault")) fault = NextToken();
                else
                {
                    ReportUnexpected("'fault'");
                    fault = Missing(SyntaxKind.IdentifierToken);
                }
                return new NoFaultExpectationSyntax(no, fault, ExpectSemicolon());
            }

            if (CanReport()) _diagnostics.ReportUnknownExpectation(Current.Span, SyntaxFacts.Describe(Current));
            while (Current.Kind != SyntaxKind.SemicolonToken && Current.Kind != SyntaxKind.CloseBraceToken &&
                   Current.Kind != SyntaxKind.EndOfFileToken)
                NextToken();
            if (Current.Kind == SyntaxKind.SemicolonToken) NextToken();
            return null;
        }
    }
}
