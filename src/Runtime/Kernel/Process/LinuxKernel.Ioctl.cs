using System;
using KDsl.Runtime.Kernel.Fs;
using KDsl.Runtime.Memory;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// fs/ioctl.c's do_vfs_ioctl (6.1): the commands the VFS answers itself before a file's own ioctl, for any file
    /// (a device's handler never sees them), then file_ioctl's for regular files. Checked on the real 6.1 kernel: an
    /// ioctl(fd, 2, p) on a misc device is FIGETBSZ, which writes devtmpfs's block size (4096) to *p and returns 0
    /// without calling the driver. FICLONE, FICLONERANGE, FIDEDUPERANGE, FS_IOC_RESVSP and a driver's ->fasync are not
    /// modelled (the first four reach the driver or -ENOTTY; FIOASYNC answers as for a file without ->fasync).
    /// </summary>
    public sealed partial class LinuxKernel
    {
        private const uint FIBMAP = 1, FIGETBSZ = 2, FIONREAD = 0x541B, FIONBIO = 0x5421, FIONCLEX = 0x5450, FIOCLEX = 0x5451,
            FIOASYNC = 0x5452, FIOQSIZE = 0x5460, FIFREEZE = 0xC0045877, FITHAW = 0xC0045878, FS_IOC_FIEMAP = 0xC020660B;
        private const int ONonblock = 0x800, FAsync = 0x2000;
        private const long EOPNOTSUPP = 95;

        /// <summary>
        /// The result of do_vfs_ioctl's own commands and file_ioctl's (for a tmpfs file), or null for a command that goes
        /// on to vfs_ioctl: the driver's unlocked_ioctl, or -ENOTTY for a file without one.
        /// </summary>
        private long? DoVfsIoctl(UserProcess p, OpenFile file, uint cmd, ulong arg)
        {
            bool regular = file.StructFile == 0;
            switch (cmd)
            {
                case FIOCLEX:
                case FIONCLEX:
                    return 0; // close-on-exec: KDsl's processes never exec
                case FIONBIO:
                    if (!GetUserInt(p, arg, out int nonblocking)) return -EFAULT;
                    SetFileFlags(file, nonblocking != 0 ? file.Flags | ONonblock : file.Flags & ~ONonblock);
                    return 0;
                case FIOASYNC:
                    if (!GetUserInt(p, arg, out int async)) return -EFAULT;
                    return ((async != 0 ? FAsync : 0) ^ file.Flags & FAsync) != 0 ? -ENOTTY : 0; // no ->fasync to change it
                case FIOQSIZE:
                    // inode_get_bytes: tmpfs counts whole pages
                    return regular ? (TryPutUser(p, arg, BitConverter.GetBytes(file.Inode.PageCache.Count * (long)PhysicalMemory.PageSize)) ? 0 : -EFAULT) : -ENOTTY;
                case FIFREEZE:
                    return -EOPNOTSUPP; // tmpfs and devtmpfs have no freeze_fs
                case FITHAW:
                    return -EINVAL;     // thaw_super of a superblock that is not frozen
                case FS_IOC_FIEMAP:
                    return -EOPNOTSUPP; // no ->fiemap
                case FIGETBSZ:
                    return TryPutUser(p, arg, BitConverter.GetBytes((int)PhysicalMemory.PageSize)) ? 0 : -EFAULT; // s_blocksize
                case FIONREAD when regular:
                    return TryPutUser(p, arg, BitConverter.GetBytes((int)(file.Inode.Size - file.Position))) ? 0 : -EFAULT;
                case FIBMAP when regular:
                    // ioctl_fibmap: get_user the block, then bmap finds no ->bmap in tmpfs's address_space
                    return GetUserInt(p, arg, out _) ? -EINVAL : -EFAULT;
                default:
                    return regular ? -ENOTTY : null; // vfs_ioctl: a tmpfs file has no unlocked_ioctl
            }
        }

        private bool GetUserInt(UserProcess p, ulong address, out int value)
        {
            var bytes = new byte[4];
            bool ok = CopyFromUser(p, address, bytes) == 4;
            value = BitConverter.ToInt32(bytes, 0);
            return ok;
        }

        /// <summary>f_flags, in the open file and, for a device, in its struct file.</summary>
        private void SetFileFlags(OpenFile file, int flags)
        {
            file.Flags = flags;
            if (file.StructFile != 0) Mmu.TryWrite(file.StructFile + FileFFlags, BitConverter.GetBytes(flags));
        }
    }
}
