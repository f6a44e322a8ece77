using System;
using KDsl.Text;

namespace KDsl.Diagnostics
{
    public enum DiagnosticSeverity { Hidden, Info, Warning, Error }

    /// <summary>One located compiler message, e.g. KDSL0001 at step5.kdsl(3,8).</summary>
    public sealed class Diagnostic : IEquatable<Diagnostic>
    {
        public Diagnostic(string id, DiagnosticSeverity severity, TextLocation location, string message)
        {
            Id = id;
            Severity = severity;
            Location = location;
            Message = message;
        }

        public string Id { get; }
        public DiagnosticSeverity Severity { get; }
        public TextLocation Location { get; }
        public string Message { get; }
        public bool IsError => Severity == DiagnosticSeverity.Error;

        /// <summary>The MSBuild/compiler line format: <c>file(line,col): error KDSL0001: message</c>.</summary>
        public override string ToString() =>
            $"{Location.Path}({Location.Line},{Location.Column}): {SeverityText(Severity)} {Id}: {Message}";

        private static string SeverityText(DiagnosticSeverity s) => s switch
        {
            DiagnosticSeverity.Error => "error",
            DiagnosticSeverity.Warning => "warning",
            DiagnosticSeverity.Info => "info",
            _ => "hidden",
        };

        public bool Equals(Diagnostic? other) =>
            other is not null && Id == other.Id && Severity == other.Severity &&
            Location.Equals(other.Location) && Message == other.Message;
        public override bool Equals(object? obj) => Equals(obj as Diagnostic);
        public override int GetHashCode() => (Id.GetHashCode() * 397) ^ Location.GetHashCode();
    }
}
