using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using KDsl.Diagnostics;

namespace KDsl.Cli.Lsp
{
    /// <summary>
    /// The .kdsl language server: one thread reads messages into an inbox, the main loop handles them in order. Changes
    /// only mark their document; its diagnostics are computed and published once the inbox is empty, so a burst of
    /// keystrokes costs one analysis (the debounce) and a single edit costs no waiting at all.
    /// </summary>
    internal sealed class LanguageServer
    {
        // JSON-RPC and LSP error codes
        private const int ParseError = -32700, MethodNotFound = -32601, InvalidParams = -32602, InternalError = -32603, InvalidRequest = -32600,
            ServerNotInitialized = -32002;

        private readonly JsonRpcChannel _channel;
        private readonly Dictionary<string, LspDocument> _documents = new Dictionary<string, LspDocument>();
        private readonly BlockingCollection<JsonObject?> _inbox = new BlockingCollection<JsonObject?>();
        private readonly List<Task> _commands = new List<Task>();
        private bool _initialized, _shutdown;

        public LanguageServer(Stream input, Stream output) => _channel = new JsonRpcChannel(input, output);

        /// <summary>Serves until `exit` (0 after `shutdown`, 1 without, as the protocol says) or the end of the input (1).</summary>
        public int Run()
        {
            var reader = new Thread(ReadAll) { IsBackground = true, Name = "lsp-reader" };
            reader.Start();
            while (true)
            {
                JsonObject? message;
                if (HasDirty())
                {
                    if (!_inbox.TryTake(out message))
                    {
                        PublishDiagnostics();
                        continue;
                    }
                }
                else message = _inbox.Take();
                if (message is null) return 1;
                if (message["method"]?.GetValue<string>() == "exit")
                {
                    Task.WaitAll(_commands.ToArray(), TimeSpan.FromSeconds(5));
                    return _shutdown ? 0 : 1;
                }
                Handle(message);
            }
        }

        private void ReadAll()
        {
            while (true)
            {
                try
                {
                    if (_channel.Read() is not { } message) break;
                    _inbox.Add(message);
                }
                catch (JsonRpcChannel.BadMessageException e)
                {
                    _channel.RespondError(null, ParseError, e.Message); // JSON-RPC's answer to an unreadable message; the next one is read
                }
                catch (Exception e) when (e is InvalidDataException or IOException)
                {
                    Console.Error.WriteLine("kdsl lsp: " + e.Message);
                    break;
                }
            }
            _inbox.Add(null);
        }

        private void Handle(JsonObject message)
        {
            string? method = message["method"]?.GetValue<string>();
            JsonNode? id = message["id"];
            var parameters = message["params"] as JsonObject ?? new JsonObject();
            if (method is null) return; // a response to a request of ours: the server sends none
            if (id is null)
            {
                if (_initialized && !_shutdown) TryNotification(method, parameters);
                return;
            }
            if (!_initialized && method != "initialize")
            {
                _channel.RespondError(id, ServerNotInitialized, "initialize first");
                return;
            }
            if (_shutdown)
            {
                _channel.RespondError(id, InvalidRequest, "the server is shutting down");
                return;
            }
            try
            {
                if (method == "workspace/executeCommand")
                {
                    ExecuteCommand(id, parameters);
                    return;
                }
                var result = Request(method, parameters, out bool known);
                if (known) _channel.Respond(id, result);
                else _channel.RespondError(id, MethodNotFound, "no method " + method);
            }
            catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or FormatException or NullReferenceException
                                          or ArgumentException)
            {
                // a request the server cannot read (a missing field, a wrong type): the client hears why, the server goes on
                _channel.RespondError(id, InvalidParams, $"{method}: {e.Message}");
            }
            catch (Exception e)
            {
                _channel.RespondError(id, InternalError, $"{method}: {e.GetType().Name}: {e.Message}");
            }
        }

        private JsonNode? Request(string method, JsonObject p, out bool found)
        {
            found = true;
            switch (method)
            {
                case "initialize":
                    _initialized = true;
                    return Capabilities();
                case "shutdown":
                    _shutdown = true;
                    return null;
                case "textDocument/hover":
                {
                    var (document, offset) = At(p);
                    if (document is null || HoverProvider.Hover(document.Analysis, offset) is not { } hover) return null;
                    return new JsonObject
                    {
                        ["contents"] = new JsonObject { ["kind"] = "markdown", ["value"] = hover.Markdown },
                        ["range"] = Positions.Range(document.Analysis.Source, hover.Span),
                    };
                }
                case "textDocument/definition":
                {
                    var (document, offset) = At(p);
                    return document is null ? null : Navigation.Definition(document.Analysis, document.Uri, offset);
                }
                case "textDocument/references":
                {
                    var (document, offset) = At(p);
                    bool declaration = p["context"]?["includeDeclaration"]?.GetValue<bool>() ?? true;
                    return document is null ? new JsonArray() : Navigation.References(document.Analysis, document.Uri, offset, declaration);
                }
                case "textDocument/completion":
                {
                    var (document, offset) = At(p);
                    return document is null ? new JsonArray() : CompletionProvider.Complete(document.Analysis, offset);
                }
                case "textDocument/documentSymbol":
                    return Document(p) is { } symbols ? Navigation.DocumentSymbols(symbols.Analysis) : new JsonArray();
                case "textDocument/semanticTokens/full":
                    return Document(p) is { } tokens ? Navigation.SemanticTokens(tokens.Analysis) : null;
                case "textDocument/inlayHint":
                {
                    if (Document(p) is not { } document) return new JsonArray();
                    int start = p["range"]?["start"]?["line"]?.GetValue<int>() ?? 0;
                    int end = p["range"]?["end"]?["line"]?.GetValue<int>() ?? int.MaxValue;
                    return StackHints.InlayHints(document.Analysis, start, end);
                }
                case "textDocument/codeLens":
                    return Document(p) is { } lenses ? StackHints.CodeLenses(lenses.Analysis, lenses.Uri) : new JsonArray();
                default:
                    found = false;
                    return null;
            }
        }

        private void TryNotification(string method, JsonObject p)
        {
            try
            {
                Notification(method, p);
            }
            catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or NullReferenceException or ArgumentException)
            {
                Console.Error.WriteLine($"kdsl lsp: {method}: {e.Message}"); // a notification has no reply to carry the error
            }
        }

        private void Notification(string method, JsonObject p)
        {
            var item = p["textDocument"] as JsonObject;
            string? uri = item?["uri"]?.GetValue<string>();
            switch (method)
            {
                case "textDocument/didOpen" when uri != null:
                    _documents[uri] = new LspDocument(uri, item!["version"]?.GetValue<int>() ?? 0, item["text"]?.GetValue<string>() ?? "");
                    break;
                case "textDocument/didChange" when uri != null && _documents.TryGetValue(uri, out var document):
                    int version = item!["version"]?.GetValue<int>() ?? document.Version + 1;
                    foreach (var change in p["contentChanges"]?.AsArray() ?? new JsonArray())
                        if (change is JsonObject c) document.Apply(version, c);
                    break;
                case "textDocument/didClose" when uri != null:
                    _documents.Remove(uri);
                    _channel.Notify("textDocument/publishDiagnostics", new JsonObject { ["uri"] = uri, ["diagnostics"] = new JsonArray() });
                    break;
            }
        }

        private void ExecuteCommand(JsonNode id, JsonObject p)
        {
            string command = p["command"]?.GetValue<string>() ?? "";
            if (Array.IndexOf(ExperimentCommands.All, command) < 0)
            {
                _channel.RespondError(id, InvalidParams, "no command " + command);
                return;
            }
            var arguments = p["arguments"] as JsonArray ?? new JsonArray();
            var reply = id.DeepClone();
            var args = (JsonArray)arguments.DeepClone();
            // a run takes seconds: the server keeps answering while it goes on
            _commands.RemoveAll(t => t.IsCompleted);
            _commands.Add(Task.Run(() => _channel.Respond(reply, ExperimentCommands.Execute(command, args))));
        }

        private JsonObject Capabilities() => new JsonObject
        {
            ["capabilities"] = new JsonObject
            {
                ["positionEncoding"] = "utf-16",
                ["textDocumentSync"] = new JsonObject { ["openClose"] = true, ["change"] = 2 /* incremental */ },
                ["hoverProvider"] = true,
                ["definitionProvider"] = true,
                ["referencesProvider"] = true,
                ["documentSymbolProvider"] = true,
                ["completionProvider"] = new JsonObject { ["triggerCharacters"] = new JsonArray("=") },
                ["inlayHintProvider"] = true,
                ["codeLensProvider"] = new JsonObject { ["resolveProvider"] = false },
                ["semanticTokensProvider"] = new JsonObject
                {
                    ["legend"] = new JsonObject
                    {
                        ["tokenTypes"] = new JsonArray(Array.ConvertAll(Navigation.TokenTypes, t => (JsonNode)t)),
                        ["tokenModifiers"] = new JsonArray(Array.ConvertAll(Navigation.TokenModifiers, t => (JsonNode)t)),
                    },
                    ["full"] = true,
                },
                ["executeCommandProvider"] = new JsonObject { ["commands"] = new JsonArray(Array.ConvertAll(ExperimentCommands.All, c => (JsonNode)c)) },
            },
            ["serverInfo"] = new JsonObject { ["name"] = "kdsl", ["version"] = typeof(LanguageServer).Assembly.GetName().Version?.ToString() },
        };

        private LspDocument? Document(JsonObject p) =>
            p["textDocument"]?["uri"]?.GetValue<string>() is { } uri && _documents.TryGetValue(uri, out var d) ? d : null;

        private (LspDocument? Document, int Offset) At(JsonObject p)
        {
            var document = Document(p);
            if (document is null || p["position"] is not JsonObject position) return (null, 0);
            return (document, Positions.ToOffset(document.Analysis.Source, position));
        }

        private bool HasDirty()
        {
            foreach (var d in _documents.Values)
                if (d.Dirty) return true;
            return false;
        }

        private void PublishDiagnostics()
        {
            foreach (var document in _documents.Values)
            {
                if (!document.Dirty) continue;
                document.Dirty = false;
                var analysis = document.Analysis;
                var diagnostics = new JsonArray();
                foreach (var d in analysis.Diagnostics) diagnostics.Add((JsonNode)ToLsp(analysis, d));
                _channel.Notify("textDocument/publishDiagnostics",
                    new JsonObject { ["uri"] = document.Uri, ["version"] = document.Version, ["diagnostics"] = diagnostics });
            }
        }

        /// <summary>The compiler's diagnostic as the generator reports it: the same id, span and severity (hidden is a hint).</summary>
        private static JsonObject ToLsp(DocumentAnalysis analysis, Diagnostic d)
        {
            var result = new JsonObject
            {
                ["range"] = Positions.Range(analysis.Source, d.Location.Span),
                ["severity"] = d.Severity switch
                {
                    DiagnosticSeverity.Error => 1,
                    DiagnosticSeverity.Warning => 2,
                    DiagnosticSeverity.Info => 3,
                    _ => 4,
                },
                ["code"] = d.Id,
                ["source"] = "kdsl",
                ["message"] = d.Message,
            };
            if (HelpLinks.For(d.Id) is { } href) result["codeDescription"] = new JsonObject { ["href"] = href };
            return result;
        }
    }
}
