using KDsl.Runtime.Kernel.Fs;

namespace KDsl.Runtime.Kernel.Mm
{
    /// <summary>vm_flags bits (include/linux/mm.h).</summary>
    public static class VmFlags
    {
        public const ulong Read = 0x1, Write = 0x2, Exec = 0x4, Shared = 0x8, GrowsDown = 0x100;

        /// <summary>PROT_* → VM_READ/WRITE/EXEC (the same low bits).</summary>
        public static ulong FromProt(int prot) => (ulong)(prot & 7);
    }

    /// <summary>struct vm_area_struct: [Start, End), flags, the mapped file and its page offset.</summary>
    public sealed class VmAreaStruct
    {
        public VmAreaStruct(ulong start, ulong end, ulong flags, Inode? file, long pgoff, string? name = null)
        {
            Start = start;
            End = end;
            Flags = flags;
            File = file;
            Pgoff = pgoff;
            Name = name;
        }

        public ulong Start { get; set; }
        public ulong End { get; set; }
        public ulong Flags { get; set; }
        /// <summary>vm_file's inode, or null for an anonymous mapping.</summary>
        public Inode? File { get; }
        /// <summary>vm_pgoff: the file page mapped at <see cref="Start"/>.</summary>
        public long Pgoff { get; set; }
        /// <summary>The executable's name for its own text (print_vma_addr's basename), else null.</summary>
        public string? Name { get; }

        public bool IsShared => (Flags & VmFlags.Shared) != 0;
        public bool Contains(ulong address) => address >= Start && address < End;
        public VmAreaStruct Clone() => new VmAreaStruct(Start, End, Flags, File, Pgoff, Name);
    }
}
