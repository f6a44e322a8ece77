using System;
using System.Runtime.InteropServices;

namespace KDsl.Runtime.Memory
{
    /// <summary>
    /// Sparse host memory for guest RAM: an anonymous private mapping (Linux: mmap with MAP_NORESERVE) is
    /// zero-filled and backed by the host only page by page as it is first touched, so reserving it costs
    /// nothing and a frame the guest never touches costs no host memory. Elsewhere a zeroed allocation
    /// (calloc, which the C runtime also serves lazily for large sizes).
    /// </summary>
    internal static unsafe class HostPages
    {
        private const int ProtRead = 1, ProtWrite = 2;
        private const int MapPrivate = 0x02, MapAnonymous = 0x20, MapNoReserve = 0x4000;

        [DllImport("libc", EntryPoint = "mmap", SetLastError = true)]
        private static extern void* Mmap(void* addr, nuint length, int prot, int flags, int fd, nint offset);

        [DllImport("libc", EntryPoint = "munmap", SetLastError = true)]
        private static extern int Munmap(void* addr, nuint length);

        public static byte* Reserve(ulong size)
        {
            if (OperatingSystem.IsLinux())
            {
                void* p = Mmap(null, (nuint)size, ProtRead | ProtWrite, MapPrivate | MapAnonymous | MapNoReserve, -1, 0);
                if (p == (void*)-1) throw new OutOfMemoryException($"mmap of {size} bytes of guest RAM failed (errno {Marshal.GetLastPInvokeError()})");
                return (byte*)p;
            }
            return (byte*)NativeMemory.AllocZeroed((nuint)size);
        }

        public static void Release(byte* p, ulong size)
        {
            if (OperatingSystem.IsLinux()) Munmap(p, (nuint)size);
            else NativeMemory.Free(p);
        }
    }
}
