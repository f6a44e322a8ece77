using System;
using KDsl.Profiles;

namespace KDsl.Runtime.Kernel.Oops
{
    /// <summary>
    /// The instruction bytes around RIP that the "Code:" line shows, as the kernel copied them. Build it with
    /// <see cref="Copy"/> so the window and the failure cases follow the profile's show_opcodes.
    /// </summary>
    public sealed class CodeDump
    {
        /// <summary>Reads one guest byte; false if the address is not mapped (copy_from_kernel_nofault fails).</summary>
        public delegate bool ByteReader(ulong address, out byte value);

        /// <summary>4.x: show_regs' code_bytes (64) and prologue code_bytes * 43 / 64.</summary>
        public const int LegacyCodeBytes = 64;
        /// <summary>4.19+: OPCODE_BUFSIZE = PROLOGUE_SIZE (42) + 1 + EPILOGUE_SIZE (21).</summary>
        public const int OpcodeBufSize = 64;

        /// <summary>TASK_SIZE_MAX with 4-level paging: ((1UL &lt;&lt; 47) - PAGE_SIZE).</summary>
        public const ulong TaskSizeMax = 0x00007ffffffff000;
        private const ulong PageSize = 4096;

        public CodeDump(ulong rip, ulong start, byte[]? bytes, bool truncated = false, bool suppressed = false, ulong? faultAddress = null)
        {
            Rip = rip;
            Start = start;
            Bytes = bytes;
            Truncated = truncated;
            Suppressed = suppressed;
            FaultAddress = faultAddress;
        }

        public ulong Rip { get; }
        /// <summary>Address of Bytes[0]; when the copy failed, the prologue address the message names.</summary>
        public ulong Start { get; }
        /// <summary>The bytes copied, or null when the copy failed (4.19+ "Unable to access opcode bytes").</summary>
        public byte[]? Bytes { get; }
        /// <summary>4.x: a byte in the window was unreadable; the line ends with " Bad RIP value.".</summary>
        public bool Truncated { get; }
        /// <summary>-EPERM: user code of another task; the kernel prints no Code: line at all.</summary>
        public bool Suppressed { get; }
        /// <summary>
        /// The address of the load that faulted while copying, or null when the copy touched nothing unreadable (or
        /// was refused before touching anything). The #PF of that load wrote it to CR2, which is what a "CR2:" line
        /// printed afterwards shows (<c>KernelProfile.ShowOpcodesBeforeCr2</c>).
        /// </summary>
        public ulong? FaultAddress { get; }

        /// <summary>
        /// show_opcodes' copy. 4.19+: all 64 bytes from RIP-42 or nothing. 4.x (LegacyOopsLayout): 64 bytes from RIP-43,
        /// but if that start is below PAGE_OFFSET or unreadable, 22 bytes from RIP; it stops at the first unreadable byte.
        /// <paramref name="otherTasksUserCode"/>: the regs are user regs of a task other than current (-EPERM).
        /// <paramref name="userMode"/>: the regs are user-mode regs (copy_code's copy_from_user_nmi path).
        /// </summary>
        public static CodeDump Copy(KernelProfile profile, ulong rip, ByteReader read, bool otherTasksUserCode = false, bool userMode = false)
        {
            if (profile.LegacyOopsLayout)
                return CopyLegacy(profile, rip, read);

            ulong prologue = unchecked(rip - (ulong)profile.CodePrologueBytes);
            if (otherTasksUserCode)
                return new CodeDump(rip, prologue, null, suppressed: true);
            // copy_code: user regs → "if (__chk_range_not_ok(src, nbytes, TASK_SIZE_MAX)) return -EINVAL;" then
            // copy_from_user_nmi; kernel regs → copy_from_kernel_nofault, which returns -ERANGE without touching memory
            // unless copy_from_kernel_nofault_allowed: "vaddr >= TASK_SIZE_MAX + PAGE_SIZE && canonical" (arch/x86/mm/maccess.c).
            if (userMode ? !UserRangeOk(prologue) : !KernelNofaultAllowed(prologue))
                return new CodeDump(rip, prologue, null);
            // The copy runs upwards (copy_from_kernel_nofault_loop: u64 loads from src, src + 8, …), so the load that
            // faults is the one holding the first unreadable byte, and CR2 gets that byte's address: the start of the
            // load when its first byte is unmapped, the first byte of the unmapped page when the load straddles into it.
            var bytes = new byte[OpcodeBufSize];
            for (int i = 0; i < bytes.Length; i++)
            {
                ulong address = unchecked(prologue + (ulong)i);
                if (!read(address, out bytes[i]))
                    return new CodeDump(rip, prologue, null, faultAddress: address);
            }
            return new CodeDump(rip, prologue, bytes);
        }

        /// <summary>copy_from_kernel_nofault_allowed (x86-64, 4-level): above the user half and its guard page, canonical.</summary>
        private static bool KernelNofaultAllowed(ulong address) =>
            address >= TaskSizeMax + PageSize && IsCanonical(address);

        /// <summary>!__chk_range_not_ok(src, OPCODE_BUFSIZE, TASK_SIZE_MAX): the whole window below TASK_SIZE_MAX.</summary>
        private static bool UserRangeOk(ulong address) =>
            address <= TaskSizeMax && (ulong)OpcodeBufSize <= TaskSizeMax - address;

        /// <summary>48-bit virtual addresses: bits 63..47 all equal.</summary>
        private static bool IsCanonical(ulong address) => (ulong)((long)(address << 16) >> 16) == address;

        /// <summary>
        /// 4.x show_regs: probe_kernel_address byte by byte, never below PAGE_OFFSET. Each failed probe faults (CR2 = the
        /// probed byte), but show_regs prints the registers, CR2 included, before it reads the code, so nothing shows it.
        /// </summary>
        private static CodeDump CopyLegacy(KernelProfile profile, ulong rip, ByteReader read)
        {
            int prologueLen = profile.CodePrologueBytes;
            int codeLen = LegacyCodeBytes;
            ulong ip = unchecked(rip - (ulong)prologueLen);
            ulong? fault = null;
            if (ip < profile.DirectMapBase || !read(ip, out _))
            {
                if (ip >= profile.DirectMapBase) fault = ip;
                // try starting at IP
                ip = rip;
                codeLen = codeLen - prologueLen + 1;
            }
            var bytes = new byte[codeLen];
            for (int i = 0; i < codeLen; i++)
            {
                ulong a = unchecked(ip + (ulong)i);
                if (a < profile.DirectMapBase || !read(a, out bytes[i]))
                    return new CodeDump(rip, ip, bytes.AsSpan(0, i).ToArray(), truncated: true,
                        faultAddress: a < profile.DirectMapBase ? fault : a);
            }
            return new CodeDump(rip, ip, bytes, faultAddress: fault);
        }
    }
}
