using System.Collections.Generic;
using static KDsl.Profiles.KernelFunctionShape;

namespace KDsl.Profiles
{
    public sealed partial class KernelProfile
    {
        /// <summary>
        /// What a driver module calls: misc_register / misc_deregister (entry services register the device node; KDsl's
        /// frames, the real ones go through device_create, which is not modelled), and lib/usercopy.c's _copy_from_user
        /// and _copy_to_user, whose entry services copy as raw_copy_from_user's exception-table fixup leaves it (up to the
        /// first byte that faults). Their frames as disassembled (Debian's vmlinux, <see cref="DriverSyscallPath"/>):
        /// _copy_from_user pushes 2 registers on 6.1 and 3 on 5.10, _copy_to_user none, each calling the copy routine
        /// (copy_user_generic_unrolled on a CPU without ERMS, as QEMU's default; a leaf). 4.11 takes 6.1's, unmeasured.
        /// </summary>
        private static IEnumerable<KernelFunctionShape> DriverText(string profile) => new[]
        {
            Entry("misc_register", 8),
            Entry("misc_deregister", 8),
            Entry("_copy_from_user", profile == "linux-5.10" ? 24 : 16, Call(CopyUserRoutine)),
            Entry("_copy_to_user", 0, Call(CopyUserRoutine)),
            F(CopyUserRoutine, 0),
        };

        private const string CopyUserRoutine = "copy_user_generic_unrolled";
    }
}
