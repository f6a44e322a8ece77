using System.Collections;
using System.Collections.Generic;
using KDsl.Text;

namespace KDsl.Diagnostics
{
    /// <summary>Collects located diagnostics; one ReportXxx method per message, so every text lives here.</summary>
    public sealed class DiagnosticBag : IEnumerable<Diagnostic>
    {
        private readonly List<Diagnostic> _diagnostics = new List<Diagnostic>();
        private int _errors;

        /// <summary>
        /// Errors reported before the compilation stops, as GCC's -fmax-errors stops it: one
        /// <see cref="DiagnosticDescriptors.TooManyErrors"/> stands for the rest, and once it is in (<see cref="IsFull"/>)
        /// the lexer, the parser and the binder read no further, so a file of a million bad lines costs a build a hundred
        /// diagnostics and the time and memory of the lines up to the hundred-and-first error, not a million.
        /// </summary>
        public const int MaxErrors = 100;

        public DiagnosticBag(SourceText text) => Text = text;

        /// <summary>A bag for a later phase of the same file: <paramref name="errorsBefore"/> errors count against the cap.</summary>
        public DiagnosticBag(SourceText text, int errorsBefore)
        {
            Text = text;
            _errors = errorsBefore;
        }

        public SourceText Text { get; }
        /// <summary>The file has more than <see cref="MaxErrors"/> errors: the compilation stops here.</summary>
        public bool IsFull => _errors > MaxErrors;
        public int Count => _diagnostics.Count;
        public bool HasErrors
        {
            get
            {
                foreach (var d in _diagnostics)
                    if (d.IsError) return true;
                return false;
            }
        }

        public IEnumerator<Diagnostic> GetEnumerator() => _diagnostics.GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public void AddRange(IEnumerable<Diagnostic> diagnostics) => _diagnostics.AddRange(diagnostics);

        public IReadOnlyList<Diagnostic> ToList() => _diagnostics.ToArray();

        public Diagnostic Report(DiagnosticDescriptor descriptor, TextSpan span, string message) =>
            Report(descriptor, descriptor.DefaultSeverity, span, message);

        public Diagnostic Report(DiagnosticDescriptor descriptor, DiagnosticSeverity severity, TextSpan span, string message)
        {
            if (span.Start < 0) span = new TextSpan(0, 0);
            if (span.End > Text.Length) span = TextSpan.FromBounds(System.Math.Min(span.Start, Text.Length), Text.Length);
            var d = new Diagnostic(descriptor.Id, severity, Text.GetLocation(span), message);
            if (d.IsError && ++_errors > MaxErrors)
            {
                if (_errors == MaxErrors + 1)
                    _diagnostics.Add(new Diagnostic(DiagnosticDescriptors.TooManyErrors.Id, DiagnosticSeverity.Error, d.Location,
                        $"too many errors: only the first {MaxErrors} are reported, this one and the rest are not"));
                return d;
            }
            _diagnostics.Add(d);
            return d;
        }

        /// <summary>
        /// Adds <paramref name="note"/> to the message of every diagnostic reported from <paramref name="start"/> (a
        /// <see cref="Count"/> taken before) on: a setting given on the command line says so ("(--set thread_size=abc)"),
        /// since the .kdsl line it is reported at does not show it.
        /// </summary>
        public void AnnotateSince(int start, string note)
        {
            for (int i = start; i < _diagnostics.Count; i++)
            {
                var d = _diagnostics[i];
                _diagnostics[i] = new Diagnostic(d.Id, d.Severity, d.Location, d.Message + " " + note);
            }
        }

        private static string Quote(string s) => "'" + s + "'";

        // --- syntax ----------------------------------------------------------------------------------------------
        public void ReportBadCharacter(TextSpan span, string text) =>
            Report(DiagnosticDescriptors.BadCharacter, span, text.Length == 1 || (text.Length == 2 && char.IsSurrogatePair(text, 0))
                ? $"bad character {Describe(text)}" : $"bad characters {Describe(text)}");

        private static string Describe(string text)
        {
            var sb = new System.Text.StringBuilder("'");
            foreach (char c in text)
            {
                if (c < 0x20 || c == 0x7f) sb.Append("\\x").Append(((int)c).ToString("x2"));
                else if (c == '\uFFFD') sb.Append("U+FFFD (invalid UTF-8?)");
                else sb.Append(c);
            }
            return sb.Append('\'').ToString();
        }

        public void ReportUnterminatedString(TextSpan span) => Report(DiagnosticDescriptors.UnterminatedString, span, "unterminated string literal");
        public void ReportUnterminatedComment(TextSpan span) => Report(DiagnosticDescriptors.UnterminatedComment, span, "unterminated comment: '/*' without '*/'");
        public void ReportUnterminatedCharacter(TextSpan span) => Report(DiagnosticDescriptors.InvalidCharacterLiteral, span, "unterminated character literal");
        public void ReportEmptyCharacter(TextSpan span) => Report(DiagnosticDescriptors.InvalidCharacterLiteral, span, "empty character literal");
        public void ReportMultiCharacter(TextSpan span) => Report(DiagnosticDescriptors.InvalidCharacterLiteral, span, "a character literal must hold exactly one byte");
        public void ReportInvalidEscape(TextSpan span, string escape) => Report(DiagnosticDescriptors.InvalidEscape, span, $"invalid escape sequence {Quote(escape)}");
        public void ReportInvalidNumber(TextSpan span, string text) => Report(DiagnosticDescriptors.InvalidNumber, span, $"invalid integer literal {Quote(text)}");
        public void ReportNumberTooLarge(TextSpan span, string text) => Report(DiagnosticDescriptors.NumberTooLarge, span, $"integer literal {Quote(text)} does not fit in 64 bits");
        public void ReportUnexpectedToken(TextSpan span, string expected, string found) =>
            Report(DiagnosticDescriptors.UnexpectedToken, span, $"expected {expected}, found {found}");
        public void ReportExpectedExpression(TextSpan span, string found) => Report(DiagnosticDescriptors.ExpectedExpression, span, $"expected an expression, found {found}");
        public void ReportExpectedType(TextSpan span, string found) => Report(DiagnosticDescriptors.ExpectedType, span, $"expected a type (void, char, short, int, long, unsigned, u32, size_t, ...), found {found}");
        public void ReportExpectedDeclaration(TextSpan span, string found) =>
            Report(DiagnosticDescriptors.ExpectedDeclaration, span, $"expected a declaration (module, config, const, a function, init, exit, expect), found {found}");
        public void ReportNestingTooDeep(TextSpan span, int max) => Report(DiagnosticDescriptors.NestingTooDeep, span, $"nesting is too deep (more than {max} levels); the rest of the file is skipped");
        public void ReportExpectedConfigValue(TextSpan span, string key) => Report(DiagnosticDescriptors.ExpectedConfigValue, span, $"expected a value for {Quote(key)}");
        public void ReportUnknownExpectation(TextSpan span, string found) =>
            Report(DiagnosticDescriptors.UnknownExpectation, span, $"unknown expectation {found}; expected 'printk [line|match] \"text\" [count N];', 'oops KIND [in FUNCTION] [depth N];', 'stack max N;' or 'no fault;'");
        public void ReportCallOfNonName(TextSpan span) => Report(DiagnosticDescriptors.CallOfNonName, span, "only a function name can be called");

        // --- semantics -------------------------------------------------------------------------------------------
        public void ReportUndefinedName(TextSpan span, string name) => Report(DiagnosticDescriptors.UndefinedName, span, $"undefined name {Quote(name)}");
        public void ReportUndefinedFunction(TextSpan span, string name) => Report(DiagnosticDescriptors.UndefinedFunction, span, $"call to undefined function {Quote(name)}");
        public void ReportRedeclaration(TextSpan span, string name) => Report(DiagnosticDescriptors.Redeclaration, span, $"{Quote(name)} is already declared in this scope");
        public void ReportNotAFunction(TextSpan span, string name) => Report(DiagnosticDescriptors.NotAFunction, span, $"{Quote(name)} is not a function");
        /// <summary>A call of an expression that is not a function pointer (GCC's words).</summary>
        public void ReportCalledObjectNotFunction(TextSpan span, object type) =>
            Report(DiagnosticDescriptors.NotAFunction, span, $"called object of type '{type}' is not a function or function pointer");
        public void ReportWrongArgumentCount(TextSpan span, string name, int expected, int actual, bool variadic) =>
            Report(DiagnosticDescriptors.WrongArgumentCount, span,
                $"{Quote(name)} takes {(variadic ? "at least " : "")}{expected} argument{(expected == 1 ? "" : "s")}, but {actual} {(actual == 1 ? "was" : "were")} given");
        public void ReportCannotConvert(TextSpan span, object from, object to, string? hint = null) =>
            Report(DiagnosticDescriptors.CannotConvert, span, $"cannot implicitly convert {Quote(from.ToString()!)} to {Quote(to.ToString()!)}{(hint is null ? "" : "; " + hint)}");
        public void ReportInvalidCast(TextSpan span, object from, object to) => Report(DiagnosticDescriptors.InvalidCast, span, $"cannot cast {Quote(from.ToString()!)} to {Quote(to.ToString()!)}");
        public void ReportNotAnLvalue(TextSpan span) => Report(DiagnosticDescriptors.NotAnLvalue, span, "the left-hand side must be a variable, *pointer or p[i]");
        public void ReportArrayNotAssignable(TextSpan span, string name) => Report(DiagnosticDescriptors.NotAnLvalue, span, $"array {Quote(name)} cannot be assigned; assign its elements");
        public void ReportAddressOfRvalue(TextSpan span) => Report(DiagnosticDescriptors.AddressOfRvalue, span, "cannot take the address of a value that is not a variable, *pointer or p[i]");
        public void ReportDereferenceNonPointer(TextSpan span, object type) => Report(DiagnosticDescriptors.DereferenceNonPointer, span, $"cannot dereference a value of type {Quote(type.ToString()!)}");
        public void ReportVoidPointerDereference(TextSpan span) => Report(DiagnosticDescriptors.VoidPointerDereference, span, "cannot dereference a 'void *'; cast it to a typed pointer first");
        public void ReportIndexNonPointer(TextSpan span, object type) => Report(DiagnosticDescriptors.IndexNonPointer, span, $"cannot index a value of type {Quote(type.ToString()!)}; only pointers and arrays can be indexed");
        public void ReportVoidValueUsed(TextSpan span) => Report(DiagnosticDescriptors.VoidValueUsed, span, "a void value cannot be used");
        public void ReportBreakOutsideLoop(TextSpan span) => Report(DiagnosticDescriptors.BreakOutsideLoop, span, "'break' outside a loop or switch");
        /// <summary>KDSL0150 in GCC's words: "case label not within a switch statement", "duplicate case value", ...</summary>
        public void ReportInvalidSwitch(TextSpan span, string message) => Report(DiagnosticDescriptors.InvalidSwitch, span, message);
        /// <summary>KDSL0151 in GCC's words: "label 'out' used but not defined", "duplicate label 'out'".</summary>
        public void ReportInvalidLabel(TextSpan span, string message) => Report(DiagnosticDescriptors.InvalidLabel, span, message);
        public void ReportContinueOutsideLoop(TextSpan span) => Report(DiagnosticDescriptors.ContinueOutsideLoop, span, "'continue' outside a loop");
        public void ReportReturnValueInVoidFunction(TextSpan span, string function) => Report(DiagnosticDescriptors.ReturnValueInVoidFunction, span, $"{Quote(function)} returns void; 'return' cannot have a value");
        public void ReportMissingReturnValue(TextSpan span, string function, object type) => Report(DiagnosticDescriptors.MissingReturnValue, span, $"{Quote(function)} returns {Quote(type.ToString()!)}; 'return' needs a value");
        public void ReportArraySizeNotConstant(TextSpan span) => Report(DiagnosticDescriptors.ArraySizeNotConstant, span, "an array size must be a constant integer expression");
        public void ReportArraySizeNotPositive(TextSpan span, long size) => Report(DiagnosticDescriptors.ArraySizeNotPositive, span, $"an array size must be greater than zero (it is {size})");
        public void ReportArrayTooLarge(TextSpan span, long bytes) => Report(DiagnosticDescriptors.ArrayTooLarge, span, $"an array of {bytes} bytes is too large (the limit is 2147483647 bytes)");
        public void ReportInvalidBinaryOperands(TextSpan span, string op, object left, object right) =>
            Report(DiagnosticDescriptors.InvalidBinaryOperands, span, $"operator {Quote(op)} cannot be applied to {Quote(left.ToString()!)} and {Quote(right.ToString()!)}");
        public void ReportInvalidUnaryOperand(TextSpan span, string op, object type) =>
            Report(DiagnosticDescriptors.InvalidUnaryOperand, span, $"operator {Quote(op)} cannot be applied to {Quote(type.ToString()!)}");
        public void ReportConditionNotScalar(TextSpan span, object type) => Report(DiagnosticDescriptors.ConditionNotScalar, span, $"a condition must be an integer or a pointer, not {Quote(type.ToString()!)}");
        public void ReportArrayInitializer(TextSpan span) => Report(DiagnosticDescriptors.ArrayInitializer, span, "invalid initializer: an array is initialized by a braced list or, for a char array, a string literal");
        /// <summary>KDSL0121 with GCC's own words for what is wrong with an initializer.</summary>
        public void ReportInvalidInitializer(TextSpan span, string message) => Report(DiagnosticDescriptors.ArrayInitializer, span, message);
        public void ReportStaticDataTooLarge(TextSpan span, string name) =>
            Report(DiagnosticDescriptors.ArrayTooLarge, span,
                $"with {Quote(name)} the module's static objects take more than 2147483647 bytes (-mcmodel=kernel places a module in the top 2 GB of the address space)");
        public void ReportVoidVariable(TextSpan span, string name) => Report(DiagnosticDescriptors.VoidVariable, span, $"{Quote(name)} cannot have type 'void'");
        public void ReportConstantExpected(TextSpan span) => Report(DiagnosticDescriptors.ConstantExpected, span, "a constant integer expression is required");
        public void ReportConstantIndexOutOfRange(TextSpan span, long index, string array, long length) =>
            Report(DiagnosticDescriptors.ConstantIndexOutOfRange, span, $"index {index} is outside array {Quote(array)} of {length} element{(length == 1 ? "" : "s")}");
        public void ReportInvalidTypeSpecifiers(TextSpan span, string problem) => Report(DiagnosticDescriptors.InvalidTypeSpecifiers, span, problem);
        public void ReportReadOnlyAssignment(TextSpan span, string name) =>
            Report(DiagnosticDescriptors.ReadOnlyAssignment, span, $"assignment of read-only variable {Quote(name)}");
        public void ReportNotSupported(TextSpan span, string what) => Report(DiagnosticDescriptors.NotSupported, span, $"{what} is not supported in KDsl");
        public void ReportIncompleteField(TextSpan span, string name) => Report(DiagnosticDescriptors.IncompleteType, span, $"field {Quote(name)} has incomplete type");
        public void ReportIncompleteVariable(TextSpan span, string name) => Report(DiagnosticDescriptors.IncompleteType, span, $"storage size of {Quote(name)} isn't known");
        public void ReportUndefinedRecordUse(TextSpan span, string record) => Report(DiagnosticDescriptors.IncompleteType, span, $"invalid use of undefined type {Quote(record)}");
        public void ReportNoSuchMember(TextSpan span, string record, string member) =>
            Report(DiagnosticDescriptors.NoSuchMember, span, $"{Quote(record)} has no member named {Quote(member)}");
        public void ReportMemberOfNonRecord(TextSpan span, string member) =>
            Report(DiagnosticDescriptors.NoSuchMember, span, $"request for member {Quote(member)} in something not a structure or union");
        public void ReportInvalidArrow(TextSpan span, Symbols.TypeSymbol type) =>
            Report(DiagnosticDescriptors.NoSuchMember, span, $"invalid type argument of '->' (have {Quote(type.ToString())})");
        public void ReportDuplicateMember(TextSpan span, string name) => Report(DiagnosticDescriptors.Redeclaration, span, $"duplicate member {Quote(name)}");
        public void ReportRecordRedefinition(TextSpan span, string record) => Report(DiagnosticDescriptors.Redeclaration, span, $"redefinition of {Quote(record)}");
        public void ReportWrongKindOfTag(TextSpan span, string tag) => Report(DiagnosticDescriptors.Redeclaration, span, $"{Quote(tag)} defined as wrong kind of tag");
        public void ReportReturnLocalAddress(TextSpan span) =>
            Report(DiagnosticDescriptors.ReturnLocalAddress, span, "function returns address of local variable [-Wreturn-local-addr]; GCC -O2 returns NULL instead, and so does KDsl");
        public void ReportDivisionByZero(TextSpan span) => Report(DiagnosticDescriptors.DivisionByZero, span, "division by zero");
        public void ReportInvalidParameterType(TextSpan span, string name) => Report(DiagnosticDescriptors.InvalidParameterType, span, $"parameter {Quote(name)} cannot have type 'void'");
        public void ReportPrintkFormatNotLiteral(TextSpan span, string function = "printk") => Report(DiagnosticDescriptors.PrintkFormatNotLiteral, span,
            function == "printk" ? "printk's first argument must be a string literal" : $"{function}'s format must be a string literal");
        public void ReportPrintkArgumentMismatch(TextSpan span, int expected, int actual) =>
            Report(DiagnosticDescriptors.PrintkArgumentMismatch, span,
                $"the printk format uses {expected} argument{(expected == 1 ? "" : "s")}, but {actual} {(actual == 1 ? "was" : "were")} given");
        public void ReportPrintkUnknownSpecifier(TextSpan span, string spec) => Report(DiagnosticDescriptors.PrintkUnknownSpecifier, span, $"unknown printk conversion {Quote(spec)}");
        public void ReportInvalidMaxDepth(TextSpan span, long value, int max) =>
            Report(DiagnosticDescriptors.InvalidMaxDepth, span, $"max_depth must be from 1 to {max} (it is {value})");
        public void ReportFunctionUsedAsValue(TextSpan span, string name) => Report(DiagnosticDescriptors.FunctionUsedAsValue, span, $"function {Quote(name)} can only be called");

        // --- module structure ------------------------------------------------------------------------------------
        public void ReportMissingModuleHeader(TextSpan span) => Report(DiagnosticDescriptors.MissingModuleHeader, span, "missing module header: the file must start with 'module NAME \"description\";'");
        public void ReportModuleHeaderNotFirst(TextSpan span) => Report(DiagnosticDescriptors.ModuleHeaderNotFirst, span, "the module header must come before any other declaration");
        public void ReportDuplicateModuleHeader(TextSpan span) => Report(DiagnosticDescriptors.DuplicateModuleHeader, span, "the module header is declared more than once");
        public void ReportMissingInit(TextSpan span) => Report(DiagnosticDescriptors.MissingInit, span, "missing 'init { ... }' block");
        public void ReportDuplicateInit(TextSpan span) => Report(DiagnosticDescriptors.DuplicateInit, span, "'init' is declared more than once");
        public void ReportDuplicateExit(TextSpan span) => Report(DiagnosticDescriptors.DuplicateExit, span, "'exit' is declared more than once");
        public void ReportDuplicateLater(TextSpan span) => Report(DiagnosticDescriptors.DuplicateLater, span, "'later' is declared more than once");
        public void ReportDuplicateConfig(TextSpan span) => Report(DiagnosticDescriptors.DuplicateConfig, span, "'config' is declared more than once");
        public void ReportDuplicateExpect(TextSpan span) => Report(DiagnosticDescriptors.DuplicateExpect, span, "'expect' is declared more than once");
        public void ReportSymbolConflict(TextSpan span, string name) => Report(DiagnosticDescriptors.SymbolConflict, span, $"{Quote(name)} conflicts with a symbol of the module or the kernel");

        // --- config ----------------------------------------------------------------------------------------------
        public void ReportUnknownConfigKey(TextSpan span, string key) =>
            Report(DiagnosticDescriptors.UnknownConfigKey, span, $"unknown config key {Quote(key)}; known keys: profile, thread_size, vmap_stack, stack_cache, thread_info, sched_stack_end_check, debug_sg, mem, hash_pointers, panic_on_oops, frame_warn, severity ID");
        public void ReportInvalidConfigValue(TextSpan span, string key, string value, string allowed) =>
            Report(DiagnosticDescriptors.InvalidConfigValue, span, $"invalid value {Quote(value)} for {Quote(key)}; expected {allowed}");
        public void ReportUnknownProfile(TextSpan span, string value, string known) =>
            Report(DiagnosticDescriptors.UnknownProfile, span, $"unknown kernel profile {Quote(value)}; known profiles: {known}");
        public void ReportDuplicateConfigKey(TextSpan span, string key) => Report(DiagnosticDescriptors.DuplicateConfigKey, span, $"config key {Quote(key)} is set more than once");

        // --- expect ----------------------------------------------------------------------------------------------
        public void ReportUnknownOopsKind(TextSpan span, string kind, string known) => Report(DiagnosticDescriptors.UnknownOopsKind, span, $"unknown oops kind {Quote(kind)}; known kinds: {known}");
        public void ReportExpectUnknownFunction(TextSpan span, string name) => Report(DiagnosticDescriptors.ExpectUnknownFunction, span, $"function {Quote(name)} is not defined in this module");
        public void ReportInvalidExpectCount(TextSpan span, string text) => Report(DiagnosticDescriptors.InvalidExpectCount, span, $"invalid count {Quote(text)}; expected a non-negative integer");
        public void ReportInvalidExpectPattern(TextSpan span, string message) => Report(DiagnosticDescriptors.InvalidExpectPattern, span, $"invalid regular expression: {message}");
        public void ReportDepthWithoutFunction(TextSpan span) =>
            Report(DiagnosticDescriptors.DepthWithoutFunction, span, "'depth N' counts the frames of a function: write 'oops KIND in FUNCTION depth N' or 'depth N of FUNCTION'");
        public void ReportDuplicateScenario(TextSpan span, string name) =>
            Report(DiagnosticDescriptors.DuplicateScenario, span, name == "default"
                ? "'default' names the top-level config and expect; choose another scenario name"
                : $"scenario {Quote(name)} is declared more than once");
        public void ReportInvalidConstOverride(TextSpan span, string name, string value) =>
            Report(DiagnosticDescriptors.InvalidConstOverride, span, $"invalid value {Quote(value)} for constant {Quote(name)}; expected an integer literal");
        /// <summary>The same for a value given to the run (kdsl --set NAME=VALUE), reported at the constant's declaration.</summary>
        public void ReportInvalidConstOverrideForRun(TextSpan span, string name, string value) =>
            Report(DiagnosticDescriptors.InvalidConstOverride, span,
                $"invalid value {Quote(value)} given for constant {Quote(name)} (--set {name}={value}); expected an integer literal");

        public void ReportInternalError(string message) => Report(DiagnosticDescriptors.InternalError, new TextSpan(0, 0), "internal compiler error: " + message);
    }
}
