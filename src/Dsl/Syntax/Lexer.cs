using System.Collections.Generic;
using System.Collections.Immutable;
using System.Text;
using KDsl.Diagnostics;
using KDsl.Text;

namespace KDsl.Syntax
{
    /// <summary>Turns source text into tokens. Never throws: anything it cannot read becomes a BadToken and a diagnostic.</summary>
    public sealed class Lexer
    {
        private readonly SourceText _text;
        private readonly DiagnosticBag _diagnostics;
        private int _position;

        public Lexer(SourceText text, DiagnosticBag diagnostics)
        {
            _text = text;
            _diagnostics = diagnostics;
        }

        private char Current => Peek(0);
        private char Peek(int offset) => _position + offset < _text.Length ? _text[_position + offset] : '\0';
        private bool AtEnd(int offset = 0) => _position + offset >= _text.Length;

        /// <summary>All tokens up to and including the end-of-file token; bad tokens are included.</summary>
        public IReadOnlyList<SyntaxToken> LexAll()
        {
            var tokens = new List<SyntaxToken>();
            while (!LexNext(tokens)) { }
            return tokens;
        }

        /// <summary>
        /// Appends the next token to <paramref name="tokens"/> (a #define line the several it stands for, an #include
        /// none) and returns true once the end-of-file token is in. The parser lexes so, as it reads: a file it stops
        /// reading (too many errors, nesting too deep) is never lexed to its end, and no array of every token is kept.
        /// </summary>
        public bool LexNext(List<SyntaxToken> tokens)
        {
            if (TryLexDirective(tokens)) return false;
            var token = Lex();
            if (IsEmptyAnnotation(token)) return false;
            tokens.Add(token);
            return token.Kind == SyntaxKind.EndOfFileToken;
        }

        /// <summary>
        /// A preprocessor line (`#` first on its line). `#include` of a kernel header is a no-op: KDsl predefines what
        /// experiments use. An object-like `#define NAME value` becomes the tokens of `const NAME = value;`, so the value is
        /// an integer constant expression as for KDsl's own constants. Anything else (function-like macros, #if, #pragma)
        /// is one "not supported" error and the line is skipped.
        /// </summary>
        private bool TryLexDirective(List<SyntaxToken> tokens)
        {
            SkipTrivia();
            if (Current != '#' || !AtLineStart()) return false;
            int start = _position;
            int lineEnd = start;
            while (lineEnd < _text.Length && _text[lineEnd] != '\n' && _text[lineEnd] != '\r') lineEnd++;
            _position++;
            while (_position < lineEnd && (Current == ' ' || Current == '\t')) _position++;
            int wordStart = _position;
            while (_position < lineEnd && IsIdentifierPart(Current)) _position++;
            string word = _text.Text.Substring(wordStart, _position - wordStart);
            var lineSpan = TextSpan.FromBounds(start, lineEnd);
            if (word == "include")
            {
                string header = _text.Text.Substring(_position, lineEnd - _position).Trim();
                int comment = header.IndexOf("//", System.StringComparison.Ordinal);
                if (comment >= 0) header = header.Substring(0, comment).Trim();
                if (!IsKernelHeader(header)) _diagnostics.ReportNotSupported(lineSpan, "#include of " + (header.Length > 0 ? header : "nothing") + " (only the kernel's <linux/...> and <asm/...> headers, as no-ops)");
                _position = lineEnd;
                return true;
            }
            if (word == "define")
            {
                while (_position < lineEnd && (Current == ' ' || Current == '\t')) _position++;
                int nameStart = _position;
                while (_position < lineEnd && IsIdentifierPart(Current)) _position++;
                if (_position == nameStart || Current == '(' || !HasTokenBefore(lineEnd))
                {
                    _diagnostics.ReportNotSupported(lineSpan, _position > nameStart && Current == '(' ? "a function-like macro" : "a #define without a value");
                    _position = lineEnd;
                    return true;
                }
                string name = _text.Text.Substring(nameStart, _position - nameStart);
                tokens.Add(new SyntaxToken(SyntaxKind.ConstKeyword, wordStart, word, null));
                tokens.Add(new SyntaxToken(SyntaxKind.IdentifierToken, nameStart, name, null));
                tokens.Add(new SyntaxToken(SyntaxKind.EqualsToken, _position, "", null));
                while (true)
                {
                    SkipTrivia();
                    if (_position >= lineEnd || AtEnd()) break;
                    var token = Lex();
                    if (!IsEmptyAnnotation(token)) tokens.Add(token);
                }
                tokens.Add(new SyntaxToken(SyntaxKind.SemicolonToken, lineEnd, "", null));
                _position = lineEnd;
                return true;
            }
            _diagnostics.ReportNotSupported(lineSpan, "the preprocessor directive #" + word);
            _position = lineEnd;
            return true;
        }

        private bool AtLineStart()
        {
            for (int i = _position - 1; i >= 0 && _text[i] != '\n' && _text[i] != '\r'; i--)
                if (_text[i] != ' ' && _text[i] != '\t') return false;
            return true;
        }

        /// <summary>Whether anything but blanks and a // comment follows on the line.</summary>
        private bool HasTokenBefore(int lineEnd)
        {
            for (int i = _position; i < lineEnd; i++)
            {
                if (_text[i] == ' ' || _text[i] == '\t') continue;
                return !(_text[i] == '/' && i + 1 < lineEnd && _text[i + 1] == '/');
            }
            return false;
        }

        private static bool IsKernelHeader(string header) =>
            header.Length > 2 && header[0] == '<' && header[header.Length - 1] == '>' &&
            (header.StartsWith("<linux/", System.StringComparison.Ordinal) || header.StartsWith("<asm/", System.StringComparison.Ordinal) ||
             header.StartsWith("<uapi/", System.StringComparison.Ordinal));

        public SyntaxToken Lex()
        {
            SkipTrivia();
            int start = _position;
            if (AtEnd()) return new SyntaxToken(SyntaxKind.EndOfFileToken, start, "", null);

            char c = Current;
            if (IsIdentifierStart(c)) return LexIdentifier();
            if (c >= '0' && c <= '9') return LexNumber();
            if (c == '"') return LexString();
            if (c == '\'') return LexCharacter();

            var kind = LexPunctuation();
            if (kind != SyntaxKind.BadToken)
                return new SyntaxToken(kind, start, SyntaxFacts.GetText(kind) ?? _text.Text.Substring(start, _position - start), null);

            // A run of characters that cannot start a token: one BadToken, one diagnostic.
            while (!AtEnd() && IsBadStart())
                _position++;
            var span = TextSpan.FromBounds(start, _position);
            string bad = _text.ToString(span);
            _diagnostics.ReportBadCharacter(span, bad);
            return new SyntaxToken(SyntaxKind.BadToken, start, bad, null);
        }

        /// <summary>A word the preprocessor would have dropped (<see cref="SyntaxFacts.IsEmptyAnnotation"/>): no token.</summary>
        private static bool IsEmptyAnnotation(SyntaxToken token) =>
            token.Kind == SyntaxKind.IdentifierToken && SyntaxFacts.IsEmptyAnnotation(token.Text);

        private bool IsBadStart()
        {
            char c = Current;
            if (char.IsWhiteSpace(c) || IsIdentifierStart(c) || (c >= '0' && c <= '9') || c == '"' || c == '\'') return false;
            if (c == '/' && (Peek(1) == '/' || Peek(1) == '*')) return false;
            return PunctuationKind(c) == SyntaxKind.BadToken;
        }

        private static bool IsIdentifierStart(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        private static bool IsIdentifierPart(char c) => IsIdentifierStart(c) || (c >= '0' && c <= '9');

        private void SkipTrivia()
        {
            while (!AtEnd())
            {
                char c = Current;
                if (char.IsWhiteSpace(c)) { _position++; continue; }
                if (c == '/' && Peek(1) == '/')
                {
                    while (!AtEnd() && Current != '\n' && Current != '\r') _position++;
                    continue;
                }
                if (c == '/' && Peek(1) == '*')
                {
                    int start = _position;
                    _position += 2;
                    while (true)
                    {
                        if (AtEnd())
                        {
                            _diagnostics.ReportUnterminatedComment(new TextSpan(start, 2));
                            break;
                        }
                        if (Current == '*' && Peek(1) == '/') { _position += 2; break; }
                        _position++;
                    }
                    continue;
                }
                break;
            }
        }

        private SyntaxToken LexIdentifier()
        {
            int start = _position;
            while (!AtEnd() && IsIdentifierPart(Current)) _position++;
            string text = _text.Text.Substring(start, _position - start);
            var kind = SyntaxFacts.GetKeywordKind(text);
            // A keyword's token shares the one string of its text; a punctuation token's too (Lex): a file's tokens cost
            // the host no string each but for names and literals.
            return new SyntaxToken(kind, start, SyntaxFacts.GetText(kind) ?? text, null);
        }

        /// <summary>A C preprocessing number: a digit, then letters, digits, '_' and '.'. 16K and 6.1 are tokens
        /// too (config values read them); only valid integers carry a value.</summary>
        private SyntaxToken LexNumber()
        {
            int start = _position;
            while (!AtEnd() && (IsIdentifierPart(Current) || Current == '.')) _position++;
            string text = _text.Text.Substring(start, _position - start);
            object? value = NumberLiteral.TryParse(text, out long v, out _) == NumberParseResult.Ok ? v : (object?)null;
            return new SyntaxToken(SyntaxKind.NumberToken, start, text, value);
        }

        private SyntaxToken LexString()
        {
            int start = _position;
            _position++; // opening quote
            var bytes = ImmutableArray.CreateBuilder<byte>();
            var pending = new StringBuilder();
            while (true)
            {
                if (AtEnd() || Current == '\n' || Current == '\r')
                {
                    _diagnostics.ReportUnterminatedString(TextSpan.FromBounds(start, _position));
                    break;
                }
                char c = Current;
                if (c == '"') { _position++; break; }
                if (c == '\\')
                {
                    Flush(pending, bytes);
                    if (TryLexEscape(out byte b)) bytes.Add(b);
                    continue;
                }
                pending.Append(c);
                _position++;
            }
            Flush(pending, bytes);
            return new SyntaxToken(SyntaxKind.StringToken, start, _text.Text.Substring(start, _position - start), bytes.ToImmutable());
        }

        private static void Flush(StringBuilder pending, ImmutableArray<byte>.Builder bytes)
        {
            if (pending.Length == 0) return;
            bytes.AddRange(Encoding.UTF8.GetBytes(pending.ToString()));
            pending.Clear();
        }

        /// <summary>At a backslash: decodes one escape, advancing past it. Reports and returns false for an invalid one.</summary>
        private bool TryLexEscape(out byte value)
        {
            int start = _position;
            _position++; // backslash
            value = 0;
            if (AtEnd() || Current == '\n' || Current == '\r')
            {
                _diagnostics.ReportInvalidEscape(TextSpan.FromBounds(start, _position), "\\");
                return false;
            }
            char c = Current;
            _position++;
            switch (c)
            {
                case 'n': value = (byte)'\n'; return true;
                case 't': value = (byte)'\t'; return true;
                case 'r': value = (byte)'\r'; return true;
                case 'a': value = 7; return true;
                case 'b': value = 8; return true;
                case 'f': value = 12; return true;
                case 'v': value = 11; return true;
                case '\\': value = (byte)'\\'; return true;
                case '\'': value = (byte)'\''; return true;
                case '"': value = (byte)'"'; return true;
                case '?': value = (byte)'?'; return true;
            }
            if (c >= '0' && c <= '7')
            {
                int v = c - '0';
                for (int i = 0; i < 2 && Current >= '0' && Current <= '7'; i++, _position++)
                    v = v * 8 + (Current - '0');
                if (v > 255)
                {
                    _diagnostics.ReportInvalidEscape(TextSpan.FromBounds(start, _position), _text.Text.Substring(start, _position - start));
                    return false;
                }
                value = (byte)v;
                return true;
            }
            if (c == 'x')
            {
                int v = 0, n = 0;
                while (n < 2 && HexValue(Current) >= 0) { v = v * 16 + HexValue(Current); _position++; n++; }
                if (n == 0)
                {
                    _diagnostics.ReportInvalidEscape(TextSpan.FromBounds(start, _position), "\\x");
                    return false;
                }
                value = (byte)v;
                return true;
            }
            var span = TextSpan.FromBounds(start, _position);
            _diagnostics.ReportInvalidEscape(span, _text.ToString(span));
            return false;
        }

        private static int HexValue(char c)
        {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        }

        private SyntaxToken LexCharacter()
        {
            int start = _position;
            _position++; // opening quote
            var bytes = new List<byte>();
            bool terminated = false, bad = false;
            while (!AtEnd() && Current != '\n' && Current != '\r')
            {
                char c = Current;
                if (c == '\'') { _position++; terminated = true; break; }
                if (c == '\\')
                {
                    if (TryLexEscape(out byte b)) bytes.Add(b);
                    else bad = true;
                    continue;
                }
                int len = char.IsHighSurrogate(c) && char.IsLowSurrogate(Peek(1)) ? 2 : 1;
                bytes.AddRange(Encoding.UTF8.GetBytes(_text.Text.Substring(_position, len)));
                _position += len;
            }
            var span = TextSpan.FromBounds(start, _position);
            string text = _text.ToString(span);
            object? value = null;
            if (!terminated) _diagnostics.ReportUnterminatedCharacter(span);
            else if (bad) { }
            else if (bytes.Count == 0) _diagnostics.ReportEmptyCharacter(span);
            else if (bytes.Count > 1) _diagnostics.ReportMultiCharacter(span);
            else value = (long)(sbyte)bytes[0]; // char is signed: '\xff' is -1
            return new SyntaxToken(SyntaxKind.CharacterToken, start, text, value ?? 0L);
        }

        private SyntaxKind LexPunctuation()
        {
            char c = Current, n = Peek(1), n2 = Peek(2);
            int length = 1;
            SyntaxKind kind;
            switch (c)
            {
                case '+': kind = n == '+' ? Two(SyntaxKind.PlusPlusToken) : n == '=' ? Two(SyntaxKind.PlusEqualsToken) : SyntaxKind.PlusToken; break;
                case '-': kind = n == '-' ? Two(SyntaxKind.MinusMinusToken) : n == '=' ? Two(SyntaxKind.MinusEqualsToken) : n == '>' ? Two(SyntaxKind.ArrowToken) : SyntaxKind.MinusToken; break;
                case '*': kind = n == '=' ? Two(SyntaxKind.StarEqualsToken) : SyntaxKind.StarToken; break;
                case '/': kind = n == '=' ? Two(SyntaxKind.SlashEqualsToken) : SyntaxKind.SlashToken; break;
                case '%': kind = n == '=' ? Two(SyntaxKind.PercentEqualsToken) : SyntaxKind.PercentToken; break;
                case '&': kind = n == '&' ? Two(SyntaxKind.AmpersandAmpersandToken) : n == '=' ? Two(SyntaxKind.AmpersandEqualsToken) : SyntaxKind.AmpersandToken; break;
                case '|': kind = n == '|' ? Two(SyntaxKind.PipePipeToken) : n == '=' ? Two(SyntaxKind.PipeEqualsToken) : SyntaxKind.PipeToken; break;
                case '^': kind = n == '=' ? Two(SyntaxKind.CaretEqualsToken) : SyntaxKind.CaretToken; break;
                case '!': kind = n == '=' ? Two(SyntaxKind.BangEqualsToken) : SyntaxKind.BangToken; break;
                case '=': kind = n == '=' ? Two(SyntaxKind.EqualsEqualsToken) : SyntaxKind.EqualsToken; break;
                case '<':
                    if (n == '<') { kind = n2 == '=' ? SyntaxKind.LessLessEqualsToken : SyntaxKind.LessLessToken; length = n2 == '=' ? 3 : 2; }
                    else kind = n == '=' ? Two(SyntaxKind.LessEqualsToken) : SyntaxKind.LessToken;
                    break;
                case '>':
                    if (n == '>') { kind = n2 == '=' ? SyntaxKind.GreaterGreaterEqualsToken : SyntaxKind.GreaterGreaterToken; length = n2 == '=' ? 3 : 2; }
                    else kind = n == '=' ? Two(SyntaxKind.GreaterEqualsToken) : SyntaxKind.GreaterToken;
                    break;
                default: kind = PunctuationKind(c); break;
            }
            if (kind != SyntaxKind.BadToken) _position += length;
            return kind;

            SyntaxKind Two(SyntaxKind k) { length = 2; return k; }
        }

        private static SyntaxKind PunctuationKind(char c) => c switch
        {
            '(' => SyntaxKind.OpenParenToken,
            ')' => SyntaxKind.CloseParenToken,
            '{' => SyntaxKind.OpenBraceToken,
            '}' => SyntaxKind.CloseBraceToken,
            '[' => SyntaxKind.OpenBracketToken,
            ']' => SyntaxKind.CloseBracketToken,
            ';' => SyntaxKind.SemicolonToken,
            ',' => SyntaxKind.CommaToken,
            '.' => SyntaxKind.DotToken,
            '?' => SyntaxKind.QuestionToken,
            ':' => SyntaxKind.ColonToken,
            '+' => SyntaxKind.PlusToken,
            '-' => SyntaxKind.MinusToken,
            '*' => SyntaxKind.StarToken,
            '/' => SyntaxKind.SlashToken,
            '%' => SyntaxKind.PercentToken,
            '&' => SyntaxKind.AmpersandToken,
            '|' => SyntaxKind.PipeToken,
            '^' => SyntaxKind.CaretToken,
            '~' => SyntaxKind.TildeToken,
            '!' => SyntaxKind.BangToken,
            '<' => SyntaxKind.LessToken,
            '>' => SyntaxKind.GreaterToken,
            '=' => SyntaxKind.EqualsToken,
            _ => SyntaxKind.BadToken,
        };
    }
}
