using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KDsl.Runtime.Memory
{
    /// <summary>
    /// Guest RAM: one zeroed native reservation plus a page-frame allocator. Public accessors check
    /// bounds (API edge); the CPU and MMU use <see cref="BasePointer"/> on their hot paths.
    /// The reservation is sparse (<see cref="HostPages"/>): the host backs a 4 KiB frame with memory only when it is
    /// first touched, so a machine with 256 MiB of guest RAM costs only the frames it uses.
    /// Frame 0 is reserved and never handed out, so physical address 0 is never a valid allocation.
    /// </summary>
    public sealed unsafe class PhysicalMemory : IDisposable
    {
        public const int PageSize = 4096;
        public const int PageShift = 12;
        public const ulong PageMask = PageSize - 1;
        public const ulong DefaultSize = 64UL << 20;
        /// <summary>Returned by <see cref="AllocPage"/> when no frame is free.</summary>
        public const ulong NoPage = ulong.MaxValue;

        private byte* _base;
        private readonly ulong[] _used;        // one bit per frame
        private readonly byte[] _codePages;    // nonzero: some CPU holds decoded instructions from this frame
        private readonly List<ICodePageListener> _listeners = new List<ICodePageListener>();
        private int _hint;
        private int _freeCount;
        private int _highHint;   // no frame at or above it is free for order-0 top-down allocations
        private uint _exhaustedOrders; // bit k: a full scan found no free order-k block and nothing was freed since

        public PhysicalMemory(ulong size = DefaultSize)
        {
            if (size < 2 * PageSize || (size & PageMask) != 0 || size > (1UL << 40))
                throw new ArgumentOutOfRangeException(nameof(size), "size must be a multiple of 4 KiB, at least 8 KiB");
            Size = size;
            PageCount = (int)(size >> PageShift);
            _base = HostPages.Reserve(size);
            _used = new ulong[(PageCount + 63) / 64];
            _codePages = new byte[PageCount];
            _used[0] |= 1;               // frame 0 reserved
            Pages = new MemMap(PageCount);
            Pages.Reserve(0);
            _freeCount = PageCount - 1;
            _hint = 1;
            _highHint = PageCount;
        }

        public ulong Size { get; }
        public int PageCount { get; }
        public int FreePageCount => _freeCount;
        /// <summary>Each frame's struct page state (refcount, PG_reserved) as the allocator leaves it.</summary>
        public MemMap Pages { get; }

        /// <summary>Host address of physical address 0 (valid until Dispose).</summary>
        public byte* BasePointer => _base;

        // ---------------- frame allocator ----------------

        /// <summary>Allocates one zeroed 4 KiB frame; false when memory is exhausted.</summary>
        public bool TryAllocPage(out ulong pa)
        {
            if (!TryTakeFrame(out pa)) return false;
            NativeMemory.Clear(_base + pa, PageSize);
            return true;
        }

        /// <summary>
        /// Allocates one frame for each of <paramref name="shared"/>'s pages, in order, each the frame
        /// <see cref="TryAllocPage"/> would have given, and calls <paramref name="place"/>(index, frame) after each (the
        /// caller maps it, which may take page-table frames in between): so every frame lands where it would if the pages
        /// were copied. The frames then hold the pages' contents, mapped copy-on-write from the host pages every machine
        /// shares (<see cref="SharedPages"/>) rather than copied, a run of consecutive frames at a time (a host mapping
        /// per page, 4-5 µs each, would cost more than the copy; linux-6.1's 91 text pages fall in 8 runs). Nothing reads the
        /// frames before that (place only writes page tables). False when memory ran out or place failed; the frames
        /// taken until then hold their pages all the same.
        /// </summary>
        public bool TryAllocShared(SharedPages shared, Func<int, ulong, bool> place)
        {
            var frames = new ulong[shared.Count];
            int taken = 0;
            bool placed = true;
            while (taken < frames.Length)
            {
                if (!TryTakeFrame(out ulong pa)) { placed = false; break; }
                frames[taken++] = pa;
                if (!place(taken - 1, pa)) { placed = false; break; }
            }
            for (int first = 0; first < taken;)
            {
                int count = 1;
                while (first + count < taken && frames[first + count] == frames[first] + (ulong)count * PageSize) count++;
                shared.MapInto(_base + frames[first], first, count);
                first += count;
            }
            return placed;
        }

        /// <summary>Marks the next free frame (from the hint up) used, its contents as they are.</summary>
        private bool TryTakeFrame(out ulong pa)
        {
            int n = PageCount;
            for (int k = 0; k < n; k++)
            {
                int f = _hint + k;
                if (f >= n) f -= n;
                int w = f >> 6;
                if (_used[w] == ulong.MaxValue) { k += 63 - (f & 63); continue; }
                if ((_used[w] & (1UL << (f & 63))) == 0)
                {
                    _used[w] |= 1UL << (f & 63);
                    _freeCount--;
                    Pages.Allocated(f, 1);
                    _hint = f + 1 >= n ? 1 : f + 1;
                    pa = (ulong)f << PageShift;
                    return true;
                }
            }
            pa = NoPage;
            return false;
        }

        /// <summary>Allocates one zeroed frame; returns <see cref="NoPage"/> when exhausted.</summary>
        public ulong AllocPage() => TryAllocPage(out ulong pa) ? pa : NoPage;

        /// <summary>Allocates 2^order contiguous zeroed frames aligned to their size.</summary>
        public bool TryAllocPages(int order, out ulong pa)
        {
            pa = NoPage;
            if (order < 0 || order > 20) return false;
            if (order == 0) return TryAllocPage(out pa);
            int count = 1 << order;
            for (int f = 0; f + count <= PageCount; f += count)
            {
                if (RangeFree(f, count))
                {
                    for (int i = 0; i < count; i++) _used[(f + i) >> 6] |= 1UL << ((f + i) & 63);
                    _freeCount -= count;
                    Pages.Allocated(f, count);
                    pa = (ulong)f << PageShift;
                    NativeMemory.Clear(_base + pa, (nuint)count * PageSize);
                    return true;
                }
            }
            return false;
        }

        /// <summary>
        /// As <see cref="TryAllocPages"/>, but the highest free aligned block first: the kernel's page allocator after
        /// boot, whose free lists hand out high frames first, while boot-time allocations (page tables, kernel text)
        /// came from the bottom. So a task's direct-mapped stack and what the experiment allocates after it are
        /// physical neighbours, the next allocation lying just below the previous one.
        /// </summary>
        public bool TryAllocPagesHigh(int order, out ulong pa)
        {
            pa = NoPage;
            if (order < 0 || order > 20) return false;
            // Allocations only take frames: a block size that was not there is still not there until something is freed
            // (so a guest looping on a failing allocation costs no full scan per call).
            if ((_exhaustedOrders & (1u << order)) != 0) return false;
            int count = 1 << order;
            int top = Math.Min(_highHint, PageCount) & ~(count - 1);
            for (int f = top - count; f > 0; f -= count)
            {
                if (!RangeFree(f, count)) continue;
                for (int i = 0; i < count; i++) _used[(f + i) >> 6] |= 1UL << ((f + i) & 63);
                _freeCount -= count;
                Pages.Allocated(f, count);
                if (order == 0) _highHint = f; // order-0 scans resume below; larger orders rescan (fragmentation leaves holes)
                pa = (ulong)f << PageShift;
                NativeMemory.Clear(_base + pa, (nuint)count * PageSize);
                return true;
            }
            _exhaustedOrders |= 1u << order;
            return false;
        }

        private bool RangeFree(int first, int count)
        {
            for (int i = 0; i < count; i++)
            {
                int f = first + i;
                if ((f & 63) == 0 && count - i >= 64)
                {
                    if (_used[f >> 6] != 0) return false;
                    i += 63;
                    continue;
                }
                if ((_used[f >> 6] & (1UL << (f & 63))) != 0) return false;
            }
            return true;
        }

        public void FreePage(ulong pa) => FreePages(pa, 0);

        public void FreePages(ulong pa, int order)
        {
            if ((pa & PageMask) != 0 || pa >= Size || order < 0) throw new ArgumentOutOfRangeException(nameof(pa));
            int first = (int)(pa >> PageShift);
            int count = 1 << order;
            if (first == 0 || first + count > PageCount) throw new ArgumentOutOfRangeException(nameof(pa));
            for (int f = first; f < first + count; f++)
            {
                ulong bit = 1UL << (f & 63);
                if ((_used[f >> 6] & bit) == 0) throw new InvalidOperationException($"double free of frame 0x{(ulong)f << PageShift:x}");
                _used[f >> 6] &= ~bit;
                _freeCount++;
                Pages.Freed(f);
                if (_codePages[f] != 0) NotifyCodeWrite((ulong)f);
            }
            if (first + count > _highHint) _highHint = first + count;
            _exhaustedOrders = 0;
        }

        /// <summary>
        /// The kernel's own free of a block it allocated (a task's stack or task_struct, a vmalloc'd page): each frame of
        /// it still allocated goes back. A frame guest code already passed to free_pages is skipped, as __free_pages skips
        /// a page whose refcount that free already took to 0 (no CONFIG_DEBUG_VM check on the profiles' kernels).
        /// </summary>
        public void ReleasePages(ulong pa, int order)
        {
            for (ulong frame = pa, end = pa + ((ulong)PageSize << order); frame < end; frame += PageSize)
                if (IsAllocated(frame)) FreePage(frame);
        }

        /// <summary>
        /// memblock_free_all at the end of boot: every frame taken so far (page tables, kernel text, per-CPU data) was the
        /// boot allocator's and stays PageReserved; the page allocator hands out only the rest.
        /// </summary>
        public void ReserveBootFrames()
        {
            for (int f = 0; f < PageCount; f++)
                if ((_used[f >> 6] & (1UL << (f & 63))) != 0) Pages.Reserve(f);
        }

        public bool IsAllocated(ulong pa)
        {
            if (pa >= Size) return false;
            int f = (int)(pa >> PageShift);
            return (_used[f >> 6] & (1UL << (f & 63))) != 0;
        }

        // ---------------- code-page tracking (self-modifying code) ----------------

        internal void AddListener(ICodePageListener l) => _listeners.Add(l);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal bool IsCodePage(ulong pfn) => _codePages[pfn] != 0;

        /// <summary>Called by a decode cache when it first caches instructions from a frame.</summary>
        internal void MarkCodePage(ulong pfn)
        {
            if (_codePages[pfn] != 0) return;
            _codePages[pfn] = 1;
            for (int i = 0; i < _listeners.Count; i++) _listeners[i].CodePageMarked(pfn);
        }

        /// <summary>A frame holding decoded code is about to be written: drop every decoded copy.</summary>
        internal void NotifyCodeWrite(ulong pfn)
        {
            if (_codePages[pfn] == 0) return;
            _codePages[pfn] = 0;
            for (int i = 0; i < _listeners.Count; i++) _listeners[i].CodePageWritten(pfn);
        }

        private void BeforeWrite(ulong pa, ulong len)
        {
            if (len == 0) return;
            ulong last = (pa + len - 1) >> PageShift;
            for (ulong p = pa >> PageShift; p <= last; p++)
                if (_codePages[p] != 0) NotifyCodeWrite(p);
        }

        // ---------------- checked accessors ----------------

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Check(ulong pa, ulong len)
        {
            if (pa > Size || len > Size - pa) ThrowRange(pa);
        }

        private static void ThrowRange(ulong pa) =>
            throw new ArgumentOutOfRangeException(nameof(pa), $"physical address 0x{pa:x} out of range");

        public byte ReadU8(ulong pa) { Check(pa, 1); return _base[pa]; }
        public ushort ReadU16(ulong pa) { Check(pa, 2); return Unsafe.ReadUnaligned<ushort>(_base + pa); }
        public uint ReadU32(ulong pa) { Check(pa, 4); return Unsafe.ReadUnaligned<uint>(_base + pa); }
        public ulong ReadU64(ulong pa) { Check(pa, 8); return Unsafe.ReadUnaligned<ulong>(_base + pa); }

        public void WriteU8(ulong pa, byte v) { Check(pa, 1); BeforeWrite(pa, 1); _base[pa] = v; }
        public void WriteU16(ulong pa, ushort v) { Check(pa, 2); BeforeWrite(pa, 2); Unsafe.WriteUnaligned(_base + pa, v); }
        public void WriteU32(ulong pa, uint v) { Check(pa, 4); BeforeWrite(pa, 4); Unsafe.WriteUnaligned(_base + pa, v); }
        public void WriteU64(ulong pa, ulong v) { Check(pa, 8); BeforeWrite(pa, 8); Unsafe.WriteUnaligned(_base + pa, v); }

        public void Read(ulong pa, Span<byte> dst)
        {
            Check(pa, (ulong)dst.Length);
            new ReadOnlySpan<byte>(_base + pa, dst.Length).CopyTo(dst);
        }

        public void Write(ulong pa, ReadOnlySpan<byte> src)
        {
            Check(pa, (ulong)src.Length);
            BeforeWrite(pa, (ulong)src.Length);
            src.CopyTo(new Span<byte>(_base + pa, src.Length));
        }

        public void Fill(ulong pa, ulong len, byte value)
        {
            Check(pa, len);
            BeforeWrite(pa, len);
            NativeMemory.Fill(_base + pa, (nuint)len, value);
        }

        /// <summary>A span over one whole frame (for bulk copies by the kernel).</summary>
        public Span<byte> PageSpan(ulong pa)
        {
            pa &= ~PageMask;
            Check(pa, PageSize);
            BeforeWrite(pa, PageSize);
            return new Span<byte>(_base + pa, PageSize);
        }

        // Unchecked (used by the page-table walker on addresses it has range-checked).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal ulong RawReadU64(ulong pa) => Unsafe.ReadUnaligned<ulong>(_base + pa);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal void RawWriteU64(ulong pa, ulong v) => Unsafe.WriteUnaligned(_base + pa, v);

        public void Dispose()
        {
            if (_base != null)
            {
                HostPages.Release(_base, Size);
                _base = null;
            }
            GC.SuppressFinalize(this);
        }

        ~PhysicalMemory()
        {
            if (_base != null) HostPages.Release(_base, Size);
        }
    }

    /// <summary>Told when a frame becomes / stops being a code frame (decode caches, TLBs).</summary>
    internal interface ICodePageListener
    {
        void CodePageMarked(ulong pfn);
        void CodePageWritten(ulong pfn);
    }
}
