using System.Collections.Generic;
using System.Collections.Immutable;
using KDsl.Diagnostics;
using KDsl.Symbols;
using KDsl.Text;

namespace KDsl.Syntax
{
    /// <summary>The parser's top level: module header, config, const, functions, init/exit/later, scenarios (types: Parser.Types.cs; expect: Parser.Expect.cs).</summary>
    public sealed partial class Parser
    {
        // --- members -------------------------------------------------------------------------------------------------

        public CompilationUnitSyntax ParseCompilationUnit()
        {
            var members = ImmutableArray.CreateBuilder<MemberSyntax>();
            bool junkReported = false;
            while (Current.Kind != SyntaxKind.EndOfFileToken)
            {
                if (TrySkipModuleInfo()) continue;
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
                    if ((IsContextual("module_init") || IsContextual("module_exit")) && Peek(1).Kind == SyntaxKind.OpenParenToken &&
                        Peek(2).Kind == SyntaxKind.IdentifierToken && Peek(3).Kind == SyntaxKind.CloseParenToken)
                        return ParseModuleInitMacro();
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

        /// <summary>
        /// module_init(fn); and module_exit(fn); (include/linux/module.h): the init block `{ return fn(); }` and the exit
        /// block `{ fn(); }`. The kernel's macro makes init_module an alias of fn; here the init block calls it, a
        /// frame of a return address more (docs/language.md says so).
        /// </summary>
        private EntryBlockSyntax ParseModuleInitMacro()
        {
            var keyword = NextToken();
            bool init = keyword.Text == "module_init";
            var open = NextToken();
            var name = NextToken();
            var close = NextToken();
            var semicolon = ExpectSemicolon();
            int at = keyword.Span.Start;
            SyntaxToken Made(SyntaxKind kind) => new SyntaxToken(kind, at, "", null);
            var call = new CallExpressionSyntax(name, open, ImmutableArray<ExpressionSyntax>.Empty, close);
            StatementSyntax statement = init ? new ReturnStatementSyntax(Made(SyntaxKind.ReturnKeyword), call, semicolon)
                : new ExpressionStatementSyntax(call, semicolon);
            var body = new BlockStatementSyntax(Made(SyntaxKind.OpenBraceToken), ImmutableArray.Create(statement), Made(SyntaxKind.CloseBraceToken));
            return new EntryBlockSyntax(init ? SyntaxKind.InitBlock : SyntaxKind.ExitBlock, new SyntaxToken(init ? SyntaxKind.InitKeyword : SyntaxKind.ExitKeyword, at, keyword.Text, null), body);
        }

        /// <summary>
        /// MODULE_LICENSE("GPL"); MODULE_AUTHOR, MODULE_DESCRIPTION, MODULE_VERSION, MODULE_ALIAS: .modinfo strings, which
        /// KDsl's module does without (`kdsl ko` writes its own MODULE_LICENSE): skipped.
        /// </summary>
        private bool TrySkipModuleInfo()
        {
            if (Current.Kind != SyntaxKind.IdentifierToken || Current.Text is not ("MODULE_LICENSE" or "MODULE_AUTHOR" or "MODULE_DESCRIPTION" or
                "MODULE_VERSION" or "MODULE_ALIAS") || Peek(1).Kind != SyntaxKind.OpenParenToken)
                return false;
            NextToken();
            NextToken();
            while (Current.Kind == SyntaxKind.StringToken) NextToken();
            MatchToken(SyntaxKind.CloseParenToken);
            ExpectSemicolon();
            return true;
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
                int start = _read;
                var entry = ParseConfigEntry();
                if (entry != null) entries.Add(entry);
                if (_read == start) NextToken();
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
            int first = _read, valueStart = Current.Position;
            while (Current.Kind != SyntaxKind.SemicolonToken && Current.Kind != SyntaxKind.CloseBraceToken &&
                   Current.Kind != SyntaxKind.EndOfFileToken && (_read == first || !CurrentIsOnNewLine))
                NextToken();
            string value = "";
            TextSpan valueSpan;
            if (_read == first)
            {
                valueSpan = new TextSpan(Current.Position, 0);
                if (CanReport()) _diagnostics.ReportExpectedConfigValue(Current.Span, key.Text);
            }
            else
            {
                valueSpan = TextSpan.FromBounds(valueStart, Previous.Span.End);
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
                    int start = _read;
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
                    if (_read == start) NextToken();
                }
            }
            return (open, parameters.ToImmutable(), MatchToken(SyntaxKind.CloseParenToken));
        }

        private bool IsVariadicMark() =>
            Current.Kind == SyntaxKind.DotToken && Peek(1).Kind == SyntaxKind.DotToken && Peek(2).Kind == SyntaxKind.DotToken;
    }
}

