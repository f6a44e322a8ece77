namespace KDsl.Syntax
{
    /// <summary>The expectations about user processes: `signal SIGBUS BUS_ADRERR at mmap;`, `exit 135;`.</summary>
    public sealed partial class Parser
    {
        private ExpectationSyntax ParseProcessExpectation()
        {
            if (Current.Kind == SyntaxKind.ExitKeyword)
            {
                var exitKeyword = NextToken();
                var status = MatchToken(SyntaxKind.NumberToken);
                return new ExitStatusExpectationSyntax(exitKeyword, status, ExpectSemicolon());
            }
            var keyword = NextToken();
            var signal = MatchToken(SyntaxKind.IdentifierToken);
            SyntaxToken? code = null, at = null, atBase = null, atOffset = null;
            if (Current.Kind == SyntaxKind.IdentifierToken && !IsContextual("at")) code = NextToken();
            if (IsContextual("at"))
            {
                at = NextToken();
                atBase = Current.Kind == SyntaxKind.NumberToken ? NextToken() : MatchToken(SyntaxKind.IdentifierToken);
                if (Current.Kind == SyntaxKind.PlusToken)
                {
                    NextToken();
                    atOffset = MatchToken(SyntaxKind.NumberToken);
                }
            }
            return new SignalExpectationSyntax(keyword, signal, code, at, atBase, atOffset, ExpectSemicolon());
        }
    }
}
