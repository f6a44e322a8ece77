namespace KDsl.Syntax
{
    public enum SyntaxKind
    {
        BadToken,
        EndOfFileToken,
        IdentifierToken,
        NumberToken,
        StringToken,
        CharacterToken,

        // punctuation
        OpenParenToken, CloseParenToken, OpenBraceToken, CloseBraceToken, OpenBracketToken, CloseBracketToken,
        SemicolonToken, CommaToken, DotToken, ArrowToken, QuestionToken, ColonToken,
        PlusToken, MinusToken, StarToken, SlashToken, PercentToken,
        AmpersandToken, PipeToken, CaretToken, TildeToken, BangToken,
        LessToken, GreaterToken, LessLessToken, GreaterGreaterToken, LessEqualsToken, GreaterEqualsToken,
        EqualsEqualsToken, BangEqualsToken, AmpersandAmpersandToken, PipePipeToken,
        PlusPlusToken, MinusMinusToken,
        EqualsToken, PlusEqualsToken, MinusEqualsToken, StarEqualsToken, SlashEqualsToken, PercentEqualsToken,
        AmpersandEqualsToken, PipeEqualsToken, CaretEqualsToken, LessLessEqualsToken, GreaterGreaterEqualsToken,

        // keywords
        ModuleKeyword, ConfigKeyword, ConstKeyword, InitKeyword, ExitKeyword, ExpectKeyword,
        VoidKeyword, CharKeyword, IntKeyword, LongKeyword, ShortKeyword, SignedKeyword, UnsignedKeyword, VolatileKeyword, StructKeyword, UnionKeyword, EnumKeyword, TypedefKeyword,
        IfKeyword, ElseKeyword, WhileKeyword, DoKeyword, ForKeyword, BreakKeyword, ContinueKeyword, ReturnKeyword,
        SizeofKeyword,

        // nodes
        CompilationUnit,
        ModuleHeader, ConfigBlock, ConfigEntry, ConstDeclaration, FunctionDeclaration, Parameter, InitBlock, ExitBlock,
        ExpectBlock, PrintkExpectation, OopsExpectation, NoFaultExpectation,
        TypeClause,
        BlockStatement, DeclarationStatement, Declarator, ExpressionStatement, EmptyStatement, IfStatement, WhileStatement,
        DoWhileStatement, ForStatement, BreakStatement, ContinueStatement, ReturnStatement,
        LiteralExpression, StringExpression, NameExpression, ParenthesizedExpression, CallExpression, IndexExpression,
        UnaryExpression, PostfixExpression, BinaryExpression, AssignmentExpression, CastExpression,
        SizeofTypeExpression, SizeofExpression, MissingExpression, MemberAccessExpression,
        RecordSpecifier, TagDeclaration, EnumSpecifier, Enumerator, TypedefDeclaration, OffsetofExpression, ConditionalExpression, CommaExpression,
        GlobalDeclaration, InitializerList, InitializerItem, SwitchStatement, CaseLabel, LabelStatement, GotoStatement,

        // experiments as tests
        StackExpectation, ScenarioDeclaration,

        // faults: `later { }`, a block the kernel runs in a kernel thread after insmod (contextual, not reserved)
        LaterBlock,

        // user space: `process NAME { }` (contextual), and its expectations
        ProcessBlock, SignalExpectation, ExitStatusExpectation,
    }
}
