using System;
using Iced.Intel;
using KDsl.Runtime.Memory;
using IcedDecoder = Iced.Intel.Decoder;

namespace KDsl.Runtime.Cpu.Decoding
{
    /// <summary>Decoded instructions of one physical 4 KiB frame, indexed by byte offset.</summary>
    internal sealed class DecodedPage
    {
        /// <summary>index + 1 into <see cref="Insns"/> for each start offset; 0 = not decoded yet.</summary>
        public readonly ushort[] Slot = new ushort[PhysicalMemory.PageSize];
        public DecodedInstruction[] Insns = new DecodedInstruction[32];
        public int Count;
        public readonly ulong Pfn;

        public DecodedPage(ulong pfn)
        {
            Pfn = pfn;
        }
    }

    /// <summary>
    /// Per-CPU cache of decoded instructions keyed by physical frame. A frame is registered as a code
    /// frame with <see cref="PhysicalMemory"/>, which then keeps write-TLB entries for it out of every MMU,
    /// so any store to it takes the slow path and lands in <see cref="ICodePageListener.CodePageWritten"/>.
    /// </summary>
    internal sealed unsafe class DecodeCache : ICodePageListener
    {
        private readonly PhysicalMemory _mem;
        // Two levels (512 frames = 2 MiB per chunk, allocated on first use), so a large sparse RAM costs nothing here.
        private const int ChunkShift = 9;
        private const int ChunkMask = (1 << ChunkShift) - 1;
        private readonly DecodedPage?[]?[] _pages;
        private readonly PointerCodeReader _reader = new PointerCodeReader();
        private readonly IcedDecoder _decoder;
        private Instruction _scratch;

        // Told whenever decoded pages are dropped (a frame written, or everything flushed): the CPU then drops its
        // fetched page, so a page it holds is always current and needs no validity flag of its own.
        private readonly Action _pageInvalidated;

        public DecodeCache(PhysicalMemory mem, Action pageInvalidated)
        {
            _mem = mem;
            _pageInvalidated = pageInvalidated;
            _pages = new DecodedPage?[]?[(mem.PageCount + ChunkMask) >> ChunkShift];
            _decoder = IcedDecoder.Create(64, _reader, 0, DecoderOptions.None);
            mem.AddListener(this);
        }

        public long Decoded;
        public long Invalidations;

        public DecodedPage GetPage(ulong pfn)
        {
            DecodedPage?[] chunk = _pages[pfn >> ChunkShift] ??= new DecodedPage?[1 << ChunkShift];
            DecodedPage? p = chunk[pfn & ChunkMask];
            if (p == null)
            {
                p = new DecodedPage(pfn);
                chunk[pfn & ChunkMask] = p;
                _mem.MarkCodePage(pfn);
            }
            return p;
        }

        /// <summary>
        /// Decodes the straight-line run that starts at the page offset (virtual address ip) and returns the first
        /// instruction's slot index + 1, or 0 when that instruction runs past the end of the frame (the caller decodes it
        /// uncached). The run is stored contiguously, each instruction marked <see cref="DecodedInstruction.FallsToNext"/>
        /// when its successor follows it, so the interpreter walks a basic block by stepping through the array. It ends
        /// after an unconditional transfer (what follows is often padding or data), at code already decoded, or at the
        /// end of the frame.
        /// </summary>
        public int DecodeAt(DecodedPage page, int offset, ulong ip)
        {
            int first = DecodeOne(page, offset, ip);
            int slot = first;
            while (slot != 0)
            {
                // Read before decoding the successor: DecodeOne may replace the array.
                Op op = page.Insns[slot - 1].Op;
                int length = page.Insns[slot - 1].Length;
                int next = offset + length;
                if (EndsRun(op) || next >= PhysicalMemory.PageSize || page.Slot[next] != 0) break;
                int s = DecodeOne(page, next, ip + (ulong)length);
                if (s == 0) break;
                page.Insns[slot - 1].FallsToNext = 1;
                offset = next;
                ip += (ulong)length;
                slot = s;
            }
            return first;
        }

        private static bool EndsRun(Op op) =>
            op == Op.JmpRel || op == Op.JmpInd || op == Op.Ret || op == Op.Iretq || op == Op.Sysret ||
            op == Op.Ud || op == Op.Int3 || op == Op.Invalid || op == Op.Unimplemented;

        private int DecodeOne(DecodedPage page, int offset, ulong ip)
        {
            byte* frame = _mem.BasePointer + (page.Pfn << PhysicalMemory.PageShift);
            _reader.Reset(frame, offset, PhysicalMemory.PageSize);
            _decoder.IP = ip;
            _decoder.Decode(out _scratch);
            if (_scratch.IsInvalid && _decoder.LastError == DecoderError.NoMoreBytes) return 0;
            if (page.Count == page.Insns.Length)
                Array.Resize(ref page.Insns, page.Insns.Length * 2);
            int idx = page.Count++;
            InstructionTranslator.Translate(in _scratch, ref page.Insns[idx]);
            if (_scratch.IsInvalid) page.Insns[idx].Length = 1;
            page.Slot[offset] = (ushort)(idx + 1);
            Decoded++;
            return idx + 1;
        }

        /// <summary>Decodes from a small buffer (instructions that straddle two frames); never cached.</summary>
        public void DecodeBuffer(byte* bytes, int length, ulong ip, ref DecodedInstruction d, out bool needMore)
        {
            _reader.Reset(bytes, 0, length);
            _decoder.IP = ip;
            _decoder.Decode(out _scratch);
            needMore = _scratch.IsInvalid && _decoder.LastError == DecoderError.NoMoreBytes;
            InstructionTranslator.Translate(in _scratch, ref d);
            if (_scratch.IsInvalid) d.Length = 1;
        }

        public void InvalidateAll()
        {
            foreach (DecodedPage?[]? chunk in _pages)
            {
                if (chunk == null) continue;
                for (int i = 0; i < chunk.Length; i++)
                {
                    chunk[i] = null;
                }
            }
            _pageInvalidated();
        }

        void ICodePageListener.CodePageMarked(ulong pfn)
        {
        }

        void ICodePageListener.CodePageWritten(ulong pfn)
        {
            DecodedPage?[]? chunk = _pages[pfn >> ChunkShift];
            DecodedPage? p = chunk?[pfn & ChunkMask];
            if (p != null)
            {
                chunk![pfn & ChunkMask] = null;
                Invalidations++;
                _pageInvalidated();
            }
        }
    }
}
