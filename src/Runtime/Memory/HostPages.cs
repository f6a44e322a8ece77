using System;
using System.IO;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace KDsl.Runtime.Memory
{
    /// <summary>
    /// Sparse host memory for guest RAM: an anonymous private mapping (Linux: mmap with MAP_NORESERVE) is
    /// zero-filled and backed by the host only page by page as it is first touched, so reserving it costs
    /// nothing and a frame the guest never touches costs no host memory. Elsewhere a zeroed allocation
    /// (calloc, which the C runtime also serves lazily for large sizes).
    /// On Linux, pages several machines start with the same (<see cref="SharedPages"/>) live once in a sealed memfd,
    /// mapped privately over frames of each reservation.
    /// </summary>
    internal static unsafe class HostPages
    {
        private const int ProtRead = 1, ProtWrite = 2;
        private const int MapPrivate = 0x02, MapFixed = 0x10, MapAnonymous = 0x20, MapNoReserve = 0x4000;
        private const uint MfdCloexec = 1, MfdAllowSealing = 2;
        private const int FAddSeals = 1033;
        private const int SealSeal = 1, SealShrink = 2, SealGrow = 4, SealWrite = 8;

        [DllImport("libc", EntryPoint = "mmap", SetLastError = true)]
        private static extern void* Mmap(void* addr, nuint length, int prot, int flags, int fd, nint offset);

        [DllImport("libc", EntryPoint = "munmap", SetLastError = true)]
        private static extern int Munmap(void* addr, nuint length);

        [DllImport("libc", EntryPoint = "memfd_create", SetLastError = true)]
        private static extern int MemfdCreate([MarshalAs(UnmanagedType.LPUTF8Str)] string name, uint flags);

        [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
        private static extern int Fcntl(int fd, int cmd, int arg);

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

        /// <summary>
        /// A memfd holding <paramref name="contents"/>, sealed so that nothing can write, grow or shrink it any more: the
        /// pages every machine's private mapping reads until it writes. Null where the host has no memfd (then each
        /// machine gets a copy).
        /// </summary>
        public static SafeFileHandle? CreateShared(ReadOnlySpan<byte> contents)
        {
            if (!OperatingSystem.IsLinux()) return null;
            int fd;
            try
            {
                fd = MemfdCreate("kdsl-shared-pages", MfdCloexec | MfdAllowSealing);
            }
            catch (EntryPointNotFoundException)
            {
                return null; // a C library older than memfd_create
            }
            if (fd < 0) return null;
            var handle = new SafeFileHandle((nint)fd, ownsHandle: true);
            try
            {
                RandomAccess.Write(handle, contents, 0);
                if (Fcntl(fd, FAddSeals, SealSeal | SealShrink | SealGrow | SealWrite) == 0) return handle;
            }
            catch (Exception e) when (e is IOException or NotSupportedException or UnauthorizedAccessException)
            {
            }
            handle.Dispose();
            return null;
        }

        /// <summary>
        /// Maps <paramref name="length"/> bytes of <paramref name="shared"/> from <paramref name="offset"/> over the
        /// page-aligned <paramref name="at"/> inside a reservation, replacing what was there. Private: reads see the
        /// shared pages, and the first write to a page gives this mapping its own copy (copy-on-write), which the shared
        /// pages and every other mapping of them never see. False when the host refused; the range is then fresh zeroed
        /// memory again, as after <see cref="Reserve"/>.
        /// </summary>
        public static bool MapCopyOnWrite(byte* at, SafeFileHandle shared, long offset, ulong length)
        {
            bool added = false;
            try
            {
                shared.DangerousAddRef(ref added);
                void* p = Mmap(at, (nuint)length, ProtRead | ProtWrite, MapPrivate | MapFixed | MapNoReserve,
                    (int)shared.DangerousGetHandle(), (nint)offset);
                if (p == at) return true;
            }
            finally
            {
                if (added) shared.DangerousRelease();
            }
            // A refused MAP_FIXED may already have unmapped the range: put anonymous memory back so the reservation has no hole.
            void* anonymous = Mmap(at, (nuint)length, ProtRead | ProtWrite, MapPrivate | MapAnonymous | MapNoReserve | MapFixed, -1, 0);
            if (anonymous != at) throw new OutOfMemoryException($"mmap of {length} bytes of guest RAM failed (errno {Marshal.GetLastPInvokeError()})");
            return false;
        }
    }
}
