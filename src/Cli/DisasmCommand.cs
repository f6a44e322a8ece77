using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Iced.Intel;
using KDsl.Image;
using IcedDecoder = Iced.Intel.Decoder;

namespace KDsl.Cli
{
    /// <summary>
    /// `kdsl disasm FILE [--set ...] [--scenario NAME] [--intel]`: compile and print the module's .text as `objdump -dS`
    /// does: each function from its symbol, instructions by Iced's formatter (AT&amp;T by default, as objdump), each run
    /// of instructions preceded by the .kdsl line it came from (the image's line table), relocations named.
    /// Exit 2 on compile errors or an unknown scenario.
    /// </summary>
    internal static class DisasmCommand
    {
        public static Command Create()
        {
            var file = new Argument<FileInfo>("file") { Description = "The .kdsl experiment to disassemble" };
            var set = new Option<string[]>("--set") { Description = "Override a config setting or a constant, e.g. --set profile=linux-4.11 --set BUF=2048" };
            var scenario = new Option<string?>("--scenario") { Description = "Disassemble this scenario's image (its settings decide the code) instead of the default" };
            var intel = new Option<bool>("--intel") { Description = "Intel syntax instead of AT&T (objdump's default)" };
            var command = new Command("disasm", "Compile an experiment and print its machine code, interleaved with the .kdsl source lines") { file, set, scenario, intel };
            command.SetAction(parse =>
            {
                if (!Settings.TryParse(parse.GetValue(set), out var settings, out string? error))
                {
                    Console.Error.WriteLine($"kdsl: {error}");
                    return 2;
                }
                var f = parse.GetValue(file)!;
                if (!Compilation.TryCompile(f, settings, out CompileResult? compiled, showInfo: false)) return 2;
                string? only = parse.GetValue(scenario);
                var image = only is null ? compiled!.Image : compiled!.Scenarios.FirstOrDefault(s => s.Name == only)?.Image;
                if (image is null)
                {
                    Console.Error.WriteLine($"kdsl: {f.Name} has no scenario '{only}'");
                    return 2;
                }
                string[] source = File.ReadAllLines(f.FullName);
                Console.Out.Write(Render(image, source, parse.GetValue(intel)));
                return 0;
            });
            return command;
        }

        /// <summary>The listing of <paramref name="image"/>'s .text; <paramref name="source"/> holds the .kdsl lines.</summary>
        internal static string Render(ModuleImage image, IReadOnlyList<string> source, bool intel)
        {
            var output = new StringBuilder();
            output.Append($"{Path.GetFileName(image.SourcePath)}: module {image.Name} ({image.Config.Profile}), .text {image.Text.Length} bytes\n");
            Formatter formatter = intel ? new IntelFormatter() : new GasFormatter();
            // objdump's layout, which kernel scripts parse (scripts/checkstack.pl's x86_64 pattern is "sub    $0x…,%rsp"):
            // the mnemonic padded to six and a space, 0x hex (Intel syntax too, small numbers too), a zero displacement
            // shown, and (below) scale 1 written out when there is an index.
            formatter.Options.FirstOperandCharIndex = 7;
            formatter.Options.UppercaseHex = false;
            formatter.Options.BranchLeadingZeros = false;
            formatter.Options.HexPrefix = "0x";
            formatter.Options.HexSuffix = null;
            formatter.Options.ShowZeroDisplacements = true;
            formatter.Options.SmallHexNumbersInDecimal = false;
            if (intel)
            {
                // objdump -M intel: "QWORD PTR [rsp+0x1000]", "[rax+rax*1+0x0]", "jne 0x20a6" (no "short").
                formatter.Options.MemorySizeOptions = MemorySizeOptions.Always;
                formatter.Options.UppercaseKeywords = true;
                formatter.Options.AlwaysShowScale = true;
                formatter.Options.ShowBranchSize = false;
            }
            var lines = image.Lines.OrderBy(l => l.Offset).ToArray();
            var relocations = image.Relocations.OrderBy(r => r.Offset).ToArray();
            var functions = image.Symbols.Where(s => s.Section == Section.Text).OrderBy(s => s.Offset).ToArray();
            var formatted = new StringOutput();
            int width = AddressWidth(image.Text.Length);

            foreach (var function in functions)
            {
                output.Append($"\n{function.Offset:x16} <{function.Name}>:\n");
                int end = Math.Min(function.Offset + function.Size, image.Text.Length);
                var reader = new ByteArrayCodeReader(image.Text, function.Offset, end - function.Offset);
                var decoder = IcedDecoder.Create(64, reader, (ulong)function.Offset);
                int lastLine = -1;
                while ((int)decoder.IP < end)
                {
                    int offset = (int)decoder.IP;
                    decoder.Decode(out Instruction instruction);
                    int line = LineAt(lines, offset);
                    if (line != lastLine && line > 0)
                    {
                        string text = line <= source.Count ? source[line - 1].Trim() : "";
                        output.Append($"; {Path.GetFileName(image.SourcePath)}:{line}: {text}\n");
                        lastLine = line;
                    }
                    formatter.Format(instruction, formatted);
                    // objdump: seven bytes a line ("xx " each, padded to 21), the rest on continuation lines below
                    string asm = formatted.ToStringAndReset();
                    asm = intel ? ObjdumpIntel(asm) : ObjdumpAtt(asm);
                    // objdump -M intel names the 64-bit immediate form movabs, as AT&T does
                    if (intel && instruction.Code == Code.Mov_r64_imm64) asm = "movabs " + asm.Substring(formatter.Options.FirstOperandCharIndex);
                    output.Append($"{Address(offset, width)}:\t{Bytes(image.Text, offset, Math.Min(instruction.Length, BytesPerLine)),-21}\t{asm}");
                    foreach (var r in relocations)
                        if (r.Offset >= offset && r.Offset < offset + instruction.Length)
                            output.Append($"\t# {r.Kind} {r.Target}{(r.Addend == 0 ? "" : (r.Addend > 0 ? "+" : "") + r.Addend.ToString(System.Globalization.CultureInfo.InvariantCulture))}");
                    output.Append('\n');
                    for (int more = BytesPerLine; more < instruction.Length; more += BytesPerLine)
                        output.Append($"{Address(offset + more, width)}:\t{Bytes(image.Text, offset + more, Math.Min(instruction.Length - more, BytesPerLine))}\n");
                    if (instruction.Length == 0) break;
                }
            }
            return output.ToString();
        }

        private static readonly Regex IndexWithoutScale = new Regex(@"\((%\w+),(%\w+)\)", RegexOptions.CultureInvariant);
        private static readonly Regex AttStos = new Regex(@"^(rep )?(stos +%\w+,)\(%rdi\)$", RegexOptions.CultureInvariant);
        private static readonly Regex IntelStos = new Regex(@"^(rep )?stos[bwdq] +(BYTE|WORD|DWORD|QWORD) PTR \[rdi\]$", RegexOptions.CultureInvariant);
        private static readonly Regex IntelAbsolute = new Regex(@"(\b[c-gs]s:)\[(0x[0-9a-f]+)\]", RegexOptions.CultureInvariant);

        /// <summary>Where Iced's GAS syntax and objdump's differ: scale 1 shown with an index, stos's implicit %es: shown.</summary>
        private static string ObjdumpAtt(string asm)
        {
            asm = IndexWithoutScale.Replace(asm, "($1,$2,1)");
            return AttStos.Replace(asm, "$1$2%es:(%rdi)");
        }

        /// <summary>
        /// Where Iced's Intel syntax and objdump -M intel differ: a segment-relative absolute address without brackets
        /// ("QWORD PTR gs:0x28"), and stos with both its operands ("rep stos DWORD PTR es:[rdi],eax").
        /// </summary>
        private static string ObjdumpIntel(string asm)
        {
            asm = IntelAbsolute.Replace(asm, "$1$2");
            var stos = IntelStos.Match(asm);
            if (!stos.Success) return asm;
            string accumulator = stos.Groups[2].Value switch { "BYTE" => "al", "WORD" => "ax", "DWORD" => "eax", _ => "rax" };
            return $"{stos.Groups[1].Value}stos {stos.Groups[2].Value} PTR es:[rdi],{accumulator}";
        }

        /// <summary>
        /// objdump's address column (disassemble_bytes' skip_addr_chars): the section's end address as 16 hex digits, its
        /// leading zeros dropped in chunks of four while at least one stays, so .text under 0x1000 bytes gets 4 columns,
        /// under 0x10000000 8 columns; the addresses are right-aligned in it.
        /// </summary>
        internal static int AddressWidth(long sectionSize)
        {
            string digits = sectionSize.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
            int skip = 0;
            while (skip < digits.Length && digits[skip] == '0') skip++;
            if (skip != 0) skip = (skip - 1) & ~3;
            return digits.Length - skip;
        }

        private static string Address(int offset, int width) => offset.ToString("x", System.Globalization.CultureInfo.InvariantCulture).PadLeft(width);

        /// <summary>objdump's insn_width for x86: bytes shown on an instruction's line.</summary>
        private const int BytesPerLine = 7;

        private static string Bytes(byte[] text, int offset, int count)
        {
            var sb = new StringBuilder(count * 3);
            for (int i = 0; i < count; i++) sb.Append(text[offset + i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture)).Append(' ');
            return sb.ToString();
        }

        private static int LineAt(LineEntry[] lines, int offset)
        {
            int line = 0;
            foreach (var entry in lines)
            {
                if (entry.Offset > offset) break;
                line = entry.Line;
            }
            return line;
        }
    }
}
