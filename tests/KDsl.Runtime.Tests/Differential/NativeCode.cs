using System;
using System.Runtime.InteropServices;

namespace KDsl.Runtime.Tests.Differential
{
    /// <summary>
    /// A fixed low region of host memory (below 2 GiB, so the harness can address it with absolute disp32 operands)
    /// mapped read/write/execute with libc's mmap, and a call into it. x86-64 Linux only.
    /// </summary>
    internal sealed unsafe class NativeCode : IDisposable
    {
        private const int ProtRead = 1, ProtWrite = 2, ProtExec = 4;
        private const int MapPrivate = 0x02, MapAnonymous = 0x20, MapFixedNoReplace = 0x100000;

        [DllImport("libc", SetLastError = true)]
        private static extern IntPtr mmap(IntPtr addr, UIntPtr length, int prot, int flags, int fd, IntPtr offset);

        [DllImport("libc", SetLastError = true)]
        private static extern int munmap(IntPtr addr, UIntPtr length);

        private NativeCode(ulong address, ulong size)
        {
            Address = address;
            Size = size;
        }

        public ulong Address { get; }
        public ulong Size { get; }

        public static bool IsSupported =>
            RuntimeInformation.ProcessArchitecture == Architecture.X64 && RuntimeInformation.IsOSPlatform(OSPlatform.Linux);

        /// <summary>Maps <paramref name="size"/> bytes RWX at the first free candidate address between 256 MiB and 2 GiB.</summary>
        public static NativeCode? TryMap(ulong size)
        {
            for (ulong candidate = 0x1000_0000; candidate < 0x7000_0000; candidate += 0x0100_0000)
            {
                IntPtr p = mmap((IntPtr)(long)candidate, (UIntPtr)size, ProtRead | ProtWrite | ProtExec,
                    MapPrivate | MapAnonymous | MapFixedNoReplace, -1, IntPtr.Zero);
                if (p == (IntPtr)(-1)) continue;
                if ((ulong)(long)p == candidate) return new NativeCode(candidate, size);
                munmap(p, (UIntPtr)size); // an old kernel took the address as a hint only
            }
            return null;
        }

        public Span<byte> Span(ulong address, int length)
        {
            if (address < Address || address + (ulong)length > Address + Size) throw new ArgumentOutOfRangeException(nameof(address));
            return new Span<byte>((void*)address, length);
        }

        /// <summary>Calls the code at <paramref name="address"/> as void f(void).</summary>
        public void Call(ulong address)
        {
            var f = (delegate* unmanaged<void>)address;
            f();
        }

        public void Dispose() => munmap((IntPtr)(long)Address, (UIntPtr)Size);
    }
}
