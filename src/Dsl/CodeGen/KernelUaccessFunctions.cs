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
            if (UserAccessSize(name, GetUserPrefix) is int getSize)
            {
                EmitGetUser(getSize, code, profile);
                return true;
            }
            if (UserAccessSize(name, PutUserPrefix) is int putSize)
            {
                EmitPutUser(putSize, code, profile);
                return true;
            }
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

        /// <summary>get_user's and put_user's out-of-line halves for an N-byte value: __get_user_N, __put_user_N.</summary>
        public const string GetUserPrefix = "__get_user_", PutUserPrefix = "__put_user_";

        public static readonly int[] UserAccessSizes = { 1, 2, 4, 8 };

        private static int? UserAccessSize(string name, string prefix) =>
            name.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(name.Substring(prefix.Length), out int n) &&
            Array.IndexOf(UserAccessSizes, n) >= 0 ? n : null;

        /// <summary>
        /// TASK_SIZE_MAX with 4-level paging, the first address no user access may reach (arch/x86/include/asm/page_64_types.h:
        /// (1 &lt;&lt; 47) - PAGE_SIZE).
        /// </summary>
        private const long TaskSizeMax = (1L << 47) - 4096;

        /// <summary>
        /// arch/x86/lib/getuser.S's __get_user_N (5.10 and 6.1 alike; 4.11, which compared with addr_limit, is not
        /// modelled apart): the address in RAX, the value out zero-extended in RDX and 0 or -EFAULT in RAX, nothing else
        /// touched (they are called from inline asm that clobbers only those). The range check refuses an access that
        /// would reach TASK_SIZE_MAX (a kernel address) without touching it; the load has an exception-table entry, so an
        /// unmapped user address resumes at .Lbad_get_user_clac: the value 0 and -EFAULT. As Debian's 6.1.0-56 and
        /// 5.10.0-46 vmlinux have them (movabs $0x7fffffffeffd,%rdx for 4 bytes), with stac/clac where the SMAP
        /// alternatives patch the nops. A leaf: the caller's stack grows by the return address only.
        /// </summary>
        private static void EmitGetUser(int size, CodeBuffer code, KernelProfile profile)
        {
            var a = code.Asm;
            var bad = code.NewLabel();
            code.SetCfa(8);
            a.mov(rdx, TaskSizeMax - (size - 1));
            a.cmp(rax, rdx);
            a.jae(bad.Iced);
            a.sbb(rdx, rdx); // array_index_mask_nospec(): all ones below the limit, so a mispredicted branch loads nothing
            a.and(rax, rdx);
            EmitAccess(code, profile, bad, () =>
            {
                switch (size)
                {
                    case 1: a.movzx(edx, __byte_ptr[rax]); break;
                    case 2: a.movzx(edx, __word_ptr[rax]); break;
                    case 4: a.mov(edx, __dword_ptr[rax]); break;
                    default: a.mov(rdx, __qword_ptr[rax]); break;
                }
                a.xor(eax, eax);
            });
            a.xor(edx, edx);
            a.mov(rax, -EFault);
            KernelTextCompiler.Ret(code, profile);
        }

        /// <summary>
        /// arch/x86/lib/putuser.S's __put_user_N: the value in RAX, the address in RCX, 0 or -EFAULT out in ECX; RBX is
        /// clobbered (it holds the limit), which is why every caller of put_user saves RBX. The same range check and
        /// exception-table entry as <see cref="EmitGetUser"/>, the fixup .Lbad_put_user_clac.
        /// </summary>
        private static void EmitPutUser(int size, CodeBuffer code, KernelProfile profile)
        {
            var a = code.Asm;
            var bad = code.NewLabel();
            code.SetCfa(8);
            a.mov(rbx, TaskSizeMax - (size - 1));
            a.cmp(rcx, rbx);
            a.jae(bad.Iced);
            EmitAccess(code, profile, bad, () =>
            {
                switch (size)
                {
                    case 1: a.mov(__byte_ptr[rcx], al); break;
                    case 2: a.mov(__word_ptr[rcx], ax); break;
                    case 4: a.mov(__dword_ptr[rcx], eax); break;
                    default: a.mov(__qword_ptr[rcx], rax); break;
                }
                a.xor(ecx, ecx);
            });
            a.mov(ecx, -EFault);
            KernelTextCompiler.Ret(code, profile);
        }

        /// <summary>
        /// The helpers' common middle: stac, the one access (its exception-table entry) and the success result, clac,
        /// return; then the fixup, a clac that falls into <paramref name="bad"/>, where the caller writes -EFAULT.
        /// </summary>
        private static void EmitAccess(CodeBuffer code, KernelProfile profile, CodeLabel bad, Action accessAndResult)
        {
            code.Bytes(Stac);
            code.Mark(ExtableInstruction);
            accessAndResult();
            code.Bytes(Clac);
            KernelTextCompiler.Ret(code, profile);
            code.Mark(ExtableFixup);
            code.Bytes(Clac);
            code.Place(bad);
        }

        private const int EFault = 14;
    }
}
