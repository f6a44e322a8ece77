using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;

namespace KDsl.Tests.Shared
{
    /// <summary>
    /// Seeded .kdsl inputs for the compiler fuzz tests: token-level mutations and splices of examples/*.kdsl,
    /// truncations, deep nesting, huge literals and buffers, long identifiers, random text (invalid UTF-8 decoded,
    /// NULs, lone surrogates) and small programs that poke memory and jump to random addresses. Shared by
    /// KDsl.Runtime.Tests (compile and run) and KDsl.Generator.Tests (through the Roslyn generator).
    /// </summary>
    internal sealed class KdslFuzzer
    {
        private static readonly Regex Token = new Regex(
            @"//[^\n]*|/\*[\s\S]*?\*/|""(?:\\.|[^""\\\n])*""|'(?:\\.|[^'\\\n])*'|[A-Za-z_][A-Za-z0-9_]*|0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlLK]*|<<=|>>=|&&|\|\||[-+*/%&|^!=<>]=|\+\+|--|<<|>>|\s+|.",
            RegexOptions.Compiled);

        private static readonly string[] Vocabulary =
        {
            "module", "config", "const", "init", "exit", "expect", "scenario", "later", "void", "char", "int", "long", "if", "else",
            "while", "do", "for", "break", "continue", "return", "sizeof", "printk", "BUG", "BUG_ON", "WARN_ON", "panic", "call_ptr",
            "count", "oops", "in", "depth", "of", "line", "match", "stack", "max", "no", "fault", "on", "off", "profile", "thread_size",
            "vmap_stack", "panic_on_oops", "hash_pointers", "linux-4.11", "linux-5.10", "linux-6.1", "8K", "16K", "32K",
            "{", "}", "(", ")", "[", "]", ";", ",", "=", "+", "-", "*", "/", "%", "&", "|", "^", "!", "~", "<", ">", "<=", ">=",
            "==", "!=", "&&", "||", "<<", ">>", "++", "--", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "|=", "^=",
            "0", "1", "-1", "0x7fffffff", "0x80000000", "0xffffffffffffffff", "18446744073709551616", "99999999999999999999999",
            "0777", "09", "0x", "1ull", "4096", "2147483647", "2147483648", "'a'", "'\\xff'", "'\\777'", "''", "'", "\"",
            "\"%d %s %px %n\\n\"", "\"\\x\"", "\"\\0016\"", "\"unterminated", "/*", "*/", "//", "\\", "#", "@", "$", "`", "\0",
            "\u00e9", "\ud800", "\uffff", "n", "buf", "i", "p", "x", "rstack", "main",
        };

        private readonly Random _rng;
        private readonly List<string> _examples;

        public KdslFuzzer(int seed, IEnumerable<string> examples)
        {
            _rng = new Random(seed);
            _examples = new List<string>(examples);
            if (_examples.Count == 0) throw new ArgumentException("no examples to mutate");
        }

        /// <summary>The examples next to the test binaries (copied from examples/*.kdsl).</summary>
        public static List<string> LoadExamples(string testDirectory)
        {
            var list = new List<string>();
            string dir = Path.Combine(testDirectory, "examples");
            if (Directory.Exists(dir))
                foreach (var f in Directory.GetFiles(dir, "*.kdsl"))
                    list.Add(File.ReadAllText(f));
            list.Sort(StringComparer.Ordinal);
            return list;
        }

        public static List<string> Tokenize(string text)
        {
            var tokens = new List<string>();
            foreach (Match m in Token.Matches(text)) tokens.Add(m.Value);
            return tokens;
        }

        private string Example() => _examples[_rng.Next(_examples.Count)];

        private string Pick(string[] a) => a[_rng.Next(a.Length)];

        /// <summary>The next input and the kind of generator that made it.</summary>
        public (string Kind, string Text) Next()
        {
            int r = _rng.Next(100);
            if (r < 45) return ("mutate", Mutate(Example(), _rng.Next(1, 6)));
            if (r < 52) return ("truncate", Truncate(Example()));
            if (r < 57) return ("splice", Splice());
            if (r < 65) return ("nesting", Nesting());
            if (r < 72) return ("huge", Huge());
            if (r < 77) return ("random-text", RandomText());
            if (r < 80) return ("identifier", LongIdentifier());
            return ("program", Program());
        }

        public string Mutate(string text, int edits)
        {
            var tokens = Tokenize(text);
            for (int e = 0; e < edits && tokens.Count > 0; e++)
            {
                int i = _rng.Next(tokens.Count);
                switch (_rng.Next(7))
                {
                    case 0: tokens.RemoveAt(i); break;
                    case 1: tokens.Insert(i, tokens[i]); break;
                    case 2:
                        if (i + 1 < tokens.Count) (tokens[i], tokens[i + 1]) = (tokens[i + 1], tokens[i]);
                        break;
                    case 3: tokens[i] = Pick(Vocabulary); break;
                    case 4: tokens.Insert(i, Pick(Vocabulary)); break;
                    case 5: tokens[i] = tokens[_rng.Next(tokens.Count)]; break;
                    default:
                        // Numbers are where the interesting runs are: recursion depths, buffer sizes, addresses.
                        int n = tokens.FindIndex(_rng.Next(tokens.Count), t => t.Length > 0 && char.IsDigit(t[0]));
                        if (n >= 0) tokens[n] = Number();
                        break;
                }
            }
            return string.Concat(tokens);
        }

        private string Number() => _rng.Next(8) switch
        {
            0 => "0",
            1 => _rng.Next(0, 10).ToString(),
            2 => _rng.Next(0, 5000).ToString(),
            3 => "0x" + ((ulong)_rng.Next() << 32 | (uint)_rng.Next()).ToString("x"),
            4 => "2147483648",
            5 => "-1",
            6 => _rng.Next(0, 200000).ToString(),
            _ => "0xffff888000000000",
        };

        private string Truncate(string text) => text.Substring(0, _rng.Next(text.Length + 1));

        private string Splice()
        {
            string a = Example(), b = Example();
            int i = _rng.Next(a.Length + 1), j = _rng.Next(b.Length + 1), k = Math.Min(b.Length, j + _rng.Next(200));
            return a.Substring(0, i) + b.Substring(j, k - j) + a.Substring(i);
        }

        private static string Repeat(string s, int n)
        {
            var sb = new StringBuilder(s.Length * n);
            for (int i = 0; i < n; i++) sb.Append(s);
            return sb.ToString();
        }

        private int Depth() => _rng.Next(4) switch { 0 => _rng.Next(200, 300), 1 => _rng.Next(1000, 5000), 2 => 20000, _ => _rng.Next(1, 100) };

        public string Nesting()
        {
            int n = Depth();
            string body = _rng.Next(12) switch
            {
                0 => $"return {Repeat("(", n)}1{Repeat(")", n)};",
                1 => $"{Repeat("{", n)}{Repeat("}", n)}",
                2 => $"{Repeat("if (1) ", n)}printk(\"x\\n\");",
                3 => $"return {Repeat("-", n)}1;",
                4 => $"return {Repeat("1 + ", n)}1;",
                5 => $"long a; a = {Repeat("a = ", n)}1;",
                6 => $"long *p = 0; return {Repeat("*", n)}p;",
                7 => $"return {Repeat("(long)", n)}1;",
                8 => $"int x = 0; {Repeat("while (x) ", n)}x++;",
                9 => $"int x = 0; {Repeat("if (x) x++; else ", n)}x--;",
                10 => $"return {Repeat("!~", n)}1;",
                _ => $"return 1{Repeat(" * 2", n)} && {Repeat("1 || ", n)}0;",
            };
            string pre = _rng.Next(3) == 0 ? $"const C = {Repeat("(", n % 600)}1{Repeat(")", n % 600)};\n" : "";
            return $"module deep \"nesting\";\n{pre}init {{ {body} }}\n";
        }

        private string Huge()
        {
            return _rng.Next(9) switch
            {
                0 => "module huge \"x\";\ninit { return 99999999999999999999999999999999999999; }\n",
                1 => $"module huge \"x\";\ninit {{ char buf[{Pick(new[] { "0x7fffffff", "0x80000000", "0x7ffffffffffffff", "2147483647", "1 << 40", "-1", "0" })}]; buf[0] = 1; }}\n",
                2 => $"module huge \"x\";\nconst N = {Pick(new[] { "1 << 30", "0x7fffffff", "(1 << 31) - 1", "1 << 62", "16384", "65536", "1048576" })};\nvoid f(int n) {{ char b[N]; b[0] = 1; if (n) f(n - 1); }}\ninit {{ f(2); }}\n",
                3 => $"module huge \"{new string('s', _rng.Next(1, 300000))}\";\ninit {{ }}\n",
                4 => $"module huge \"x\";\ninit {{ printk(\"{new string('%', _rng.Next(1, 5000))}d\\n\", 1); }}\n",
                5 => $"module huge \"x\";\ninit {{ {Repeat("long v; ", 1)}{LongLocals(_rng.Next(1, 3000))} return 0; }}\n",
                6 => $"module huge \"x\";\n{Functions(_rng.Next(1, 2000))}init {{ f0(1); }}\n",
                7 => $"module huge \"x\";\ninit {{ printk(\"{Repeat("\\\\777\\\\x", _rng.Next(1, 1000))}\"); }}\n",
                _ => $"module huge \"x\";\nconfig {{ thread_size = {Pick(new[] { "8K", "16K", "32K", "0", "999999999999999999999K", "-8K", "4K", "" })}; }}\ninit {{ char b[{_rng.Next(1, 40000)}]; b[1] = 2; }}\n",
            };
        }

        private string LongLocals(int n)
        {
            var sb = new StringBuilder();
            for (int i = 0; i < n; i++) sb.Append($"long v{i} = {i}; ");
            sb.Append("v0 = ");
            for (int i = 1; i < Math.Min(n, 500); i++) sb.Append($"v{i} + ");
            sb.Append("0;");
            return sb.ToString();
        }

        private string Functions(int n)
        {
            var sb = new StringBuilder();
            for (int i = 0; i < n; i++)
                sb.Append($"long f{i}(long x) {{ return {(i + 1 < n ? $"f{i + 1}(x + 1)" : "x")}; }}\n");
            return sb.ToString();
        }

        private string LongIdentifier()
        {
            string id = "a" + new string('b', _rng.Next(1, 200000));
            return _rng.Next(3) switch
            {
                0 => $"module {id} \"x\";\ninit {{ }}\n",
                1 => $"module m \"x\";\nlong {id}(long x) {{ return x; }}\ninit {{ {id}(1); }}\n",
                _ => $"module m \"x\";\ninit {{ long {id} = 1; return {id}; }}\n",
            };
        }

        private string RandomText()
        {
            switch (_rng.Next(4))
            {
                case 0:
                {
                    var bytes = new byte[_rng.Next(0, 4000)];
                    _rng.NextBytes(bytes);
                    return Encoding.UTF8.GetString(bytes); // invalid sequences become U+FFFD
                }
                case 1:
                {
                    var chars = new char[_rng.Next(0, 2000)];
                    for (int i = 0; i < chars.Length; i++) chars[i] = (char)_rng.Next(0, 0x10000); // lone surrogates, NULs
                    return new string(chars);
                }
                case 2:
                {
                    // An example with random bytes inside, decoded as UTF-8.
                    var bytes = new List<byte>(Encoding.UTF8.GetBytes(Example()));
                    for (int k = 0; k < 5; k++) bytes.Insert(_rng.Next(bytes.Count + 1), (byte)_rng.Next(0x80, 0x100));
                    return Encoding.UTF8.GetString(bytes.ToArray());
                }
                default:
                {
                    var sb = new StringBuilder();
                    int n = _rng.Next(1, 300);
                    for (int i = 0; i < n; i++) sb.Append(Pick(Vocabulary)).Append(_rng.Next(3) == 0 ? "\n" : " ");
                    return sb.ToString();
                }
            }
        }

        private string Address() => _rng.Next(10) switch
        {
            0 => "0",
            1 => "0xffffffff81000000",           // kernel text
            2 => "0xffff888000000000",           // the direct map
            3 => "0xffffc90000000000",           // vmalloc
            4 => "0x00007f86ddd4b800",           // insmod's user code
            5 => "0x8000000000000000",           // non-canonical
            6 => "0xffffffffa0000000",           // modules
            7 => "(long)buf",
            8 => "(long)buf + " + _rng.Next(-64, 4200),
            _ => "0x" + ((ulong)_rng.Next() << 33 ^ (ulong)_rng.Next() << 12 ^ (uint)_rng.Next()).ToString("x"),
        };

        /// <summary>A small program that should compile: random arithmetic, loops, writes through random pointers, call_ptr, bad frees.</summary>
        public string Program()
        {
            var sb = new StringBuilder("module fuzz \"random\";\n");
            if (_rng.Next(3) == 0) sb.Append($"config {{ profile = {Pick(new[] { "linux-4.11", "linux-5.10", "linux-6.1" })}; thread_size = {Pick(new[] { "8K", "16K", "32K" })}; }}\n");
            sb.Append("long g(long a, long b) { if (b == 0) return a; return a / b + a % b; }\n");
            sb.Append("void r(int n) { char pad[").Append(_rng.Next(1, 3000)).Append("]; pad[0] = n; if (n > 0) r(n - 1); }\n");
            sb.Append("init {\n    char buf[256];\n    long x = ").Append(_rng.Next()).Append(", y = ").Append(_rng.Next(-5, 5)).Append(";\n");
            sb.Append("    int i;\n    for (i = 0; i < 256; i++) buf[i] = i * 7;\n");
            int statements = _rng.Next(1, 8);
            for (int s = 0; s < statements; s++)
            {
                switch (_rng.Next(13))
                {
                    case 0: sb.Append($"    *(long *)({Address()}) = x;\n"); break;
                    case 1: sb.Append($"    x = *(long *)({Address()});\n"); break;
                    case 2: sb.Append($"    call_ptr({Address()});\n"); break;
                    case 3:
                        // Random bytes as code: fill the buffer and call into it.
                        sb.Append($"    for (i = 0; i < 256; i++) buf[i] = (i * {_rng.Next(1, 1000)} + {_rng.Next(256)}) ^ (i >> {_rng.Next(8)});\n");
                        sb.Append($"    call_ptr((long)buf + {_rng.Next(0, 200)});\n");
                        break;
                    case 4: sb.Append($"    x = g(x, y) {Pick(new[] { "+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^" })} {Number()};\n"); break;
                    case 5: sb.Append($"    while (x > {_rng.Next(-3, 3)}) x = x {Pick(new[] { "-", "+", ">>", "/" })} {_rng.Next(0, 3)};\n"); break;
                    case 6: sb.Append($"    r({_rng.Next(0, 40)});\n"); break;
                    case 7: sb.Append($"    BUG_ON(x == {_rng.Next(-2, 2)});\n"); break;
                    case 8: sb.Append("    if (WARN_ON(y < 0)) y = -y;\n"); break;
                    case 9: sb.Append($"    printk(\"%d %ld %px %s\\n\", (int)x, y, buf, {Pick(new[] { "buf", "(char *)0", "(char *)x" })});\n"); break;
                    case 10:
                        // Frees of what the allocator did not hand out: any address, pages the kernel owns, any order.
                        string block = _rng.Next(2) == 0 ? Address() : $"0xffff888000000000 + {_rng.Next(0, 16400)} * 4096";
                        sb.Append($"    free_pages({block}, {_rng.Next(-1, 12)});\n");
                        break;
                    case 11:
                        // Allocations given back twice, or given back through the wrong call.
                        int order = _rng.Next(0, 4);
                        sb.Append(_rng.Next(4) switch
                        {
                            0 => $"    x = __get_free_pages({order});\n    free_pages(x, {order});\n    free_pages(x + {_rng.Next(0, 2) * 4096}, {_rng.Next(0, 4)});\n",
                            1 => $"    x = (long)vmalloc({_rng.Next(1, 20000)});\n    vfree((void *)(x + {_rng.Next(0, 3) * 4096}));\n    vfree((void *)x);\n",
                            2 => $"    vfree((void *)({Address()}));\n",
                            _ => $"    x = (long)kmalloc({_rng.Next(0, 9000)});\n    kfree((void *)x);\n    free_pages(x, {order});\n",
                        });
                        break;
                    default: sb.Append($"    x = x / (y - {_rng.Next(-2, 3)});\n"); break;
                }
            }
            sb.Append("    return x;\n}\n");
            return sb.ToString();
        }
    }
}
