using System.Collections.Generic;
using System.Collections.Immutable;
using KDsl.Image;
using KDsl.Symbols;
using KDsl.Syntax;

namespace KDsl.Binding
{
    /// <summary>
    /// `process NAME { ... }`: a user-space program. Its body binds like init, in a scope that adds the system calls
    /// (open, close, read, write, ftruncate, mmap, munmap, mprotect, getpid, exit) and the Linux x86-64 constants
    /// (O_*, PROT_*, MAP_*). The function is linked as <see cref="ModuleImage.ProcessSymbolPrefix"/> + NAME.
    /// </summary>
    public sealed partial class Binder
    {
        /// <summary>name, x86-64 number, return type, parameters (C's types).</summary>
        private static readonly (string Name, int Number, TypeSymbol Return, (string, TypeSymbol)[] Parameters)[] Syscalls =
        {
            ("read", 0, TypeSymbol.Long, new[] { ("fd", TypeSymbol.Int), ("buf", TypeSymbol.PointerTo(TypeSymbol.Char)), ("count", TypeSymbol.Long) }),
            ("write", 1, TypeSymbol.Long, new[] { ("fd", TypeSymbol.Int), ("buf", TypeSymbol.PointerTo(TypeSymbol.Char)), ("count", TypeSymbol.Long) }),
            ("open", 2, TypeSymbol.Int, new[] { ("path", TypeSymbol.PointerTo(TypeSymbol.Char)), ("flags", TypeSymbol.Int), ("mode", TypeSymbol.Int) }),
            ("close", 3, TypeSymbol.Int, new[] { ("fd", TypeSymbol.Int) }),
            ("mmap", 9, TypeSymbol.PointerTo(TypeSymbol.Char), new[] { ("addr", TypeSymbol.Long), ("length", TypeSymbol.Long), ("prot", TypeSymbol.Int),
                ("flags", TypeSymbol.Int), ("fd", TypeSymbol.Int), ("offset", TypeSymbol.Long) }),
            ("mprotect", 10, TypeSymbol.Int, new[] { ("addr", TypeSymbol.Long), ("length", TypeSymbol.Long), ("prot", TypeSymbol.Int) }),
            ("munmap", 11, TypeSymbol.Int, new[] { ("addr", TypeSymbol.Long), ("length", TypeSymbol.Long) }),
            // int ioctl(int fd, unsigned long request, ...): the third argument as a long (pass a pointer as (long)&req)
            ("ioctl", 16, TypeSymbol.Int, new[] { ("fd", TypeSymbol.Int), ("request", TypeSymbol.ULong), ("arg", TypeSymbol.Long) }),
            ("getpid", 39, TypeSymbol.Int, new (string, TypeSymbol)[0]),
            ("exit", 60, TypeSymbol.Void, new[] { ("status", TypeSymbol.Int) }),
            ("ftruncate", 77, TypeSymbol.Int, new[] { ("fd", TypeSymbol.Int), ("length", TypeSymbol.Long) }),
        };

        /// <summary>Linux x86-64 values (include/uapi/asm-generic/fcntl.h, mman-common.h).</summary>
        public static readonly IReadOnlyList<(string Name, long Value)> ProcessConstants = new[]
        {
            ("O_RDONLY", 0L), ("O_WRONLY", 1L), ("O_RDWR", 2L), ("O_CREAT", 64L /* 0100 */), ("O_TRUNC", 512L /* 01000 */),
            ("O_APPEND", 1024L /* 02000 */),
            ("PROT_NONE", 0L), ("PROT_READ", 1L), ("PROT_WRITE", 2L), ("PROT_EXEC", 4L),
            ("MAP_SHARED", 1L), ("MAP_PRIVATE", 2L), ("MAP_FIXED", 0x10L), ("MAP_ANONYMOUS", 0x20L), ("MAP_FILE", 0L),
            ("MAP_FAILED", -1L),
            ("SIGILL", 4L), ("SIGBUS", 7L), ("SIGFPE", 8L), ("SIGSEGV", 11L), ("SIG_DFL", 0L),
        };

        private BoundScope? _processScope;

        private BoundScope ProcessScope()
        {
            if (_processScope != null) return _processScope;
            var scope = new BoundScope(_global);
            foreach (var (name, number, ret, parameters) in Syscalls)
            {
                var ps = ImmutableArray.CreateBuilder<VariableSymbol>();
                foreach (var (pn, pt) in parameters)
                    ps.Add(new VariableSymbol(pn, pt, VariableKind.Parameter, ps.Count, default));
                scope.TryDeclare(name, new FunctionSymbol(name, ret, ps.ToImmutable(), FunctionKind.Syscall, default, syscallNumber: number));
            }
            // KDsl's sigaction(sig, handler) is a library function, as glibc's and musl's sigaction are: it passes
            // rt_sigaction a struct sigaction {handler, SA_SIGINFO | SA_RESTORER, __restore_rt, empty mask}
            // (UserProgram.SigactionSymbol). The handler is a module function void h(int sig, long *info, char *ucontext),
            // info pointing at a real siginfo_t (si_code at byte 8, si_addr at 16).
            var sigaction = ImmutableArray.Create(
                new VariableSymbol("sig", TypeSymbol.Int, VariableKind.Parameter, 0, default),
                new VariableSymbol("handler", TypeSymbol.Long, VariableKind.Parameter, 1, default));
            scope.TryDeclare("sigaction", new FunctionSymbol("sigaction", TypeSymbol.Int, sigaction, FunctionKind.Library, default,
                linkName: UserProgram.SigactionSymbol));
            foreach (var (name, value) in ProcessConstants)
                scope.TryDeclare(name, new ConstantSymbol(name, value, TypeSymbol.Int, default));
            return _processScope = scope;
        }

        private void BindProcesses(List<ProcessBlockSyntax> processes, ImmutableArray<BoundFunction>.Builder functions)
        {
            var seen = new HashSet<string>();
            foreach (var p in processes)
            {
                if (p.Name.IsMissing) continue;
                if (!seen.Add(p.Name.Text))
                {
                    _diagnostics.ReportRedeclaration(p.Name.Span, p.Name.Text);
                    continue;
                }
                var symbol = new FunctionSymbol(p.Name.Text, TypeSymbol.Int, ImmutableArray<VariableSymbol>.Empty, FunctionKind.Process,
                    p.Name.Span, linkName: ModuleImage.ProcessSymbolPrefix + p.Name.Text);
                functions.Add(BindFunctionBody(symbol, p.Body, p.Span, ProcessScope()));
            }
        }

        private static readonly string[] SignalNames = { "SIGBUS", "SIGSEGV", "SIGILL", "SIGFPE", "SIGKILL" };
        private static readonly string[] SignalCodes = { "BUS_ADRERR", "BUS_ADRALN", "BUS_OBJERR", "SEGV_MAPERR", "SEGV_ACCERR", "SI_KERNEL", "ILL_ILLOPN", "FPE_INTDIV" };

        private void BindProcessExpectation(ExpectationSyntax item, int line, ImmutableArray<Expectation>.Builder result)
        {
            if (item is ExitStatusExpectationSyntax x)
            {
                if (x.Status.IsMissing || !TryBindExpectNumber(x.Status, out int status)) return;
                result.Add(new Expectation(ExpectationKind.ExitStatus, "", status, null, line));
                return;
            }
            var s = (SignalExpectationSyntax)item;
            if (s.Signal.IsMissing) return;
            if (!Contains(SignalNames, s.Signal.Text))
            {
                _diagnostics.Report(Diagnostics.DiagnosticDescriptors.UnknownOopsKind, s.Signal.Span,
                    $"unknown signal '{s.Signal.Text}'; known signals: {string.Join(", ", SignalNames)}");
                return;
            }
            string text = s.Signal.Text;
            if (s.Code != null)
            {
                if (!Contains(SignalCodes, s.Code.Text))
                {
                    _diagnostics.Report(Diagnostics.DiagnosticDescriptors.UnknownOopsKind, s.Code.Span,
                        $"unknown si_code '{s.Code.Text}'; known codes: {string.Join(", ", SignalCodes)}");
                    return;
                }
                text += " " + s.Code.Text;
            }
            string? at = null;
            if (s.AtBase != null && !s.AtBase.IsMissing)
            {
                if (s.AtBase.Kind == SyntaxKind.NumberToken) at = s.AtBase.Value is long v ? "0x" + v.ToString("x") : null;
                else if (s.AtBase.Text == "mmap") at = "mmap";
                else
                {
                    _diagnostics.ReportUndefinedName(s.AtBase.Span, s.AtBase.Text + " (use 'mmap', the process's first mmap result, or an address)");
                    return;
                }
                if (at != null && s.AtOffset != null && !s.AtOffset.IsMissing && s.AtOffset.Value is long offset) at += "+" + offset;
            }
            result.Add(new Expectation(ExpectationKind.Signal, text, -1, at, line));
        }
    }
}
