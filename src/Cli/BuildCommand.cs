using System;
using System.CommandLine;
using System.IO;
using KDsl.Image;
using KDsl.Runtime.Cpu;

namespace KDsl.Cli
{
    /// <summary>
    /// `kdsl build FILE --emit-bin OUT --entry NAME [--set key=value ...]`: compiles the experiment and writes one
    /// function (with the module functions it calls) as a flat, position-independent binary: entry at offset 0,
    /// SysV <c>entry(rdi = arg, rsi = scratch, rdx = scratch size)</c>, result in RAX, no calls out, no system calls
    /// (<see cref="FlatBinary"/>). Exit 0 on success, 1 when the function cannot be a blob, 2 on compile errors.
    /// </summary>
    internal static class BuildCommand
    {
        public static Command Create()
        {
            var file = new Argument<FileInfo>("file") { Description = "The .kdsl experiment to compile" };
            var emitBin = new Option<FileInfo?>("--emit-bin") { Description = "Write the entry function's machine code as a flat binary to this file" };
            var entry = new Option<string?>("--entry") { Description = "The function at offset 0 of the binary" };
            var set = new Option<string[]>("--set") { Description = "Override a config setting or a constant, e.g. --set profile=linux-4.11", AllowMultipleArgumentsPerToken = false };
            var command = new Command("build", "Compile an experiment; with --emit-bin write one function as a native-runnable flat binary") { file, emitBin, entry, set };
            command.SetAction(parse => Build(parse.GetValue(file)!, parse.GetValue(emitBin), parse.GetValue(entry), parse.GetValue(set)));
            return command;
        }

        private static int Build(FileInfo file, FileInfo? emitBin, string? entry, string[]? set)
        {
            if (!Settings.TryParse(set, out var settings, out string? error))
            {
                Console.Error.WriteLine($"kdsl: {error}");
                return 2;
            }
            // the entry is called from outside with any arguments: its parameters are never taken for constants
            if (!Compilation.TryCompile(file, settings, out ModuleImage? image, exported: string.IsNullOrEmpty(entry) ? null : new[] { entry! }))
                return 2;
            if (emitBin is null)
            {
                Console.Out.WriteLine($"{file.Name}: module {image!.Name}, {image.Text.Length} bytes of .text");
                return 0;
            }
            if (string.IsNullOrEmpty(entry))
            {
                Console.Error.WriteLine("kdsl: --emit-bin needs --entry NAME");
                return 2;
            }
            var blob = FlatBinary.TryCreate(image!, entry!, out error);
            if (blob is null)
            {
                Console.Error.WriteLine($"kdsl: {file.Name}: {error}");
                return 1;
            }
            File.WriteAllBytes(emitBin.FullName, blob.Bytes);
            Console.Out.WriteLine($"{emitBin.Name}: {blob.Bytes.Length} bytes, entry {entry} at offset 0 " +
                $"(functions: {string.Join(", ", blob.Functions)}){(blob.UsesGs ? "; reads gs:0x28 (the canary)" : "")}");
            return 0;
        }
    }
}
