using System.Collections.Generic;
using System.Collections.Immutable;
using KDsl.Diagnostics;
using KDsl.Symbols;
using KDsl.Text;

namespace KDsl.Syntax
{
    /// <summary>The parser's expect blocks: one expectation per statement.</summary>
    public sealed partial class Parser
    {
        private ExpectBlockSyntax ParseExpectBlock()
        {
            var keyword = NextToken();
            var open = MatchToken(SyntaxKind.OpenBraceToken);
            var items = ImmutableArray.CreateBuilder<ExpectationSyntax>();
            while (Current.Kind != SyntaxKind.CloseBraceToken && Current.Kind != SyntaxKind.EndOfFileToken && !AtMemberKeyword())
            {
                int start = _read;
                var item = ParseExpectation();
                if (item != null) items.Add(item);
                if (_read == start) NextToken();
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
