using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace KDsl.Cli.Oracle
{
    /// <summary>
    /// A cpio archive in the "newc" format the kernel's initramfs unpacker reads (Documentation/driver-api/early-userspace/
    /// buffer-format.rst): 110-byte ASCII headers, name and data each padded to 4 bytes, a TRAILER!!! entry at the end.
    /// Archives can be concatenated, so a cached base (busybox, kmod) and a small per-run one (the .ko, /init) make one initrd.
    /// Owners are root and times zero: the same inputs give the same bytes.
    /// </summary>
    internal sealed class Cpio
    {
        private readonly MemoryStream _out = new MemoryStream();
        private readonly HashSet<string> _directories = new HashSet<string>(StringComparer.Ordinal);
        private int _inode = 1;

        public void Directory(string path)
        {
            path = path.Trim('/');
            if (path.Length == 0 || !_directories.Add(path)) return;
            int slash = path.LastIndexOf('/');
            if (slash > 0) Directory(path.Substring(0, slash));
            Entry(path, 0x4000 | 0x1ed, Array.Empty<byte>()); // S_IFDIR 0755
        }

        public void File(string path, byte[] data, bool executable)
        {
            Parent(path);
            Entry(path.Trim('/'), 0x8000 | (executable ? 0x1ed : 0x1a4), data); // S_IFREG 0755/0644
        }

        public void Symlink(string path, string target)
        {
            Parent(path);
            Entry(path.Trim('/'), 0xa000 | 0x1ff, Encoding.UTF8.GetBytes(target)); // S_IFLNK 0777
        }

        /// <summary>The archive with its trailer.</summary>
        public byte[] ToArray()
        {
            Entry("TRAILER!!!", 0, Array.Empty<byte>());
            return _out.ToArray();
        }

        private void Parent(string path)
        {
            string trimmed = path.Trim('/');
            int slash = trimmed.LastIndexOf('/');
            if (slash > 0) Directory(trimmed.Substring(0, slash));
        }

        private void Entry(string name, int mode, byte[] data)
        {
            byte[] nameBytes = Encoding.UTF8.GetBytes(name + "\0");
            var header = new StringBuilder("070701");
            foreach (long field in new long[] { _inode++, mode, 0, 0, mode >> 12 == 4 ? 2 : 1, 0, data.Length, 0, 0, 0, 0, nameBytes.Length, 0 })
                header.Append(field.ToString("X8", System.Globalization.CultureInfo.InvariantCulture));
            Write(Encoding.ASCII.GetBytes(header.ToString()));
            Write(nameBytes);
            Pad();
            Write(data);
            Pad();
        }

        private void Write(byte[] bytes) => _out.Write(bytes, 0, bytes.Length);

        private void Pad()
        {
            while (_out.Length % 4 != 0) _out.WriteByte(0);
        }
    }
}
