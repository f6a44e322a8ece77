using KDsl.Binding;
using KDsl.Symbols;

namespace KDsl.CodeGen
{
    /// <summary>
    /// The string calls GCC expands in the calling function instead of calling: memset and memcpy of a constant size, and
    /// strcpy of a string literal (a memcpy of its bytes and the NUL), up to 8192 bytes. GCC 12 on the 6.1 and the 5.10
    /// headers (Kbuild, -O2) stores with moves up to 16 bytes and with rep stos / rep movs beyond, for every size measured
    /// from 1 to 8000 bytes (strcpy, memcpy and memset alike); from 8193 bytes on, and for a size known only at run time,
    /// it calls. So such a call pushes no return address and needs no callee-saved register for what lives across it,
    /// and an overrun faults in the caller. KDsl emits the same work inline (FunctionEmitter.EmitInlinedStringCall:
    /// rep stosb or rep movsb; RAX, RCX, RDX, RDI and RSI are all it touches).
    /// </summary>
    internal static class InlinedStringCalls
    {
        /// <summary>The largest constant size GCC expands in place (docs/language.md, "What GCC inlines").</summary>
        public const long MaxBytes = 8192;

        /// <summary>Whether GCC expands the call in place; <paramref name="bytes"/> is how many bytes it copies or sets.</summary>
        public static bool IsInlined(BoundCall c, out long bytes)
        {
            bytes = 0;
            if (c.Function.Kind != FunctionKind.Kernel || c.Callee is not null) return false;
            switch (c.Function.Name)
            {
                case "memset" or "memcpy" when Constant(c.Arguments[2]) is long n:
                    bytes = n;
                    break;
                case "strcpy" when Unconverted(c.Arguments[1]) is BoundStringLiteral s:
                    bytes = s.Bytes.Length + 1;
                    break;
                default:
                    return false;
            }
            return bytes >= 0 && bytes <= MaxBytes;
        }

        public static bool IsInlined(BoundCall c) => IsInlined(c, out _);

        private static long? Constant(BoundExpression e) => Unconverted(e) is BoundLiteral l ? l.Value : null;

        private static BoundExpression Unconverted(BoundExpression e)
        {
            while (e is BoundConversion c) e = c.Operand;
            return e;
        }
    }
}
