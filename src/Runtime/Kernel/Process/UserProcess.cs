using System.Collections.Generic;
using KDsl.Runtime.Kernel.Fs;
using KDsl.Runtime.Kernel.Mm;

namespace KDsl.Runtime.Kernel
{
    /// <summary>A user process: its task (kernel stack), mm, file table, and the result it ends with.</summary>
    public sealed class UserProcess
    {
        public UserProcess(TaskStruct task, MmStruct mm, ProcessResult result, VmAreaStruct text)
        {
            Task = task;
            Mm = mm;
            Result = result;
            Text = text;
            _openFds[0] = 0b111; // stdin, stdout, stderr
        }

        public TaskStruct Task { get; }
        public MmStruct Mm { get; }
        public ProcessResult Result { get; }
        /// <summary>The program's text VMA (print_vma_addr names it in the segfault line).</summary>
        public VmAreaStruct Text { get; }
        /// <summary>The fd table: 0..2 are the console. Descriptors are taken with <see cref="AllocFd"/> and given back with <see cref="CloseFd"/>.</summary>
        public Dictionary<int, OpenFile> Files { get; } = new Dictionary<int, OpenFile>();
        public bool Exited { get; set; }
        /// <summary>An oops in do_exit ended the process (make_task_dead's recursive fault): its parent is never told.</summary>
        public bool DiedInExit { get; set; }
        /// <summary>The kernel's GS base (its per-CPU area, the stack canary at %gs:0x28), which swapgs loads on a kernel entry.</summary>
        public ulong KernelGs { get; set; }
        /// <summary>sighand->action: signo → the action rt_sigaction installed (none: SIG_DFL).</summary>
        public Dictionary<int, KSigaction> Handlers { get; } = new Dictionary<int, KSigaction>();
        /// <summary>The blocked set, a sigset_t (bit sig - 1): a handler's signal and sa_mask while it runs.</summary>
        public ulong Blocked { get; set; }
        public List<byte> Output { get; } = new List<byte>();

        /// <summary>
        /// thread_struct's trap_nr, error_code and cr2: what the trap handlers record before force_sig (do_trap,
        /// set_signal_archinfo) and setup_sigcontext copies into the handler's sigcontext. cr2 changes only when a page
        /// fault is signalled, so another trap's signal shows the last one's address (0 before any).
        /// </summary>
        public ulong ThreadTrapNr { get; set; }
        public ulong ThreadErrorCode { get; set; }
        public ulong ThreadCr2 { get; set; }

        /// <summary>RLIMIT_NOFILE's soft limit as Debian starts a process with it (ulimit -n): fds 0 to 1023.</summary>
        public const int NoFileLimit = 1024;

        // fs/file.c's fdtable: open_fds (a bit per descriptor), full_fds_bits (a bit per word of open_fds that is full)
        // and next_fd (no descriptor below it is free), so the lowest free descriptor is found in a few word operations
        // however many are open. 0-2 are the console's.
        private const int FdWords = NoFileLimit / 64;
        private readonly ulong[] _openFds = new ulong[FdWords];
        private ulong _fullFdsBits;
        private int _nextFd = 3;

        /// <summary>alloc_fd → find_next_fd: the lowest free descriptor, taken, or -1 at RLIMIT_NOFILE (EMFILE).</summary>
        public int AllocFd()
        {
            if (_nextFd >= NoFileLimit) return -1;
            int word = _nextFd / 64;
            ulong notFull = ~_fullFdsBits & (~0UL << word) & ((1UL << FdWords) - 1);
            if (notFull == 0) return -1;
            int w = System.Numerics.BitOperations.TrailingZeroCount(notFull);
            ulong free = ~_openFds[w];
            if (w == word) free &= ~0UL << (_nextFd % 64);
            int fd = w * 64 + System.Numerics.BitOperations.TrailingZeroCount(free);
            _openFds[w] |= 1UL << (fd % 64);
            if (_openFds[w] == ~0UL) _fullFdsBits |= 1UL << w;
            _nextFd = fd + 1;
            return fd;
        }

        /// <summary>put_unused_fd / close_fd: the descriptor is free again (and the lowest candidate if below next_fd); false if it was not open.</summary>
        public bool CloseFd(int fd)
        {
            if (fd < 3 || fd >= NoFileLimit || (_openFds[fd / 64] & (1UL << (fd % 64))) == 0) return false;
            _openFds[fd / 64] &= ~(1UL << (fd % 64));
            _fullFdsBits &= ~(1UL << (fd / 64));
            if (fd < _nextFd) _nextFd = fd;
            Files.Remove(fd);
            return true;
        }
    }
}
