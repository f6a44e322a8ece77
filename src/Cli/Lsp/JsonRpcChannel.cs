using System;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KDsl.Cli.Lsp
{
    /// <summary>
    /// JSON-RPC 2.0 over the Language Server Protocol's base protocol: each message is a `Content-Length: N` header
    /// block, a blank line, and N bytes of UTF-8 JSON. Reads from one stream, writes to another; writes are serialized
    /// so a response finished on another thread (a run) never interleaves with a notification.
    /// The server's JsonArray.Add calls pass a JsonNode ((JsonNode)x): the generic Add&lt;T&gt; is not trim-safe, and the CLI
    /// is published with Native AOT (./kdsl).
    /// </summary>
    internal sealed class JsonRpcChannel
    {
        /// <summary>Larger messages are refused: no editor sends a .kdsl file of 64 MiB, and the length is a client's word.</summary>
        private const int MaxContentLength = 64 << 20;

        private readonly Stream _input;
        private readonly Stream _output;
        private readonly object _writeGate = new object();

        public JsonRpcChannel(Stream input, Stream output)
        {
            _input = input;
            _output = output;
        }

        /// <summary>
        /// The next message, or null at the end of the input. A malformed header throws <see cref="InvalidDataException"/>
        /// (the stream cannot be followed past it); a malformed body <see cref="BadMessageException"/>.
        /// </summary>
        public JsonObject? Read()
        {
            int length = -1;
            while (true)
            {
                string? line = ReadHeaderLine();
                if (line is null) return null;
                if (line.Length == 0)
                {
                    if (length >= 0) break;
                    continue; // stray blank lines between messages
                }
                int colon = line.IndexOf(':');
                if (colon > 0 && line.Substring(0, colon).Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    if (!int.TryParse(line.Substring(colon + 1).Trim(), out length) || length < 0 || length > MaxContentLength)
                        throw new InvalidDataException($"bad Content-Length header: {line}");
                }
            }
            var body = new byte[length];
            int read = 0;
            while (read < length)
            {
                int n = _input.Read(body, read, length - read);
                if (n == 0) return null;
                read += n;
            }
            try
            {
                return JsonNode.Parse(body) as JsonObject ?? throw new BadMessageException("a message that is not a JSON object");
            }
            catch (JsonException e)
            {
                throw new BadMessageException("a message that is not JSON: " + e.Message);
            }
        }

        /// <summary>A body that is not a JSON object. Its header was read whole, so the next message can still be read.</summary>
        public sealed class BadMessageException : Exception
        {
            public BadMessageException(string message) : base(message) { }
        }

        public void Write(JsonObject message)
        {
            byte[] body = Encoding.UTF8.GetBytes(message.ToJsonString());
            byte[] header = Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n");
            lock (_writeGate)
            {
                _output.Write(header, 0, header.Length);
                _output.Write(body, 0, body.Length);
                _output.Flush();
            }
        }

        public void Notify(string method, JsonNode? parameters) =>
            Write(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = parameters });

        public void Respond(JsonNode? id, JsonNode? result) =>
            Write(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id?.DeepClone(), ["result"] = result });

        public void RespondError(JsonNode? id, int code, string message) =>
            Write(new JsonObject
            {
                ["jsonrpc"] = "2.0",
                ["id"] = id?.DeepClone(),
                ["error"] = new JsonObject { ["code"] = code, ["message"] = message },
            });

        /// <summary>One ASCII header line without its CR LF, or null at the end of the input.</summary>
        private string? ReadHeaderLine()
        {
            var line = new StringBuilder();
            while (true)
            {
                int b = _input.ReadByte();
                if (b < 0) return line.Length == 0 ? null : line.ToString();
                if (b == '\n') return line.ToString().TrimEnd('\r');
                if (line.Length > 8192) throw new InvalidDataException("a header line longer than 8 KiB");
                line.Append((char)b);
            }
        }
    }
}
