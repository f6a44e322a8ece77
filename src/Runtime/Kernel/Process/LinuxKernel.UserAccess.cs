using System;
using System.Collections.Generic;
using System.Text;
using KDsl.Runtime.Cpu;
using KDsl.Runtime.Kernel.Fs;
using KDsl.Runtime.Kernel.Mm;
using KDsl.Runtime.Memory;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// The kernel's access to a process's memory (uaccess): copy_from_user/copy_to_user a page at a time, stopping at
    /// the first fault the mm cannot resolve, as the exception-table fixups make the real copies stop.
    /// </summary>
    public sealed partial class LinuxKernel
    {
        /// <summary>
        /// copy_from_user: bytes up to the first fault the mm cannot resolve (a fault there returns -EFAULT, never an
        /// oops), a page at a time (one walk a page, as the real copy takes at most one fault a page).
        /// </summary>
        private int CopyFromUser(UserProcess p, ulong src, byte[] dst, int length = -1) =>
            CopyUserPages(p, src, length < 0 ? dst.Length : length, write: false, (pa, done, chunk) => Memory.Read(pa, dst.AsSpan(done, chunk)));

        private int CopyToUser(UserProcess p, ulong dst, byte[] src, int length = -1) =>
            CopyUserPages(p, dst, length < 0 ? src.Length : length, write: true, (pa, done, chunk) => Memory.Write(pa, src.AsSpan(done, chunk)));

        /// <summary>
        /// read's and write's bounce buffer: a call moves at most this much (1 MiB), and every call of a run reuses it (a
        /// loop of 1 MiB writes allocated a new MiB each, some 3 GB of garbage a run and 520 MB of peak RSS).
        /// </summary>
        private byte[] IoBuffer => _ioBuffer ??= new byte[1 << 20];
        private byte[]? _ioBuffer;

        /// <summary>Copies <paramref name="length"/> bytes at <paramref name="va"/> page by page, up to the first unresolvable fault.</summary>
        private int CopyUserPages(UserProcess p, ulong va, int length, bool write, Action<ulong, int, int> copy)
        {
            int done = 0;
            while (done < length)
            {
                ulong at = va + (ulong)done;
                if (!TryUserPhysical(p, at, write, out ulong pa)) break;
                int chunk = UserChunk(at, length - done);
                copy(pa, done, chunk);
                done += chunk;
            }
            Charge(KernelWork.Copy(done));
            return done;
        }

        /// <summary>The bytes from <paramref name="va"/> to its page's end, at most <paramref name="left"/>.</summary>
        private static int UserChunk(ulong va, int left) => (int)Math.Min((ulong)left, PhysicalMemory.PageSize - (va & PhysicalMemory.PageMask));

        private bool TryPutUser(UserProcess p, ulong dst, byte[] src) => CopyToUser(p, dst, src) == src.Length;

        private bool StrncpyFromUser(UserProcess p, ulong src, int max, out string value)
        {
            var bytes = new List<byte>();
            for (int i = 0; i < max; i++)
            {
                if (!TryUserPhysical(p, src + (ulong)i, write: false, out ulong pa))
                {
                    value = "";
                    return false;
                }
                byte b = Memory.ReadU8(pa);
                if (b == 0) break;
                bytes.Add(b);
            }
            value = Encoding.UTF8.GetString(bytes.ToArray());
            return true;
        }

        /// <summary>The kernel touching a user address: a missing or read-only pte goes through handle_mm_fault; no VMA, no permission or VM_FAULT_SIGBUS → false.</summary>
        private bool TryUserPhysical(UserProcess p, ulong va, bool write, out ulong pa)
        {
            pa = 0;
            if (va >= MmStruct.TaskSize) return false;
            for (int attempt = 0; attempt < 2; attempt++)
            {
                var walk = Tables.Walk(p.Mm.Root, va);
                ulong leaf = walk.Present ? Tables.GetLeaf(p.Mm.Root, va) : 0;
                if (walk.Present && (leaf & (ulong)PteFlags.User) != 0 && (!write || (leaf & (ulong)PteFlags.Writable) != 0))
                {
                    pa = walk.PhysicalAddress;
                    return true;
                }
                var vma = p.Mm.FindVma(va);
                if (vma is null) return false;
                if (write ? (vma.Flags & VmFlags.Write) == 0 : (vma.Flags & (VmFlags.Read | VmFlags.Write | VmFlags.Exec)) == 0) return false;
                if (HandleMmFault(p.Mm, vma, va, write) != VmFault.Done) return false;
            }
            return false;
        }
    }
}
