using System.Collections.Generic;

namespace KDsl.Runtime.Kernel.Fs
{
    /// <summary>
    /// An inode of the tiny in-memory file system (ramfs/tmpfs-like: the page cache is the storage): i_size and the
    /// page cache, page index → physical frame. Pages past i_size may stay cached (a shrink keeps nothing mapped
    /// beyond EOF reachable: the fault path checks i_size first, as filemap_fault does).
    /// </summary>
    public sealed class Inode
    {
        public Inode(string path) => Path = path;

        public string Path { get; }
        public long Size { get; set; }
        /// <summary>address_space: pgoff → physical address of the cached page.</summary>
        public Dictionary<long, ulong> PageCache { get; } = new Dictionary<long, ulong>();
    }

    /// <summary>struct file: an open file description (inode, access mode, position).</summary>
    public sealed class OpenFile
    {
        public OpenFile(Inode inode, int flags)
        {
            Inode = inode;
            Flags = flags;
        }

        public Inode Inode { get; }
        public int Flags { get; set; }
        public long Position { get; set; }
        /// <summary>A character device's struct file in kernel memory (its f_op the driver's table), 0 for a tmpfs file.</summary>
        public ulong StructFile { get; set; }
        /// <summary>A device file's struct inode in kernel memory, what its open and release get (0 for others).</summary>
        public ulong StructInode { get; set; }
        public bool CanRead => (Flags & 3) != OpenFlags.WrOnly;
        public bool CanWrite => (Flags & 3) != OpenFlags.RdOnly;
    }

    /// <summary>Linux x86-64 open(2) flags (include/uapi/asm-generic/fcntl.h).</summary>
    public static class OpenFlags
    {
        public const int RdOnly = 0, WrOnly = 1, RdWr = 2, Creat = 0x40, Trunc = 0x200, Append = 0x400;
    }

    /// <summary>The file system: every path is a file in one flat namespace (a process's "/tmp/x" is just that key).</summary>
    public sealed class Tmpfs
    {
        private readonly Dictionary<string, Inode> _files = new Dictionary<string, Inode>();

        public bool TryLookup(string path, out Inode inode) => _files.TryGetValue(path, out inode!);

        /// <summary>Pages in every file's page cache (show_free_areas' file LRU: KDsl never reclaims them).</summary>
        public long CachedPages
        {
            get
            {
                long pages = 0;
                foreach (var inode in _files.Values) pages += inode.PageCache.Count;
                return pages;
            }
        }

        public Inode Create(string path)
        {
            var inode = new Inode(path);
            _files[path] = inode;
            return inode;
        }
    }
}
