using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Text.Json.Nodes;

namespace KDsl.Cli.Tests.Lsp
{
    /// <summary>
    /// A Language Server Protocol client over a real process's stdio: starts `dotnet kdsl.dll lsp`, frames messages with
    /// Content-Length headers, and collects the server's notifications while it waits for a response. bench/KDsl.Bench
    /// links this file for its latency measurement, so it depends on nothing but the BCL.
    /// </summary>
    public sealed class LspClient : IDisposable
    {
        private readonly Process _process;
        private readonly Stream _input;
        private readonly BlockingCollection<JsonObject> _messages = new BlockingCollection<JsonObject>();
        private readonly List<JsonObject> _notifications = new List<JsonObject>();
        private int _nextId = 1;

        public LspClient(string kdslDll, TimeSpan timeout)
        {
            Timeout = timeout;
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(kdslDll);
            start.ArgumentList.Add("lsp");
            _process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet " + kdslDll);
            _input = _process.StandardInput.BaseStream;
            _process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (StandardError) StandardError.AppendLine(e.Data); };
            _process.BeginErrorReadLine();
            var reader = new System.Threading.Thread(() => ReadAll(_process.StandardOutput.BaseStream)) { IsBackground = true };
            reader.Start();
        }

        public TimeSpan Timeout { get; }
        public StringBuilder StandardError { get; } = new StringBuilder();
        public Process Process => _process;

        /// <summary>Sends a request and returns its response (result or error), keeping the notifications that came before it.</summary>
        public JsonObject Request(string method, JsonNode? parameters)
        {
            int id = _nextId++;
            Send(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters });
            return WaitFor(m => m["id"] is JsonValue v && v.TryGetValue(out int got) && got == id && m["method"] is null);
        }

        public void Notify(string method, JsonNode? parameters) =>
            Send(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = parameters });

        /// <summary>The next notification of this method for this document (one that already arrived first).</summary>
        public JsonObject NextNotification(string method, string uri) =>
            Next(m => m["method"]?.GetValue<string>() == method && m["params"]?["uri"]?.GetValue<string>() == uri);

        /// <summary>The first message not answered by a request yet that matches (one that already arrived first).</summary>
        public JsonObject Next(Func<JsonObject, bool> match)
        {
            lock (_notifications)
            {
                int i = _notifications.FindIndex(n => match(n));
                if (i >= 0)
                {
                    var found = _notifications[i];
                    _notifications.RemoveAt(i);
                    return found;
                }
            }
            return WaitFor(match);
        }

        public void SendRaw(byte[] bytes)
        {
            _input.Write(bytes, 0, bytes.Length);
            _input.Flush();
        }

        public void Send(JsonObject message)
        {
            byte[] body = Encoding.UTF8.GetBytes(message.ToJsonString());
            SendRaw(Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"));
            SendRaw(body);
        }

        private JsonObject WaitFor(Func<JsonObject, bool> match)
        {
            var deadline = DateTime.UtcNow + Timeout;
            while (true)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !_messages.TryTake(out var message, left))
                    throw new TimeoutException($"no answer from kdsl lsp within {Timeout.TotalSeconds} s; stderr: {StandardError}");
                if (message.ContainsKey("end")) throw new EndOfStreamException("kdsl lsp closed its output; stderr: " + StandardError);
                if (match(message)) return message;
                lock (_notifications) _notifications.Add(message);
            }
        }

        private void ReadAll(Stream output)
        {
            try
            {
                while (true)
                {
                    int length = -1;
                    string? line;
                    while ((line = ReadLine(output)) != null && line.Length > 0)
                        if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) length = int.Parse(line.Substring(15).Trim());
                    if (line is null || length < 0) break;
                    var body = new byte[length];
                    int read = 0;
                    while (read < length)
                    {
                        int n = output.Read(body, read, length - read);
                        if (n == 0) throw new EndOfStreamException();
                        read += n;
                    }
                    _messages.Add(JsonNode.Parse(body)!.AsObject());
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException) { }
            _messages.Add(new JsonObject { ["end"] = true });
        }

        private static string? ReadLine(Stream stream)
        {
            var line = new StringBuilder();
            while (true)
            {
                int b = stream.ReadByte();
                if (b < 0) return line.Length == 0 ? null : line.ToString();
                if (b == '\n') return line.ToString().TrimEnd('\r');
                line.Append((char)b);
            }
        }

        /// <summary>Waits for the server to exit by itself (after `exit`), then returns its exit code.</summary>
        public int WaitForExit()
        {
            if (!_process.WaitForExit((int)Timeout.TotalMilliseconds)) throw new TimeoutException("kdsl lsp did not exit");
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
            _process.Dispose();
        }
    }
}
