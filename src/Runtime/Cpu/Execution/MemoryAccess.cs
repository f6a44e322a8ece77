using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using KDsl.Runtime.Cpu.Decoding;
using KDsl.Runtime.Memory;

namespace KDsl.Runtime.Cpu
{
    public sealed unsafe partial class X64Cpu
    {
        // Pending exception raised by the current instruction (delivered by the run loop).
        private int _pendVector;
        private uint _pendError;
        private bool _pendHasError;
        private bool _pendSoftware;

        /// <summary>Records a fault; handlers then return false with no architectural change.</summary>
        private bool Raise(int vector, uint error = 0)
        {
            _pendVector = vector;
            _pendError = error;
            _pendHasError = Vectors.HasErrorCode(vector);
            _pendSoftware = false;
            return false;
        }

        private bool RaisePageFault(ulong va, uint error)
        {
            Cr2 = va;
            return Raise(Vectors.PF, error);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private ulong EffectiveAddress(ref DecodedInstruction d)
        {
            ref ulong regs = ref R(0);
            ulong ea = (ulong)d.Disp;
            if (d.MemFlags == 0)
            {
                if (d.Base != DecodedInstruction.NoReg) ea += Unsafe.Add(ref regs, d.Base);
                if (d.Index != DecodedInstruction.NoReg) ea += Unsafe.Add(ref regs, d.Index) << d.ScaleShift;
            }
            else if ((d.MemFlags & DecodedInstruction.MemRipRel) != 0)
            {
                ea += _nextRip;
            }
            else
            {
                if (d.Base != DecodedInstruction.NoReg) ea += Unsafe.Add(ref regs, d.Base);
                if (d.Index != DecodedInstruction.NoReg) ea += Unsafe.Add(ref regs, d.Index) << d.ScaleShift;
                ea &= 0xFFFF_FFFF;
            }
            if (d.Seg != 0) ea += d.Seg == 1 ? FsBase : GsBase;
            return ea;
        }

        // ---------------- reads ----------------

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool Read(ulong va, int size, out ulong v)
        {
            ulong vpn = va >> 12;
            ref TlbEntry e = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_rd), (int)(vpn & Tlb.IndexMask));
            if (e.Tag == vpn && (int)(va & 0xFFF) <= 0x1000 - size)
            {
                e.Hits++; // folded into Mmu.Stats by the entry's PML4 slot
                byte* p = (byte*)(e.Addend + (nint)va);
                switch (size)
                {
                    case 1: v = *p; break;
                    case 2: v = Unsafe.ReadUnaligned<ushort>(p); break;
                    case 4: v = Unsafe.ReadUnaligned<uint>(p); break;
                    default: v = Unsafe.ReadUnaligned<ulong>(p); break;
                }
                return true;
            }
            return ReadSlow(va, size, out v);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool Read64(ulong va, out ulong v)
        {
            ulong vpn = va >> 12;
            ref TlbEntry e = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_rd), (int)(vpn & Tlb.IndexMask));
            if (e.Tag == vpn && (va & 0xFFF) <= 0xFF8)
            {
                e.Hits++; // folded into Mmu.Stats by the entry's PML4 slot
                v = Unsafe.ReadUnaligned<ulong>((byte*)(e.Addend + (nint)va));
                return true;
            }
            return ReadSlow(va, 8, out v);
        }

        /// <summary>Translates va for the current CPL, raising #PF/#GP on failure.</summary>
        private bool TranslateOrFault(ulong va, Access access, out ulong pa)
        {
            TranslateStatus st = _mmu.TranslateMiss(va, access, _cpl, (_flags & CpuFlags.AC) != 0, out pa, out uint err);
            if (st == TranslateStatus.Ok) return true;
            if (st == TranslateStatus.NonCanonical) return Raise(Vectors.GP, 0);
            return RaisePageFault(va, err);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private bool ReadSlow(ulong va, int size, out ulong v)
        {
            v = 0;
            ulong vpn = va >> 12;
            ref TlbEntry e = ref _rd[(int)(vpn & Tlb.IndexMask)];
            ulong pa0;
            if (e.Tag == vpn)
            {
                e.Hits++;
                pa0 = (ulong)((byte*)(e.Addend + (nint)va) - _ram);
            }
            else if (!TranslateOrFault(va, Access.Read, out pa0)) return false;
            int first = 0x1000 - (int)(va & 0xFFF);
            if (first >= size)
            {
                v = LoadRaw(_ram + pa0, size);
                return true;
            }
            ulong va1 = va + (ulong)first;
            ulong pa1;
            ref TlbEntry e1 = ref _rd[(int)((va1 >> 12) & Tlb.IndexMask)];
            if (e1.Tag == va1 >> 12)
            {
                e1.Hits++;
                pa1 = (ulong)((byte*)(e1.Addend + (nint)va1) - _ram);
            }
            else if (!TranslateOrFault(va1, Access.Read, out pa1)) return false;
            ulong r = 0;
            for (int i = 0; i < size; i++)
            {
                byte b = i < first ? _ram[pa0 + (ulong)i] : _ram[pa1 + (ulong)(i - first)];
                r |= (ulong)b << (8 * i);
            }
            v = r;
            return true;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ulong LoadRaw(byte* p, int size) => size switch
        {
            1 => *p,
            2 => Unsafe.ReadUnaligned<ushort>(p),
            4 => Unsafe.ReadUnaligned<uint>(p),
            _ => Unsafe.ReadUnaligned<ulong>(p),
        };

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StoreRaw(byte* p, int size, ulong v)
        {
            switch (size)
            {
                case 1: *p = (byte)v; break;
                case 2: Unsafe.WriteUnaligned(p, (ushort)v); break;
                case 4: Unsafe.WriteUnaligned(p, (uint)v); break;
                default: Unsafe.WriteUnaligned(p, v); break;
            }
        }

        // ---------------- writes ----------------

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool Write(ulong va, int size, ulong v)
        {
            ulong vpn = va >> 12;
            ref TlbEntry e = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_wr), (int)(vpn & Tlb.IndexMask));
            if (e.Tag == vpn && (int)(va & 0xFFF) <= 0x1000 - size)
            {
                e.Hits++; // folded into Mmu.Stats by the entry's PML4 slot
                StoreRaw((byte*)(e.Addend + (nint)va), size, v);
                return true;
            }
            return WriteSlow(va, size, v);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool Write64(ulong va, ulong v)
        {
            ulong vpn = va >> 12;
            ref TlbEntry e = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_wr), (int)(vpn & Tlb.IndexMask));
            if (e.Tag == vpn && (va & 0xFFF) <= 0xFF8)
            {
                e.Hits++; // folded into Mmu.Stats by the entry's PML4 slot
                Unsafe.WriteUnaligned((byte*)(e.Addend + (nint)va), v);
                return true;
            }
            return WriteSlow(va, 8, v);
        }

        /// <summary>Checks that a store of size bytes at va would succeed (both pages of a split store).</summary>
        private bool ProbeWrite(ulong va, int size, out ulong pa0, out ulong pa1, out int first)
        {
            pa1 = 0;
            ulong vpn = va >> 12;
            ref TlbEntry e = ref _wr[(int)(vpn & Tlb.IndexMask)];
            if (e.Tag == vpn)
            {
                e.Hits++;
                pa0 = (ulong)((byte*)(e.Addend + (nint)va) - _ram);
            }
            else if (!TranslateOrFault(va, Access.Write, out pa0)) { first = 0; return false; }
            first = 0x1000 - (int)(va & 0xFFF);
            if (first >= size) return true;
            ulong va1 = va + (ulong)first;
            ref TlbEntry e1 = ref _wr[(int)((va1 >> 12) & Tlb.IndexMask)];
            if (e1.Tag == va1 >> 12)
            {
                e1.Hits++;
                pa1 = (ulong)((byte*)(e1.Addend + (nint)va1) - _ram);
            }
            else if (!TranslateOrFault(va1, Access.Write, out pa1)) return false;
            return true;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private bool WriteSlow(ulong va, int size, ulong v)
        {
            if (!ProbeWrite(va, size, out ulong pa0, out ulong pa1, out int first)) return false;
            if (first >= size)
            {
                StoreRaw(_ram + pa0, size, v);
                return true;
            }
            for (int i = 0; i < size; i++)
            {
                byte b = (byte)(v >> (8 * i));
                if (i < first) _ram[pa0 + (ulong)i] = b;
                else _ram[pa1 + (ulong)(i - first)] = b;
            }
            return true;
        }

        // ---------------- supervisor accesses used during exception delivery / iret ----------------

        private bool SupervisorTranslate(ulong va, Access access, out ulong pa, out uint err, out bool nonCanonical)
        {
            TranslateStatus st = _mmu.Translate(va, access, 0, out pa, out err);
            nonCanonical = st == TranslateStatus.NonCanonical;
            return st == TranslateStatus.Ok;
        }
    }
}
