using KDsl.Runtime.Cpu.Decoding;

namespace KDsl.Runtime.Cpu
{
    public sealed partial class X64Cpu
    {
        private bool RequireCpl0() => _cpl == 0 || Raise(Vectors.GP, 0);

        private bool ExecCliSti(bool set)
        {
            if (!RequireCpl0()) return false; // IOPL is 0
            if (set) _flags |= CpuFlags.IF;
            else _flags &= ~CpuFlags.IF;
            return true;
        }

        /// <summary>stac / clac: RFLAGS.AC, which lets a supervisor access reach user pages under CR4.SMAP; #UD above CPL 0 (SDM).</summary>
        private bool ExecStacClac(bool set)
        {
            if (_cpl != 0) return Raise(Vectors.UD);
            if (set) _flags |= CpuFlags.AC;
            else _flags &= ~CpuFlags.AC;
            return true;
        }

        private bool ExecSwapgs()
        {
            if (!RequireCpl0()) return false;
            (GsBase, KernelGsBase) = (KernelGsBase, GsBase);
            return true;
        }

        private bool ExecRdmsr()
        {
            if (!RequireCpl0()) return false;
            uint msr = (uint)R(RcxIndex);
            ulong v;
            switch (msr)
            {
                case MsrFsBase: v = FsBase; break;
                case MsrGsBase: v = GsBase; break;
                case MsrKernelGsBase: v = KernelGsBase; break;
                case MsrLstar: v = Lstar; break;
                case MsrStar: v = Star; break;
                case MsrFmask: v = Fmask; break;
                case MsrEfer: v = Efer; break;
                default: return Raise(Vectors.GP, 0);
            }
            R(0) = (uint)v;
            R(2) = v >> 32;
            return true;
        }

        private bool ExecWrmsr()
        {
            if (!RequireCpl0()) return false;
            uint msr = (uint)R(RcxIndex);
            ulong v = ((R(2) & 0xFFFF_FFFF) << 32) | (R(0) & 0xFFFF_FFFF);
            bool canonicalNeeded = msr == MsrFsBase || msr == MsrGsBase || msr == MsrKernelGsBase || msr == MsrLstar;
            if (canonicalNeeded && !Canonical(v)) return Raise(Vectors.GP, 0);
            switch (msr)
            {
                case MsrFsBase: FsBase = v; break;
                case MsrGsBase: GsBase = v; break;
                case MsrKernelGsBase: KernelGsBase = v; break;
                case MsrLstar: Lstar = v; break;
                case MsrStar: Star = v; break;
                case MsrFmask: Fmask = v; break;
                case MsrEfer: Efer = v; break;
                default: return Raise(Vectors.GP, 0);
            }
            return true;
        }

        private void ExecRdtsc()
        {
            ulong t = (ulong)InstructionCount;
            R(0) = (uint)t;
            R(2) = t >> 32;
        }

        /// <summary>
        /// CPUID tells what this CPU does (Intel SDM Vol. 2A, CPUID): leaf 1 EDX TSC, MSR, CX8, CMOV and ECX CX16 (no FPU
        /// bit: no x87 instruction is implemented); leaf 7 EBX SMEP and SMAP, which the MMU enforces when CR4 enables
        /// them; leaf 0x80000001 EDX SYSCALL, NX and LM. Any other leaf, and every other bit, is 0.
        /// </summary>
        private void ExecCpuid()
        {
            uint leaf = (uint)R(0), subleaf = (uint)R(1);
            uint a = 0, b = 0, c = 0, dd = 0;
            switch (leaf)
            {
                case 0:
                    a = 7; // the highest basic leaf
                    b = 0x6C73444B; // "KDsl"
                    dd = 0x6C756D45; // "Emul"
                    c = 0x20583436; // "64X "
                    break;
                case 1:
                    dd = (1u << 4) | (1u << 5) | (1u << 8) | (1u << 15); // TSC MSR CX8 CMOV
                    c = 1u << 13; // CX16
                    break;
                case 7 when subleaf == 0:
                    b = (1u << 7) | (1u << 20); // SMEP SMAP
                    break;
                case 0x8000_0000:
                    a = 0x8000_0001; // the highest extended leaf
                    break;
                case 0x8000_0001:
                    dd = (1u << 11) | (1u << 20) | (1u << 29); // SYSCALL NX LM
                    break;
            }
            R(0) = a;
            R(3) = b;
            R(1) = c;
            R(2) = dd;
        }

        private bool ExecMovToCr(ref DecodedInstruction d)
        {
            if (!RequireCpl0()) return false;
            ulong v = R(d.RegB);
            switch (d.RegA)
            {
                case 0: Cr0 = v; DropFetchedPage(); break;
                case 2: Cr2 = v; break;
                case 3: Cr3 = v; DropFetchedPage(); break;
                case 4: Cr4 = v; break;
                default: return Raise(Vectors.UD);
            }
            return true;
        }

        private bool ExecMovFromCr(ref DecodedInstruction d)
        {
            if (!RequireCpl0()) return false;
            ulong v;
            switch (d.RegB)
            {
                case 0: v = Cr0; break;
                case 2: v = Cr2; break;
                case 3: v = Cr3; break;
                case 4: v = Cr4; break;
                default: return Raise(Vectors.UD);
            }
            R(d.RegA) = v;
            return true;
        }

        private bool ExecInvlpg(ref DecodedInstruction d)
        {
            if (!RequireCpl0()) return false;
            _mmu.Invlpg(EffectiveAddress(ref d));
            DropFetchedPage(); // the fetch translation may be gone: leave the block
            return true;
        }

        /// <summary>syscall: RCX = next RIP, R11 = RFLAGS, CPL 0 at LSTAR; no stack switch (the kernel's entry code does that).</summary>
        private void ExecSyscall()
        {
            R(RcxIndex) = _nextRip;
            ulong fl = Rflags;
            R(11) = fl & ~CpuFlags.RF;
            Rflags = fl & ~(Fmask | CpuFlags.RF);
            ushort kcs = (ushort)((Star >> 32) & 0xFFFC);
            Cs = kcs;
            Ss = (ushort)(kcs + 8);
            _nextRip = Lstar;
        }

        /// <summary>sysretq: back to CPL 3 at RCX with RFLAGS from R11.</summary>
        private bool ExecSysret()
        {
            if (!RequireCpl0()) return false;
            ulong target = R(RcxIndex);
            if (!Canonical(target)) return Raise(Vectors.GP, 0);
            ushort baseSel = (ushort)((Star >> 48) & 0xFFFF);
            Rflags = (R(11) & ~CpuFlags.RF) | CpuFlags.Reserved1;
            Cs = (ushort)((baseSel + 16) | 3);
            Ss = (ushort)((baseSel + 8) | 3);
            _nextRip = target;
            return true;
        }

        /// <summary>int3 / int n: a trap through the IDT; the gate's DPL must allow the current CPL.</summary>
        private bool RaiseSoftwareInterrupt(int vector)
        {
            _pendVector = vector;
            _pendError = 0;
            _pendHasError = false;
            _pendSoftware = true;
            return false;
        }
    }
}
