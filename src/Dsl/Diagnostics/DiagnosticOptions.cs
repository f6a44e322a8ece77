using System;
using System.Collections.Generic;

namespace KDsl.Diagnostics
{
    /// <summary>
    /// What the `config` block says about diagnostics: `frame_warn = N;` (CONFIG_FRAME_WARN, the KDSL1001 threshold)
    /// and `severity KDSLnnnn = error|warning|info|hidden|none;`. Only diagnostics that are not errors by default are
    /// configurable (warnings and infos: the stack analysis, printk formats, ...); an error stays an error.
    /// <see cref="Apply"/> is the one place severities change, after a compilation pass has collected everything.
    /// </summary>
    public sealed class DiagnosticOptions
    {
        /// <summary>CONFIG_FRAME_WARN: 2048 on 64-bit in every profile KDsl models (real-kernel README).</summary>
        public const int DefaultFrameWarn = 2048;

        public static readonly DiagnosticOptions Default = new DiagnosticOptions(DefaultFrameWarn, new Dictionary<string, DiagnosticSeverity?>());

        private readonly Dictionary<string, DiagnosticSeverity?> _severities;

        private DiagnosticOptions(int frameWarn, Dictionary<string, DiagnosticSeverity?> severities)
        {
            FrameWarn = frameWarn;
            _severities = severities;
        }

        /// <summary>Frames whose locals take more bytes than this get KDSL1001; 0 disables the warning.</summary>
        public int FrameWarn { get; }

        /// <summary>Id → severity; a null severity is `none`: the diagnostic is not reported.</summary>
        public IReadOnlyDictionary<string, DiagnosticSeverity?> Severities => _severities;

        public DiagnosticOptions WithFrameWarn(int frameWarn) => new DiagnosticOptions(frameWarn, _severities);

        public DiagnosticOptions WithSeverity(string id, DiagnosticSeverity? severity) =>
            new DiagnosticOptions(FrameWarn, new Dictionary<string, DiagnosticSeverity?>(_severities) { [id] = severity });

        /// <summary>
        /// An experiment whose expect block says the stack overflows (`oops stack_guard`) is about that overflow: the
        /// stack warnings (KDSL1001 frame size, KDSL1002 predicted overflow) become info, so a build that treats warnings
        /// as errors still builds it. A severity the config block set for them stays.
        /// </summary>
        public DiagnosticOptions ForExpectations(IEnumerable<KDsl.Image.Expectation> expectations)
        {
            bool overflowExpected = false;
            foreach (var e in expectations)
                if (e.Kind == KDsl.Image.ExpectationKind.Oops && e.Text == "stack_guard") overflowExpected = true;
            if (!overflowExpected) return this;
            var result = this;
            foreach (string id in StackWarnings)
                if (!_severities.ContainsKey(id)) result = result.WithSeverity(id, DiagnosticSeverity.Info);
            return result;
        }

        private static readonly string[] StackWarnings =
            { DiagnosticDescriptors.FrameLargerThanWarn.Id, DiagnosticDescriptors.StackOverflowPredicted.Id };

        /// <summary>The same threshold and the same severities (so a compilation reports the same diagnostics).</summary>
        public bool SameAs(DiagnosticOptions other)
        {
            if (FrameWarn != other.FrameWarn || _severities.Count != other._severities.Count) return false;
            foreach (var pair in _severities)
                if (!other._severities.TryGetValue(pair.Key, out var severity) || severity != pair.Value) return false;
            return true;
        }

        /// <summary>True when the id names a diagnostic whose severity may be changed (not an error by default).</summary>
        public static bool IsConfigurable(string id) =>
            DiagnosticDescriptors.Find(id) is DiagnosticDescriptor d && d.DefaultSeverity != DiagnosticSeverity.Error;

        /// <summary>"error", "warning", "info", "hidden" or "none" (null); false for anything else.</summary>
        public static bool TryParseSeverity(string text, out DiagnosticSeverity? severity)
        {
            switch (text.Trim().ToLowerInvariant())
            {
                case "error": severity = DiagnosticSeverity.Error; return true;
                case "warning": severity = DiagnosticSeverity.Warning; return true;
                case "info": severity = DiagnosticSeverity.Info; return true;
                case "hidden": severity = DiagnosticSeverity.Hidden; return true;
                case "none": severity = null; return true;
                default: severity = null; return false;
            }
        }

        /// <summary>The diagnostics with each configured severity applied and those set to `none` left out.</summary>
        public List<Diagnostic> Apply(IEnumerable<Diagnostic> diagnostics)
        {
            var result = new List<Diagnostic>();
            foreach (var d in diagnostics)
            {
                if (!_severities.TryGetValue(d.Id, out var severity) || !IsConfigurable(d.Id))
                    result.Add(d);
                else if (severity is DiagnosticSeverity s)
                    result.Add(s == d.Severity ? d : new Diagnostic(d.Id, s, d.Location, d.Message));
            }
            return result;
        }

        public override string ToString()
        {
            var parts = new List<string> { "frame_warn=" + FrameWarn };
            var ids = new List<string>(_severities.Keys);
            ids.Sort(StringComparer.Ordinal);
            foreach (var id in ids) parts.Add($"severity {id}={(_severities[id]?.ToString().ToLowerInvariant() ?? "none")}");
            return string.Join(" ", parts);
        }
    }
}
