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
        }

        public TaskStruct Task { get; }
        public MmStruct Mm { get; }
        public ProcessResult Result { get; }
        /// <summary>The program's text VMA (print_vma_addr names it in the segfault line).</summary>
        public VmAreaStruct Text { get; }
        /// <summary>The fd table: 0..2 are the console.</summary>
        public Dictionary<int, OpenFile> Files { get; } = new Dictionary<int, OpenFile>();
        public bool Exited { get; set; }
        /// <summary>sigaction: signo → handler address (0: SIG_DFL).</summary>
        public Dictionary<int, ulong> Handlers { get; } = new Dictionary<int, ulong>();
        /// <summary>Signals blocked while their handler runs (sa_mask includes the signal itself).</summary>
        public HashSet<int> Blocked { get; } = new HashSet<int>();
        /// <summary>The user address of the rt_sigreturn trampoline (sa_restorer, glibc's __restore_rt).</summary>
        public ulong Restorer { get; set; }
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

        /// <summary>get_unused_fd_flags: the lowest free descriptor (0-2 are the console's), or -1 at RLIMIT_NOFILE (EMFILE).</summary>
        public int AllocFd()
        {
            for (int fd = 3; fd < NoFileLimit; fd++)
                if (!Files.ContainsKey(fd)) return fd;
            return -1;
        }
    }
}
