using System.Collections.Generic;
using System.Linq;
using static KDsl.Profiles.KernelFunctionShape;

namespace KDsl.Profiles
{
    public sealed partial class KernelProfile
    {
        /// <summary>
        /// What a driver module calls: misc_register / misc_deregister (entry services register the device node; KDsl's
        /// frames, the real ones go through device_create, which is not modelled), and lib/usercopy.c's _copy_from_user
        /// and _copy_to_user: the entry service checks access_ok (a refused range copies nothing), the body calls the copy
        /// routine, whose rep movsb faults on a page the fault handler cannot resolve and resumes at its exception-table
        /// fixup with the bytes left; the body service then zeroes what _copy_from_user did not copy. Their frames as
        /// disassembled (Debian's vmlinux, <see cref="DriverSyscallPath"/>): _copy_from_user pushes 2 registers on 6.1 and
        /// 3 on 5.10, _copy_to_user none. 4.11 takes 6.1's, unmeasured.
        /// </summary>
        private static IEnumerable<KernelFunctionShape> DriverText(string profile) => new[]
        {
            Entry("misc_register", 8),
            Entry("misc_deregister", 8),
            Entry("_copy_from_user", profile == "linux-5.10" ? 24 : 16, Call(CopyUserRoutine), Service()),
            Entry("_copy_to_user", 0, Call(CopyUserRoutine), Service()),
            new KernelFunctionShape(CopyUserRoutine, 0, false, Body(CopyUserRoutine)),
            // CONFIG_HARDENED_USERCOPY's check (mm/usercopy.c), called for a copy of a run-time size: 4 pushes (6.1 and
            // 5.10), then check_stack_object (a leaf). Its entry service returns at once when the object passes; when it
            // does not, the service prints usercopy_abort's line and the body runs into the BUG() usercopy_abort has at
            // mm/usercopy.c:101 on 6.1 (KDsl's ud2 sits in __check_object_size itself, one frame above the real one).
            Entry("__check_object_size", 32, Call("check_stack_object"), Bug(UsercopyAbortBug)),
            F("check_stack_object", 0),
        }.Concat(CopyOverflowCalled(profile) ? new[] { new KernelFunctionShape("__copy_overflow", 0, false, Body("__copy_overflow"), Call("__warn_printk")) }
            : System.Array.Empty<KernelFunctionShape>())
            .Concat(UserAccessFunctions());

        /// <summary>
        /// get_user's and put_user's leaf helpers (arch/x86/lib/getuser.S, putuser.S: __get_user_1..8, __put_user_1..8),
        /// frameless: the caller pays their return address only (CodeGen/KernelUaccessFunctions).
        /// </summary>
        private static IEnumerable<KernelFunctionShape> UserAccessFunctions()
        {
            foreach (int size in CodeGen.KernelUaccessFunctions.UserAccessSizes)
                foreach (string prefix in new[] { CodeGen.KernelUaccessFunctions.GetUserPrefix, CodeGen.KernelUaccessFunctions.PutUserPrefix })
                    yield return new KernelFunctionShape(prefix + size, 0, false, Body(prefix + size));
        }

        /// <summary>
        /// Whether check_copy_size's overflow calls the out-of-line __copy_overflow (6.1: mm/maccess.c:228, WARN with flags
        /// 0x909); 5.10 has the WARN inline in the caller (include/linux/thread_info.h:147), which KDsl does not model.
        /// </summary>
        public static bool CopyOverflowCalled(string profile) => profile == "linux-6.1";

        // usercopy_abort's BUG(): mm/usercopy.c:101 in 6.1.0-56's __bug_table; 5.10 and 4.11 taken the same, UNVERIFIED.
        private const string UsercopyAbortBug = "mm/usercopy.c:101";

        /// <summary>arch/x86/lib/copy_user_64.S's routine for an ERMS CPU (CodeGen/KernelUaccessFunctions), a leaf.</summary>
        private const string CopyUserRoutine = "copy_user_enhanced_fast_string";
    }
}
