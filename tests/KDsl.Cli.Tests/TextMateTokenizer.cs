using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace KDsl.Cli.Tests
{
    /// <summary>
    /// Just enough of a TextMate engine to run editors/textmate/kdsl.tmLanguage.json over a file: line by line, at each
    /// position the rule whose regex matches earliest wins (ties: the first in the list, an open region's `end` before
    /// its patterns), `match` rules scope their text and captures, `begin`/`end` rules open a region that may span lines,
    /// `include` of a repository entry that only has `patterns` splices those in. Regexes run with .NET's engine, which
    /// accepts the Oniguruma subset the grammar uses. The result is each character's scopes.
    /// </summary>
    internal sealed class TextMateTokenizer
    {
        internal sealed class Rule
        {
            public string? Name;
            public Regex? Match, Begin, End;
            public Dictionary<int, string> Captures = new(), BeginCaptures = new(), EndCaptures = new();
            public List<Rule> Patterns = new();
        }

        public string ScopeName { get; }
        public List<Rule> Root { get; }
        public Dictionary<string, List<Rule>> Repository { get; } = new(StringComparer.Ordinal);

        public TextMateTokenizer(JsonElement grammar)
        {
            ScopeName = grammar.GetProperty("scopeName").GetString()!;
            var raw = grammar.GetProperty("repository").EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
            var built = new Dictionary<string, Rule>(StringComparer.Ordinal);
            // Two passes so includes can name entries defined later in the file.
            foreach (var (name, element) in raw) built[name] = new Rule();
            foreach (var (name, element) in raw) Fill(built[name], element, built);
            foreach (var (name, rule) in built) Repository[name] = Expand(rule);
            Root = Patterns(grammar.GetProperty("patterns"), built);
        }

        /// <summary>An entry with only `patterns` stands for those patterns; anything else for itself.</summary>
        private static List<Rule> Expand(Rule rule) => rule.Match is null && rule.Begin is null ? rule.Patterns : new List<Rule> { rule };

        private static void Fill(Rule rule, JsonElement e, Dictionary<string, Rule> built)
        {
            if (e.TryGetProperty("name", out var n)) rule.Name = n.GetString();
            if (e.TryGetProperty("match", out var m)) rule.Match = new Regex(m.GetString()!);
            if (e.TryGetProperty("begin", out var b)) rule.Begin = new Regex(b.GetString()!);
            if (e.TryGetProperty("end", out var en)) rule.End = new Regex(en.GetString()!);
            rule.Captures = Captures(e, "captures");
            rule.BeginCaptures = Captures(e, "beginCaptures");
            rule.EndCaptures = Captures(e, "endCaptures");
            if (rule.Begin is not null && rule.BeginCaptures.Count == 0) rule.BeginCaptures = rule.Captures;
            if (rule.Begin is not null && rule.EndCaptures.Count == 0) rule.EndCaptures = rule.Captures;
            if (e.TryGetProperty("patterns", out var ps)) rule.Patterns = Patterns(ps, built);
        }

        private static List<Rule> Patterns(JsonElement array, Dictionary<string, Rule> built)
        {
            var list = new List<Rule>();
            foreach (var p in array.EnumerateArray())
            {
                if (p.TryGetProperty("include", out var inc))
                {
                    string target = inc.GetString()!;
                    if (!target.StartsWith('#') || !built.TryGetValue(target.Substring(1), out var r))
                        throw new InvalidOperationException($"include {target}: no such repository entry");
                    // Resolved lazily: the included rule may not be filled yet.
                    list.Add(new Rule { Name = "\0include", Patterns = new List<Rule> { r } });
                    continue;
                }
                var rule = new Rule();
                Fill(rule, p, built);
                list.Add(rule);
            }
            return list;
        }

        private static Dictionary<int, string> Captures(JsonElement e, string property)
        {
            var d = new Dictionary<int, string>();
            if (e.TryGetProperty(property, out var c))
                foreach (var p in c.EnumerateObject())
                    if (p.Value.TryGetProperty("name", out var n)) d[int.Parse(p.Name, System.Globalization.CultureInfo.InvariantCulture)] = n.GetString()!;
            return d;
        }

        /// <summary>Flattens includes into the rules to try, in order.</summary>
        private static IEnumerable<Rule> Candidates(List<Rule> patterns)
        {
            foreach (var p in patterns)
            {
                if (p.Name == "\0include")
                {
                    foreach (var r in Candidates(Expand(p.Patterns[0]))) yield return r;
                }
                else yield return p;
            }
        }

        /// <summary>Each character's scopes (space-separated, outermost first), and the regions still open at the end.</summary>
        public (string[] Scopes, int OpenRegions) Tokenize(string text)
        {
            var scopes = new string[text.Length];
            var stack = new List<Rule>();
            int offset = 0;
            foreach (var rawLine in text.Split('\n'))
            {
                string line = rawLine.TrimEnd('\r');
                TokenizeLine(line, offset, stack, scopes);
                for (int i = offset + line.Length; i < offset + rawLine.Length + 1 && i < text.Length; i++)
                    scopes[i] = Scope(stack, null);
                offset += rawLine.Length + 1;
            }
            return (scopes, stack.Count);
        }

        private string Scope(List<Rule> stack, string? extra)
        {
            var parts = new List<string> { ScopeName };
            parts.AddRange(stack.Where(r => r.Name is not null).Select(r => r.Name!));
            if (extra is not null) parts.Add(extra);
            return string.Join(" ", parts);
        }

        private void TokenizeLine(string line, int offset, List<Rule> stack, string[] scopes)
        {
            int pos = 0;
            while (pos <= line.Length)
            {
                var top = stack.Count > 0 ? stack[^1] : null;
                System.Text.RegularExpressions.Match? best = null;
                Rule? bestRule = null;
                bool bestIsEnd = false;
                if (top?.End is { } end)
                {
                    var m = end.Match(line, pos);
                    if (m.Success) { best = m; bestIsEnd = true; }
                }
                foreach (var rule in Candidates(top?.Patterns ?? Root))
                {
                    var m = (rule.Match ?? rule.Begin)?.Match(line, pos);
                    if (m is null || !m.Success) continue;
                    if (best is null || m.Index < best.Index) { best = m; bestRule = rule; bestIsEnd = false; }
                }
                if (best is null)
                {
                    Fill(scopes, offset + pos, offset + line.Length, Scope(stack, null));
                    return;
                }
                Fill(scopes, offset + pos, offset + best.Index, Scope(stack, null));
                int next = best.Index + best.Length;
                if (bestIsEnd)
                {
                    Fill(scopes, offset + best.Index, offset + next, Scope(stack, null));
                    ApplyCaptures(scopes, offset, best, top!.EndCaptures, Scope(stack, null));
                    stack.RemoveAt(stack.Count - 1);
                }
                else if (bestRule!.Begin is not null)
                {
                    stack.Add(bestRule);
                    Fill(scopes, offset + best.Index, offset + next, Scope(stack, null));
                    ApplyCaptures(scopes, offset, best, bestRule.BeginCaptures, Scope(stack, null));
                }
                else
                {
                    Fill(scopes, offset + best.Index, offset + next, Scope(stack, bestRule.Name));
                    ApplyCaptures(scopes, offset, best, bestRule.Captures, Scope(stack, bestRule.Name));
                }
                if (next == pos && best.Length == 0)
                {
                    // An empty match must not loop: move on by one character.
                    if (pos < line.Length) scopes[offset + pos] = Scope(stack, null);
                    next = pos + 1;
                }
                pos = next;
            }
        }

        private static void Fill(string[] scopes, int from, int to, string scope)
        {
            for (int i = from; i < to && i < scopes.Length; i++) scopes[i] = scope;
        }

        private static void ApplyCaptures(string[] scopes, int offset, System.Text.RegularExpressions.Match m, Dictionary<int, string> captures, string baseScope)
        {
            foreach (var (group, name) in captures)
            {
                if (group == 0) { Fill(scopes, offset + m.Index, offset + m.Index + m.Length, baseScope + " " + name); continue; }
                var g = m.Groups[group];
                if (g.Success) Fill(scopes, offset + g.Index, offset + g.Index + g.Length, baseScope + " " + name);
            }
        }
    }
}
