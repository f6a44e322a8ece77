using System;
using System.Runtime.InteropServices;

namespace KDsl.Runtime.Tests.Differential
{
    /// <summary>
    /// A SIGFPE handler for the native side of a sequence that raises #DE: the kernel delivers the trap as SIGFPE, and
    /// the handler (machine code in the harness's own page, since it runs outside the .NET runtime) records the
    /// registers of the signal's ucontext and redirects RIP to the harness's recovery code. glibc's sigaction installs
    /// it with SA_SIGINFO (and its own sa_restorer); the runtime's handler is put back right after the call, so only
    /// the harness's thread, running only the sequence, can take the signal meanwhile.
    /// </summary>
    internal sealed unsafe class SigFpeTrap : IDisposable
    {
        private const int SigFpe = 8, SaSigInfo = 4;

        /// <summary>glibc's struct sigaction on x86-64: handler, a 1024-bit sa_mask, sa_flags (padded), sa_restorer.</summary>
        [StructLayout(LayoutKind.Sequential, Size = 152)]
        private struct SigAction
        {
            public IntPtr Handler;
            public fixed ulong Mask[16];
            public int Flags;
            public int Pad;
            public IntPtr Restorer;
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int sigaction(int signum, ref SigAction act, out SigAction oldact);

        [DllImport("libc", SetLastError = true)]
        private static extern int sigaction(int signum, ref SigAction act, IntPtr oldact);

        private SigAction _old;

        public SigFpeTrap(ulong handler)
        {
            var act = new SigAction { Handler = (IntPtr)(long)handler, Flags = SaSigInfo };
            if (sigaction(SigFpe, ref act, out _old) != 0)
                throw new InvalidOperationException($"sigaction(SIGFPE) failed: errno {Marshal.GetLastWin32Error()}");
        }

        public void Dispose() => sigaction(SigFpe, ref _old, IntPtr.Zero);

        /// <summary>uc_mcontext.gregs in a ucontext_t (after uc_flags, uc_link and the 24-byte uc_stack).</summary>
        public const int GregsOffset = 40;
        /// <summary>gregs indices (sys/ucontext.h REG_*) of RAX..R15 in the harness's register order.</summary>
        public static readonly int[] GregOfReg = { 13, 14, 12, 11, 15, 10, 9, 8, 0, 1, 2, 3, 4, 5, 6, 7 };
        public const int RegRip = 16, RegEfl = 17;
    }
}
