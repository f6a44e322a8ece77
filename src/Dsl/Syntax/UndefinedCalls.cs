using System.Collections.Generic;
using System.Collections.Immutable;
using KDsl.Diagnostics;
using KDsl.Text;

namespace KDsl.Syntax
{
    /// <summary>
    /// Which statements `name(...);` are certainly calls of an undefined function, so that a parse past the error cap
    /// need not keep them. A function may be called before its definition, so a name is certain only once the whole
    /// file is known: no binder predeclares it, and it appears nowhere but as the callee at a statement's start (`name(`
    /// after ';', '{' or '}'). Any declaration (a function, a prototype, a variable, a parameter, a typedef, an
    /// enumerator, a label, a #define) spells the name in another place: after a type word, a '*', a '(' or a ',', or
    /// before something other than '('.
    /// </summary>
    internal sealed class UndefinedCalls
    {
        private readonly SourceText _text;
        private readonly ImmutableHashSet<string> _predeclared;
        /// <summary>Callees seen before the file was scanned: it is scanned only once more than the cap of them are in.</summary>
        private readonly List<string> _unscanned = new List<string>();
        /// <summary>Every name the file spells other than as a statement's callee; null until scanned.</summary>
        private HashSet<string>? _spelledElsewhere;

        public UndefinedCalls(SourceText text, ImmutableHashSet<string> predeclared)
        {
            _text = text;
            _predeclared = predeclared;
        }

        /// <summary>Calls of undefined functions counted so far: each one is an error the binder will report.</summary>
        public int Count { get; private set; }

        /// <summary>
        /// Counts the call at a statement's start of <paramref name="name"/> (<paramref name="before"/>: the token before
        /// it) when it is certainly undefined; returns whether it was.
        /// </summary>
        public bool Add(string name, SyntaxKind before)
        {
            if (before is not (SyntaxKind.SemicolonToken or SyntaxKind.OpenBraceToken or SyntaxKind.CloseBraceToken) ||
                _predeclared.Contains(name))
                return false;
            if (_spelledElsewhere is null)
            {
                // Most files call far fewer functions than the cap: they are never lexed twice.
                _unscanned.Add(name);
                if (_unscanned.Count <= DiagnosticBag.MaxErrors) return false;
                _spelledElsewhere = Scan(_text);
                foreach (var earlier in _unscanned)
                    if (!_spelledElsewhere.Contains(earlier)) Count++;
                _unscanned.Clear();
                return !_spelledElsewhere.Contains(name);
            }
            if (_spelledElsewhere.Contains(name)) return false;
            Count++;
            return true;
        }

        /// <summary>Every identifier of the file except those at a statement's start followed by '(' (lexed again, not kept).</summary>
        private static HashSet<string> Scan(SourceText text)
        {
            var lexer = new Lexer(text, new DiagnosticBag(text)); // the parser reports the lexer's errors
            var names = new HashSet<string>(System.StringComparer.Ordinal);
            var tokens = new List<SyntaxToken>();
            var before = SyntaxKind.BadToken;
            SyntaxToken? identifier = null;
            bool atStatementStart = false, done = false;
            while (!done)
            {
                tokens.Clear();
                done = lexer.LexNext(tokens);
                foreach (var token in tokens)
                {
                    if (token.Kind == SyntaxKind.BadToken) continue;
                    if (identifier != null && !(atStatementStart && token.Kind == SyntaxKind.OpenParenToken)) names.Add(identifier.Text);
                    identifier = token.Kind == SyntaxKind.IdentifierToken ? token : null;
                    atStatementStart = before is SyntaxKind.SemicolonToken or SyntaxKind.OpenBraceToken or SyntaxKind.CloseBraceToken;
                    before = token.Kind;
                }
            }
            return names;
        }
    }
}
