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
    public sealed partial class Parser
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

        /// <summary>A member keyword at the current token; `exit` followed by anything but '{' is the exit(2) call or `exit N;` expectation.</summary>
        private bool AtMemberKeyword() =>
            IsMemberKeyword(Current.Kind) && !(Current.Kind == SyntaxKind.ExitKeyword && Peek(1).Kind != SyntaxKind.OpenBraceToken)
            && !(Current.Kind == SyntaxKind.ConstKeyword && IsTypeStart(0)); // `const int x` in a block is a declaration

        private static bool IsMemberKeyword(SyntaxKind kind) =>
            kind is SyntaxKind.ModuleKeyword or SyntaxKind.ConfigKeyword or SyntaxKind.ConstKeyword or SyntaxKind.InitKeyword
                or SyntaxKind.ExitKeyword or SyntaxKind.ExpectKeyword;
    }
}
