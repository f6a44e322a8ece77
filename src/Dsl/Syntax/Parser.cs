using System.Collections.Generic;
using System.Collections.Immutable;
using KDsl.Diagnostics;
using KDsl.Text;

namespace KDsl.Syntax
{
    /// <summary>
    /// Recursive-descent parser with minsk-style recovery: a missing token is fabricated and reported, a statement
    /// that consumed nothing skips one token, and a bad statement end resynchronises at ';' or '}'. Nesting deeper
    /// than <see cref="MaxDepth"/> is reported once and ends the parse, so the host stack never overflows.
    /// </summary>
    public sealed class Parser
    {
        public const int MaxDepth = 256;

        private readonly SourceText _text;
        private readonly DiagnosticBag _diagnostics;
        private readonly SyntaxToken[] _tokens;
        private int _position;
        private int _depth;
        private bool _tooDeep;
        private int _lastErrorPosition = -1;

        public Parser(SourceText text, DiagnosticBag diagnostics)
        {
            _text = text;
            _diagnostics = diagnostics;
            var tokens = new List<SyntaxToken>();
            foreach (var token in new Lexer(text, diagnostics).LexAll())
                if (token.Kind != SyntaxKind.BadToken) tokens.Add(token); // already reported by the lexer
            _tokens = tokens.ToArray();
        }

        // --- token plumbing ----------------------------------------------------------------------------------------

        private SyntaxToken Peek(int offset)
        {
            int index = _position + offset;
            return index < _tokens.Length ? _tokens[index] : _tokens[_tokens.Length - 1];
        }

        private SyntaxToken Current => Peek(0);

        private SyntaxToken NextToken()
        {
            var current = Current;
            if (_position < _tokens.Length - 1) _position++;
            return current;
        }

        private SyntaxToken Previous => _position > 0 ? _tokens[_position - 1] : _tokens[0];

        private SyntaxToken MatchToken(SyntaxKind kind)
        {
            if (Current.Kind == kind) return NextToken();
            ReportUnexpected(SyntaxFacts.Describe(kind));
            return Missing(kind);
        }

        private SyntaxToken Missing(SyntaxKind kind) => new SyntaxToken(kind, Current.Position, "", null, isMissing: true);

        private bool IsContextual(string text, int offset = 0) =>
            Peek(offset).Kind == SyntaxKind.IdentifierToken && Peek(offset).Text == text;

        private int LineOf(int position) => _text.GetLineIndex(position);

        /// <summary>True when the current token starts a later line than the previous token ends on.</summary>
        private bool CurrentIsOnNewLine => _position > 0 && LineOf(Current.Position) > LineOf(Previous.Span.End);

        private bool CanReport()
        {
            if (_tooDeep || Current.Position == _lastErrorPosition) return false;
            _lastErrorPosition = Current.Position;
            return true;
        }

        private void ReportUnexpected(string expected)
        {
            if (CanReport()) _diagnostics.ReportUnexpectedToken(Current.Span, expected, SyntaxFacts.Describe(Current));
        }

        /// <summary>';' at the end of a statement. When missing on the same line, skip to the next ';' (consumed) or '}'.</summary>
        private SyntaxToken ExpectSemicolon()
        {
            if (Current.Kind == SyntaxKind.SemicolonToken) return NextToken();
            ReportUnexpected("';'");
            var missing = Missing(SyntaxKind.SemicolonToken);
            if (CurrentIsOnNewLine) return missing;
            while (Current.Kind != SyntaxKind.SemicolonToken && Current.Kind != SyntaxKind.CloseBraceToken &&
                   Current.Kind != SyntaxKind.EndOfFileToken)
                NextToken();
            return Current.Kind == SyntaxKind.SemicolonToken ? NextToken() : missing;
        }

        private bool Enter()
        {
            if (_tooDeep) return false;
            if (_depth >= MaxDepth)
            {
                _diagnostics.ReportNestingTooDeep(Current.Span, MaxDepth);
                _tooDeep = true;
                _position = _tokens.Length - 1; // give up: jump to the end of file
                return false;
            }
            _depth++;
            return true;
        }

        private void Leave() => _depth--;

        private static bool IsMemberKeyword(SyntaxKind kind) =>
            kind is SyntaxKind.ModuleKeyword or SyntaxKind.ConfigKeyword or SyntaxKind.ConstKeyword or SyntaxKind.InitKeyword
                or SyntaxKind.ExitKeyword or SyntaxKind.ExpectKeyword;

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
                case SyntaxKind.ConstKeyword: return ParseConst();
                case SyntaxKind.InitKeyword: return new EntryBlockSyntax(SyntaxKind.InitBlock, NextToken(), ParseBlock());
                case SyntaxKind.ExitKeyword: return new EntryBlockSyntax(SyntaxKind.ExitBlock, NextToken(), ParseBlock());
                case SyntaxKind.ExpectKeyword: return ParseExpectBlock();
                default:
                    if (IsContextual("scenario") && Peek(1).Kind == SyntaxKind.IdentifierToken) return ParseScenario();
                    if (IsContextual("later") && Peek(1).Kind == SyntaxKind.OpenBraceToken)
                        return new EntryBlockSyntax(SyntaxKind.LaterBlock, NextToken(), ParseBlock());
                    return SyntaxFacts.IsTypeKeyword(Current.Kind) ? ParseFunction() : null;
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
                else if (IsMemberKeyword(Current.Kind) || SyntaxFacts.IsTypeKeyword(Current.Kind)) break; // a missing '}'
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
            while (Current.Kind != SyntaxKind.CloseBraceToken && Current.Kind != SyntaxKind.EndOfFileToken && !IsMemberKeyword(Current.Kind))
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
            return new ConfigEntrySyntax(key, equals, value, valueSpan, ExpectSemicolon());
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
            SyntaxToken keyword;
            if (SyntaxFacts.IsTypeKeyword(Current.Kind)) keyword = NextToken();
            else
            {
                if (CanReport()) _diagnostics.ReportExpectedType(Current.Span, SyntaxFacts.Describe(Current));
                keyword = Missing(SyntaxKind.IntKeyword);
            }
            return new TypeClauseSyntax(keyword, ParseStars());
        }

        private ImmutableArray<SyntaxToken> ParseStars()
        {
            var stars = ImmutableArray.CreateBuilder<SyntaxToken>();
            while (Current.Kind == SyntaxKind.StarToken) stars.Add(NextToken());
            return stars.ToImmutable();
        }

        private FunctionDeclarationSyntax ParseFunction()
        {
            var returnType = ParseTypeClause();
            var identifier = MatchToken(SyntaxKind.IdentifierToken);
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
                    var type = ParseTypeClause();
                    var name = MatchToken(SyntaxKind.IdentifierToken);
                    parameters.Add(new ParameterSyntax(type, name));
                    if (Current.Kind == SyntaxKind.CommaToken) NextToken();
                    else break;
                    if (_position == start) NextToken();
                }
            }
            var close = MatchToken(SyntaxKind.CloseParenToken);
            return new FunctionDeclarationSyntax(returnType, identifier, open, parameters.ToImmutable(), close, ParseBlock());
        }

        private ExpectBlockSyntax ParseExpectBlock()
        {
            var keyword = NextToken();
            var open = MatchToken(SyntaxKind.OpenBraceToken);
            var items = ImmutableArray.CreateBuilder<ExpectationSyntax>();
            while (Current.Kind != SyntaxKind.CloseBraceToken && Current.Kind != SyntaxKind.EndOfFileToken && !IsMemberKeyword(Current.Kind))
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

        // --- statements ----------------------------------------------------------------------------------------------

        private BlockStatementSyntax ParseBlock()
        {
            var open = MatchToken(SyntaxKind.OpenBraceToken);
            var statements = ImmutableArray.CreateBuilder<StatementSyntax>();
            while (Current.Kind != SyntaxKind.CloseBraceToken && Current.Kind != SyntaxKind.EndOfFileToken && !IsMemberKeyword(Current.Kind))
            {
                int start = _position;
                statements.Add(ParseStatement());
                if (_position == start) NextToken();
            }
            return new BlockStatementSyntax(open, statements.ToImmutable(), MatchToken(SyntaxKind.CloseBraceToken));
        }

        private StatementSyntax ParseStatement()
        {
            if (!Enter()) return new EmptyStatementSyntax(Missing(SyntaxKind.SemicolonToken));
            try
            {
                switch (Current.Kind)
                {
                    case SyntaxKind.OpenBraceToken: return ParseBlock();
                    case SyntaxKind.IfKeyword: return ParseIf();
                    case SyntaxKind.WhileKeyword: return ParseWhile();
                    case SyntaxKind.DoKeyword: return ParseDoWhile();
                    case SyntaxKind.ForKeyword: return ParseFor();
                    case SyntaxKind.BreakKeyword: return new JumpStatementSyntax(SyntaxKind.BreakStatement, NextToken(), ExpectSemicolon());
                    case SyntaxKind.ContinueKeyword: return new JumpStatementSyntax(SyntaxKind.ContinueStatement, NextToken(), ExpectSemicolon());
                    case SyntaxKind.ReturnKeyword: return ParseReturn();
                    case SyntaxKind.SemicolonToken: return new EmptyStatementSyntax(NextToken());
                    default:
                        if (SyntaxFacts.IsTypeKeyword(Current.Kind)) return ParseDeclaration(inForHeader: false);
                        var expression = ParseExpression();
                        return new ExpressionStatementSyntax(expression, ExpectSemicolon());
                }
            }
            finally
            {
                Leave();
            }
        }

        private DeclarationStatementSyntax ParseDeclaration(bool inForHeader)
        {
            var type = NextToken();
            var declarators = ImmutableArray.CreateBuilder<DeclaratorSyntax>();
            while (true)
            {
                var stars = ParseStars();
                var identifier = MatchToken(SyntaxKind.IdentifierToken);
                SyntaxToken? openBracket = null, closeBracket = null, equals = null;
                ExpressionSyntax? size = null, initializer = null;
                if (Current.Kind == SyntaxKind.OpenBracketToken)
                {
                    openBracket = NextToken();
                    size = ParseExpression();
                    closeBracket = MatchToken(SyntaxKind.CloseBracketToken);
                }
                if (Current.Kind == SyntaxKind.EqualsToken)
                {
                    equals = NextToken();
                    initializer = ParseAssignmentExpression();
                }
                declarators.Add(new DeclaratorSyntax(stars, identifier, openBracket, size, closeBracket, equals, initializer));
                if (Current.Kind != SyntaxKind.CommaToken || identifier.IsMissing) break;
                NextToken();
            }
            var semicolon = inForHeader ? MatchToken(SyntaxKind.SemicolonToken) : ExpectSemicolon();
            return new DeclarationStatementSyntax(type, declarators.ToImmutable(), semicolon);
        }

        private IfStatementSyntax ParseIf()
        {
            var keyword = NextToken();
            var open = MatchToken(SyntaxKind.OpenParenToken);
            var condition = ParseExpression();
            var close = MatchToken(SyntaxKind.CloseParenToken);
            var then = ParseStatement();
            SyntaxToken? elseKeyword = null;
            StatementSyntax? @else = null;
            if (Current.Kind == SyntaxKind.ElseKeyword)
            {
                elseKeyword = NextToken();
                @else = ParseStatement();
            }
            return new IfStatementSyntax(keyword, open, condition, close, then, elseKeyword, @else);
        }

        private WhileStatementSyntax ParseWhile()
        {
            var keyword = NextToken();
            var open = MatchToken(SyntaxKind.OpenParenToken);
            var condition = ParseExpression();
            var close = MatchToken(SyntaxKind.CloseParenToken);
            return new WhileStatementSyntax(keyword, open, condition, close, ParseStatement());
        }

        private DoWhileStatementSyntax ParseDoWhile()
        {
            var doKeyword = NextToken();
            var body = ParseStatement();
            var whileKeyword = MatchToken(SyntaxKind.WhileKeyword);
            var open = MatchToken(SyntaxKind.OpenParenToken);
            var condition = ParseExpression();
            var close = MatchToken(SyntaxKind.CloseParenToken);
            return new DoWhileStatementSyntax(doKeyword, body, whileKeyword, open, condition, close, ExpectSemicolon());
        }

        private ForStatementSyntax ParseFor()
        {
            var keyword = NextToken();
            var open = MatchToken(SyntaxKind.OpenParenToken);
            StatementSyntax initializer;
            if (Current.Kind == SyntaxKind.SemicolonToken) initializer = new EmptyStatementSyntax(NextToken());
            else if (SyntaxFacts.IsTypeKeyword(Current.Kind)) initializer = ParseDeclaration(inForHeader: true);
            else
            {
                var expression = ParseExpression();
                initializer = new ExpressionStatementSyntax(expression, MatchToken(SyntaxKind.SemicolonToken));
            }
            var condition = Current.Kind == SyntaxKind.SemicolonToken ? null : ParseExpression();
            var semicolon = MatchToken(SyntaxKind.SemicolonToken);
            var step = Current.Kind == SyntaxKind.CloseParenToken ? null : ParseExpression();
            var close = MatchToken(SyntaxKind.CloseParenToken);
            return new ForStatementSyntax(keyword, open, initializer, condition, semicolon, step, close, ParseStatement());
        }

        private ReturnStatementSyntax ParseReturn()
        {
            var keyword = NextToken();
            ExpressionSyntax? expression = null;
            if (Current.Kind != SyntaxKind.SemicolonToken && !(CurrentIsOnNewLine && Current.Kind == SyntaxKind.CloseBraceToken))
                expression = ParseExpression();
            return new ReturnStatementSyntax(keyword, expression, ExpectSemicolon());
        }

        // --- expressions ---------------------------------------------------------------------------------------------

        public ExpressionSyntax ParseExpression() => ParseAssignmentExpression();

        private ExpressionSyntax ParseAssignmentExpression()
        {
            if (!Enter()) return new MissingExpressionSyntax(Current.Position);
            try
            {
                var left = ParseBinaryExpression(0);
                if (!SyntaxFacts.IsAssignmentOperator(Current.Kind)) return left;
                var op = NextToken();
                var right = ParseAssignmentExpression();
                return new AssignmentExpressionSyntax(left, op, right);
            }
            finally
            {
                Leave();
            }
        }

        private ExpressionSyntax ParseBinaryExpression(int parentPrecedence)
        {
            var left = ParseUnaryExpression();
            int entered = 0;
            while (true)
            {
                int precedence = SyntaxFacts.GetBinaryPrecedence(Current.Kind);
                if (precedence == 0 || precedence <= parentPrecedence) break;
                if (!Enter()) break; // a long chain deepens the (left-nested) tree
                entered++;
                var op = NextToken();
                var right = ParseBinaryExpression(precedence);
                left = new BinaryExpressionSyntax(left, op, right);
            }
            _depth -= entered;
            return left;
        }

        private ExpressionSyntax ParseUnaryExpression()
        {
            if (!Enter()) return new MissingExpressionSyntax(Current.Position);
            try
            {
                switch (Current.Kind)
                {
                    case SyntaxKind.MinusToken:
                    case SyntaxKind.PlusToken:
                    case SyntaxKind.BangToken:
                    case SyntaxKind.TildeToken:
                    case SyntaxKind.AmpersandToken:
                    case SyntaxKind.StarToken:
                    case SyntaxKind.PlusPlusToken:
                    case SyntaxKind.MinusMinusToken:
                    {
                        var op = NextToken();
                        return new UnaryExpressionSyntax(op, ParseUnaryExpression());
                    }
                    case SyntaxKind.SizeofKeyword:
                    {
                        var keyword = NextToken();
                        if (Current.Kind == SyntaxKind.OpenParenToken && SyntaxFacts.IsTypeKeyword(Peek(1).Kind))
                        {
                            var open = NextToken();
                            var type = ParseTypeClause();
                            return new SizeofTypeExpressionSyntax(keyword, open, type, MatchToken(SyntaxKind.CloseParenToken));
                        }
                        return new SizeofExpressionSyntax(keyword, ParseUnaryExpression());
                    }
                    case SyntaxKind.OpenParenToken when SyntaxFacts.IsTypeKeyword(Peek(1).Kind):
                    {
                        var open = NextToken();
                        var type = ParseTypeClause();
                        var close = MatchToken(SyntaxKind.CloseParenToken);
                        return new CastExpressionSyntax(open, type, close, ParseUnaryExpression());
                    }
                    default:
                        return ParsePostfixExpression();
                }
            }
            finally
            {
                Leave();
            }
        }

        private ExpressionSyntax ParsePostfixExpression()
        {
            var expression = ParsePrimaryExpression();
            int entered = 0;
            while (true)
            {
                var kind = Current.Kind;
                if (kind != SyntaxKind.OpenParenToken && kind != SyntaxKind.OpenBracketToken &&
                    kind != SyntaxKind.PlusPlusToken && kind != SyntaxKind.MinusMinusToken)
                    break;
                if (!Enter()) break;
                entered++;
                if (kind == SyntaxKind.OpenParenToken)
                {
                    var open = Current;
                    var (openToken, arguments, close) = ParseArgumentList();
                    if (expression is NameExpressionSyntax name)
                        expression = new CallExpressionSyntax(name.Identifier, openToken, arguments, close);
                    else if (CanReportAt(open.Position))
                        _diagnostics.ReportCallOfNonName(expression.Span);
                }
                else if (kind == SyntaxKind.OpenBracketToken)
                {
                    var open = NextToken();
                    var index = ParseExpression();
                    expression = new IndexExpressionSyntax(expression, open, index, MatchToken(SyntaxKind.CloseBracketToken));
                }
                else
                {
                    expression = new PostfixExpressionSyntax(expression, NextToken());
                }
            }
            _depth -= entered;
            return expression;
        }

        private bool CanReportAt(int position)
        {
            if (_tooDeep || position == _lastErrorPosition) return false;
            _lastErrorPosition = position;
            return true;
        }

        private (SyntaxToken open, ImmutableArray<ExpressionSyntax> arguments, SyntaxToken close) ParseArgumentList()
        {
            var open = NextToken();
            var arguments = ImmutableArray.CreateBuilder<ExpressionSyntax>();
            if (Current.Kind != SyntaxKind.CloseParenToken)
            {
                while (true)
                {
                    arguments.Add(ParseAssignmentExpression());
                    if (Current.Kind != SyntaxKind.CommaToken) break;
                    NextToken();
                }
            }
            return (open, arguments.ToImmutable(), MatchToken(SyntaxKind.CloseParenToken));
        }

        private ExpressionSyntax ParsePrimaryExpression()
        {
            switch (Current.Kind)
            {
                case SyntaxKind.NumberToken:
                {
                    var token = NextToken();
                    if (token.Value is null && !_tooDeep)
                    {
                        if (NumberLiteral.TryParse(token.Text, out _, out _) == NumberParseResult.TooLarge)
                            _diagnostics.ReportNumberTooLarge(token.Span, token.Text);
                        else
                            _diagnostics.ReportInvalidNumber(token.Span, token.Text);
                    }
                    return new LiteralExpressionSyntax(token);
                }
                case SyntaxKind.CharacterToken:
                    return new LiteralExpressionSyntax(NextToken());
                case SyntaxKind.StringToken:
                    return ParseRequiredString();
                case SyntaxKind.IdentifierToken:
                    return new NameExpressionSyntax(NextToken());
                case SyntaxKind.OpenParenToken:
                {
                    var open = NextToken();
                    var expression = ParseExpression();
                    return new ParenthesizedExpressionSyntax(open, expression, MatchToken(SyntaxKind.CloseParenToken));
                }
                default:
                    if (CanReport()) _diagnostics.ReportExpectedExpression(Current.Span, SyntaxFacts.Describe(Current));
                    return new MissingExpressionSyntax(Current.Position);
            }
        }
    }
}
