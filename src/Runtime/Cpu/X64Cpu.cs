using System;
using KDsl.Runtime.Cpu.Decoding;
using KDsl.Runtime.Memory;

namespace KDsl.Runtime.Cpu
{
    /// <summary>
    /// An x86-64 long-mode interpreter (ring 0 and ring 3, flat segments except FS/GS bases).
    /// The architectural state lives here; execution is split over the partial files in Execution/.
    /// </summary>
    public sealed unsafe partial class X64Cpu
    {
        public const uint MsrEfer = 0xC000_0080;
        public const uint MsrStar = 0xC000_0081;
        public const uint MsrLstar = 0xC000_0082;
        public const uint MsrFmask = 0xC000_0084;
        public const uint MsrFsBase = 0xC000_0100;
        public const uint MsrGsBase = 0xC000_0101;
        public const uint MsrKernelGsBase = 0xC000_0102;

        public const ulong Cr0Pe = 1UL << 0;
        public const ulong Cr0Wp = 1UL << 16;
        public const ulong Cr0Pg = 1UL << 31;

        private readonly PhysicalMemory _mem;
        private readonly Mmu _mmu;
        private readonly DecodeCache _decode;
        private readonly byte* _ram;

        // Current-privilege TLB arrays (switched with CPL).
        private TlbEntry[] _rd;
        private TlbEntry[] _wr;
        private TlbEntry[] _fx;

        private ushort _cs = Selectors.KernelCs;
        private int _cpl;
        private ulong _cr0 = Cr0Pe | Cr0Pg | Cr0Wp;

        public X64Cpu(PhysicalMemory memory, Mmu? mmu = null)
        {
            _mem = memory ?? throw new ArgumentNullException(nameof(memory));
            _mmu = mmu ?? new Mmu(memory);
            _ram = memory.BasePointer;
            _decode = new DecodeCache(memory, DropFetchedPage);
            Tlb t = _mmu.Supervisor;
            _rd = t.Read;
            _wr = t.Write;
            _fx = t.Fetch;
            Ss = Selectors.KernelDs;
        }

        public PhysicalMemory Memory => _mem;
        public Mmu Mmu => _mmu;

        /// <summary>
        /// The sixteen general registers inside the CPU object rather than in an array beside it: the interpreter reaches
        /// a register at a fixed offset from this, with no array load or null check per access.
        /// </summary>
        [System.Runtime.CompilerServices.InlineArray(16)]
        private struct RegisterFile
        {
            private ulong _rax;
        }

        private RegisterFile _gpr;

        /// <summary>RAX RCX RDX RBX RSP RBP RSI RDI R8..R15 (index with <see cref="Reg"/>).</summary>
        public Span<ulong> Gpr => _gpr;
        public ulong Rip;

        public ulong this[Reg r]
        {
            get => R((int)r);
            set => R((int)r) = value;
        }

        public ulong Rsp
        {
            get => R(RspIndex);
            set => R(RspIndex) = value;
        }

        /// <summary>Code selector; its RPL is the CPL (0x10 kernel, 0x33 user).</summary>
        public ushort Cs
        {
            get => _cs;
            set
            {
                _cs = value;
                SetCpl(value & 3);
            }
        }

        public ushort Ss { get; set; }
        public int Cpl => _cpl;

        public ulong FsBase;
        public ulong GsBase;
        public ulong KernelGsBase;
        public ulong Lstar;
        /// <summary>IA32_STAR: bits 47..32 kernel CS (SS = +8), bits 63..48 the sysret base (CS = +16, SS = +8).</summary>
        public ulong Star = ((ulong)Selectors.KernelCs << 32) | (0x23UL << 48);
        /// <summary>IA32_FMASK: RFLAGS bits cleared by syscall.</summary>
        public ulong Fmask = CpuFlags.IF | CpuFlags.DF | CpuFlags.TF | CpuFlags.AC;
        public ulong Efer = (1UL << 8) | (1UL << 10) | (1UL << 11); // LME, LMA, NXE

        public ulong Cr0
        {
            get => _cr0;
            set
            {
                _cr0 = value;
                _mmu.WriteProtect = (value & Cr0Wp) != 0;
                _mmu.FlushAll();
            }
        }

        public ulong Cr2;

        /// <summary>The mnemonic of the instruction the run stopped at with <see cref="StopReason.Unimplemented"/>.</summary>
        public string UnimplementedMnemonic { get; private set; } = "";

        /// <summary>CR3: writing it flushes this CPU's TLB.</summary>
        public ulong Cr3
        {
            get => _mmu.Cr3;
            set => _mmu.Cr3 = value;
        }

        /// <summary>CR4; its SMEP and SMAP bits switch the MMU's checks.</summary>
        public ulong Cr4
        {
            get => _cr4;
            set
            {
                _cr4 = value;
                _mmu.Smep = (value & Cr4Smep) != 0;
                _mmu.Smap = (value & Cr4Smap) != 0;
                _mmu.FlushAll();
            }
        }

        private ulong _cr4 = 1UL << 5; // PAE
        private const ulong Cr4Smep = 1UL << 20;
        private const ulong Cr4Smap = 1UL << 21;

        /// <summary>Retired instructions (virtual time base).</summary>
        public long InstructionCount;

        public readonly IdtGate[] Idt = new IdtGate[256];
        public TaskStateSegment Tss { get; } = new TaskStateSegment();

        private ExceptionInfo _lastException;
        public ref readonly ExceptionInfo LastException => ref _lastException;

        /// <summary>Decoded-instruction cache statistics.</summary>
        public long DecodedInstructions => _decode.Decoded;
        public long CodeInvalidations => _decode.Invalidations;

        private void SetCpl(int cpl)
        {
            _cpl = cpl;
            Tlb t = _mmu.TlbFor(cpl);
            _rd = t.Read;
            _wr = t.Write;
            _fx = t.Fetch;
            DropFetchedPage();
        }

        /// <summary>Convenience: enter ring 3 at rip with the given stack (selectors 0x33/0x2b).</summary>
        public void SetUserMode(ulong rip, ulong rsp)
        {
            Cs = Selectors.UserCs;
            Ss = Selectors.UserDs;
            Rip = rip;
            Rsp = rsp;
        }

        /// <summary>Drops all decoded instructions (e.g. after the kernel rewrote code behind the CPU's back).</summary>
        public void FlushDecodeCache()
        {
            _decode.InvalidateAll(); // which drops the fetched page through the cache's callback
        }
    }
}
