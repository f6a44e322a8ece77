using System.Collections.Generic;
using System.Collections.Immutable;
using KDsl.Text;

namespace KDsl.Symbols
{
    /// <summary>
    /// The kernel structs a driver fills in, predefined in every file as kernel C gets them from its headers:
    /// struct file_operations (include/linux/fs.h of Debian's 6.1.0-56 headers: 35 members with the backported splice_eof, 280 bytes, as GCC lays it; read at 16, write at 24,
    /// unlocked_ioctl at 80 and open at 112, the offsets vfs_read, vfs_write, vfs_ioctl and misc_open load on Debian's
    /// 5.10 and 6.1 kernels) and struct miscdevice (include/linux/miscdevice.h: minor, name, fops, list, parent,
    /// this_device, groups, nodename, mode; 80 bytes). struct list_head is its two pointers; struct file, inode and module are incomplete, as outside fs.h.
    /// Members a module has no use for keep their place as pointers to incomplete records.
    /// </summary>
    public static class KernelRecords
    {
        /// <summary>The records, by tag, for a new file (each file gets its own).</summary>
        public static Dictionary<string, RecordSymbol> Create()
        {
            var records = new Dictionary<string, RecordSymbol>();
            RecordSymbol Incomplete(string tag) => records[tag] = new RecordSymbol(tag, isUnion: false);
            TypeSymbol Ptr(TypeSymbol t) => TypeSymbol.PointerTo(t);
            var file = Ptr(TypeSymbol.RecordOf(Incomplete("file")));
            var inode = Ptr(TypeSymbol.RecordOf(Incomplete("inode")));
            var module = Ptr(TypeSymbol.RecordOf(Incomplete("module")));
            var opaque = Ptr(TypeSymbol.Void);
            TypeSymbol Fn(TypeSymbol ret, params TypeSymbol[] ps) => Ptr(TypeSymbol.FunctionOf(ret, ImmutableArray.Create(ps)));
            var loff = Ptr(TypeSymbol.Long);
            var chars = Ptr(TypeSymbol.Char);

            var fops = new RecordSymbol("file_operations", isUnion: false);
            records[fops.Name] = fops;
            fops.Complete(Members(
                ("owner", module),
                ("llseek", Fn(TypeSymbol.Long, file, TypeSymbol.Long, TypeSymbol.Int)),
                ("read", Fn(TypeSymbol.Long, file, chars, TypeSymbol.ULong, loff)),
                ("write", Fn(TypeSymbol.Long, file, chars, TypeSymbol.ULong, loff)),
                ("read_iter", opaque), ("write_iter", opaque), ("iopoll", opaque), ("iterate", opaque), ("iterate_shared", opaque),
                ("poll", opaque),
                ("unlocked_ioctl", Fn(TypeSymbol.Long, file, TypeSymbol.UInt, TypeSymbol.ULong)),
                ("compat_ioctl", Fn(TypeSymbol.Long, file, TypeSymbol.UInt, TypeSymbol.ULong)),
                ("mmap", opaque), ("mmap_supported_flags", TypeSymbol.ULong),
                ("open", Fn(TypeSymbol.Int, inode, file)),
                ("flush", opaque),
                ("release", Fn(TypeSymbol.Int, inode, file)),
                ("fsync", opaque), ("fasync", opaque), ("lock", opaque), ("sendpage", opaque), ("get_unmapped_area", opaque),
                ("check_flags", opaque), ("flock", opaque), ("splice_write", opaque), ("splice_read", opaque), ("splice_eof", opaque), ("setlease", opaque),
                ("fallocate", opaque), ("show_fdinfo", opaque), ("copy_file_range", opaque), ("remap_file_range", opaque),
                ("fadvise", opaque), ("uring_cmd", opaque), ("uring_cmd_iopoll", opaque)));

            var list = new RecordSymbol("list_head", isUnion: false);
            records[list.Name] = list;
            list.Complete(Members(("next", Ptr(TypeSymbol.RecordOf(list))), ("prev", Ptr(TypeSymbol.RecordOf(list)))));

            var misc = new RecordSymbol("miscdevice", isUnion: false);
            records[misc.Name] = misc;
            misc.Complete(Members(
                ("minor", TypeSymbol.Int), ("name", chars), ("fops", Ptr(TypeSymbol.RecordOf(fops))),
                ("list", TypeSymbol.RecordOf(list)),
                ("parent", opaque), ("this_device", opaque), ("groups", opaque), ("nodename", chars), ("mode", TypeSymbol.UShort)));
            return records;
        }

        /// <summary>MISC_DYNAMIC_MINOR (include/linux/miscdevice.h): misc_register picks the minor.</summary>
        public const long MiscDynamicMinor = 255;

        private static IEnumerable<(string, TypeSymbol, TextSpan)> Members(params (string Name, TypeSymbol Type)[] members)
        {
            foreach (var (name, type) in members) yield return (name, type, default);
        }
    }
}
