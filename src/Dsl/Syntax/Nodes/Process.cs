using KDsl.Text;

namespace KDsl.Syntax
{
    /// <summary>process NAME { ... }: a user-space program run in ring 3 after insmod (or alone).</summary>
    public sealed class ProcessBlockSyntax : MemberSyntax
    {
        public ProcessBlockSyntax(SyntaxToken keyword, SyntaxToken name, BlockStatementSyntax body)
            : base(SyntaxKind.ProcessBlock, Cover(keyword.Span, body.Span))
        {
            Keyword = keyword;
            Name = name;
            Body = body;
        }

        public SyntaxToken Keyword { get; }
        public SyntaxToken Name { get; }
        public BlockStatementSyntax Body { get; }
    }

    /// <summary>signal SIGNAME [SI_CODE] [at mmap [+ N] | at NUMBER];</summary>
    public sealed class SignalExpectationSyntax : ExpectationSyntax
    {
        public SignalExpectationSyntax(SyntaxToken keyword, SyntaxToken signal, SyntaxToken? code, SyntaxToken? atKeyword,
            SyntaxToken? atBase, SyntaxToken? atOffset, SyntaxToken semicolon)
            : base(SyntaxKind.SignalExpectation, Cover(keyword, semicolon))
        {
            Keyword = keyword;
            Signal = signal;
            Code = code;
            AtKeyword = atKeyword;
            AtBase = atBase;
            AtOffset = atOffset;
            Semicolon = semicolon;
        }

        public SyntaxToken Keyword { get; }
        public SyntaxToken Signal { get; }
        /// <summary>BUS_ADRERR, SEGV_MAPERR, SEGV_ACCERR, or null.</summary>
        public SyntaxToken? Code { get; }
        public SyntaxToken? AtKeyword { get; }
        /// <summary>`mmap` (the process's first mmap result) or a number (an address).</summary>
        public SyntaxToken? AtBase { get; }
        /// <summary>The number after `+`, or null.</summary>
        public SyntaxToken? AtOffset { get; }
        public SyntaxToken Semicolon { get; }
    }

    /// <summary>exit N; the process's exit status (128 + signo when a signal killed it).</summary>
    public sealed class ExitStatusExpectationSyntax : ExpectationSyntax
    {
        public ExitStatusExpectationSyntax(SyntaxToken keyword, SyntaxToken status, SyntaxToken semicolon)
            : base(SyntaxKind.ExitStatusExpectation, Cover(keyword, semicolon))
        {
            Keyword = keyword;
            Status = status;
            Semicolon = semicolon;
        }

        public SyntaxToken Keyword { get; }
        public SyntaxToken Status { get; }
        public SyntaxToken Semicolon { get; }
    }
}
