using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Text;
using KDsl.Diagnostics;
using KDsl.Image;
using KDsl.Profiles;
using KDsl.Symbols;
using KDsl.Syntax;
using KDsl.Text;

namespace KDsl.Binding
{
    /// <summary>
    /// Turns a syntax tree into a <see cref="BoundProgram"/>: resolves names, does C's typing (see
    /// <see cref="BoundExpression"/>), builds the <see cref="ExperimentConfig"/> and the expectations, and reports
    /// every semantic error. Functions may be called before their definition: all signatures are bound first.
    /// </summary>
    public sealed partial class Binder
    {
        public const string PrintkName = "printk";
        /// <summary>The largest `max_depth`: deeper than this overflows any THREAD_SIZE KDsl has (32 KiB at 8 bytes a level).</summary>
        public const int MaxDepthLimit = 4096;

        private readonly SourceText _text;
        private readonly DiagnosticBag _diagnostics;
        private readonly BoundScope _global = new BoundScope(null);
        private BoundScope _scope;
        private FunctionSymbol? _function;
        private List<VariableSymbol> _locals = new List<VariableSymbol>();
        private int _loopDepth;
        private FunctionSymbol _printk = null!;
        private readonly ImmutableArray<ConstantSymbol>.Builder _constants = ImmutableArray.CreateBuilder<ConstantSymbol>();

        private Binder(SourceText text, DiagnosticBag diagnostics)
        {
            _text = text;
            _diagnostics = diagnostics;
            _scope = _global;
        }

        /// <summary>Binds a parsed file. Semantic diagnostics go to <paramref name="diagnostics"/> (the tree's own are not copied).</summary>
        public static BoundProgram BindProgram(SyntaxTree tree, IReadOnlyDictionary<string, string>? overrides, DiagnosticBag diagnostics) =>
            BindProgram(tree, overrides, diagnostics, scenario: null);

        /// <param name="tree">The parsed file.</param>
        /// <param name="overrides">Config settings and constants that replace the file's (the CLI's --set), or null.</param>
        /// <param name="diagnostics">Where semantic diagnostics go (the tree's own are not copied).</param>
        /// <param name="scenario">Bind for this `scenario NAME` (its config and constants over the file's, its expect), or null for the default.</param>
        public static BoundProgram BindProgram(SyntaxTree tree, IReadOnlyDictionary<string, string>? overrides, DiagnosticBag diagnostics, string? scenario)
        {
            var binder = new Binder(tree.Text, diagnostics) { _scenarioName = scenario };
            return binder.BindCompilationUnit(tree.Root, overrides, syntaxHadErrors: HasErrors(tree.Diagnostics));
        }

        private static bool HasErrors(IReadOnlyList<Diagnostic> diagnostics)
        {
            foreach (var d in diagnostics)
                if (d.IsError) return true;
            return false;
        }

        private BoundProgram BindCompilationUnit(CompilationUnitSyntax root, IReadOnlyDictionary<string, string>? overrides, bool syntaxHadErrors)
        {
            ModuleHeaderSyntax? header = null;
            ConfigBlockSyntax? config = null;
            ExpectBlockSyntax? expect = null;
            EntryBlockSyntax? init = null, exit = null, later = null;
            var processes = new List<ProcessBlockSyntax>();
            for (int i = 0; i < root.Members.Length; i++)
            {
                switch (root.Members[i])
                {
                    case ModuleHeaderSyntax m:
                        if (header != null) _diagnostics.ReportDuplicateModuleHeader(m.Keyword.Span);
                        else
                        {
                            header = m;
                            if (i > 0) _diagnostics.ReportModuleHeaderNotFirst(m.Keyword.Span);
                        }
                        break;
                    case ConfigBlockSyntax c:
                        if (config != null) _diagnostics.ReportDuplicateConfig(c.Keyword.Span);
                        else config = c;
                        break;
                    case ExpectBlockSyntax e:
                        if (expect != null) _diagnostics.ReportDuplicateExpect(e.Keyword.Span);
                        else expect = e;
                        break;
                    case EntryBlockSyntax b when b.Kind == SyntaxKind.InitBlock:
                        if (init != null) _diagnostics.ReportDuplicateInit(b.Keyword.Span);
                        else init = b;
                        break;
                    case EntryBlockSyntax b when b.Kind == SyntaxKind.LaterBlock:
                        if (later != null) _diagnostics.ReportDuplicateLater(b.Keyword.Span);
                        else later = b;
                        break;
                    case EntryBlockSyntax b:
                        if (exit != null) _diagnostics.ReportDuplicateExit(b.Keyword.Span);
                        else exit = b;
                        break;
                    case ProcessBlockSyntax p:
                        processes.Add(p);
                        break;
                    case ScenarioSyntax s:
                        _scenarios.Add(s);
                        break;
                    case ConstDeclarationSyntax c when !c.Identifier.IsMissing:
                        _constDeclarations[c.Identifier.Text] = c.Identifier.Span;
                        break;
                }
            }
            var scenarioInfos = BindScenarioHeaders(expect);

            if (header is null) _diagnostics.ReportMissingModuleHeader(new TextSpan(0, 0));
            string moduleName = header is null || header.Name.IsMissing ? "module" : header.Name.Text;
            string description = header is null ? "" : Encoding.UTF8.GetString(ToArray(header.Description.Bytes));

            var experimentConfig = BindConfig(config, overrides, out var diagnosticOptions);
            var profile = KernelProfile.Find(experimentConfig.Profile) ?? KernelProfile.Linux61;

            // Globals: printk and the builtins, then constants and function signatures in source order.
            DeclareKernelFunctions(profile);

            var userFunctions = new List<(FunctionSymbol symbol, FunctionDeclarationSyntax syntax, bool declared)>();
            foreach (var member in root.Members)
            {
                if (_diagnostics.IsFull) break; // too many errors (as in BindBlock)
                if (member is ConstDeclarationSyntax constant) BindConst(constant);
                else if (member is TagDeclarationSyntax tag) BindType(tag.Type, 0);
                else if (member is TypedefDeclarationSyntax typedef) BindTypedef(typedef);
                else if (member is GlobalDeclarationSyntax global) BindStaticDeclaration(global.Declaration, isLocal: false);
                else if (member is FunctionDeclarationSyntax function)
                {
                    var symbol = BindFunctionSignature(function, moduleName);
                    bool declared = !function.Identifier.IsMissing && _global.TryDeclare(symbol.Name, symbol);
                    if (!declared && !function.Identifier.IsMissing) _diagnostics.ReportRedeclaration(function.Identifier.Span, symbol.Name);
                    userFunctions.Add((symbol, function, declared));
                }
            }

            var functions = ImmutableArray.CreateBuilder<BoundFunction>();
            foreach (var (symbol, syntax, declared) in userFunctions)
            {
                // In a file with processes, module functions see the system calls too (a signal handler calls exit).
                var bound = BindFunctionBody(symbol, syntax.Body, syntax.Span, processes.Count > 0 ? ProcessScope() : null);
                if (declared) functions.Add(bound);
            }

            FunctionSymbol? initSymbol = null, exitSymbol = null;
            if (init != null)
            {
                initSymbol = new FunctionSymbol("init", TypeSymbol.Int, ImmutableArray<VariableSymbol>.Empty, FunctionKind.Init,
                    init.Keyword.Span, linkName: moduleName + "_init");
                functions.Add(BindFunctionBody(initSymbol, init.Body, init.Span));
            }
            else if (!syntaxHadErrors && processes.Count == 0)
            {
                _diagnostics.ReportMissingInit(header is null || header.Name.IsMissing ? new TextSpan(0, 0) : header.Name.Span);
            }
            if (exit != null)
            {
                exitSymbol = new FunctionSymbol("exit", TypeSymbol.Void, ImmutableArray<VariableSymbol>.Empty, FunctionKind.Exit,
                    exit.Keyword.Span, linkName: moduleName + "_exit");
                functions.Add(BindFunctionBody(exitSymbol, exit.Body, exit.Span));
            }
            if (later != null)
            {
                var laterSymbol = new FunctionSymbol("later", TypeSymbol.Void, ImmutableArray<VariableSymbol>.Empty, FunctionKind.Later,
                    later.Keyword.Span, linkName: moduleName + "_later");
                functions.Add(BindFunctionBody(laterSymbol, later.Body, later.Span));
            }

            BindProcesses(processes, functions);

            var expectations = BindScenarioExpectations(expect, userFunctions, initSymbol, exitSymbol, moduleName);
            return new BoundProgram(moduleName, description, experimentConfig, functions.ToImmutable(), expectations,
                scenarioInfos, _selectedScenario is null ? Scenario.DefaultName : _selectedScenario.Name.Text, diagnosticOptions,
                _scenarioOverridesConstants) { Constants = _constants.ToImmutable(), Globals = _globals.ToImmutable() };
        }

        private static byte[] ToArray(ImmutableArray<byte> bytes)
        {
            var array = new byte[bytes.Length];
            bytes.CopyTo(array);
            return array;
        }

        // --- constants and functions ---------------------------------------------------------------------------------

        private void BindConst(ConstDeclarationSyntax syntax)
        {
            var value = BindExpression(syntax.Value);
            if (syntax.Identifier.IsMissing) return;
            ConstantSymbol symbol;
            if (_constOverrides.TryGetValue(syntax.Identifier.Text, out long overridden))
                symbol = new ConstantSymbol(syntax.Identifier.Text, overridden,
                    overridden >= int.MinValue && overridden <= int.MaxValue ? TypeSymbol.Int : TypeSymbol.Long, syntax.Identifier.Span);
            else if (value is BoundLiteral literal)
                symbol = new ConstantSymbol(syntax.Identifier.Text, literal.Value, literal.Type, syntax.Identifier.Span);
            else
            {
                if (!value.Type.IsError) _diagnostics.ReportConstantExpected(syntax.Value.Span);
                symbol = new ConstantSymbol(syntax.Identifier.Text, 0, TypeSymbol.Error, syntax.Identifier.Span);
            }
            if (!_global.TryDeclare(symbol.Name, symbol)) _diagnostics.ReportRedeclaration(syntax.Identifier.Span, symbol.Name);
            else _constants.Add(symbol);
        }

        private FunctionSymbol BindFunctionSignature(FunctionDeclarationSyntax syntax, string moduleName)
        {
            var parameters = ImmutableArray.CreateBuilder<VariableSymbol>();
            var seen = new HashSet<string>();
            foreach (var p in syntax.Parameters)
            {
                var type = ParameterType(p);
                if (!p.Identifier.IsMissing && !seen.Add(p.Identifier.Text))
                    _diagnostics.ReportRedeclaration(p.Identifier.Span, p.Identifier.Text);
                parameters.Add(new VariableSymbol(p.Identifier.Text, type, VariableKind.Parameter, parameters.Count, p.Identifier.Span));
            }
            string name = syntax.Identifier.Text;
            if (name == moduleName + "_init" || name == moduleName + "_exit")
                _diagnostics.ReportSymbolConflict(syntax.Identifier.Span, name);
            var returnType = BindType(syntax.ReturnType);
            if (returnType.Kind == TypeKind.Record)
            {
                _diagnostics.ReportNotSupported(syntax.ReturnType.Span, "returning a struct or union by value (return a pointer)");
                returnType = TypeSymbol.Error;
            }
            return new FunctionSymbol(name, returnType, parameters.ToImmutable(), FunctionKind.User, syntax.Identifier.Span,
                maxDepth: BindMaxDepth(syntax.MaxDepth));
        }

        /// <summary>`max_depth N`: a constant from 1 to <see cref="MaxDepthLimit"/> (constants declared above may be used).</summary>
        private int? BindMaxDepth(ExpressionSyntax? syntax)
        {
            if (syntax is null) return null;
            var value = BindExpression(syntax);
            if (value is not BoundLiteral literal)
            {
                if (!value.Type.IsError) _diagnostics.ReportConstantExpected(syntax.Span);
                return null;
            }
            if (literal.Value < 1 || literal.Value > MaxDepthLimit)
            {
                _diagnostics.ReportInvalidMaxDepth(syntax.Span, literal.Value, MaxDepthLimit);
                return null;
            }
            return (int)literal.Value;
        }

        private BoundFunction BindFunctionBody(FunctionSymbol symbol, BlockStatementSyntax body, TextSpan span, BoundScope? outer = null)
        {
            _function = symbol;
            _locals = new List<VariableSymbol>();
            _loopDepth = 0;
            _scope = new BoundScope(outer ?? _global);
            foreach (var parameter in symbol.Parameters)
                if (parameter.Name.Length > 0) _scope.TryDeclare(parameter.Name, parameter);
            var block = BindBlock(body, newScope: false);
            CheckLabels();
            var result = new BoundFunction(symbol, block, _locals.ToImmutableArray(), span);
            _scope = _global;
            _function = null;
            return result;
        }

        // --- config ----------------------------------------------------------------------------------------------

        private ExperimentConfig BindConfig(ConfigBlockSyntax? block, IReadOnlyDictionary<string, string>? overrides, out DiagnosticOptions options)
        {
            var config = new ExperimentConfig();
            options = DiagnosticOptions.Default;
            if (block != null)
            {
                var seen = new HashSet<string>();
                foreach (var entry in block.Entries)
                {
                    if (!seen.Add(entry.FullKey)) _diagnostics.ReportDuplicateConfigKey(entry.Key.Span, entry.FullKey);
                    if (entry.Value.Length == 0) continue; // reported by the parser
                    if (TryApplyDiagnosticOption(ref options, entry.Key.Text, entry.Argument?.Text, entry.Argument?.Span ?? entry.Key.Span,
                            entry.Value, entry.ValueSpan)) continue;
                    config = ApplyConfig(config, entry.Key.Text, entry.Key.Span, entry.Value, entry.ValueSpan);
                }
            }
            config = BindScenarioConfigs(config, ref options);
            if (overrides != null)
            {
                foreach (var pair in overrides)
                {
                    string key = (pair.Key ?? "").Trim(), value = (pair.Value ?? "").Trim();
                    var span = block?.Keyword.Span ?? new TextSpan(0, 0);
                    if (TryOverrideConst(key, value, span, record: true, fromRun: true)) continue;
                    // --set frame_warn=0, --set severity.KDSL1001=error (or "severity KDSL1001")
                    int dot = key.IndexOfAny(new[] { '.', ' ' });
                    string name = dot > 0 ? key.Substring(0, dot) : key.Replace('-', '_');
                    string? argument = dot > 0 ? key.Substring(dot + 1).Trim() : null;
                    // A bad value is reported where the file sets what it replaces (else at the config block), saying it came from --set.
                    span = SettingSpan(block, argument is null ? name : name + " " + argument) ?? span;
                    int reported = _diagnostics.Count;
                    if (!TryApplyDiagnosticOption(ref options, name, argument, span, value, span))
                        config = ApplyConfig(config, name, span, value, span);
                    _diagnostics.AnnotateSince(reported, $"(--set {key}={value})");
                }
            }
            return config;
        }

        /// <summary>The value of the file's own `key = value;` in the config block, or null when it does not set the key.</summary>
        private static TextSpan? SettingSpan(ConfigBlockSyntax? block, string fullKey)
        {
            if (block is null) return null;
            foreach (var entry in block.Entries)
                if (string.Equals(entry.FullKey, fullKey, StringComparison.OrdinalIgnoreCase) && entry.Value.Length > 0) return entry.ValueSpan;
            return null;
        }

        /// <summary>
        /// `frame_warn = N;` and `severity ID = error|warning|info|hidden|none;`: options for the diagnostics, not for the
        /// run. False when <paramref name="key"/> is neither.
        /// </summary>
        private bool TryApplyDiagnosticOption(ref DiagnosticOptions options, string key, string? argument, TextSpan argumentSpan,
            string value, TextSpan valueSpan)
        {
            switch (key)
            {
                case "frame_warn":
                    if (NumberLiteral.TryParse(value.Trim(), out long bytes, out _) == NumberParseResult.Ok && bytes <= int.MaxValue)
                        options = options.WithFrameWarn((int)bytes);
                    else
                        _diagnostics.ReportInvalidConfigValue(valueSpan, key, value, "a number of bytes (0 disables KDSL1001)");
                    return true;
                case "severity":
                {
                    string id = (argument ?? "").ToUpperInvariant();
                    if (!DiagnosticOptions.IsConfigurable(id))
                    {
                        var ids = new List<string>();
                        foreach (var d in DiagnosticDescriptors.All)
                            if (DiagnosticOptions.IsConfigurable(d.Id)) ids.Add(d.Id);
                        _diagnostics.ReportInvalidConfigValue(argumentSpan, "severity", argument ?? "",
                            "the id of a diagnostic that is not an error (" + string.Join(", ", ids) + "), as in 'severity KDSL1001 = error;'");
                    }
                    else if (DiagnosticOptions.TryParseSeverity(value, out var severity))
                        options = options.WithSeverity(id, severity);
                    else
                        _diagnostics.ReportInvalidConfigValue(valueSpan, "severity " + id, value, "error, warning, info, hidden or none");
                    return true;
                }
                default:
                    return false;
            }
        }

        private ExperimentConfig ApplyConfig(ExperimentConfig config, string key, TextSpan keySpan, string value, TextSpan valueSpan)
        {
            switch (key)
            {
                case "profile":
                {
                    var profile = KernelProfile.Find(value);
                    if (profile != null) return config.With(profile: profile.Name);
                    var names = new List<string>();
                    foreach (var p in KernelProfile.All) names.Add(p.Name);
                    _diagnostics.ReportUnknownProfile(valueSpan, value, string.Join(", ", names));
                    return config;
                }
                case "thread_size":
                {
                    int size = value.ToUpperInvariant() switch
                    {
                        "8K" or "8192" => 8192,
                        "16K" or "16384" => 16384,
                        "32K" or "32768" => 32768,
                        _ => 0,
                    };
                    if (size != 0) return config.With(threadSize: size);
                    _diagnostics.ReportInvalidConfigValue(valueSpan, key, value, "8K, 16K or 32K (8192, 16384, 32768)");
                    return config;
                }
                case "vmap_stack":
                    return OnOff(config, key, value, valueSpan, on => config.With(vmapStack: on));
                case "hash_pointers":
                    return OnOff(config, key, value, valueSpan, on => config.With(hashPointers: on));
                case "panic_on_oops":
                    return OnOff(config, key, value, valueSpan, on => config.With(panicOnOops: on));
                case "stack_cache":
                    return OnOff(config, key, value, valueSpan, on => config.With(stackCache: on));
                case "sched_stack_end_check":
                    return OnOff(config, key, value, valueSpan, on => config.With(schedStackEndCheck: on));
                case "debug_sg":
                    return OnOff(config, key, value, valueSpan, on => config.With(debugSg: on));
                case "mem":
                    if (MemorySizeSetting.TryParse(value, out ulong memory)) return config.With(memorySize: memory);
                    _diagnostics.ReportInvalidConfigValue(valueSpan, key, value, MemorySizeSetting.Expected);
                    return config;
                case "thread_info":
                    if (value == "task") return config.With(threadInfoOnStack: false);
                    if (value == "stack") return config.With(threadInfoOnStack: true);
                    _diagnostics.ReportInvalidConfigValue(valueSpan, key, value, "task (in task_struct, x86 since 4.9) or stack (at the stack's bottom, before 4.9)");
                    return config;
                default:
                    _diagnostics.ReportUnknownConfigKey(keySpan, key);
                    return config;
            }
        }

        /// <summary>An on/off setting: `key = on;` or `key = off;`.</summary>
        private ExperimentConfig OnOff(ExperimentConfig config, string key, string value, TextSpan valueSpan, Func<bool, ExperimentConfig> with)
        {
            if (value == "on") return with(true);
            if (value == "off") return with(false);
            _diagnostics.ReportInvalidConfigValue(valueSpan, key, value, "on or off");
            return config;
        }
    }
}
