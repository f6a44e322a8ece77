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
    /// this_device, groups, nodename, mode; 80 bytes), struct file (below). struct list_head is its two pointers; struct inode and module are incomplete.
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
            var fileRecord = Incomplete("file");
            var file = Ptr(TypeSymbol.RecordOf(fileRecord));
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

            // struct file (include/linux/fs.h, 6.1.0-56, CONFIG_SECURITY and CONFIG_EPOLL): 232 bytes; f_inode at 0x20, f_op at
            // 0x28, f_flags 0x40, f_mode 0x44, f_pos 0x68, private_data 0xc8, as GCC lays them (DriverHandlerTests). The
            // members a driver has no use for (the rcu union, the path, the locks, f_owner, f_ra) are bytes of their size.
            TypeSymbol Bytes(long n) => TypeSymbol.ArrayOf(TypeSymbol.Char, n);
            fileRecord.Complete(Members(
                ("f_rcuhead", Bytes(16)), ("f_path", Bytes(16)), ("f_inode", inode), ("f_op", Ptr(TypeSymbol.RecordOf(fops))),
                ("f_lock", TypeSymbol.Int), ("f_count", TypeSymbol.Long), ("f_flags", TypeSymbol.UInt), ("f_mode", TypeSymbol.UInt),
                ("f_pos_lock", Bytes(32)), ("f_pos", TypeSymbol.Long), ("f_owner", Bytes(32)), ("f_cred", opaque), ("f_ra", Bytes(32)),
                ("f_version", TypeSymbol.ULong), ("f_security", opaque), ("private_data", opaque), ("f_ep", opaque), ("f_mapping", opaque),
                ("f_wb_err", TypeSymbol.UInt), ("f_sb_err", TypeSymbol.UInt)));

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
