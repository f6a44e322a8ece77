namespace KDsl.Diagnostics
{
    /// <summary>The fixed part of a diagnostic: its id, default severity and a short title (the message is per report).</summary>
    public sealed class DiagnosticDescriptor
    {
        public DiagnosticDescriptor(string id, DiagnosticSeverity defaultSeverity, string title)
        {
            Id = id;
            DefaultSeverity = defaultSeverity;
            Title = title;
        }

        public string Id { get; }
        public DiagnosticSeverity DefaultSeverity { get; }
        public string Title { get; }

        public override string ToString() => $"{Id}: {Title}";
    }
}
