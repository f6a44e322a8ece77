using System.Collections.Generic;
using System.Linq;
using KDsl.Binding;
using KDsl.Image;
using KDsl.Symbols;
using KDsl.Text;

namespace KDsl.CodeGen
{
    /// <summary>Where GCC puts each of a module's functions (<see cref="TextSections.Place"/>), and so the order of its core text.</summary>
    internal sealed class TextPlacement
    {
        public TextPlacement(Dictionary<string, TextSection> sections, bool exitFirst, Dictionary<string, ColdPart> coldParts)
        {
            Sections = sections;
            ExitFirst = exitFirst;
            ColdParts = coldParts;
        }

        /// <summary>The functions in .text whose blocks that never run GCC moves to NAME.cold, by link name.</summary>
        public Dictionary<string, ColdPart> ColdParts { get; }

        public ColdPart? ColdPartOf(FunctionSymbol f) => ColdParts.TryGetValue(f.LinkName, out var part) ? part : null;

        /// <summary>Each function's section, by link name.</summary>
        public Dictionary<string, TextSection> Sections { get; }
        /// <summary>.exit.text comes before .text.unlikely (<c>TextSections.ExitEmittedFirst</c>).</summary>
        public bool ExitFirst { get; }

        public TextSection this[FunctionSymbol f] => Sections[f.LinkName];

        /// <summary>
        /// The core text (all but the init) in the .ko's section order, which layout_sections keeps: .text first (the
        /// assembler makes it before any other), then .exit.text and .text.unlikely in the order GCC first emitted a
        /// function into each. .text.unlikely holds the unlikely functions and the .text functions' cold parts
        /// (<c>ColdPart</c>: true), each where its function is emitted. Within a section the functions keep the file's order.
        /// </summary>
        public IEnumerable<(BoundFunction Function, bool ColdPart)> CoreOrder(IEnumerable<BoundFunction> functions)
        {
            var core = functions.Where(f => this[f.Symbol] != TextSection.Init).ToList();
            var exit = core.Where(f => this[f.Symbol] == TextSection.Exit).Select(f => (f, false)).ToList();
            var none = Enumerable.Empty<(BoundFunction, bool)>();
            var unlikely = core.Where(f => this[f.Symbol] == TextSection.Unlikely || ColdParts.ContainsKey(f.Symbol.LinkName))
                .Select(f => (f, this[f.Symbol] == TextSection.Text));
            return core.Where(f => this[f.Symbol] == TextSection.Text).Select(f => (f, false))
                .Concat(ExitFirst ? exit : none)
                .Concat(unlikely)
                .Concat(ExitFirst ? none : exit);
        }
    }

    /// <summary>
    /// What GCC moves out of a function in .text to NAME.cold (bb-reorder's partitioning by the profile estimate): the
    /// statements that start in a block that never runs, by span (so the copies of an unrolled loop body stay with their
    /// original), and whether the exit block, with the epilogue and the canary check, never runs either.
    /// </summary>
    internal sealed class ColdPart
    {
        private readonly HashSet<TextSpan> _statements;

        public ColdPart(HashSet<TextSpan> statements, bool exitCold)
        {
            _statements = statements;
            ExitCold = exitCold;
        }

        public bool ExitCold { get; }

        public bool Contains(BoundStatement s) => _statements.Contains(s.Span);
    }
}
