using System.Collections.Immutable;
using KDsl.Diagnostics;
using KDsl.Image;
using KDsl.Symbols;
using KDsl.Text;

namespace KDsl.Binding
{
    /// <summary>A function ready for code generation: its body and every local declared anywhere in it.</summary>
    public sealed class BoundFunction
    {
        public BoundFunction(FunctionSymbol symbol, BoundBlock body, ImmutableArray<VariableSymbol> locals, TextSpan span)
        {
            Symbol = symbol;
            Body = body;
            Locals = locals;
            Span = span;
        }

        public FunctionSymbol Symbol { get; }
        public BoundBlock Body { get; }
        /// <summary>Locals in declaration order (parameters are on <see cref="FunctionSymbol.Parameters"/>).</summary>
        public ImmutableArray<VariableSymbol> Locals { get; }
        /// <summary>From the function's first token to its closing brace.</summary>
        public TextSpan Span { get; }
    }

    /// <summary>The bound form of one .kdsl file: module header, settings, functions, expectations.</summary>
    public sealed class BoundProgram
    {
        public BoundProgram(string moduleName, string description, ExperimentConfig config,
            ImmutableArray<BoundFunction> functions, ImmutableArray<Expectation> expectations,
            ImmutableArray<ScenarioInfo> scenarios = default, string scenarioName = Scenario.DefaultName,
            DiagnosticOptions? diagnosticOptions = null, bool overridesConstants = false)
        {
            OverridesConstants = overridesConstants;
            DiagnosticOptions = diagnosticOptions ?? DiagnosticOptions.Default;
            ModuleName = moduleName;
            Description = description;
            Config = config;
            Functions = functions;
            Expectations = expectations;
            Scenarios = scenarios.IsDefault ? ImmutableArray.Create(new ScenarioInfo(Scenario.DefaultName, 0)) : scenarios;
            ScenarioName = scenarioName;
        }

        /// <summary>Every scenario of the file: "default" (the top level) first, then `scenario NAME` in source order.</summary>
        public ImmutableArray<ScenarioInfo> Scenarios { get; }
        /// <summary>The scenario this program was bound for: its <see cref="Config"/> and <see cref="Expectations"/>.</summary>
        public string ScenarioName { get; }

        public string ModuleName { get; }
        public string Description { get; }
        public ExperimentConfig Config { get; }
        /// <summary>User functions, then init, then exit, in source order within each group.</summary>
        public ImmutableArray<BoundFunction> Functions { get; }
        public ImmutableArray<Expectation> Expectations { get; }
        /// <summary>This scenario's config block gives a constant another value, so its code may differ from the default's.</summary>
        public bool OverridesConstants { get; }
        /// <summary>The file's `const` declarations with this scenario's values, in source order.</summary>
        public ImmutableArray<ConstantSymbol> Constants { get; internal set; } = ImmutableArray<ConstantSymbol>.Empty;
        /// <summary>The module's static objects (file-level variables and static locals) in the order they are declared.</summary>
        public ImmutableArray<GlobalSymbol> Globals { get; internal set; } = ImmutableArray<GlobalSymbol>.Empty;
        /// <summary>`frame_warn` and `severity ID = ...` from the config block (this scenario's over the file's).</summary>
        public DiagnosticOptions DiagnosticOptions { get; }

        /// <summary>The same program with its functions rewritten (a lowering before code generation).</summary>
        internal BoundProgram WithFunctions(ImmutableArray<BoundFunction> functions) =>
            new BoundProgram(ModuleName, Description, Config, functions, Expectations, Scenarios, ScenarioName, DiagnosticOptions, OverridesConstants)
            {
                Constants = Constants,
                Globals = Globals,
            };
    }

    /// <summary>A scenario's name and the 1-based line of its declaration (of the top-level expect, or 0, for "default").</summary>
    public sealed class ScenarioInfo
    {
        public ScenarioInfo(string name, int line)
        {
            Name = name;
            Line = line;
        }

        public string Name { get; }
        public int Line { get; }
    }
}
