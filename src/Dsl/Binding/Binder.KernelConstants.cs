using System.Collections.Immutable;
using KDsl.Symbols;
using KDsl.Syntax;

namespace KDsl.Binding
{
    /// <summary>
    /// What kernel C gets from its headers as constants and constant macros, predefined so a driver pastes in: the error
    /// numbers (include/uapi/asm-generic/errno-base.h and errno.h), NULL, the gfp flags drivers pass (include/linux/gfp.h
    /// since 4.15's renumbering: GFP_KERNEL 0xcc0, GFP_ATOMIC 0xa20, GCC's values on the 6.1 headers), THIS_MODULE (null:
    /// KDsl takes no module reference, and try_module_get is not modelled), and the ioctl number macros _IO, _IOR, _IOW,
    /// _IOWR (include/uapi/asm-generic/ioctl.h: dir &lt;&lt; 30 | size &lt;&lt; 16 | type &lt;&lt; 8 | nr, dir 1 for write and 2
    /// for read), whose third argument is a type (Parser: its sizeof).
    /// </summary>
    public sealed partial class Binder
    {
        private static readonly (string Name, long Value)[] ErrnoValues =
        {
            ("EPERM", 1), ("ENOENT", 2), ("ESRCH", 3), ("EINTR", 4), ("EIO", 5), ("ENXIO", 6), ("E2BIG", 7), ("ENOEXEC", 8),
            ("EBADF", 9), ("ECHILD", 10), ("EAGAIN", 11), ("ENOMEM", 12), ("EACCES", 13), ("EFAULT", 14), ("ENOTBLK", 15),
            ("EBUSY", 16), ("EEXIST", 17), ("EXDEV", 18), ("ENODEV", 19), ("ENOTDIR", 20), ("EISDIR", 21), ("EINVAL", 22),
            ("ENFILE", 23), ("EMFILE", 24), ("ENOTTY", 25), ("ETXTBSY", 26), ("EFBIG", 27), ("ENOSPC", 28), ("ESPIPE", 29),
            ("EROFS", 30), ("EMLINK", 31), ("EPIPE", 32), ("EDOM", 33), ("ERANGE", 34), ("EDEADLK", 35), ("ENAMETOOLONG", 36),
            ("ENOLCK", 37), ("ENOSYS", 38), ("ENOTEMPTY", 39), ("ENODATA", 61), ("ETIME", 62), ("EOVERFLOW", 75),
            ("EOPNOTSUPP", 95), ("ETIMEDOUT", 110), ("ENOIOCTLCMD", 515),
        };

        private static readonly (string Name, long Value)[] HeaderConstants =
        {
            ("NULL", 0), ("THIS_MODULE", 0), ("GFP_KERNEL", GfpKernel), ("GFP_ATOMIC", 0xa20), ("GFP_NOWAIT", 0x800),
        };

        /// <summary>The ioctl number macros: name → direction (_IOC_NONE 0, _IOC_WRITE 1, _IOC_READ 2).</summary>
        public static int? IoctlMacroDirection(string name) => name switch
        {
            "_IO" => 0,
            "_IOW" => 1,
            "_IOR" => 2,
            "_IOWR" => 3,
            _ => null,
        };

        private void DeclareKernelConstants()
        {
            foreach (var (name, value) in ErrnoValues) _global.TryDeclare(name, new ConstantSymbol(name, value, TypeSymbol.Int, default));
            foreach (var (name, value) in HeaderConstants) _global.TryDeclare(name, new ConstantSymbol(name, value, TypeSymbol.Int, default));
        }

        /// <summary>
        /// _IO(type, nr) and _IOR/_IOW/_IOWR(type, nr, T) (the parser made T's sizeof): _IOC(dir, type, nr, size), an
        /// unsigned int constant; type and nr must be constants below 256, the size below 16 KiB (_IOC_SIZEBITS 14).
        /// </summary>
        private BoundExpression? BindIoctlMacro(CallExpressionSyntax syntax)
        {
            if (IoctlMacroDirection(syntax.Identifier.Text) is not int direction) return null;
            int expected = direction == 0 ? 2 : 3;
            if (syntax.Arguments.Length != expected)
            {
                _diagnostics.ReportWrongArgumentCount(syntax.Span, syntax.Identifier.Text, expected, syntax.Arguments.Length, false);
                return new BoundErrorExpression(syntax.Span);
            }
            var values = new long[expected];
            for (int i = 0; i < expected; i++)
            {
                var bound = BindExpression(syntax.Arguments[i]);
                if (bound.Type.IsError) return new BoundErrorExpression(syntax.Span);
                long limit = i == 2 ? 1 << 14 : 256;
                if (bound is not BoundLiteral { Value: var v } || v < 0 || v >= limit)
                {
                    _diagnostics.ReportNotSupported(syntax.Arguments[i].Span, $"an {syntax.Identifier.Text} {(i == 0 ? "type" : i == 1 ? "number" : "size")} that is not a constant below {limit}");
                    return new BoundErrorExpression(syntax.Span);
                }
                values[i] = v;
            }
            long size = expected == 3 ? values[2] : 0;
            return new BoundLiteral(((long)direction << 30) | (size << 16) | (values[0] << 8) | values[1], TypeSymbol.UInt, syntax.Span);
        }

        /// <summary>kmalloc(size, flags) / kzalloc(size, flags): the flags, a constant, taken off the arguments (KDsl's allocator takes the size).</summary>
        private bool TryTakeGfpFlags(CallExpressionSyntax syntax, ImmutableArray<BoundExpression>.Builder arguments, out long gfp)
        {
            gfp = GfpKernel;
            var flags = arguments[1];
            arguments.RemoveAt(1);
            if (flags.Type.IsError) return false;
            if (flags is BoundLiteral { Value: var value })
            {
                gfp = value;
                return true;
            }
            _diagnostics.ReportNotSupported(syntax.Arguments[1].Span, "gfp flags that are not a constant");
            return false;
        }
    }
}
