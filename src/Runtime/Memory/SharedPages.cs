using System;
using System.Collections.Generic;
using Microsoft.Win32.SafeHandles;

namespace KDsl.Runtime.Memory
{
    /// <summary>
    /// Whole 4 KiB pages every machine starts with the same (a profile's kernel text), built once and mapped into each
    /// machine's guest RAM instead of copied into it (<see cref="PhysicalMemory.TryAllocShared"/>). Copying them cost
    /// every machine a host page fault, a clear and a copy per page; mapped, a machine pays only for the pages it
    /// touches, and reading one costs no copy. The mapping is private (copy-on-write): the first write to a page, through
    /// any of the machine's mappings of it or the emulator's own accessors, gives that machine alone a copy, so no
    /// machine ever sees another's writes. The host pages themselves are sealed against writing. Where the host cannot
    /// share pages (not Linux, no memfd, or a mapping refused), the frames get a copy, as before.
    /// </summary>
    public sealed class SharedPages
    {
        private readonly byte[] _contents;   // the pages back to back, for hosts that cannot share
        private readonly int[] _pageNumbers;
        private readonly SafeFileHandle? _host;

        /// <param name="bytes">The image the pages come from; the last page is zero-padded.</param>
        /// <param name="pages">Which 4 KiB pages of <paramref name="bytes"/> to share (a sparse text), in order; null: all
        /// of them, and at least one.</param>
        public SharedPages(byte[] bytes, IReadOnlyList<int>? pages)
        {
            if (bytes is null) throw new ArgumentNullException(nameof(bytes));
            int pageSize = PhysicalMemory.PageSize;
            if (pages is null)
            {
                var all = new int[Math.Max(1, (bytes.Length + pageSize - 1) / pageSize)];
                for (int i = 0; i < all.Length; i++) all[i] = i;
                pages = all;
            }
            _pageNumbers = new int[pages.Count];
            _contents = new byte[pages.Count * pageSize];
            for (int i = 0; i < pages.Count; i++)
            {
                int page = pages[i];
                long from = (long)page * pageSize;
                if (page < 0 || from >= Math.Max(bytes.Length, 1)) throw new ArgumentOutOfRangeException(nameof(pages), $"page {page} is outside the image");
                _pageNumbers[i] = page;
                int chunk = (int)Math.Min(pageSize, bytes.Length - from);
                if (chunk > 0) Array.Copy(bytes, from, _contents, (long)i * pageSize, chunk);
            }
            _host = HostPages.CreateShared(_contents);
        }

        /// <summary>How many pages there are.</summary>
        public int Count => _pageNumbers.Length;

        /// <summary>Where the page at <paramref name="index"/> lies in the image it came from, in pages.</summary>
        public int PageNumber(int index) => _pageNumbers[index];

        /// <summary>True when machines share the host's pages; false when each frame gets a copy.</summary>
        public bool HostShared => _host is not null;

        /// <summary>
        /// Gives the <paramref name="count"/> frames at <paramref name="frames"/> (contiguous, page-aligned host memory of
        /// one machine's guest RAM) the contents of pages [<paramref name="first"/>, first + count): mapped
        /// copy-on-write from the shared host pages, or copied where the host cannot share.
        /// </summary>
        internal unsafe void MapInto(byte* frames, int first, int count)
        {
            int pageSize = PhysicalMemory.PageSize;
            if (_host is not null && HostPages.MapCopyOnWrite(frames, _host, (long)first * pageSize, (ulong)count * (ulong)pageSize)) return;
            _contents.AsSpan(first * pageSize, count * pageSize).CopyTo(new Span<byte>(frames, count * pageSize));
        }
    }
}
