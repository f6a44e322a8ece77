using System.Collections.Generic;
using System.Collections.Immutable;
using KDsl.Diagnostics;
using KDsl.Text;

namespace KDsl.Syntax
{
    /// <summary>Statements: blocks, declarations, if, loops, return.</summary>
    public sealed partial class Parser
    {
        // --- statements ----------------------------------------------------------------------------------------------

        private BlockStatementSyntax ParseBlock()
        {
            var open = MatchToken(SyntaxKind.OpenBraceToken);
            var statements = ImmutableArray.CreateBuilder<StatementSyntax>();
            while (Current.Kind != SyntaxKind.CloseBraceToken && Current.Kind != SyntaxKind.EndOfFileToken && !AtMemberKeyword())
            {
                int start = _read;
                var before = _previous?.Kind ?? SyntaxKind.BadToken;
                var statement = ParseStatement();
                if (IsUndefinedCallPastCap(statement, before)) OmittedCalls++;
                else statements.Add(statement);
                if (_read == start) NextToken();
            }
            return new BlockStatementSyntax(open, statements.ToImmutable(), MatchToken(SyntaxKind.CloseBraceToken));
        }

        /// <summary>
        /// `name(...);` where name is certainly undefined (<see cref="UndefinedCalls"/>) and more than the error cap of
        /// such calls came before: the binder, which reports each of them, stops at the cap before this one (the one past
        /// the cap is kept: it is where the binder says "too many errors").
        /// </summary>
        private bool IsUndefinedCallPastCap(StatementSyntax statement, SyntaxKind before) =>
            _undefinedCalls != null &&
            statement is ExpressionStatementSyntax { Expression: CallExpressionSyntax { Callee: null, Identifier: { IsMissing: false } identifier } } &&
            identifier.Position == statement.Span.Start && _undefinedCalls.Add(identifier.Text, before) &&
            _undefinedCalls.Count > DiagnosticBag.MaxErrors + 1;

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
                    case SyntaxKind.IdentifierToken when TryParseSwitchOrLabel() is { } statement:
                        return statement;
                    default:
                        if (IsStorageStart(0) || IsTypeStart(0)) return ParseDeclaration(inForHeader: false, ParseStorage());
                        var expression = ParseExpression();
                        return new ExpressionStatementSyntax(expression, ExpectSemicolon());
                }
            }
            finally
            {
                Leave();
            }
        }

        /// <summary>switch, case, default, goto and labels: contextual words, so a variable may still be called `next` or `out`.</summary>
        private StatementSyntax? TryParseSwitchOrLabel()
        {
            if (IsContextual("switch") && Peek(1).Kind == SyntaxKind.OpenParenToken)
            {
                var keyword = NextToken();
                var open = NextToken();
                var expression = ParseExpression();
                var close = MatchToken(SyntaxKind.CloseParenToken);
                return new SwitchStatementSyntax(keyword, open, expression, close, ParseStatement());
            }
            if (IsContextual("case") && Peek(1).Kind != SyntaxKind.EqualsToken && Peek(1).Kind != SyntaxKind.SemicolonToken)
            {
                var keyword = NextToken();
                var value = ParseConditional(ParseBinaryExpression(0));
                return new CaseLabelSyntax(keyword, value, MatchToken(SyntaxKind.ColonToken));
            }
            if (IsContextual("default") && Peek(1).Kind == SyntaxKind.ColonToken)
                return new CaseLabelSyntax(NextToken(), null, NextToken());
            if (IsContextual("goto") && Peek(1).Kind == SyntaxKind.IdentifierToken)
                return new GotoStatementSyntax(NextToken(), NextToken(), ExpectSemicolon());
            if (Current.Kind == SyntaxKind.IdentifierToken && Peek(1).Kind == SyntaxKind.ColonToken)
                return new LabelStatementSyntax(NextToken(), NextToken());
            return null;
        }

        private DeclarationStatementSyntax ParseDeclaration(bool inForHeader, ImmutableArray<SyntaxToken> storage = default)
        {
            var (specifiers, tag) = ParseSpecifiers();
            if (specifiers.IsEmpty)
            {
                if (CanReport()) _diagnostics.ReportExpectedType(Current.Span, SyntaxFacts.Describe(Current));
                specifiers = ImmutableArray.Create(Missing(SyntaxKind.IntKeyword));
            }
            var type = new TypeClauseSyntax(specifiers, ImmutableArray<SyntaxToken>.Empty, tag);
            return ParseDeclarators(type, ParseStars(), storage, inForHeader);
        }

        /// <summary>The declarators after a declaration's type (the first one's stars already read) and the semicolon.</summary>
        private DeclarationStatementSyntax ParseDeclarators(TypeClauseSyntax type, ImmutableArray<SyntaxToken> firstStars,
            ImmutableArray<SyntaxToken> storage, bool inForHeader)
        {
            var declarators = ImmutableArray.CreateBuilder<DeclaratorSyntax>();
            var stars = firstStars;
            while (true)
            {
                // `(*name[dims])(params)`: a function pointer (or an array of them); the stars before it are the return type's
                SyntaxToken? pointerOpen = IsFunctionPointerStart() ? NextToken() : null;
                var pointerStars = pointerOpen is null ? ImmutableArray<SyntaxToken>.Empty : ParseStars();
                var identifier = MatchToken(SyntaxKind.IdentifierToken);
                SyntaxToken? openBracket = null, closeBracket = null, equals = null;
                ExpressionSyntax? size = null, initializer = null;
                var inner = ImmutableArray.CreateBuilder<ExpressionSyntax>();
                while (Current.Kind == SyntaxKind.OpenBracketToken)
                {
                    var open = NextToken();
                    // `[]` only first: the initializer gives the length (char s[] = "abc"); an inner one needs a size
                    ExpressionSyntax? dimension = openBracket is null && Current.Kind == SyntaxKind.CloseBracketToken ? null : ParseExpression();
                    var close = MatchToken(SyntaxKind.CloseBracketToken);
                    if (openBracket is null)
                    {
                        openBracket = open;
                        size = dimension;
                        closeBracket = close;
                    }
                    else inner.Add(dimension!);
                }
                FunctionPointerSyntax? functionPointer = null;
                if (pointerOpen is not null && Current.Kind == SyntaxKind.OpenParenToken)
                {
                    // int (*pick(int i))(int): a function returning a function pointer
                    _diagnostics.ReportNotSupported(TextSpan.FromBounds(pointerOpen.Span.Start, Current.Span.End),
                        "a function returning a function pointer without a typedef (typedef the pointer type, then return it)");
                    SkipDeclaration(depth: 1); // inside the declarator's '('
                    return new DeclarationStatementSyntax(type, declarators.ToImmutable(), Missing(SyntaxKind.SemicolonToken), storage);
                }
                if (pointerOpen is not null)
                {
                    var close = MatchToken(SyntaxKind.CloseParenToken);
                    var (open, parameters, closeParameters) = ParseParameterList(namesOptional: true);
                    functionPointer = new FunctionPointerSyntax(pointerOpen, pointerStars, close, open, parameters, closeParameters);
                }
                if (Current.Kind == SyntaxKind.EqualsToken)
                {
                    equals = NextToken();
                    initializer = Current.Kind == SyntaxKind.OpenBraceToken ? ParseInitializerList() : ParseAssignmentExpression();
                }
                declarators.Add(new DeclaratorSyntax(stars, identifier, openBracket, size, closeBracket, equals, initializer, inner.ToImmutable(),
                    functionPointer));
                if (Current.Kind != SyntaxKind.CommaToken || identifier.IsMissing) break;
                NextToken();
                stars = ParseStars();
            }
            var semicolon = inForHeader ? MatchToken(SyntaxKind.SemicolonToken) : ExpectSemicolon();
            return new DeclarationStatementSyntax(type, declarators.ToImmutable(), semicolon, storage);
        }

        /// <summary>
        /// Skips the rest of a declaration KDsl does not support, reported already: up to its ';', or to the end of the
        /// function body it has, brackets balanced.
        /// </summary>
        private void SkipDeclaration(int depth)
        {
            while (Current.Kind != SyntaxKind.EndOfFileToken)
            {
                var kind = NextToken().Kind;
                if (kind is SyntaxKind.OpenParenToken or SyntaxKind.OpenBraceToken or SyntaxKind.OpenBracketToken) depth++;
                else if (kind is SyntaxKind.CloseParenToken or SyntaxKind.CloseBracketToken) depth--;
                else if (kind == SyntaxKind.CloseBraceToken && --depth <= 0) return;
                else if (kind == SyntaxKind.SemicolonToken && depth <= 0) return;
            }
        }

        /// <summary>{ item, item, } where an item is [designators =] value and a value an expression or a nested list.</summary>
        private InitializerListSyntax ParseInitializerList()
        {
            var open = NextToken();
            var items = ImmutableArray.CreateBuilder<InitializerItemSyntax>();
            if (!Enter()) return new InitializerListSyntax(open, items.ToImmutable(), Missing(SyntaxKind.CloseBraceToken));
            try
            {
                while (Current.Kind != SyntaxKind.CloseBraceToken && Current.Kind != SyntaxKind.EndOfFileToken && !AtMemberKeyword())
                {
                    int start = _read;
                    var designators = ImmutableArray.CreateBuilder<DesignatorSyntax>();
                    while (Current.Kind is SyntaxKind.DotToken or SyntaxKind.OpenBracketToken)
                    {
                        var first = NextToken();
                        if (first.Kind == SyntaxKind.DotToken)
                        {
                            var member = MatchToken(SyntaxKind.IdentifierToken);
                            designators.Add(new DesignatorSyntax(member, null, TextSpan.FromBounds(first.Span.Start, member.Span.End)));
                        }
                        else
                        {
                            var index = ParseExpression();
                            var close = MatchToken(SyntaxKind.CloseBracketToken);
                            designators.Add(new DesignatorSyntax(null, index, TextSpan.FromBounds(first.Span.Start, close.Span.End)));
                        }
                    }
                    if (designators.Count > 0) MatchToken(SyntaxKind.EqualsToken);
                    var value = Current.Kind == SyntaxKind.OpenBraceToken ? ParseInitializerList() : ParseAssignmentExpression();
                    items.Add(new InitializerItemSyntax(designators.ToImmutable(), value));
                    if (Current.Kind != SyntaxKind.CommaToken)
                    {
                        if (_read == start) NextToken();
                        break;
                    }
                    NextToken();
                }
                return new InitializerListSyntax(open, items.ToImmutable(), MatchToken(SyntaxKind.CloseBraceToken));
            }
            finally
            {
                Leave();
            }
        }

        /// <summary>Whether storage-class words (static, inline, ...) start a declaration at <paramref name="offset"/>.</summary>
        private bool IsStorageStart(int offset)
        {
            while (SyntaxFacts.IsStorageWord(Peek(offset))) offset++;
            return offset > 0 && IsTypeStart(offset);
        }

        /// <summary>The storage-class words before a declaration's type (none when they are not followed by one).</summary>
        private ImmutableArray<SyntaxToken> ParseStorage()
        {
            var words = ImmutableArray.CreateBuilder<SyntaxToken>();
            if (!IsStorageStart(0)) return words.ToImmutable();
            while (SyntaxFacts.IsStorageWord(Current)) words.Add(NextToken());
            return words.ToImmutable();
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
            else if (IsTypeStart(0)) initializer = ParseDeclaration(inForHeader: true);
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
    }
}
