using System.Text;

namespace KDsl.Runtime.Kernel.Printk
{
    public static partial class Vsnprintf
    {
        /// <summary>Pointer width on x86-64: 2 * sizeof(void *) hex digits.</summary>
        private const int PointerWidth = 16;

        /// <summary>
        /// lib/vsprintf.c pointer(): %pS %pSR %ps %pB (symbols), %px (raw), %pK (restricted), and the default %p
        /// (hashed or raw). Other extensions (%ph, %pI4, %pM, %pa, …) are not modelled and print like plain %p,
        /// which is what the kernel does for letters it does not know.
        /// </summary>
        private static void Pointer(PrintBuffer sb, string ext, ulong ptr, IPrintkArgs args, VsprintfConfig config, PrintfSpec spec)
        {
            char kind = ext.Length > 0 ? ext[0] : '\0';

            // Old kernels print "(null)" for a NULL pointer of any extension but K before looking at it.
            if (config.LegacyNullPointerStrings && ptr == 0 && kind != 'K' && kind != 'x')
            {
                if (spec.FieldWidth == -1) spec.FieldWidth = PointerWidth;
                StringNoCheck(sb, "(null)", spec);
                return;
            }

            switch (kind)
            {
                case 'S':
                    // %pS, %pSR (R only strips a return-address tag on other arches)
                    StringNoCheck(sb, Kallsyms.SprintSymbol(config.Kallsyms, ptr), spec);
                    return;
                case 's':
                    StringNoCheck(sb, Kallsyms.SprintSymbolNoOffset(config.Kallsyms, ptr), spec);
                    return;
                case 'B':
                    StringNoCheck(sb, Kallsyms.SprintBacktrace(config.Kallsyms, ptr), spec);
                    return;
                case 'x':
                    PointerString(sb, ptr, spec);
                    return;
                case 'K':
                    if (config.KptrRestrict != 0)
                    {
                        PointerString(sb, 0, spec);
                        return;
                    }
                    if (config.LegacyNullPointerStrings || !config.HashPointers)
                    {
                        PointerString(sb, ptr, spec);
                        return;
                    }
                    break;
            }
            DefaultPointer(sb, ptr, config, spec);
        }

        /// <summary>default_pointer: the raw address unless hashing is on, then ptr_to_id.</summary>
        private static void DefaultPointer(PrintBuffer sb, ulong ptr, VsprintfConfig config, PrintfSpec spec)
        {
            if (!config.HashPointers)
            {
                PointerString(sb, ptr, spec);
                return;
            }
            // NULL and error pointers are not addresses, so they print as they are.
            if (ptr == 0 || IsErrValue(ptr))
            {
                PointerString(sb, ptr, spec);
                return;
            }
            if (config.PtrKey is not PtrHashKey key)
            {
                spec.FieldWidth = PointerWidth;
                ErrorString(sb, "(____ptrval____)", spec);
                return;
            }
            PointerString(sb, PtrHash.Hash(ptr, key), spec);
        }

        /// <summary>pointer_string: lowercase hex, zero-padded to 16 digits unless a width was given.</summary>
        private static void PointerString(PrintBuffer sb, ulong value, PrintfSpec spec)
        {
            spec.Base = 16;
            spec.Flags |= SpecFlags.Small;
            if (spec.FieldWidth == -1)
            {
                spec.FieldWidth = PointerWidth;
                spec.Flags |= SpecFlags.ZeroPad;
            }
            Number(sb, value, spec);
        }
    }
}
