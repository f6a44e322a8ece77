using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;

namespace KDsl.Generator
{
    /// <summary>
    /// Descriptors for the diagnostics the generator reports. The language's own diagnostics (KDSL0001…) are
    /// defined by src/Dsl and passed through, so their descriptors are made on first use from id and severity;
    /// the generator's own (KDSL999x) are fixed here. The pass-through descriptors are configurable: a severity set in
    /// .editorconfig (`[*]` section or a .globalconfig: dotnet_diagnostic.KDSL1001.severity = none) applies to them.
    /// </summary>
    internal static class DiagnosticDescriptors
    {
        private const string Category = "KDsl";
        /// <summary>The diagnostics reference; a help link is its address + "#" + the id in lower case.</summary>
        private const string HelpLinkBase = "docs/diagnostics.md";

        private static readonly ConcurrentDictionary<string, DiagnosticDescriptor> s_passThrough =
            new ConcurrentDictionary<string, DiagnosticDescriptor>();

        public static DiagnosticDescriptor DuplicateName { get; } = new DiagnosticDescriptor(
            id: "KDSL9998",
            title: "Two .kdsl files generate the same file or class",
            messageFormat: "{0}",
            category: Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "#kdsl9998",
            customTags: WellKnownDiagnosticTags.NotConfigurable);

        public static DiagnosticDescriptor InternalError { get; } = new DiagnosticDescriptor(
            id: "KDSL9999",
            title: "Internal error in the KDsl compiler",
            messageFormat: "{0}",
            category: Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "#kdsl9999",
            customTags: WellKnownDiagnosticTags.NotConfigurable);

        /// <summary>
        /// The descriptor for a diagnostic id; message text is passed as the single format argument. Its help link is
        /// <paramref name="helpLinkBase"/> + "#" + the id: the package's build/KDsl.props gives the absolute file: URI of the
        /// diagnostics reference it carries (build_property.KDslHelpLinkBase); without it the link is relative to the repository.
        /// </summary>
        public static DiagnosticDescriptor Get(string id, DiagnosticSeverity severity, string? helpLinkBase = null)
        {
            bool defaultLink = string.IsNullOrEmpty(helpLinkBase) || helpLinkBase == HelpLinkBase;
            if (defaultLink && id == DuplicateName.Id && severity == DuplicateName.DefaultSeverity) return DuplicateName;
            if (defaultLink && id == InternalError.Id && severity == InternalError.DefaultSeverity) return InternalError;
            string link = defaultLink ? HelpLinkBase : helpLinkBase!;
            return s_passThrough.GetOrAdd(id + "|" + severity.ToString() + "|" + link, _ => CreatePassThrough(id, severity, link));
        }

        /// <summary>
        /// The reference's address a project's options give (see <see cref="Get"/>), or null. It carries no "#": the
        /// options reach the generator through an .editorconfig file, where "#" starts a comment.
        /// </summary>
        public static string? HelpLinkBaseOf(Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions options) =>
            options.TryGetValue("build_property.KDslHelpLinkBase", out string? value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        private static DiagnosticDescriptor CreatePassThrough(string id, DiagnosticSeverity severity, string helpLinkBase) =>
#pragma warning disable RS1017 // The id comes from src/Dsl: the language's diagnostics are defined there, not here.
            new DiagnosticDescriptor(
                id: id,
                title: KDsl.Diagnostics.DiagnosticDescriptors.Find(id)?.Title ??
                    (id == DuplicateName.Id ? DuplicateName.Title.ToString() : id == InternalError.Id ? InternalError.Title.ToString() : "KDsl " + id),
                messageFormat: "{0}",
                category: Category,
                defaultSeverity: severity,
                isEnabledByDefault: true,
                helpLinkUri: helpLinkBase + "#" + id.ToLowerInvariant());
#pragma warning restore RS1017
    }
}
