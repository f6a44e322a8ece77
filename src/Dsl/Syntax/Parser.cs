using System.Collections.Generic;
using System.Collections.Immutable;
using KDsl.Diagnostics;
using KDsl.Text;

namespace KDsl.Syntax
{
    /// <summary>
    /// Recursive-descent parser with minsk-style recovery: a missing token is fabricated and reported, a statement
    /// that consumed nothing skips one token, and a bad statement end resynchronises at ';' or '}'. Nesting deeper
    /// than <see cref="MaxDepth"/> is reported once and ends the parse, so the host stack never overflows; so does the
    /// error past <see cref="DiagnosticBag.MaxErrors"/>, as GCC's -fmax-errors ends a compilation. Tokens are lexed as
    /// they are read, so a parse that ends early never lexes the rest of the file.
    /// </summary>
    public sealed partial class Parser
    {
        public const int MaxDepth = 256;

        private readonly SourceText _text;
        private readonly DiagnosticBag _diagnostics;
        private readonly Lexer _lexer;
        /// <summary>The current token (at <see cref="_index"/>), the lookahead lexed past it, and some read already.</summary>
        private readonly List<SyntaxToken> _window = new List<SyntaxToken>();
        private readonly List<SyntaxToken> _lexed = new List<SyntaxToken>();
        private int _index;
        /// <summary>Tokens read so far: a loop that read none skips one, so it always moves on.</summary>
        private int _read;
        private bool _lexedToEnd;
        private SyntaxToken? _previous;
        private int _depth;
        private bool _tooDeep;
        private int _lastErrorPosition = -1;
        private readonly UndefinedCalls? _undefinedCalls;

        public Parser(SourceText text, DiagnosticBag diagnostics) : this(text, diagnostics, null)
        {
        }

        /// <param name="text">The file.</param>
        /// <param name="diagnostics">Where the lexer's and the parser's errors go.</param>
        /// <param name="predeclared">
        /// The names a binder declares before the file's own (printk, the builtins, the system calls), or null: then the
        /// parse keeps every statement. With them, once more calls of certainly undefined functions than the error cap
        /// allows are in, the later ones are left out of the tree (<see cref="OmittedCalls"/>): the binder stops at the
        /// cap before it would reach them, and a file of a million such calls costs the memory of a hundred.
        /// </param>
        public Parser(SourceText text, DiagnosticBag diagnostics, ImmutableHashSet<string>? predeclared)
        {
            _text = text;
            _diagnostics = diagnostics;
            _lexer = new Lexer(text, diagnostics);
            if (predeclared != null) _undefinedCalls = new UndefinedCalls(text, predeclared);
        }

        /// <summary>Statements left out of the tree: calls of undefined functions past the error cap.</summary>
        public int OmittedCalls { get; private set; }

        // --- token plumbing ----------------------------------------------------------------------------------------

        private SyntaxToken Peek(int offset)
        {
            int index = _index + offset;
            while (index >= _window.Count && !_lexedToEnd) LexMore();
            return index < _window.Count ? _window[index] : _window[_window.Count - 1];
        }

        private void LexMore()
        {
            _lexed.Clear();
            _lexedToEnd = _lexer.LexNext(_lexed);
            foreach (var token in _lexed)
                if (token.Kind != SyntaxKind.BadToken) _window.Add(token); // already reported by the lexer
            if (_diagnostics.IsFull) Stop();
        }

        private SyntaxToken Current => Peek(0);

        private SyntaxToken NextToken()
        {
            var current = Current;
            if (current.Kind == SyntaxKind.EndOfFileToken) return current;
            _previous = current;
            _read++;
            if (++_index == 1024)
            {
                // What is read is never read again (only Previous): the window keeps the lookahead only.
                _window.RemoveRange(0, _index);
                _index = 0;
            }
            if (_diagnostics.IsFull) Stop();
            return current;
        }

        private SyntaxToken Previous => _previous ?? Current;

        /// <summary>Ends the parse here: from now on the current token is the end of the file, and the rest is not lexed.</summary>
        private void Stop()
        {
            _window.Clear();
            _window.Add(new SyntaxToken(SyntaxKind.EndOfFileToken, _text.Length, "", null));
            _index = 0;
            _lexedToEnd = true;
        }

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
        private bool CurrentIsOnNewLine => _previous != null && LineOf(Current.Position) > LineOf(Previous.Span.End);

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
                Stop();
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
