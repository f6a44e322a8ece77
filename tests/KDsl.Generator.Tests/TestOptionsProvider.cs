using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace KDsl.Generator.Tests
{
    /// <summary>Global analyzer-config options (build_property.*) for an in-memory generator run.</summary>
    internal sealed class TestOptionsProvider : AnalyzerConfigOptionsProvider
    {
        private readonly TestOptions _global;

        public TestOptionsProvider(IReadOnlyDictionary<string, string> globalOptions) => _global = new TestOptions(globalOptions);

        public override AnalyzerConfigOptions GlobalOptions => _global;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => TestOptions.Empty;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => TestOptions.Empty;

        private sealed class TestOptions : AnalyzerConfigOptions
        {
            public static readonly TestOptions Empty = new TestOptions(new Dictionary<string, string>());

            private readonly IReadOnlyDictionary<string, string> _values;

            public TestOptions(IReadOnlyDictionary<string, string> values) => _values = values;

            public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => _values.TryGetValue(key, out value);
        }
    }
}
