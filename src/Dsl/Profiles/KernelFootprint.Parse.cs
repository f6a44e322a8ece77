using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace KDsl.Profiles
{
    /// <summary>Reading a profile's .ktrace (tools/kernel-trace/reduce.py's format, documented in its header).</summary>
    public sealed partial class KernelFootprint
    {
        public static KernelFootprint Parse(TextReader reader)
        {
            var f = new KernelFootprint();
            string? line;
            string? format = null, path = null;
            int deepest = 0, steps = 0;
            List<KeyValuePair<int, string>>? residue = null;
            List<RecordedWrite>? writes = null;
            List<string>? formats = null;
            while ((line = reader.ReadLine()) != null)
            {
                if (line.Length == 0 || line[0] == '#') continue;
                int space = line.IndexOf(' ');
                string key = space < 0 ? line : line.Substring(0, space);
                string rest = space < 0 ? "" : line.Substring(space + 1);
                // A jumps line is read in place (ReadJumps): those lines are most of the file, and splitting them into
                // strings was most of a kdsl run's start-up.
                var fields = key == "jumps" ? Array.Empty<string>() : rest.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
                switch (key)
                {
                    case "symbol":
                        f.Symbols.Add(new FootprintSymbol(Hex(fields[0]), (int)Hex(fields[1]), fields[2]));
                        break;
                    case "insn":
                        var insn = new FootprintInstruction(Hex(fields[0]), int.Parse(fields[1], CultureInfo.InvariantCulture), Bytes(fields[2]),
                            fields.Length > 3 ? int.Parse(fields[3], CultureInfo.InvariantCulture) : 0);
                        f.Instructions.Add(insn);
                        f._instructionBytes[insn.Address] = insn.Bytes;
                        break;
                    case "retsite":
                        f.ReturnSites.Add(new KeyValuePair<ulong, int>(Hex(fields[0]), int.Parse(fields[1], CultureInfo.InvariantCulture)));
                        break;
                    case "path":
                        format = rest.StartsWith("printk ", StringComparison.Ordinal) ? JsonString(rest.Substring(7)) : null;
                        path = rest;
                        break;
                    case "words":
                        (path == "kthread" ? f.ThreadWords : f.InitWords).AddRange(fields);
                        break;
                    case "regs":
                        foreach (var field in fields)
                        {
                            int eq = field.IndexOf('=');
                            (path == "kthread" ? f.ThreadRegisters : f.InitRegisters)
                                .Add(new KeyValuePair<string, string>(field.Substring(0, eq), field.Substring(eq + 1)));
                        }
                        break;
                    case "deepest":
                        deepest = int.Parse(fields[0], CultureInfo.InvariantCulture);
                        break;
                    case "steps":
                        steps = int.Parse(fields[0], CultureInfo.InvariantCulture);
                        break;
                    case "residue":
                        residue = new List<KeyValuePair<int, string>>(fields.Length);
                        foreach (var field in fields)
                        {
                            int eq = field.IndexOf('=');
                            residue.Add(new KeyValuePair<int, string>((int)Hex(field.Substring(0, eq)), field.Substring(eq + 1)));
                        }
                        break;
                    case "writes":
                        writes = new List<RecordedWrite>(fields.Length);
                        foreach (var field in fields)
                        {
                            int colon = field.IndexOf(':'), eq = field.IndexOf('=');
                            writes.Add(new RecordedWrite(int.Parse(field.Substring(0, colon), CultureInfo.InvariantCulture),
                                (int)Hex(field.Substring(colon + 1, eq - colon - 1)), field.Substring(eq + 1)));
                        }
                        break;
                    case "like":
                        // the K-th call went the way an earlier one did: "like @J"
                        int like = fields.Length == 1 && fields[0].StartsWith("@", StringComparison.Ordinal) ? int.Parse(fields[0].Substring(1), CultureInfo.InvariantCulture) : -1;
                        if (path == null || !CallInOrder(path, out string callee, out int number) || !f.CallsInOrder.TryGetValue(callee, out var earlier)
                            || like < 0 || like >= earlier.Count)
                            throw new InvalidDataException($"like {rest}: not an earlier call's number after a path call NAME @K line");
                        f.AddCallInOrder(callee, number, earlier[like]);
                        break;
                    case "formats":
                        formats = JsonStrings(rest);
                        break;
                    case "jumps":
                        var jumps = ReadJumps(rest);
                        var recorded = new RecordedPath(format ?? "", deepest, steps, jumps, residue, writes, formats);
                        if (path == "panic") f.Panic = recorded;
                        else if (path != null && path.StartsWith("oops ", StringComparison.Ordinal)) f.OopsPaths[path.Substring(5)] = recorded;
                        else if (path != null && path.StartsWith("call ", StringComparison.Ordinal))
                        {
                            if (CallInOrder(path, out string function, out int index)) f.AddCallInOrder(function, index, recorded);
                            else f.Calls[path.Substring(5)] = recorded;
                        }
                        else f.Printks.Add(recorded);
                        residue = null;
                        writes = null;
                        formats = null;
                        break;
                    default:
                        throw new InvalidDataException("unknown footprint line: " + key);
                }
            }
            return f;
        }

        /// <summary>"call NAME @K": the experiment's K-th call of NAME (<see cref="CallsInOrder"/>).</summary>
        private static bool CallInOrder(string path, out string function, out int index)
        {
            function = "";
            index = -1;
            int at = path.IndexOf(" @", StringComparison.Ordinal);
            if (!path.StartsWith("call ", StringComparison.Ordinal) || at < 0) return false;
            function = path.Substring(5, at - 5);
            index = int.Parse(path.Substring(at + 2), CultureInfo.InvariantCulture);
            return true;
        }

        private void AddCallInOrder(string function, int index, RecordedPath recorded)
        {
            if (!CallsInOrder.TryGetValue(function, out var inOrder)) CallsInOrder[function] = inOrder = new List<RecordedPath>();
            if (index != inOrder.Count) throw new InvalidDataException($"call {function} @{index}: the calls are not in order");
            inOrder.Add(recorded);
        }

        /// <summary>A jumps line's "FROM>TO FROM>TO ..." (hex addresses), read without a string per field.</summary>
        private static List<KeyValuePair<ulong, ulong>> ReadJumps(string text)
        {
            var jumps = new List<KeyValuePair<ulong, ulong>>();
            int i = 0;
            while (true)
            {
                while (i < text.Length && text[i] == ' ') i++;
                if (i == text.Length) return jumps;
                ulong from = HexAt(text, ref i);
                if (i == text.Length || text[i] != '>') throw new InvalidDataException($"jumps: expected FROM>TO at column {i}");
                i++;
                jumps.Add(new KeyValuePair<ulong, ulong>(from, HexAt(text, ref i)));
            }
        }

        /// <summary>The hex number (1 to 16 digits) at <paramref name="i"/>; leaves i after its last digit.</summary>
        private static ulong HexAt(string text, ref int i)
        {
            int start = i;
            ulong value = 0;
            for (; i < text.Length; i++)
            {
                char c = text[i];
                int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
                if (digit < 0) break;
                value = value << 4 | (uint)digit;
            }
            if (i == start || i - start > 16) throw new InvalidDataException($"expected a hex number of 1 to 16 digits at column {start}");
            return value;
        }

        internal static ulong Hex(string s) => ulong.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

        private static byte[] Bytes(string hex)
        {
            var bytes = new byte[hex.Length / 2];
            for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)Hex(hex.Substring(2 * i, 2));
            return bytes;
        }

        /// <summary>A JSON string literal as reduce.py writes it (json.dumps: \n, \", \\, \uXXXX).</summary>
        private static string JsonString(string literal)
        {
            int i = 0;
            return ReadJsonString(literal, ref i);
        }

        /// <summary>A JSON array of strings (reduce.py's json.dumps of a list), its elements in order.</summary>
        private static List<string> JsonStrings(string array)
        {
            var strings = new List<string>();
            for (int i = 0; i < array.Length; i++)
                if (array[i] == '"') strings.Add(ReadJsonString(array, ref i));
            return strings;
        }

        /// <summary>The JSON string literal whose opening quote is at <paramref name="i"/>; leaves i at its closing quote.</summary>
        private static string ReadJsonString(string text, ref int i)
        {
            var sb = new StringBuilder();
            for (i++; i < text.Length && text[i] != '"'; i++)
            {
                char c = text[i];
                if (c != '\\') { sb.Append(c); continue; }
                char e = text[++i];
                switch (e)
                {
                    case 'n': sb.Append('\n'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u': sb.Append((char)Hex(text.Substring(i + 1, 4))); i += 4; break;
                    default: sb.Append(e); break;
                }
            }
            return sb.ToString();
        }
    }
}
