using System.Collections.Generic;
using System.Collections.Immutable;
using KDsl.Diagnostics;
using KDsl.Image;
using KDsl.Symbols;
using KDsl.Syntax;
using KDsl.Text;

namespace KDsl.Binding
{
    /// <summary>
    /// `scenario NAME { config { ... } expect { ... } }`: every scenario is checked on every bind; the one asked for
    /// (<see cref="_scenarioName"/>) layers its config over the file's (CLI settings still win), overrides constants
    /// named in its config (`BUF = 992;`), and replaces the top-level expect when it has its own.
    /// </summary>
    public sealed partial class Binder
    {
        private readonly List<ScenarioSyntax> _scenarios = new List<ScenarioSyntax>();
        /// <summary>The top-level constants, each with its name's span in its declaration (where a bad value given to the run is reported).</summary>
        private readonly Dictionary<string, TextSpan> _constDeclarations = new Dictionary<string, TextSpan>();
        private readonly Dictionary<string, long> _constOverrides = new Dictionary<string, long>();
        private string? _scenarioName;
        private ScenarioSyntax? _selectedScenario;
        /// <summary>The selected scenario's config block gives a constant another value: its code may differ from the default's.</summary>
        private bool _scenarioOverridesConstants;

        private ImmutableArray<ScenarioInfo> BindScenarioHeaders(ExpectBlockSyntax? topLevelExpect)
        {
            var infos = ImmutableArray.CreateBuilder<ScenarioInfo>();
            infos.Add(new ScenarioInfo(Scenario.DefaultName, topLevelExpect is null ? 0 : LineOf(topLevelExpect.Keyword.Span)));
            var seen = new HashSet<string> { Scenario.DefaultName };
            foreach (var scenario in _scenarios)
            {
                ConfigBlockSyntax? config = null;
                ExpectBlockSyntax? expect = null;
                foreach (var member in scenario.Members)
                {
                    if (member is ConfigBlockSyntax c)
                    {
                        if (config != null) _diagnostics.ReportDuplicateConfig(c.Keyword.Span);
                        else config = c;
                    }
                    else if (member is ExpectBlockSyntax e)
                    {
                        if (expect != null) _diagnostics.ReportDuplicateExpect(e.Keyword.Span);
                        else expect = e;
                    }
                }
                if (scenario.Name.IsMissing) continue;
                if (!seen.Add(scenario.Name.Text))
                {
                    _diagnostics.ReportDuplicateScenario(scenario.Name.Span, scenario.Name.Text);
                    continue;
                }
                infos.Add(new ScenarioInfo(scenario.Name.Text, LineOf(scenario.Keyword.Span)));
                if (scenario.Name.Text == _scenarioName) _selectedScenario = scenario;
            }
            return infos.ToImmutable();
        }

        private int LineOf(TextSpan span) => _text.GetLineIndex(span.Start) + 1;

        private static ConfigBlockSyntax? ConfigOf(ScenarioSyntax scenario)
        {
            foreach (var member in scenario.Members)
                if (member is ConfigBlockSyntax c) return c;
            return null;
        }

        private static ExpectBlockSyntax? ExpectOf(ScenarioSyntax scenario)
        {
            foreach (var member in scenario.Members)
                if (member is ExpectBlockSyntax e) return e;
            return null;
        }

        /// <summary>Checks every scenario's config over <paramref name="fileConfig"/>; returns the selected scenario's (or the file's).</summary>
        private ExperimentConfig BindScenarioConfigs(ExperimentConfig fileConfig, ref DiagnosticOptions options)
        {
            var selected = fileConfig;
            var fileOptions = options;
            foreach (var scenario in _scenarios)
            {
                var block = ConfigOf(scenario);
                if (block is null) continue;
                bool isSelected = scenario == _selectedScenario;
                var config = fileConfig;
                var scenarioOptions = fileOptions;
                var seen = new HashSet<string>();
                foreach (var entry in block.Entries)
                {
                    if (!seen.Add(entry.FullKey)) _diagnostics.ReportDuplicateConfigKey(entry.Key.Span, entry.FullKey);
                    if (entry.Value.Length == 0) continue; // reported by the parser
                    if (TryOverrideConst(entry.Key.Text, entry.Value, entry.ValueSpan, isSelected))
                    {
                        if (isSelected) _scenarioOverridesConstants = true;
                        continue;
                    }
                    if (TryApplyDiagnosticOption(ref scenarioOptions, entry.Key.Text, entry.Argument?.Text, entry.Argument?.Span ?? entry.Key.Span,
                            entry.Value, entry.ValueSpan)) continue;
                    config = ApplyConfig(config, entry.Key.Text, entry.Key.Span, entry.Value, entry.ValueSpan);
                }
                if (isSelected)
                {
                    selected = config;
                    options = scenarioOptions;
                }
            }
            return selected;
        }

        /// <summary>
        /// When <paramref name="key"/> names a top-level constant: checks the value (an integer literal, optionally
        /// negative) and, when <paramref name="record"/>, makes it the constant's value. False for any other key.
        /// </summary>
        private bool TryOverrideConst(string key, string value, TextSpan span, bool record, bool fromRun = false)
        {
            if (!_constDeclarations.ContainsKey(key)) return false;
            string text = value.Trim();
            bool negative = text.StartsWith("-");
            if (negative) text = text.Substring(1).TrimStart();
            if (text.Length == 0 || !char.IsDigit(text[0]) ||
                NumberLiteral.TryParse(text, out long parsed, out _) != NumberParseResult.Ok)
            {
                if (fromRun) _diagnostics.ReportInvalidConstOverrideForRun(_constDeclarations.TryGetValue(key, out var declared) ? declared : span, key, value);
                else _diagnostics.ReportInvalidConstOverride(span, key, value);
                return true;
            }
            if (record) _constOverrides[key] = negative ? -parsed : parsed;
            return true;
        }

        /// <summary>Binds the top-level expect and every scenario's (for their diagnostics); returns the selected scenario's.</summary>
        private ImmutableArray<Expectation> BindScenarioExpectations(ExpectBlockSyntax? topLevel,
            List<(FunctionSymbol symbol, FunctionDeclarationSyntax syntax, bool declared)> userFunctions,
            FunctionSymbol? init, FunctionSymbol? exit, string moduleName)
        {
            var result = BindExpectations(topLevel, userFunctions, init, exit, moduleName);
            foreach (var scenario in _scenarios)
            {
                var block = ExpectOf(scenario);
                if (block is null) continue;
                var bound = BindExpectations(block, userFunctions, init, exit, moduleName);
                if (scenario == _selectedScenario) result = bound;
            }
            return result;
        }
    }
}
