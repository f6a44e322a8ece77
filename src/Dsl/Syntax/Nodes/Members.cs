using System.Collections.Immutable;
using KDsl.Text;

namespace KDsl.Syntax
{
    public abstract class MemberSyntax : SyntaxNode
    {
        protected MemberSyntax(SyntaxKind kind, TextSpan span) : base(kind, span) { }
    }

    public sealed class CompilationUnitSyntax : SyntaxNode
    {
        public CompilationUnitSyntax(ImmutableArray<MemberSyntax> members, SyntaxToken endOfFile)
            : base(SyntaxKind.CompilationUnit, TextSpan.FromBounds(0, endOfFile.Span.End))
        {
            Members = members;
            EndOfFile = endOfFile;
        }

        public ImmutableArray<MemberSyntax> Members { get; }
        public SyntaxToken EndOfFile { get; }
    }

    /// <summary>`struct NAME { ... };` at file level: defines (or declares) a record type.</summary>
    /// <summary>A file-level variable declaration: `int count;`, `static const char *names[] = { "a", "b" };`.</summary>
    public sealed class GlobalDeclarationSyntax : MemberSyntax
    {
        public GlobalDeclarationSyntax(DeclarationStatementSyntax declaration)
            : base(SyntaxKind.GlobalDeclaration, declaration.Span) => Declaration = declaration;

        public DeclarationStatementSyntax Declaration { get; }
    }

    public sealed class TagDeclarationSyntax : MemberSyntax
    {
        public TagDeclarationSyntax(TypeClauseSyntax type, SyntaxToken semicolon)
            : base(SyntaxKind.TagDeclaration, Cover(type.Span, semicolon.Span))
        {
            Type = type;
            Semicolon = semicolon;
        }

        public TypeClauseSyntax Type { get; }
        public SyntaxToken Semicolon { get; }
    }

    /// <summary>typedef TYPE NAME, *PNAME, ARR[4]; at file level: each declarator names its type.</summary>
    public sealed class TypedefDeclarationSyntax : MemberSyntax
    {
        public TypedefDeclarationSyntax(SyntaxToken keyword, DeclarationStatementSyntax declaration)
            : base(SyntaxKind.TypedefDeclaration, Cover(keyword.Span, declaration.Span))
        {
            Keyword = keyword;
            Declaration = declaration;
        }

        public SyntaxToken Keyword { get; }
        public DeclarationStatementSyntax Declaration { get; }
    }

    /// <summary>module NAME "description";</summary>
    public sealed class ModuleHeaderSyntax : MemberSyntax
    {
        public ModuleHeaderSyntax(SyntaxToken keyword, SyntaxToken name, StringExpressionSyntax description, SyntaxToken semicolon)
            : base(SyntaxKind.ModuleHeader, Cover(keyword, semicolon))
        {
            Keyword = keyword;
            Name = name;
            Description = description;
            Semicolon = semicolon;
        }

        public SyntaxToken Keyword { get; }
        public SyntaxToken Name { get; }
        public StringExpressionSyntax Description { get; }
        public SyntaxToken Semicolon { get; }
    }

    /// <summary>
    /// KEY = VALUE; where VALUE is the raw source text of the tokens up to ';' (linux-6.1, 16K, on), or
    /// `severity ID = VALUE;` where the key takes a diagnostic id (<see cref="Argument"/>).
    /// </summary>
    public sealed class ConfigEntrySyntax : SyntaxNode
    {
        public ConfigEntrySyntax(SyntaxToken key, SyntaxToken equals, string value, TextSpan valueSpan, SyntaxToken semicolon,
            SyntaxToken? argument = null)
            : base(SyntaxKind.ConfigEntry, Cover(key, semicolon))
        {
            Key = key;
            Argument = argument;
            EqualsToken = equals;
            Value = value;
            ValueSpan = valueSpan;
            Semicolon = semicolon;
        }

        public SyntaxToken Key { get; }
        /// <summary>The identifier after the key (`severity KDSL1001 = error;`), or null.</summary>
        public SyntaxToken? Argument { get; }
        /// <summary>The key as written, with its argument: "profile", "severity KDSL1001".</summary>
        public string FullKey => Argument is null ? Key.Text : Key.Text + " " + Argument.Text;
        public SyntaxToken EqualsToken { get; }
        /// <summary>Empty when no value was written (already reported).</summary>
        public string Value { get; }
        public TextSpan ValueSpan { get; }
        public SyntaxToken Semicolon { get; }
    }

    public sealed class ConfigBlockSyntax : MemberSyntax
    {
        public ConfigBlockSyntax(SyntaxToken keyword, SyntaxToken open, ImmutableArray<ConfigEntrySyntax> entries, SyntaxToken close)
            : base(SyntaxKind.ConfigBlock, Cover(keyword, close))
        {
            Keyword = keyword;
            OpenBrace = open;
            Entries = entries;
            CloseBrace = close;
        }

        public SyntaxToken Keyword { get; }
        public SyntaxToken OpenBrace { get; }
        public ImmutableArray<ConfigEntrySyntax> Entries { get; }
        public SyntaxToken CloseBrace { get; }
    }

    /// <summary>const NAME = expr;</summary>
    public sealed class ConstDeclarationSyntax : MemberSyntax
    {
        public ConstDeclarationSyntax(SyntaxToken keyword, SyntaxToken identifier, SyntaxToken equals, ExpressionSyntax value, SyntaxToken semicolon)
            : base(SyntaxKind.ConstDeclaration, Cover(keyword, semicolon))
        {
            Keyword = keyword;
            Identifier = identifier;
            EqualsToken = equals;
            Value = value;
            Semicolon = semicolon;
        }

        public SyntaxToken Keyword { get; }
        public SyntaxToken Identifier { get; }
        public SyntaxToken EqualsToken { get; }
        public ExpressionSyntax Value { get; }
        public SyntaxToken Semicolon { get; }
    }

    public sealed class ParameterSyntax : SyntaxNode
    {
        public ParameterSyntax(TypeClauseSyntax type, SyntaxToken identifier, FunctionPointerSyntax? functionPointer = null)
            : base(SyntaxKind.Parameter, Cover(type.Span, functionPointer is not null && functionPointer.Span.End > identifier.Span.End ? functionPointer.Span : identifier.Span))
        {
            Type = type;
            Identifier = identifier;
            FunctionPointer = functionPointer;
        }

        public TypeClauseSyntax Type { get; }
        /// <summary>The parameter's name; a missing token in a prototype's list that names none (`int (*fp)(int, char *)`).</summary>
        public SyntaxToken Identifier { get; }
        /// <summary>`int (*cb)(int)`: the parameter is a function pointer (<see cref="Type"/> is then the return type).</summary>
        public FunctionPointerSyntax? FunctionPointer { get; }
    }

    public sealed class FunctionDeclarationSyntax : MemberSyntax
    {
        public FunctionDeclarationSyntax(TypeClauseSyntax returnType, SyntaxToken identifier, SyntaxToken open,
            ImmutableArray<ParameterSyntax> parameters, SyntaxToken close, BlockStatementSyntax body,
            SyntaxToken? maxDepthKeyword = null, ExpressionSyntax? maxDepth = null, ImmutableArray<SyntaxToken> storage = default)
            : base(SyntaxKind.FunctionDeclaration, Cover(storage.IsDefaultOrEmpty ? returnType.Span : storage[0].Span, body.Span))
        {
            Storage = storage.IsDefault ? ImmutableArray<SyntaxToken>.Empty : storage;
            ReturnType = returnType;
            Identifier = identifier;
            OpenParen = open;
            Parameters = parameters;
            CloseParen = close;
            Body = body;
            MaxDepthKeyword = maxDepthKeyword;
            MaxDepth = maxDepth;
        }

        /// <summary>`max_depth` between the parameter list and the body (contextual), or null.</summary>
        public SyntaxToken? MaxDepthKeyword { get; }
        /// <summary>The recursion bound the author states: at most this many activations of the function at once.</summary>
        public ExpressionSyntax? MaxDepth { get; }

        /// <summary>`static`, `inline` and the like before the return type.</summary>
        public ImmutableArray<SyntaxToken> Storage { get; }
        public TypeClauseSyntax ReturnType { get; }
        public SyntaxToken Identifier { get; }
        public SyntaxToken OpenParen { get; }
        public ImmutableArray<ParameterSyntax> Parameters { get; }
        public SyntaxToken CloseParen { get; }
        public BlockStatementSyntax Body { get; }
    }

    /// <summary>init { ... } or exit { ... } (see <see cref="SyntaxNode.Kind"/>).</summary>
    public sealed class EntryBlockSyntax : MemberSyntax
    {
        public EntryBlockSyntax(SyntaxKind kind, SyntaxToken keyword, BlockStatementSyntax body) : base(kind, Cover(keyword.Span, body.Span))
        {
            Keyword = keyword;
            Body = body;
        }

        public SyntaxToken Keyword { get; }
        public BlockStatementSyntax Body { get; }
    }

    public abstract class ExpectationSyntax : SyntaxNode
    {
        protected ExpectationSyntax(SyntaxKind kind, TextSpan span) : base(kind, span) { }
    }

    /// <summary>printk [line | match] "text" [count N];</summary>
    public sealed class PrintkExpectationSyntax : ExpectationSyntax
    {
        public PrintkExpectationSyntax(SyntaxToken keyword, StringExpressionSyntax text, SyntaxToken? countKeyword, SyntaxToken? count, SyntaxToken semicolon,
            SyntaxToken? mode = null)
            : base(SyntaxKind.PrintkExpectation, Cover(keyword, semicolon))
        {
            Keyword = keyword;
            Text = text;
            CountKeyword = countKeyword;
            Count = count;
            Semicolon = semicolon;
            Mode = mode;
        }

        public SyntaxToken Keyword { get; }
        /// <summary>`line` (the whole message) or `match` (a regular expression); null: the message contains the text.</summary>
        public SyntaxToken? Mode { get; }
        public StringExpressionSyntax Text { get; }
        public SyntaxToken? CountKeyword { get; }
        public SyntaxToken? Count { get; }
        public SyntaxToken Semicolon { get; }
    }

    /// <summary>oops KIND [in FUNCTION] [depth N [of FUNCTION]];</summary>
    public sealed class OopsExpectationSyntax : ExpectationSyntax
    {
        public OopsExpectationSyntax(SyntaxToken keyword, SyntaxToken oopsKind, SyntaxToken? inKeyword, SyntaxToken? function, SyntaxToken semicolon,
            SyntaxToken? depthKeyword = null, SyntaxToken? depth = null, SyntaxToken? depthFunction = null)
            : base(SyntaxKind.OopsExpectation, Cover(keyword, semicolon))
        {
            Keyword = keyword;
            OopsKind = oopsKind;
            InKeyword = inKeyword;
            Function = function;
            Semicolon = semicolon;
            DepthKeyword = depthKeyword;
            Depth = depth;
            DepthFunction = depthFunction;
        }

        public SyntaxToken? DepthKeyword { get; }
        /// <summary>The number after `depth`, or null.</summary>
        public SyntaxToken? Depth { get; }
        /// <summary>The function after `depth N of`, or null (the `in` function is counted).</summary>
        public SyntaxToken? DepthFunction { get; }

        public SyntaxToken Keyword { get; }
        public SyntaxToken OopsKind { get; }
        public SyntaxToken? InKeyword { get; }
        public SyntaxToken? Function { get; }
        public SyntaxToken Semicolon { get; }
    }

    /// <summary>no fault;</summary>
    public sealed class NoFaultExpectationSyntax : ExpectationSyntax
    {
        public NoFaultExpectationSyntax(SyntaxToken noKeyword, SyntaxToken faultKeyword, SyntaxToken semicolon)
            : base(SyntaxKind.NoFaultExpectation, Cover(noKeyword, semicolon))
        {
            NoKeyword = noKeyword;
            FaultKeyword = faultKeyword;
            Semicolon = semicolon;
        }

        public SyntaxToken NoKeyword { get; }
        public SyntaxToken FaultKeyword { get; }
        public SyntaxToken Semicolon { get; }
    }

    /// <summary>stack max N;</summary>
    public sealed class StackExpectationSyntax : ExpectationSyntax
    {
        public StackExpectationSyntax(SyntaxToken keyword, SyntaxToken maxKeyword, SyntaxToken bytes, SyntaxToken semicolon)
            : base(SyntaxKind.StackExpectation, Cover(keyword, semicolon))
        {
            Keyword = keyword;
            MaxKeyword = maxKeyword;
            Bytes = bytes;
            Semicolon = semicolon;
        }

        public SyntaxToken Keyword { get; }
        public SyntaxToken MaxKeyword { get; }
        public SyntaxToken Bytes { get; }
        public SyntaxToken Semicolon { get; }
    }

    public sealed class ExpectBlockSyntax : MemberSyntax
    {
        public ExpectBlockSyntax(SyntaxToken keyword, SyntaxToken open, ImmutableArray<ExpectationSyntax> items, SyntaxToken close)
            : base(SyntaxKind.ExpectBlock, Cover(keyword, close))
        {
            Keyword = keyword;
            OpenBrace = open;
            Items = items;
            CloseBrace = close;
        }

        public SyntaxToken Keyword { get; }
        public SyntaxToken OpenBrace { get; }
        public ImmutableArray<ExpectationSyntax> Items { get; }
        public SyntaxToken CloseBrace { get; }
    }

    /// <summary>scenario NAME { config { ... } expect { ... } }: the module run with other settings and expectations.</summary>
    public sealed class ScenarioSyntax : MemberSyntax
    {
        public ScenarioSyntax(SyntaxToken keyword, SyntaxToken name, SyntaxToken open, ImmutableArray<MemberSyntax> members, SyntaxToken close)
            : base(SyntaxKind.ScenarioDeclaration, Cover(keyword, close))
        {
            Keyword = keyword;
            Name = name;
            OpenBrace = open;
            Members = members;
            CloseBrace = close;
        }

        public SyntaxToken Keyword { get; }
        public SyntaxToken Name { get; }
        public SyntaxToken OpenBrace { get; }
        /// <summary>Its config and expect blocks (<see cref="ConfigBlockSyntax"/>, <see cref="ExpectBlockSyntax"/>).</summary>
        public ImmutableArray<MemberSyntax> Members { get; }
        public SyntaxToken CloseBrace { get; }
    }
}
