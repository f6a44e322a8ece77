using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KDsl.Profiles;
using NUnit.Framework;

namespace KDsl.Cli.Tests.Lsp
{
    /// <summary>
    /// `kdsl lsp` driven over its real stdio by <see cref="LspClient"/>, on examples/step5.kdsl. Expected numbers come from
    /// the file's own sizes and the kernel's layout: rstack's frame is BUF + 24 (return address, push rbx, the canary
    /// above buf: FrameLayout's GCC layout), the overflow depth is the first level whose frames no longer fit in THREAD_SIZE
    /// above the measured syscall path (KernelProfile.StackInUseAtInitCall) and init's 8-byte frame, and `kdsl check`
    /// prints the same frame.
    /// </summary>
    [TestFixture]
    [NonParallelizable]
    public sealed class LspTests
    {
        private const int ThreadSize = 16384;
        private string _path = "";
        private string _uri = "";
        private string _text = "";
        private int _buf;
        private LspClient _client = null!;

        [OneTimeSetUp]
        public void Start()
        {
            _path = CliRunner.Example("step5.kdsl");
            _uri = new Uri(_path).AbsoluteUri;
            _text = File.ReadAllText(_path);
            _buf = int.Parse(Regex.Match(_text, @"const BUF = (\d+);").Groups[1].Value);
            _client = new LspClient(Path.Combine(TestContext.CurrentContext.TestDirectory, "kdsl.dll"), TimeSpan.FromSeconds(60));
            var init = _client.Request("initialize", new JsonObject { ["processId"] = null, ["capabilities"] = new JsonObject() });
            var capabilities = init["result"]!["capabilities"]!;
            foreach (var provider in new[] { "hoverProvider", "definitionProvider", "referencesProvider", "documentSymbolProvider",
                         "completionProvider", "inlayHintProvider", "codeLensProvider", "semanticTokensProvider", "executeCommandProvider" })
                Assert.That(capabilities[provider], Is.Not.Null, provider);
            Assert.That(capabilities["textDocumentSync"]!["change"]!.GetValue<int>(), Is.EqualTo(2), "incremental sync");
            _client.Notify("initialized", new JsonObject());
            Open(_text);
        }

        [OneTimeTearDown]
        public void Stop()
        {
            var shutdown = _client.Request("shutdown", null);
            Assert.That(shutdown.ContainsKey("result") && shutdown["result"] is null, Is.True, shutdown.ToJsonString());
            _client.Notify("exit", null);
            Assert.That(_client.WaitForExit(), Is.EqualTo(0), "exit after shutdown is 0");
            _client.Dispose();
        }

        private void Open(string text)
        {
            _client.Notify("textDocument/didOpen", new JsonObject
            {
                ["textDocument"] = new JsonObject { ["uri"] = _uri, ["languageId"] = "kdsl", ["version"] = 1, ["text"] = text },
            });
        }

        private JsonObject Doc => new JsonObject { ["uri"] = _uri };

        private static JsonObject Pos(int line, int character) => new JsonObject { ["line"] = line, ["character"] = character };

        /// <summary>The 0-based line and character of the first match of a regex's group 1 (or the match) in the file.</summary>
        private (int Line, int Character) Find(string pattern)
        {
            var m = Regex.Match(_text, pattern, RegexOptions.Multiline);
            Assert.That(m.Success, pattern);
            int index = m.Groups.Count > 1 ? m.Groups[1].Index : m.Index;
            int line = _text.Take(index).Count(c => c == '\n');
            return (line, index - (_text.LastIndexOf('\n', Math.Max(0, index - 1)) + 1));
        }

        private JsonNode? At(string method, string pattern, JsonObject? extra = null)
        {
            var (line, character) = Find(pattern);
            var p = new JsonObject { ["textDocument"] = Doc, ["position"] = Pos(line, character) };
            if (extra != null) foreach (var kv in extra) p[kv.Key] = kv.Value?.DeepClone();
            var response = _client.Request(method, p);
            Assert.That(response["error"], Is.Null, response.ToJsonString());
            return response["result"];
        }

        private string Hover(string pattern) => At("textDocument/hover", pattern)!["contents"]!["value"]!.GetValue<string>();

        [Test]
        public void DiagnosticsArePublishedOnOpenAsTheCompilerReportsThem()
        {
            var published = _client.NextNotification("textDocument/publishDiagnostics", _uri)["params"]!;
            Assert.That(published["uri"]!.GetValue<string>(), Is.EqualTo(_uri));
            var expected = Compiler.Compile(_path, _text).Diagnostics;
            var got = published["diagnostics"]!.AsArray();
            Assert.That(got.Select(d => d!["code"]!.GetValue<string>()), Is.EqualTo(expected.Select(d => d.Id)));
            for (int i = 0; i < expected.Count; i++)
            {
                Assert.That(got[i]!["range"]!["start"]!["line"]!.GetValue<int>(), Is.EqualTo(expected[i].Location.Start.Line));
                Assert.That(got[i]!["range"]!["start"]!["character"]!.GetValue<int>(), Is.EqualTo(expected[i].Location.Start.Character));
                Assert.That(got[i]!["range"]!["end"]!["character"]!.GetValue<int>(), Is.EqualTo(expected[i].Location.End.Character));
                Assert.That(got[i]!["severity"]!.GetValue<int>(), Is.EqualTo(3), "step5 expects its overflow: the stack diagnostics are info");
                Assert.That(got[i]!["codeDescription"]!["href"]!.GetValue<string>(),
                    Does.StartWith("file://").And.EndWith("/docs/diagnostics.md#" + expected[i].Id.ToLowerInvariant()));
            }
            // the stack diagnostics are there: the frame warning on rstack's frame (BUF + 8: buf and the canary) and the overflow
            Assert.That(got.Select(d => d!["message"]!.GetValue<string>()),
                Has.Some.EqualTo($"the frame size of {_buf + 8} bytes is larger than 2048 bytes"));
            Assert.That(got.Select(d => d!["code"]!.GetValue<string>()), Does.Contain("KDSL1002"));
        }

        [Test]
        public void HoverOnAFunctionGivesItsFrameAndBreakdown()
        {
            string hover = Hover(@"void (rstack)\(");
            int frame = _buf + 24;
            Assert.That(hover, Does.Contain("void rstack(int n)"));
            Assert.That(hover, Does.Contain($"**frame {frame} B** = return address 8 + saved registers 8 (rbx) + arrays {_buf} + canary 8"));
            // what `kdsl check` prints for it: the .su line
            var (_, output, _) = CliRunner.Run("check", _path);
            Assert.That(output, Does.Contain($":rstack\t{frame}\tstatic"));
        }

        [Test]
        public void HoverOnACallGivesTheStackBelowIt()
        {
            // rstack(100) from init: the chain below it recurses until n reaches 0: 101 frames and the printk of the last
            // (each frame is held whole at its calls), the printk's own measured depth on 6.1 below the last one
            string hover = Hover(@"(rstack)\(100\)");
            int printk = new Analysis.KernelCosts(KernelProfile.Linux61).CostOf("_printk", "[%px] finished initialized buf.\n");
            long below = 101L * (_buf + 24) + printk;
            Assert.That(hover, Does.Contain($"**below this call: {below} B** (worst case with arguments (100), return address included)"));
            Assert.That(hover, Does.Contain("init's frame holds 8 B at the call"));

            // printk in rstack: its measured depth for this format, below rstack's whole frame
            string call = Hover(@"(printk)\(""\[%px\]");
            Assert.That(call, Does.Contain($"**below this call: {printk} B**").And.Contain($"rstack's frame holds {_buf + 24} B at the call"));
        }

        [Test]
        public void HoverOnConstantKernelFunctionLocalAndConfigKey()
        {
            Assert.That(Hover(@"const (BUF)"), Does.Contain($"const BUF = {_buf}"));
            Assert.That(Hover(@"(printk)\(""step5 LOADED"), Does.Contain("int printk(char * fmt, ...)").And.Contain("_printk").And.Contain("linux-6.1"));
            Assert.That(Hover(@"char (buf)\["), Does.Contain($"char buf[{_buf}]").And.Contain($"local, {_buf} bytes"));
            Assert.That(Hover(@"(thread_size) ="), Does.Contain("THREAD_SIZE").And.Contain("thread_size = 16K"));
        }

        [Test]
        public void InlayHintsGiveFramesAndEachEntrysWorstCase()
        {
            var response = _client.Request("textDocument/inlayHint", new JsonObject
            {
                ["textDocument"] = Doc,
                ["range"] = new JsonObject { ["start"] = Pos(0, 0), ["end"] = Pos(1000, 0) },
            });
            var hints = response["result"]!.AsArray().Select(h => (Line: h!["position"]!["line"]!.GetValue<int>(), Label: h["label"]!.GetValue<string>(),
                Tooltip: h["tooltip"]?.GetValue<string>())).ToList();
            int profileInUse = KernelProfile.Linux61.StackInUseAtInitCall;
            int frame = _buf + 24;
            int depth = 1;
            while (profileInUse + 8 + depth * frame <= ThreadSize) depth++;
            Assert.That(depth, Is.EqualTo(4), "the file's own comment: the fourth level runs into the guard page");
            Assert.That(hints, Has.Some.Matches<(int Line, string Label, string? Tooltip)>(h =>
                h.Line == Find(@"void rstack").Line && h.Label == $"frame {frame} B"));
            var init = hints.Single(h => h.Line == Find(@"^init \{").Line);
            Assert.That(init.Label, Does.StartWith("frame 8 B · worst case ").And.EndWith(
                $"of {ThreadSize} B · overflows: rstack at depth {depth} ({profileInUse + 8 + depth * frame} B)"));
            Assert.That(init.Tooltip, Is.EqualTo("worst path: step5_init → rstack ×101 → _printk"));
            Assert.That(hints.Single(h => h.Line == Find(@"^exit \{").Line).Label, Does.Match($@"^frame 8 B · worst case \d+ of {ThreadSize} B$"));
        }

        [Test]
        public void DefinitionAndReferences()
        {
            var definition = At("textDocument/definition", @"(rstack)\(n - 1\)")!;
            var (line, character) = Find(@"void (rstack)\(");
            Assert.That(definition["uri"]!.GetValue<string>(), Is.EqualTo(_uri));
            Assert.That(definition["range"]!["start"]!["line"]!.GetValue<int>(), Is.EqualTo(line));
            Assert.That(definition["range"]!["start"]!["character"]!.GetValue<int>(), Is.EqualTo(character));

            var local = At("textDocument/definition", @"buf\[(i)\] = 0")!;
            Assert.That(local["range"]!["start"]!["line"]!.GetValue<int>(), Is.EqualTo(Find(@"int (i) = 0").Line));

            var references = At("textDocument/references", @"const (BUF)", new JsonObject { ["context"] = new JsonObject { ["includeDeclaration"] = true } })!;
            Assert.That(references.AsArray(), Has.Count.EqualTo(Regex.Matches(_text, @"\bBUF\b").Count - Regex.Matches(_text, @"//[^\n]*\bBUF\b").Count));
            var withoutDeclaration = At("textDocument/references", @"const (BUF)", new JsonObject { ["context"] = new JsonObject { ["includeDeclaration"] = false } })!;
            Assert.That(withoutDeclaration.AsArray(), Has.Count.EqualTo(references.AsArray().Count - 1));
        }

        [Test]
        public void CompletionByContext()
        {
            static string[] Labels(JsonNode? items) => items!.AsArray().Select(i => i!["label"]!.GetValue<string>()).ToArray();
            var (configLine, _) = Find(@"(profile) = linux-6.1");
            var keys = Labels(_client.Request("textDocument/completion", new JsonObject { ["textDocument"] = Doc, ["position"] = Pos(configLine, 4) })["result"]);
            Assert.That(keys, Is.SupersetOf(new[] { "profile", "thread_size", "vmap_stack", "frame_warn", "severity" }));
            var values = Labels(_client.Request("textDocument/completion", new JsonObject { ["textDocument"] = Doc, ["position"] = Pos(configLine, 14) })["result"]);
            Assert.That(values, Is.EquivalentTo(KernelProfile.All.Select(p => p.Name)));
            var (oopsLine, oopsCharacter) = Find(@"oops (stack_guard) in rstack depth 4");
            var kinds = Labels(_client.Request("textDocument/completion", new JsonObject { ["textDocument"] = Doc, ["position"] = Pos(oopsLine, oopsCharacter) })["result"]);
            Assert.That(kinds, Is.EquivalentTo(Image.Expectation.OopsKinds));
            var (printLine, _) = Find(@"(printk)\(""step5 LOADED");
            var code = Labels(_client.Request("textDocument/completion", new JsonObject { ["textDocument"] = Doc, ["position"] = Pos(printLine, 4) })["result"]);
            Assert.That(code, Is.SupersetOf(new[] { "printk", "vmalloc", "BUG_ON", "rstack", "BUF", "for", "return" }));
            Assert.That(code, Has.No.Member("mmap"), "system calls are for process blocks");
        }

        [Test]
        public void DocumentSymbolsSemanticTokensAndCodeLenses()
        {
            var symbols = _client.Request("textDocument/documentSymbol", new JsonObject { ["textDocument"] = Doc })["result"]!.AsArray();
            var names = symbols.Select(s => s!["name"]!.GetValue<string>()).ToList();
            var scenarios = Regex.Matches(_text, @"^scenario (\w+)", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
            Assert.That(names, Is.EqualTo(new[] { "module step5", "config", "BUF", "rstack", "init", "exit", "expect" }
                .Concat(scenarios.Select(s => "scenario " + s))));
            var rstack = symbols.Single(s => s!["name"]!.GetValue<string>() == "rstack")!;
            Assert.That(rstack["children"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "n", "buf", "i" }));

            var data = _client.Request("textDocument/semanticTokens/full", new JsonObject { ["textDocument"] = Doc })["result"]!["data"]!
                .AsArray().Select(n => n!.GetValue<int>()).ToArray();
            Assert.That(data.Length % 5, Is.EqualTo(0));
            var decoded = new List<(int Line, int Character, int Length, int Type, int Modifiers)>();
            int l = 0, c = 0;
            for (int i = 0; i < data.Length; i += 5)
            {
                c = data[i] == 0 ? c + data[i + 1] : data[i + 1];
                l += data[i];
                decoded.Add((l, c, data[i + 2], data[i + 3], data[i + 4]));
            }
            var (rl, rc) = Find(@"void (rstack)\(");
            Assert.That(decoded, Does.Contain((rl, rc, 6, 0 /* function */, 1 /* declaration */)));
            var (nl, nc) = Find(@"if \((n) > 0\)");
            Assert.That(decoded, Does.Contain((nl, nc, 1, 2 /* parameter */, 0)));

            var lenses = _client.Request("textDocument/codeLens", new JsonObject { ["textDocument"] = Doc })["result"]!.AsArray();
            var titles = lenses.Select(x => x!["command"]!["title"]!.GetValue<string>()).ToList();
            Assert.That(titles, Is.EqualTo(new[] { "▶ Run experiment", "Show disassembly" }.Concat(scenarios.Select(s => "▶ Run scenario " + s))));
        }

        [Test]
        public void RunCommandReturnsTheLog()
        {
            var response = _client.Request("workspace/executeCommand", new JsonObject { ["command"] = "kdsl.server.run", ["arguments"] = new JsonArray(_uri) });
            var result = response["result"]!;
            Assert.That(result["exitCode"]!.GetValue<int>(), Is.EqualTo(0), "the run ends as the file's expect block says");
            string log = result["output"]!.GetValue<string>();
            Assert.That(Regex.Matches(log, "finished initialized buf").Count, Is.EqualTo(3));
            Assert.That(log, Does.Contain("stack guard page was hit"));

            var disasm = _client.Request("workspace/executeCommand", new JsonObject { ["command"] = "kdsl.server.disasm", ["arguments"] = new JsonArray(_uri) })["result"]!;
            Assert.That(disasm["output"]!.GetValue<string>(), Does.Contain("<rstack>:").And.Contain($"$0x{_buf + 8:x},%rsp"));
        }

        [Test]
        public void BadInputGetsErrorsNotACrash()
        {
            _client.SendRaw(System.Text.Encoding.ASCII.GetBytes("Content-Length: 5\r\n\r\n{oops"));
            var parseError = _client.Next(m => m["error"]?["code"]?.GetValue<int>() == -32700);
            Assert.That(parseError["id"], Is.Null);
            var unknown = _client.Request("textDocument/noSuchThing", new JsonObject());
            Assert.That(unknown["error"]!["code"]!.GetValue<int>(), Is.EqualTo(-32601));
            var badParams = _client.Request("textDocument/hover",
                new JsonObject { ["textDocument"] = Doc, ["position"] = new JsonObject { ["line"] = "x", ["character"] = 0 } });
            Assert.That(badParams["error"]!["code"]!.GetValue<int>(), Is.EqualTo(-32602));
            Assert.That(Hover(@"const (BUF)"), Does.Contain("const BUF"), "the server goes on");
        }

        [Test]
        public void EditsRepublishDiagnosticsAndStackFacts()
        {
            string uri = new Uri(Path.Combine(Path.GetTempPath(), "kdsl-lsp-edit", "step5.kdsl")).AbsoluteUri;
            var doc = new JsonObject { ["uri"] = uri };
            _client.Notify("textDocument/didOpen", new JsonObject
            {
                ["textDocument"] = new JsonObject { ["uri"] = uri, ["languageId"] = "kdsl", ["version"] = 1, ["text"] = _text },
            });
            Assert.That(_client.NextNotification("textDocument/publishDiagnostics", uri)["params"]!["version"]!.GetValue<int>(), Is.EqualTo(1));

            // const BUF = 4096 -> 2048, as an incremental change of the number alone
            var (line, character) = Find(@"const BUF = (\d+);");
            Change(uri, 2, line, character, line, character + _buf.ToString().Length, "2048");
            var second = _client.NextNotification("textDocument/publishDiagnostics", uri)["params"]!;
            Assert.That(second["version"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(second["diagnostics"]!.AsArray().Select(d => d!["message"]!.GetValue<string>()),
                Has.Some.EqualTo("the frame size of 2056 bytes is larger than 2048 bytes"));
            var hints = _client.Request("textDocument/inlayHint", new JsonObject
            {
                ["textDocument"] = doc.DeepClone(),
                ["range"] = new JsonObject { ["start"] = Pos(0, 0), ["end"] = Pos(1000, 0) },
            })["result"]!.AsArray().Select(h => h!["label"]!.GetValue<string>()).ToList();
            // the file's own comment: 2072 bytes per level, the eighth level faults
            Assert.That(hints, Does.Contain("frame 2072 B"));
            Assert.That(hints, Has.Some.Contains("overflows: rstack at depth 8"));

            // a missing semicolon: the compiler's error, at its place
            var (callLine, callCharacter) = Find(@"rstack\(100\)(;)");
            Change(uri, 3, callLine, callCharacter, callLine, callCharacter + 1, "");
            var third = _client.NextNotification("textDocument/publishDiagnostics", uri)["params"]!;
            string edited = _text.Replace("const BUF = " + _buf + ";", "const BUF = 2048;").Replace("rstack(100);", "rstack(100)");
            var expected = Compiler.Compile(new Uri(uri).LocalPath, edited).Diagnostics;
            var got = third["diagnostics"]!.AsArray();
            Assert.That(got.Select(d => (d!["code"]!.GetValue<string>(), d["severity"]!.GetValue<int>(), d["range"]!["start"]!["line"]!.GetValue<int>(),
                    d["range"]!["start"]!["character"]!.GetValue<int>(), d["message"]!.GetValue<string>())),
                Is.EqualTo(expected.Select(d => (d.Id, d.IsError ? 1 : d.Severity == Diagnostics.DiagnosticSeverity.Warning ? 2 : 3,
                    d.Location.Start.Line, d.Location.Start.Character, d.Message))));
            Assert.That(got.Select(d => d!["severity"]!.GetValue<int>()), Does.Contain(1));
            // the globals still resolve while the file does not compile
            var definition = _client.Request("textDocument/definition", new JsonObject { ["textDocument"] = doc.DeepClone(), ["position"] = Pos(callLine, callCharacter - 6) });
            Assert.That(definition["result"]!["range"]!["start"]!["line"]!.GetValue<int>(), Is.EqualTo(Find(@"void rstack").Line));
            _client.Notify("textDocument/didClose", new JsonObject { ["textDocument"] = doc.DeepClone() });
            Assert.That(_client.NextNotification("textDocument/publishDiagnostics", uri)["params"]!["diagnostics"]!.AsArray(), Is.Empty);
        }

        private void Change(string uri, int version, int startLine, int startCharacter, int endLine, int endCharacter, string text) =>
            _client.Notify("textDocument/didChange", new JsonObject
            {
                ["textDocument"] = new JsonObject { ["uri"] = uri, ["version"] = version },
                ["contentChanges"] = new JsonArray(new JsonObject
                {
                    ["range"] = new JsonObject { ["start"] = Pos(startLine, startCharacter), ["end"] = Pos(endLine, endCharacter) },
                    ["text"] = text,
                }),
            });

        [Test]
        public void ConfigKeysAreTheBindersAndTheDocs()
        {
            foreach (var key in KDsl.Cli.Lsp.LanguageFacts.ConfigKeys)
            {
                if (key.Name == "severity") continue;
                foreach (var value in key.Values)
                {
                    var result = Compiler.Compile("k.kdsl", $"module k \"\";\nconfig {{ {key.Name} = {value}; }}\ninit {{ }}\n");
                    Assert.That(result.Diagnostics.Where(d => d.IsError), Is.Empty, $"{key.Name} = {value}");
                }
            }
            string language = File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "docs", "language.md"));
            string block = Regex.Match(language, @"```c\nconfig \{\n(.*?)\n\}", RegexOptions.Singleline).Groups[1].Value;
            var documented = Regex.Matches(block, @"^\s*(\w+)", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
            Assert.That(documented, Is.Not.Empty);
            Assert.That(KDsl.Cli.Lsp.LanguageFacts.ConfigKeys.Select(k => k.Name), Is.EquivalentTo(documented));
        }

        [Test]
        public void TheVsCodeExtensionNamesTheServersCommands()
        {
            string editors = Path.Combine(TestContext.CurrentContext.TestDirectory, "editors", "vscode");
            using var package = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(editors, "package.json")));
            var commands = package.RootElement.GetProperty("contributes").GetProperty("commands").EnumerateArray()
                .Select(c => c.GetProperty("command").GetString()).ToList();
            Assert.That(commands, Is.SupersetOf(new[] { KDsl.Cli.Lsp.StackHints.RunCommand, KDsl.Cli.Lsp.StackHints.DisassemblyCommand }));
            string extension = File.ReadAllText(Path.Combine(editors, "src", "extension.ts"));
            foreach (var command in KDsl.Cli.Lsp.ExperimentCommands.All) Assert.That(extension, Does.Contain($"'{command}'"));
            Assert.That(extension, Does.Contain("'lsp'"));
        }
    }
}
