using System;
using KDsl.Profiles;
using static Iced.Intel.AssemblerRegisters;

namespace KDsl.CodeGen
{
    /// <summary>
    /// The copy routine _copy_from_user and _copy_to_user call (arch/x86/lib/copy_user_64.S), as an ERMS CPU runs it,
    /// KDsl's CPU being one (memset_erms): stac, rep movsb of EDX bytes, clac, 0 in EAX. The rep movsb has an exception
    /// table entry: a fault on either side that the fault handler cannot resolve resumes at the fixup, which returns
    /// the bytes left (ECX), as ex_handler_copy does. 6.1's version first sends copies under 64 bytes to
    /// copy_user_short_string (a byte loop with the same fixup), which KDsl folds into the rep movsb.
    /// </summary>
    internal static class KernelUaccessFunctions
    {
        public const string CopyRoutine = "copy_user_enhanced_fast_string";

        /// <summary>The marks of an exception-table entry: the faulting instruction and where it resumes.</summary>
        public const string ExtableInstruction = "extable", ExtableFixup = "extable_fixup";

        private static readonly byte[] Stac = { 0x0F, 0x01, 0xCB }, Clac = { 0x0F, 0x01, 0xCA };

        public static bool Emit(string name, CodeBuffer code, KernelProfile profile)
        {
            if (name != CopyRoutine) return false;
            var a = code.Asm;
            code.SetCfa(8);
            code.Bytes(Stac);
            a.mov(ecx, edx);
            code.Mark(ExtableInstruction);
            code.Bytes(0xF3, 0xA4); // rep movsb
            a.xor(eax, eax);
            code.Bytes(Clac);
            KernelTextCompiler.Ret(code, profile);
            code.Mark(ExtableFixup);
            a.mov(eax, ecx);
            code.Bytes(Clac);
            KernelTextCompiler.Ret(code, profile);
            return true;
        }
    }
}
