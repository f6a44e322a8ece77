using System;
using System.Collections.Generic;
using System.Linq;
using KDsl.Analysis;
using KDsl.Binding;
using KDsl.Diagnostics;
using KDsl.Image;
using KDsl.Profiles;
using KDsl.Symbols;
using KDsl.Text;

namespace KDsl.CodeGen
{
    /// <summary>
    /// Links a bound program into a <see cref="ModuleImage"/>: each function emitted by <see cref="FunctionEmitter"/>,
    /// laid out 16-byte aligned with int3 padding (as the kernel's -falign-functions does), calls between module
    /// functions resolved here, kernel calls and .rodata addresses left as relocations for insmod.
    /// </summary>
    public static class ModuleCompiler
    {
        /// <summary>Largest frame the generator accepts: a sub rsp beyond this is not a kernel function any more.</summary>
        public const long MaxFrameSize = 1L << 28;

        /// <summary>CONFIG_FRAME_WARN's default: 2048 on 64-bit in every profile KDsl models (real-kernel README); `frame_warn = N;` changes it.</summary>
        public const int FrameWarn = DiagnosticOptions.DefaultFrameWarn;

        private const int PageSize = 4096;

        /// <param name="program">The bound module (one scenario's settings).</param>
        /// <param name="source">Its text, for the diagnostics' locations.</param>
        /// <param name="exported">Functions called from outside the module (the exported of Compiler.Compile), or null.</param>
        public static (ModuleImage? Image, IReadOnlyList<Diagnostic> Diagnostics) Generate(BoundProgram program, SourceText source,
            IReadOnlyCollection<string>? exported = null)
        {
            var diagnostics = new List<Diagnostic>();
            var profile = KernelProfile.Find(program.Config.Profile) ?? KernelProfile.Linux61;
            foreach (var f in program.Functions)
                CheckFrameSize(f, source, diagnostics);
            // the code and the stack analysis both see GCC's loops where it eliminated a tail recursion
            program = TailRecursion.Lower(program, profile);
            // where its profile estimate puts each function, which runs after tailr and before any of what follows
            var sections = TextSections.Place(program, exported, profile);
            // then what GCC's interprocedural passes see as constants (after tailr, as GCC's early passes run before ipa-cp)
            program = ConstantPropagation.Propagate(program, exported);
            // and the small counted loops GCC's late passes (cunrolli, cunroll) unroll, with those constants in place
            program = CompleteUnrolling.Lower(program);
            // and, as its SSA form does, no register holding a constant an accumulation starts from
            program = ConstantInitializers.Lower(program);
            if (diagnostics.Count > 0) return (null, diagnostics);

            var strings = new StringTable();
            var text = new List<byte>();
            var symbols = new List<ModuleSymbol>();
            var lines = new List<LineEntry>();
            var unwind = new List<UnwindEntry>();
            var fixups = new List<Relocation>();
            var bugs = new List<BugEntry>();
            var variables = new List<FrameVariable>();
            var functionOffsets = new Dictionary<string, int>();
            string? init = null, exit = null, later = null;

            // The init first, alone in its pages, then one page left unmapped, then the rest: load_module allocates
            // .init.text and .text apart (module_alloc: vmalloc areas with a guard page between), so a fault in the
            // first bytes of either cannot copy code bytes before it (the real "Code: Unable to access opcode bytes",
            // CR2 moved), and the init's address, stored on a stack, names no function (%pB looks up the byte before it).
            var initText = program.Functions.Where(f => f.Symbol.Kind == FunctionKind.Init).ToList();
            var ordered = initText.Select(f => (Function: f, ColdPart: false)).Concat(sections.CoreOrder(program.Functions)).ToList();
            // every function is emitted in the order its body is laid out (its strings in .rodata so too); a function's
            // cold part is laid out later, in .text.unlikely
            var codes = new Dictionary<BoundFunction, FunctionCode>();
            foreach (var (function, _) in ordered)
            {
                if (codes.ContainsKey(function)) continue;
                var (code, frame) = FunctionEmitter.Emit(function, profile, source, strings, sections.ColdPartOf(function.Symbol));
                variables.AddRange(frame.StackVariables(code.Name));
                codes[function] = code;
            }
            int coreOffset = int.MaxValue;
            for (int i = 0; i < ordered.Count; i++)
            {
                var (function, coldPart) = ordered[i];
                var code = coldPart ? codes[function].Cold : codes[function];
                if (code is null) continue; // the statements GCC would move were folded away
                bool coreStart = i > 0 && i == initText.Count;
                var section = coldPart ? TextSection.Unlikely : sections[function.Symbol];
                // .text's functions start at 16 bytes; GCC aligns no cold function (.text.unlikely, .exit.text)
                int alignment = coreStart ? PageSize : section is TextSection.Text or TextSection.Init ? 16 : 1;
                while (text.Count % alignment != 0) text.Add(0xCC);
                if (coreStart) text.AddRange(Enumerable.Repeat((byte)0xCC, PageSize)); // the unmapped page between
                int start = text.Count;
                if (coreStart) coreOffset = start;
                functionOffsets[code.Name] = start;
                symbols.Add(new ModuleSymbol(code.Name, Section.Text, start, code.Bytes.Length, code.Line, section));
                text.AddRange(code.Bytes);
                foreach (var l in code.Lines) lines.Add(new LineEntry(start + l.Offset, l.Line));
                foreach (var u in code.Unwind) unwind.Add(new UnwindEntry(start + u.Offset, u.CfaOffset));
                foreach (var r in code.Fixups) fixups.Add(new Relocation(start + r.Offset, r.Kind, r.Target, r.Addend));
                foreach (var (offset, line, warning, noCutHere) in code.Bugs) bugs.Add(new BugEntry(start + offset, source.Path, line, warning, noCutHere));
                if (coldPart) continue;
                if (function.Symbol.Kind == FunctionKind.Init) init = code.Name;
                if (function.Symbol.Kind == FunctionKind.Exit) exit = code.Name;
                if (function.Symbol.Kind == FunctionKind.Later) later = code.Name;
            }

            var bytes = text.ToArray();
            var relocations = new List<Relocation>();
            foreach (var r in fixups)
            {
                // A call to another function of this module in the same section is position-independent: resolve it now.
                // One from .init.text into .text stays a relocation, as gcc leaves it: the loader places the two sections
                // apart (a real .ko's field must be zero, apply_relocate_add refuses a non-zero one).
                if (r.Kind == RelocationKind.Rel32 && functionOffsets.TryGetValue(r.Target, out int target)
                    && (r.Offset < coreOffset) == (target < coreOffset))
                    WriteInt32(bytes, r.Offset, checked((int)(target + r.Addend - r.Offset)));
                else
                    relocations.Add(r);
            }
            var symbolsBeforeData = symbols.Count;
            var (roData, data, bssSize) = StaticData.Lay(program.Globals, strings, symbols, relocations);
            symbols.InsertRange(symbolsBeforeData, strings.Symbols);

            bool hasProcess = false;
            foreach (var f in program.Functions) hasProcess |= f.Symbol.Kind == FunctionKind.Process;
            if (init is null && !hasProcess)
            {
                diagnostics.Add(new Diagnostic(DiagnosticDescriptors.NoInit.Id, DiagnosticSeverity.Error, source.GetLocation(new TextSpan(0, 0)), "the module has no init block"));
                return (null, diagnostics);
            }

            var image = new ModuleImage(program.ModuleName, program.Description, source.Path, program.Config, bytes, roData,
                symbols, relocations, lines, unwind, init ?? "", exit, program.Expectations, bugs, later, variables: variables,
                data: data, bssSize: bssSize);
            image.Stack = StackAnalyzer.Analyze(program, image, source, profile, program.DiagnosticOptions.FrameWarn, diagnostics);
            return (image, diagnostics);
        }

        private static void CheckFrameSize(BoundFunction function, SourceText source, List<Diagnostic> diagnostics)
        {
            long total = 0;
            foreach (var local in function.Locals)
                total += local.Type.Size;
            if (total > MaxFrameSize)
                diagnostics.Add(new Diagnostic(DiagnosticDescriptors.FrameTooLarge.Id, DiagnosticSeverity.Error, source.GetLocation(function.Symbol.NameSpan),
                    $"the locals of '{function.Symbol.Name}' need {total} bytes of stack; the largest frame KDsl builds is {MaxFrameSize} bytes"));
        }

        private static void WriteInt32(byte[] bytes, int offset, int value)
        {
            bytes[offset] = (byte)value;
            bytes[offset + 1] = (byte)(value >> 8);
            bytes[offset + 2] = (byte)(value >> 16);
            bytes[offset + 3] = (byte)(value >> 24);
        }
    }
}
