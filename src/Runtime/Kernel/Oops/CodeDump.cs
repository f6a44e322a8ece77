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

        public CodeDump(ulong rip, ulong start, byte[]? bytes, bool truncated = false, bool suppressed = false)
        {
            Rip = rip;
            Start = start;
            Bytes = bytes;
            Truncated = truncated;
            Suppressed = suppressed;
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
        /// show_opcodes' copy. 4.19+: all 64 bytes from RIP-42 or nothing. 4.x (LegacyOopsLayout): 64 bytes from RIP-43,
        /// but if that start is below PAGE_OFFSET or unreadable, 22 bytes from RIP; it stops at the first unreadable byte.
        /// <paramref name="otherTasksUserCode"/>: the regs are user regs of a task other than current (-EPERM).
        /// </summary>
        public static CodeDump Copy(KernelProfile profile, ulong rip, ByteReader read, bool otherTasksUserCode = false)
        {
            if (profile.LegacyOopsLayout)
                return CopyLegacy(profile, rip, read);

            ulong prologue = unchecked(rip - (ulong)profile.CodePrologueBytes);
            if (otherTasksUserCode)
                return new CodeDump(rip, prologue, null, suppressed: true);
            var bytes = new byte[OpcodeBufSize];
            for (int i = 0; i < bytes.Length; i++)
                if (!read(unchecked(prologue + (ulong)i), out bytes[i]))
                    return new CodeDump(rip, prologue, null);
            return new CodeDump(rip, prologue, bytes);
        }

        private static CodeDump CopyLegacy(KernelProfile profile, ulong rip, ByteReader read)
        {
            int prologueLen = profile.CodePrologueBytes;
            int codeLen = LegacyCodeBytes;
            ulong ip = unchecked(rip - (ulong)prologueLen);
            if (ip < profile.DirectMapBase || !read(ip, out _))
            {
                // try starting at IP
                ip = rip;
                codeLen = codeLen - prologueLen + 1;
            }
            var bytes = new byte[codeLen];
            for (int i = 0; i < codeLen; i++)
            {
                ulong a = unchecked(ip + (ulong)i);
                if (a < profile.DirectMapBase || !read(a, out bytes[i]))
                    return new CodeDump(rip, ip, bytes.AsSpan(0, i).ToArray(), truncated: true);
            }
            return new CodeDump(rip, ip, bytes);
        }
    }
}
