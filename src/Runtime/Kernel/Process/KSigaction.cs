using System;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// One signal's action, as rt_sigaction copies it from user space (arch/x86/include/uapi/asm/signal.h's struct
    /// sigaction on x86-64: sa_handler @0, sa_flags @8, sa_restorer @16, sa_mask @24; 32 bytes) and the kernel keeps it
    /// in sighand->action[sig - 1].
    /// </summary>
    public readonly struct KSigaction
    {
        public const int Size = 32;
        /// <summary>sa_handler's two special values (include/uapi/asm-generic/signal-defs.h).</summary>
        public const ulong SigDfl = 0, SigIgn = 1;
        /// <summary>The sa_flags KDsl's kernel acts on (signal-defs.h; SA_RESTORER from arch/x86/include/uapi/asm/signal.h).</summary>
        public const ulong SaSiginfo = 0x4, SaNodefer = 0x40000000, SaRestorer = 0x04000000;

        public KSigaction(ulong handler, ulong flags, ulong restorer, ulong mask)
        {
            Handler = handler;
            Flags = flags;
            Restorer = restorer;
            Mask = mask;
        }

        public ulong Handler { get; }
        public ulong Flags { get; }
        public ulong Restorer { get; }
        /// <summary>The signals blocked while the handler runs, besides the signal itself (bit sig - 1).</summary>
        public ulong Mask { get; }

        public bool Has(ulong flag) => (Flags & flag) != 0;

        public static KSigaction Read(byte[] bytes) => new KSigaction(BitConverter.ToUInt64(bytes, 0),
            BitConverter.ToUInt64(bytes, 8), BitConverter.ToUInt64(bytes, 16), BitConverter.ToUInt64(bytes, 24));

        public byte[] ToBytes()
        {
            var bytes = new byte[Size];
            BitConverter.GetBytes(Handler).CopyTo(bytes, 0);
            BitConverter.GetBytes(Flags).CopyTo(bytes, 8);
            BitConverter.GetBytes(Restorer).CopyTo(bytes, 16);
            BitConverter.GetBytes(Mask).CopyTo(bytes, 24);
            return bytes;
        }
    }
}
