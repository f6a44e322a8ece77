using System.Collections.Generic;
using System.Reflection;

namespace KDsl.Diagnostics
{
    /// <summary>
    /// Every diagnostic the front end reports, in one table. KDSL0001.. syntax, KDSL0100.. semantics,
    /// KDSL0140.. module structure, KDSL0160.. config, KDSL0180.. expect, KDSL9999 internal error.
    /// The code generator may define its own descriptors (KDSL1001.. stack usage) and report them through
    /// <see cref="DiagnosticBag.Report(DiagnosticDescriptor, KDsl.Text.TextSpan, string)"/>.
    /// </summary>
    public static class DiagnosticDescriptors
    {
        private const DiagnosticSeverity E = DiagnosticSeverity.Error;
        private const DiagnosticSeverity W = DiagnosticSeverity.Warning;

        // --- syntax (lexer and parser) -----------------------------------------------------------------------
        public static readonly DiagnosticDescriptor BadCharacter = new DiagnosticDescriptor("KDSL0001", E, "Bad character");
        public static readonly DiagnosticDescriptor UnterminatedString = new DiagnosticDescriptor("KDSL0002", E, "Unterminated string literal");
        public static readonly DiagnosticDescriptor UnterminatedComment = new DiagnosticDescriptor("KDSL0003", E, "Unterminated comment");
        public static readonly DiagnosticDescriptor InvalidCharacterLiteral = new DiagnosticDescriptor("KDSL0004", E, "Invalid character literal");
        public static readonly DiagnosticDescriptor InvalidEscape = new DiagnosticDescriptor("KDSL0005", E, "Invalid escape sequence");
        public static readonly DiagnosticDescriptor InvalidNumber = new DiagnosticDescriptor("KDSL0006", E, "Invalid integer literal");
        public static readonly DiagnosticDescriptor NumberTooLarge = new DiagnosticDescriptor("KDSL0007", E, "Integer literal too large");
        public static readonly DiagnosticDescriptor UnexpectedToken = new DiagnosticDescriptor("KDSL0008", E, "Unexpected token");
        public static readonly DiagnosticDescriptor ExpectedExpression = new DiagnosticDescriptor("KDSL0009", E, "Expression expected");
        public static readonly DiagnosticDescriptor ExpectedType = new DiagnosticDescriptor("KDSL0010", E, "Type expected");
        public static readonly DiagnosticDescriptor ExpectedDeclaration = new DiagnosticDescriptor("KDSL0011", E, "Declaration expected");
        public static readonly DiagnosticDescriptor NestingTooDeep = new DiagnosticDescriptor("KDSL0012", E, "Nesting too deep");
        public static readonly DiagnosticDescriptor ExpectedConfigValue = new DiagnosticDescriptor("KDSL0013", E, "Config value expected");
        public static readonly DiagnosticDescriptor UnknownExpectation = new DiagnosticDescriptor("KDSL0014", E, "Unknown expectation");
        public static readonly DiagnosticDescriptor CallOfNonName = new DiagnosticDescriptor("KDSL0015", E, "Only named functions can be called");
        public static readonly DiagnosticDescriptor TooManyErrors = new DiagnosticDescriptor("KDSL0016", E, "Too many errors");

        // --- semantics -------------------------------------------------------------------------------------------
        public static readonly DiagnosticDescriptor UndefinedName = new DiagnosticDescriptor("KDSL0100", E, "Undefined name");
        public static readonly DiagnosticDescriptor UndefinedFunction = new DiagnosticDescriptor("KDSL0101", E, "Undefined function");
        public static readonly DiagnosticDescriptor Redeclaration = new DiagnosticDescriptor("KDSL0102", E, "Name already declared");
        public static readonly DiagnosticDescriptor NotAFunction = new DiagnosticDescriptor("KDSL0103", E, "Not a function");
        public static readonly DiagnosticDescriptor WrongArgumentCount = new DiagnosticDescriptor("KDSL0104", E, "Wrong number of arguments");
        public static readonly DiagnosticDescriptor CannotConvert = new DiagnosticDescriptor("KDSL0105", E, "Cannot convert implicitly");
        public static readonly DiagnosticDescriptor InvalidCast = new DiagnosticDescriptor("KDSL0106", E, "Invalid cast");
        public static readonly DiagnosticDescriptor NotAnLvalue = new DiagnosticDescriptor("KDSL0107", E, "Not assignable");
        public static readonly DiagnosticDescriptor AddressOfRvalue = new DiagnosticDescriptor("KDSL0108", E, "Cannot take the address of an rvalue");
        public static readonly DiagnosticDescriptor DereferenceNonPointer = new DiagnosticDescriptor("KDSL0109", E, "Cannot dereference a non-pointer");
        public static readonly DiagnosticDescriptor IndexNonPointer = new DiagnosticDescriptor("KDSL0110", E, "Cannot index a non-pointer");
        public static readonly DiagnosticDescriptor VoidValueUsed = new DiagnosticDescriptor("KDSL0111", E, "Void value used");
        public static readonly DiagnosticDescriptor BreakOutsideLoop = new DiagnosticDescriptor("KDSL0112", E, "break outside a loop");
        public static readonly DiagnosticDescriptor ContinueOutsideLoop = new DiagnosticDescriptor("KDSL0113", E, "continue outside a loop");
        public static readonly DiagnosticDescriptor ReturnValueInVoidFunction = new DiagnosticDescriptor("KDSL0114", E, "return with a value in a void function");
        public static readonly DiagnosticDescriptor MissingReturnValue = new DiagnosticDescriptor("KDSL0115", E, "return without a value");
        public static readonly DiagnosticDescriptor ArraySizeNotConstant = new DiagnosticDescriptor("KDSL0116", E, "Array size is not a constant");
        public static readonly DiagnosticDescriptor ArraySizeNotPositive = new DiagnosticDescriptor("KDSL0117", E, "Array size is not positive");
        public static readonly DiagnosticDescriptor InvalidBinaryOperands = new DiagnosticDescriptor("KDSL0118", E, "Invalid operands");
        public static readonly DiagnosticDescriptor InvalidUnaryOperand = new DiagnosticDescriptor("KDSL0119", E, "Invalid operand");
        public static readonly DiagnosticDescriptor ConditionNotScalar = new DiagnosticDescriptor("KDSL0120", E, "Condition is not a scalar");
        public static readonly DiagnosticDescriptor ArrayInitializer = new DiagnosticDescriptor("KDSL0121", E, "Invalid initializer");
        public static readonly DiagnosticDescriptor VoidVariable = new DiagnosticDescriptor("KDSL0122", E, "Variable of type void");
        public static readonly DiagnosticDescriptor ArrayTooLarge = new DiagnosticDescriptor("KDSL0123", E, "Array too large");
        public static readonly DiagnosticDescriptor ConstantExpected = new DiagnosticDescriptor("KDSL0124", E, "Constant expression expected");
        public static readonly DiagnosticDescriptor ConstantIndexOutOfRange = new DiagnosticDescriptor("KDSL0125", W, "Constant index outside the array");
        public static readonly DiagnosticDescriptor DivisionByZero = new DiagnosticDescriptor("KDSL0126", W, "Division by zero");
        public static readonly DiagnosticDescriptor InvalidParameterType = new DiagnosticDescriptor("KDSL0127", E, "Invalid parameter type");
        public static readonly DiagnosticDescriptor PrintkFormatNotLiteral = new DiagnosticDescriptor("KDSL0128", E, "printk format is not a string literal");
        public static readonly DiagnosticDescriptor PrintkArgumentMismatch = new DiagnosticDescriptor("KDSL0129", W, "printk format does not match the arguments");
        public static readonly DiagnosticDescriptor PrintkUnknownSpecifier = new DiagnosticDescriptor("KDSL0130", W, "Unknown printk conversion");
        public static readonly DiagnosticDescriptor FunctionUsedAsValue = new DiagnosticDescriptor("KDSL0131", E, "Function used as a value");
        public static readonly DiagnosticDescriptor VoidPointerDereference = new DiagnosticDescriptor("KDSL0132", E, "Dereferencing a void pointer");
        public static readonly DiagnosticDescriptor InvalidMaxDepth = new DiagnosticDescriptor("KDSL0133", E, "Invalid max_depth");
        public static readonly DiagnosticDescriptor InvalidTypeSpecifiers = new DiagnosticDescriptor("KDSL0134", E, "Invalid type specifiers");
        public static readonly DiagnosticDescriptor ReadOnlyAssignment = new DiagnosticDescriptor("KDSL0135", E, "Assignment of a read-only variable");
        public static readonly DiagnosticDescriptor NotSupported = new DiagnosticDescriptor("KDSL0136", E, "Not supported in KDsl");
        public static readonly DiagnosticDescriptor IncompleteType = new DiagnosticDescriptor("KDSL0137", E, "Incomplete type");
        public static readonly DiagnosticDescriptor NoSuchMember = new DiagnosticDescriptor("KDSL0138", E, "No such member");
        public static readonly DiagnosticDescriptor ReturnLocalAddress = new DiagnosticDescriptor("KDSL0139", W, "Function returns address of local variable");
        public static readonly DiagnosticDescriptor InvalidSwitch = new DiagnosticDescriptor("KDSL0150", E, "Invalid switch or case label");
        public static readonly DiagnosticDescriptor InvalidLabel = new DiagnosticDescriptor("KDSL0151", E, "Invalid goto label");
        public static readonly DiagnosticDescriptor CopySizeTooSmall = new DiagnosticDescriptor("KDSL0152", E, "Copy size larger than the object");

        // --- module structure -------------------------------------------------------------------------------------
        public static readonly DiagnosticDescriptor MissingModuleHeader = new DiagnosticDescriptor("KDSL0140", E, "Missing module header");
        public static readonly DiagnosticDescriptor ModuleHeaderNotFirst = new DiagnosticDescriptor("KDSL0141", E, "Module header is not first");
        public static readonly DiagnosticDescriptor DuplicateModuleHeader = new DiagnosticDescriptor("KDSL0142", E, "Duplicate module header");
        public static readonly DiagnosticDescriptor MissingInit = new DiagnosticDescriptor("KDSL0143", E, "Missing init block");
        public static readonly DiagnosticDescriptor DuplicateInit = new DiagnosticDescriptor("KDSL0144", E, "Duplicate init block");
        public static readonly DiagnosticDescriptor DuplicateExit = new DiagnosticDescriptor("KDSL0145", E, "Duplicate exit block");
        public static readonly DiagnosticDescriptor DuplicateConfig = new DiagnosticDescriptor("KDSL0146", E, "Duplicate config block");
        public static readonly DiagnosticDescriptor DuplicateExpect = new DiagnosticDescriptor("KDSL0147", E, "Duplicate expect block");
        public static readonly DiagnosticDescriptor SymbolConflict = new DiagnosticDescriptor("KDSL0148", E, "Name conflicts with a module symbol");
        public static readonly DiagnosticDescriptor DuplicateLater = new DiagnosticDescriptor("KDSL0149", E, "Duplicate later block");

        // --- config ----------------------------------------------------------------------------------------------
        public static readonly DiagnosticDescriptor UnknownConfigKey = new DiagnosticDescriptor("KDSL0160", E, "Unknown config key");
        public static readonly DiagnosticDescriptor InvalidConfigValue = new DiagnosticDescriptor("KDSL0161", E, "Invalid config value");
        public static readonly DiagnosticDescriptor UnknownProfile = new DiagnosticDescriptor("KDSL0162", E, "Unknown kernel profile");
        // KDSL0163 (vmap_stack = off unsupported) is retired: CONFIG_VMAP_STACK=n is modelled.
        public static readonly DiagnosticDescriptor DuplicateConfigKey = new DiagnosticDescriptor("KDSL0164", E, "Duplicate config key");

        // --- expect ----------------------------------------------------------------------------------------------
        public static readonly DiagnosticDescriptor UnknownOopsKind = new DiagnosticDescriptor("KDSL0180", E, "Unknown oops kind");
        public static readonly DiagnosticDescriptor ExpectUnknownFunction = new DiagnosticDescriptor("KDSL0181", W, "Function not defined in this module");
        public static readonly DiagnosticDescriptor InvalidExpectCount = new DiagnosticDescriptor("KDSL0182", E, "Invalid count");
        public static readonly DiagnosticDescriptor InvalidExpectPattern = new DiagnosticDescriptor("KDSL0183", E, "Invalid printk pattern");
        public static readonly DiagnosticDescriptor DepthWithoutFunction = new DiagnosticDescriptor("KDSL0184", E, "Depth without a function");
        public static readonly DiagnosticDescriptor DuplicateScenario = new DiagnosticDescriptor("KDSL0185", E, "Duplicate scenario name");
        public static readonly DiagnosticDescriptor InvalidConstOverride = new DiagnosticDescriptor("KDSL0186", E, "Invalid constant override");

        // --- code generation ---------------------------------------------------------------------------------------
        public static readonly DiagnosticDescriptor FrameTooLarge = new DiagnosticDescriptor("KDSL0198", E, "Locals too large for a kernel frame");
        public static readonly DiagnosticDescriptor NoInit = new DiagnosticDescriptor("KDSL0199", E, "The module has no init block");

        // --- stack usage (src/Dsl/Analysis) ------------------------------------------------------------------------
        public static readonly DiagnosticDescriptor FrameLargerThanWarn = new DiagnosticDescriptor("KDSL1001", DiagnosticSeverity.Warning, "Frame larger than FRAME_WARN");
        public static readonly DiagnosticDescriptor StackOverflowPredicted = new DiagnosticDescriptor("KDSL1002", DiagnosticSeverity.Warning, "Worst case exceeds THREAD_SIZE");
        public static readonly DiagnosticDescriptor UnboundedRecursion = new DiagnosticDescriptor("KDSL1003", DiagnosticSeverity.Warning, "Recursion without a provable bound");
        public static readonly DiagnosticDescriptor StackSummary = new DiagnosticDescriptor("KDSL1004", DiagnosticSeverity.Info, "Worst-case stack use of an entry point");
        public static readonly DiagnosticDescriptor MaxDepthContradicted = new DiagnosticDescriptor("KDSL1005", DiagnosticSeverity.Warning, "max_depth contradicted by a constant-argument recursion");
        public static readonly DiagnosticDescriptor DriverHandlerNotCalled = new DiagnosticDescriptor("KDSL1006", DiagnosticSeverity.Warning, "Driver handler not called under this profile");

        // --- internal --------------------------------------------------------------------------------------------
        public static readonly DiagnosticDescriptor InternalError = new DiagnosticDescriptor("KDSL9999", E, "Internal compiler error");

        private static IReadOnlyList<DiagnosticDescriptor>? _all;

        /// <summary>Every descriptor above, in id order.</summary>
        public static IReadOnlyList<DiagnosticDescriptor> All
        {
            get
            {
                if (_all is null)
                {
                    var list = new List<DiagnosticDescriptor>();
                    foreach (var fieldInfo in typeof(DiagnosticDescriptors).GetFields(BindingFlags.Public | BindingFlags.Static))
                        if (fieldInfo.GetValue(null) is DiagnosticDescriptor d) list.Add(d);
                    list.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
                    _all = list;
                }
                return _all;
            }
        }

        public static DiagnosticDescriptor? Find(string id)
        {
            foreach (var d in All)
                if (d.Id == id) return d;
            return null;
        }
    }
}
