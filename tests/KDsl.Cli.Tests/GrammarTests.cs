using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using KDsl.Diagnostics;
using KDsl.Syntax;
using KDsl.Text;
using NUnit.Framework;

namespace KDsl.Cli.Tests
{
    /// <summary>editors/: the TextMate grammar and the VS Code extension folder that carries it.</summary>
    public class GrammarTests
    {
        private static string Repo(params string[] parts) => Path.Combine(new[] { TestContext.CurrentContext.TestDirectory }.Concat(parts).ToArray());

        private static JsonDocument Grammar() => JsonDocument.Parse(File.ReadAllText(Repo("editors", "textmate", "kdsl.tmLanguage.json")));

        /// <summary>docs/language.md, Lexical structure: "Keywords: `module config ... sizeof`".</summary>
        private static string[] DocumentedKeywords()
        {
            string doc = File.ReadAllText(Repo("docs", "language.md"));
            var m = Regex.Match(doc, @"\* Keywords: `([^`]+)`");
            Assert.That(m.Success, "docs/language.md lists the keywords");
            return m.Groups[1].Value.Split(new[] { ' ', '\n', '\r' }, StringSplitOptions.RemoveEmptyEntries);
        }

        private static IEnumerable<string> Regexes(JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in e.EnumerateObject())
                {
                    if (p.Name is "match" or "begin" or "end" or "while" && p.Value.ValueKind == JsonValueKind.String) yield return p.Value.GetString()!;
                    else foreach (var r in Regexes(p.Value)) yield return r;
                }
            }
            else if (e.ValueKind == JsonValueKind.Array)
                foreach (var item in e.EnumerateArray())
                    foreach (var r in Regexes(item)) yield return r;
        }

        [Test]
        public void TheGrammarIsJsonWithItsScopeAndEveryRegexCompiles()
        {
            using var doc = Grammar();
            Assert.That(doc.RootElement.GetProperty("scopeName").GetString(), Is.EqualTo("source.kdsl"));
            Assert.That(doc.RootElement.GetProperty("fileTypes").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "kdsl" }));
            var regexes = Regexes(doc.RootElement).ToList();
            Assert.That(regexes, Has.Count.GreaterThan(30));
            // No construct is skipped: the grammar keeps to what Oniguruma and .NET share (no \h, \K, absent operators,
            // possessive quantifiers), so each pattern must compile here as it is.
            Assert.Multiple(() =>
            {
                foreach (var r in regexes)
                    Assert.That(() => new Regex(r), Throws.Nothing, r);
            });
            // Every include names a repository entry (the tokenizer throws otherwise).
            Assert.That(() => new TextMateTokenizer(doc.RootElement), Throws.Nothing);
        }

        [Test]
        public void EveryDocumentedKeywordIsMatchedByTheKeywordRule()
        {
            using var doc = Grammar();
            var tm = new TextMateTokenizer(doc.RootElement);
            var keywords = DocumentedKeywords();
            Assert.That(keywords, Does.Contain("module").And.Contain("sizeof").And.Contain("long"));
            Assert.Multiple(() =>
            {
                foreach (var word in keywords)
                {
                    // The lexer agrees the word is reserved, so the docs line was read right.
                    Assert.That(SyntaxFacts.IsKeyword(SyntaxFacts.GetKeywordKind(word)), word);
                    var rule = tm.Repository["keywords"].FirstOrDefault(r => r.Match!.Match(word) is { Success: true } m && m.Value == word);
                    Assert.That(rule, Is.Not.Null, $"the keywords rule matches '{word}'");
                    Assert.That(rule?.Name, Does.StartWith("keyword.").Or.StartWith("storage.type"), word);
                    // A longer identifier that starts with the keyword is not highlighted as one.
                    Assert.That(tm.Repository["keywords"].Any(r => r.Match!.Match(word + "_x").Success), Is.False, word + "_x");
                }
            });
        }

        [Test]
        public void TheBlockWordsAndBuiltinsHaveScopes()
        {
            using var doc = Grammar();
            var tm = new TextMateTokenizer(doc.RootElement);
            string Scope(string text, string word) => tm.Tokenize(text).Scopes[Regex.Match(text, (char.IsLetterOrDigit(word[0]) ? "(?<![A-Za-z0-9_])" : "") + Regex.Escape(word)).Index];
            Assert.Multiple(() =>
            {
                Assert.That(Scope("scenario buf2048 { }", "scenario"), Does.Contain("keyword.other.scenario"));
                Assert.That(Scope("scenario buf2048 { }", "buf2048"), Does.Contain("entity.name.section"));
                Assert.That(Scope("process sigbus {", "process"), Does.Contain("keyword.other.process"));
                Assert.That(Scope("later {", "later"), Does.Contain("keyword.other.later"));
                foreach (var b in new[] { "printk", "BUG", "BUG_ON", "WARN_ON", "panic", "call_ptr", "vmalloc", "kmalloc", "__kmalloc", "kzalloc", "kfree", "__get_free_pages", "free_pages", "kthread_run", "IS_ERR", "PTR_ERR" })
                    Assert.That(Scope($"    {b}(x);", b), Does.Contain("support.function.builtin"), b);
                foreach (var s in new[] { "read", "write", "open", "close", "mmap", "mprotect", "munmap", "sigaction", "getpid", "ftruncate" })
                    Assert.That(Scope($"    long r = {s}(x);", s), Does.Contain("support.function.syscall"), s);
                Assert.That(Scope("int fd = open(p, O_CREAT | O_RDWR, 0644);", "O_CREAT"), Does.Contain("support.constant"));
                Assert.That(Scope("int fd = open(p, O_CREAT | O_RDWR, 0644);", "0644"), Does.Contain("constant.numeric.octal"));
                Assert.That(Scope("long a = 0xffff888000000000ul;", "0x"), Does.Contain("constant.numeric.hex"));
                Assert.That(Scope("printk(\"a\\x41\\n %px\", p);", "\\x41"), Does.Contain("constant.character.escape"));
                Assert.That(Scope("printk(\"a\\x41\\n %px\", p);", "%px"), Does.Contain("constant.other.placeholder"));
                Assert.That(Scope("char c = '\\0';", "\\0"), Does.Contain("string.quoted.single").And.Contain("constant.character.escape"));
                // config: settings, sizes, profiles, severities with their diagnostic ids.
                const string config = "config { thread_size = 16K; profile = linux-4.11; severity KDSL1001 = none; }";
                Assert.That(Scope(config, "thread_size"), Does.Contain("variable.other.property.setting"));
                Assert.That(Scope(config, "16K"), Does.Contain("constant.numeric.size"));
                Assert.That(Scope(config, "linux-4.11"), Does.Contain("constant.other.profile"));
                Assert.That(Scope(config, "severity"), Does.Contain("keyword.other.severity"));
                Assert.That(Scope(config, "KDSL1001"), Does.Contain("constant.other.diagnostic-id"));
                Assert.That(Scope(config, "none"), Does.Contain("constant.language.severity"));
                // expect: its words, oops kinds, signals; outside expect `count` is just a name.
                const string expect = "expect { oops stack_guard in rstack depth 4; signal SIGBUS BUS_ADRERR at mmap + 4100; no fault; }";
                foreach (var w in new[] { "oops", "in", "depth", "signal", "at", "no", "fault" })
                    Assert.That(Scope(expect, w), Does.Contain("keyword.other.expect"), w);
                Assert.That(Scope(expect, "stack_guard"), Does.Contain("constant.language.oops-kind"));
                Assert.That(Scope(expect, "SIGBUS"), Does.Contain("constant.language.signal"));
                Assert.That(Scope(expect, "BUS_ADRERR"), Does.Contain("constant.language.si-code"));
                Assert.That(Scope("int count = 1;", "count"), Does.Not.Contain("keyword"));
            });
        }

        /// <summary>
        /// Each example through the grammar and through KDsl's own lexer: every keyword token is scoped as a keyword or
        /// type, every string and character literal as a string, every number as a number (or a config constant such as
        /// linux-6.1); what the lexer skips that is not blank is a comment, a preprocessor directive or a dropped annotation,
        /// and no token is inside a comment; every
        /// region the grammar opens (comment, string, config, expect) is closed by the end of the file.
        /// </summary>
        [TestCaseSource(nameof(Examples))]
        public void ExamplesTokenizeLikeTheLexerReadsThem(string name)
        {
            using var doc = Grammar();
            var tm = new TextMateTokenizer(doc.RootElement);
            string text = File.ReadAllText(CliRunner.Example(name));
            var (scopes, open) = tm.Tokenize(text);
            var source = new SourceText(name, text);
            var tokens = new Lexer(source, new DiagnosticBag(source)).LexAll().Where(t => t.Kind != SyntaxKind.EndOfFileToken).ToList();
            Assert.That(tokens.Where(t => t.Kind == SyntaxKind.BadToken), Is.Empty, "the example lexes cleanly");

            var inToken = new bool[text.Length];
            var problems = new List<string>();
            string Where(int i) => $"{name}({text.Take(i).Count(c => c == '\n') + 1}): ";
            foreach (var t in tokens)
            {
                for (int i = t.Position; i < t.Position + t.Text.Length; i++) inToken[i] = true;
                string[] span = scopes.Skip(t.Position).Take(t.Text.Length).ToArray();
                string? want = t.Kind switch
                {
                    _ when SyntaxFacts.IsKeyword(t.Kind) => "keyword|storage.type",
                    SyntaxKind.StringToken or SyntaxKind.CharacterToken => "string.quoted",
                    SyntaxKind.NumberToken => "constant.",
                    _ => null,
                };
                if (want is not null && !span.All(s => want.Split('|').Any(w => s.Contains(w, StringComparison.Ordinal))))
                    problems.Add(Where(t.Position) + $"{t.Kind} '{t.Text}' scoped {span.First()}");
                if (span.Any(s => s.Contains("comment.", StringComparison.Ordinal)))
                    problems.Add(Where(t.Position) + $"{t.Kind} '{t.Text}' is inside a comment");
                if (t.Kind is not (SyntaxKind.StringToken or SyntaxKind.CharacterToken) && span.Any(s => s.Contains("string.", StringComparison.Ordinal)))
                    problems.Add(Where(t.Position) + $"{t.Kind} '{t.Text}' is inside a string");
            }
            // besides comments, the lexer skips a preprocessor line's directive (an #include's whole line) and the words it
            // drops as the preprocessor would (__user, __init, noinline): the grammar scopes those as such
            static bool Skippable(string scope) => scope.Contains("comment.", StringComparison.Ordinal) ||
                scope.Contains("meta.preprocessor", StringComparison.Ordinal) || scope.Contains("storage.modifier.annotation", StringComparison.Ordinal);
            for (int i = 0; i < text.Length; i++)
                if (!inToken[i] && !char.IsWhiteSpace(text[i]) && !Skippable(scopes[i]))
                    problems.Add(Where(i) + $"'{text[i]}' is neither a token nor in a comment");
            Assert.That(problems, Is.Empty);
            Assert.That(open, Is.EqualTo(0), "every region is closed at the end of the file");
            Assert.That(scopes.Count(s => s.Contains("comment.", StringComparison.Ordinal)), Is.GreaterThan(0), "the examples all have comments");
        }

        private static IEnumerable<string> Examples() =>
            Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "examples"), "*.kdsl").Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal)!;

        [Test]
        public void TheVsCodeExtensionContributesTheLanguageAndTheGrammar()
        {
            using var package = JsonDocument.Parse(File.ReadAllText(Repo("editors", "vscode", "package.json")));
            var contributes = package.RootElement.GetProperty("contributes");
            var language = contributes.GetProperty("languages")[0];
            Assert.That(language.GetProperty("id").GetString(), Is.EqualTo("kdsl"));
            Assert.That(language.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { ".kdsl" }));
            var grammar = contributes.GetProperty("grammars")[0];
            Assert.That(grammar.GetProperty("language").GetString(), Is.EqualTo("kdsl"));
            Assert.That(grammar.GetProperty("scopeName").GetString(), Is.EqualTo("source.kdsl"));

            // The grammar it names is inside the extension folder and is the source, byte for byte (see its README).
            string copy = Repo("editors", "vscode", grammar.GetProperty("path").GetString()!);
            Assert.That(File.ReadAllBytes(copy), Is.EqualTo(File.ReadAllBytes(Repo("editors", "textmate", "kdsl.tmLanguage.json"))));

            using var configuration = JsonDocument.Parse(File.ReadAllText(Repo("editors", "vscode", language.GetProperty("configuration").GetString()!)));
            var comments = configuration.RootElement.GetProperty("comments");
            Assert.That(comments.GetProperty("lineComment").GetString(), Is.EqualTo("//"));
            Assert.That(comments.GetProperty("blockComment").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "/*", "*/" }));
            Assert.That(configuration.RootElement.GetProperty("brackets").GetArrayLength(), Is.EqualTo(3));
        }
    }
}
