using System.Numerics;
using System.Runtime.CompilerServices;

namespace KDsl.Runtime.Cpu
{
    /// <summary>The last flag-producing operation, kept so CF..OF are computed only when read.</summary>
    internal enum LazyOp : byte
    {
        None = 0,
        Add,
        Adc1,   // add with carry-in 1 (carry-in 0 is recorded as Add)
        Sub,
        Sbb1,   // sub with borrow-in 1
        Logic,
        Inc,
        Dec,
    }

    public sealed partial class X64Cpu
    {
        // RFLAGS with the status bits valid only when _lop == None.
        private ulong _flags = CpuFlags.Reserved1;
        private LazyOp _lop;
        private byte _lsize;
        private ulong _ldst, _lsrc, _lres;
        private bool _lcf; // CF preserved across inc/dec

        /// <summary>RFLAGS (bit 1 always set). Reading materialises lazily computed status flags.</summary>
        public ulong Rflags
        {
            get
            {
                Materialize();
                return _flags | CpuFlags.Reserved1;
            }
            set
            {
                _flags = (value & CpuFlags.Writable) | CpuFlags.Reserved1;
                _lop = LazyOp.None;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static ulong SizeMask(int size) => size == 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static ulong SignBit(int size) => 1UL << (size * 8 - 1);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static long SignExtend(ulong v, int size)
        {
            int sh = 64 - size * 8;
            return ((long)(v << sh)) >> sh;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void SetLazy(LazyOp op, ulong dst, ulong src, ulong res, int size)
        {
            _lop = op;
            _lsize = (byte)size;
            _ldst = dst;
            _lsrc = src;
            _lres = res;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ulong Parity(ulong res) => (ulong)((~BitOperations.PopCount(res & 0xFF)) & 1) << 2;

        private void Materialize()
        {
            if (_lop == LazyOp.None) return;
            int size = _lsize;
            ulong sign = SignBit(size);
            ulong dst = _ldst, src = _lsrc, res = _lres;
            ulong f = 0;
            switch (_lop)
            {
                case LazyOp.Add:
                    if (res < dst) f |= CpuFlags.CF;
                    if (((dst ^ res) & (src ^ res) & sign) != 0) f |= CpuFlags.OF;
                    f |= (dst ^ src ^ res) & CpuFlags.AF;
                    break;
                case LazyOp.Adc1:
                    if (res <= dst) f |= CpuFlags.CF;
                    if (((dst ^ res) & (src ^ res) & sign) != 0) f |= CpuFlags.OF;
                    f |= (dst ^ src ^ res) & CpuFlags.AF;
                    break;
                case LazyOp.Sub:
                    if (dst < src) f |= CpuFlags.CF;
                    if (((dst ^ src) & (dst ^ res) & sign) != 0) f |= CpuFlags.OF;
                    f |= (dst ^ src ^ res) & CpuFlags.AF;
                    break;
                case LazyOp.Sbb1:
                    if (dst <= src) f |= CpuFlags.CF;
                    if (((dst ^ src) & (dst ^ res) & sign) != 0) f |= CpuFlags.OF;
                    f |= (dst ^ src ^ res) & CpuFlags.AF;
                    break;
                case LazyOp.Logic:
                    break;
                case LazyOp.Inc:
                    if (_lcf) f |= CpuFlags.CF;
                    if (res == sign) f |= CpuFlags.OF;
                    f |= (dst ^ 1 ^ res) & CpuFlags.AF;
                    break;
                case LazyOp.Dec:
                    if (_lcf) f |= CpuFlags.CF;
                    if (res == sign - 1) f |= CpuFlags.OF;
                    f |= (dst ^ 1 ^ res) & CpuFlags.AF;
                    break;
            }
            if (res == 0) f |= CpuFlags.ZF;
            if ((res & sign) != 0) f |= CpuFlags.SF;
            f |= Parity(res);
            _flags = (_flags & ~CpuFlags.Status) | f;
            _lop = LazyOp.None;
        }

        /// <summary>Sets all six status flags at once (eagerly computed results).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void SetStatus(ulong status)
        {
            _flags = (_flags & ~CpuFlags.Status) | status;
            _lop = LazyOp.None;
        }

        /// <summary>ZF, SF and PF of a result.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ulong ResultFlags(ulong res, int size)
        {
            ulong f = Parity(res);
            if ((res & SizeMask(size)) == 0) f |= CpuFlags.ZF;
            if ((res & SignBit(size)) != 0) f |= CpuFlags.SF;
            return f;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool GetCf()
        {
            switch (_lop)
            {
                case LazyOp.None: return (_flags & CpuFlags.CF) != 0;
                case LazyOp.Add: return _lres < _ldst;
                case LazyOp.Sub: return _ldst < _lsrc;
                case LazyOp.Logic: return false;
                case LazyOp.Inc:
                case LazyOp.Dec: return _lcf;
                case LazyOp.Adc1: return _lres <= _ldst;
                default: return _ldst <= _lsrc; // Sbb1
            }
        }

        private ulong GetFlag(ulong bit)
        {
            Materialize();
            return _flags & bit;
        }

        /// <summary>Evaluates condition code cc (Intel order) from the (possibly lazy) flags.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool Cond(int cc)
        {
            if (_lop == LazyOp.Sub)
            {
                ulong d = _ldst, s = _lsrc;
                switch (cc)
                {
                    case 2: return d < s;
                    case 3: return d >= s;
                    case 4: return d == s;
                    case 5: return d != s;
                    case 6: return d <= s;
                    case 7: return d > s;
                    case 12: return SignExtend(d, _lsize) < SignExtend(s, _lsize);
                    case 13: return SignExtend(d, _lsize) >= SignExtend(s, _lsize);
                    case 14: return SignExtend(d, _lsize) <= SignExtend(s, _lsize);
                    case 15: return SignExtend(d, _lsize) > SignExtend(s, _lsize);
                }
            }
            else if (_lop != LazyOp.None && (cc & ~1) == 4)
            {
                return (_lres == 0) != ((cc & 1) != 0);  // ZF straight from the result
            }
            else if (_lop != LazyOp.None && (cc & ~1) == 8)
            {
                return ((_lres & SignBit(_lsize)) != 0) != ((cc & 1) != 0);
            }
            if (_lop == LazyOp.Logic)
            {
                ulong r = _lres;
                bool sf = (r & SignBit(_lsize)) != 0;
                switch (cc)
                {
                    case 0: return false;
                    case 1: return true;
                    case 2: return false;
                    case 3: return true;
                    case 4: return r == 0;
                    case 5: return r != 0;
                    case 6: return r == 0;
                    case 7: return r != 0;
                    case 8: return sf;
                    case 9: return !sf;
                    case 12: return sf;
                    case 13: return !sf;
                    case 14: return r == 0 || sf;
                    case 15: return r != 0 && !sf;
                }
            }
            return CondSlow(cc);
        }

        private bool CondSlow(int cc)
        {
            Materialize();
            ulong f = _flags;
            bool r;
            switch (cc >> 1)
            {
                case 0: r = (f & CpuFlags.OF) != 0; break;
                case 1: r = (f & CpuFlags.CF) != 0; break;
                case 2: r = (f & CpuFlags.ZF) != 0; break;
                case 3: r = (f & (CpuFlags.CF | CpuFlags.ZF)) != 0; break;
                case 4: r = (f & CpuFlags.SF) != 0; break;
                case 5: r = (f & CpuFlags.PF) != 0; break;
                case 6: r = ((f & CpuFlags.SF) != 0) != ((f & CpuFlags.OF) != 0); break;
                default: r = (f & CpuFlags.ZF) != 0 || (((f & CpuFlags.SF) != 0) != ((f & CpuFlags.OF) != 0)); break;
            }
            return (cc & 1) != 0 ? !r : r;
        }
    }
}
