using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace KDsl.Generator.Model
{
    /// <summary>
    /// An equatable, Roslyn-free description of one diagnostic: plain path, span and line positions.
    /// <see cref="Location"/> is made only when reporting (<see cref="CreateDiagnostic"/>), never kept in the model.
    /// </summary>
    internal readonly record struct DiagnosticInfo(
        string Id,
        DiagnosticSeverity Severity,
        string Message,
        string FilePath,
        int SpanStart,
        int SpanLength,
        int StartLine,
        int StartCharacter,
        int EndLine,
        int EndCharacter)
    {
        /// <param name="helpLinkBase">The project's KDslHelpLinkBase, or null (see DiagnosticDescriptors.Get).</param>
        public Diagnostic CreateDiagnostic(string? helpLinkBase = null)
        {
            var location = Location.Create(
                FilePath,
                new TextSpan(SpanStart, SpanLength),
                new LinePositionSpan(new LinePosition(StartLine, StartCharacter), new LinePosition(EndLine, EndCharacter)));
            return Diagnostic.Create(DiagnosticDescriptors.Get(Id, Severity, helpLinkBase), location, Message);
        }

        /// <summary>A diagnostic on the first character of a file (for errors that have no better place).</summary>
        public static DiagnosticInfo AtFileStart(string id, string message, string filePath) =>
            new DiagnosticInfo(id, DiagnosticSeverity.Error, message, filePath, 0, 0, 0, 0, 0, 0);
    }
}
