using System.Collections.Generic;

namespace KDsl.Runtime
{
    /// <summary>How one `process NAME { }` ended: exit status, the signal that killed it, its mmap results, fault counts.</summary>
    public sealed class ProcessResult
    {
        public ProcessResult(string name, int pid) 
        {
            Name = name;
            Pid = pid;
        }

        public string Name { get; }
        public int Pid { get; }
        /// <summary>The wait status a shell shows as $?: exit(N)'s N, or 128 + signo when a signal killed the process.</summary>
        public int ExitStatus { get; internal set; }
        /// <summary>The signal that killed the process (7 SIGBUS, 11 SIGSEGV, ...), or 0.</summary>
        public int Signal { get; internal set; }
        public string SignalName => Signals.Name(Signal);
        /// <summary>siginfo's si_code (BUS_ADRERR 2, SEGV_MAPERR 1, SEGV_ACCERR 2, ...).</summary>
        public int SiCode { get; internal set; }
        public string SiCodeName => Signals.CodeName(Signal, SiCode);
        /// <summary>siginfo's si_addr: the faulting byte's address.</summary>
        public ulong SiAddr { get; internal set; }
        /// <summary>
        /// The start of the VMA holding <see cref="SiAddr"/> when the signal killed the process (null: none holds it), so
        /// si_addr can be compared with a real run's as an offset into its mapping, wherever the mapping was placed.
        /// </summary>
        public ulong? SiAddrVmaStart { get; internal set; }
        /// <summary>What the shell prints for the killing signal ("Bus error", "Segmentation fault"), or "".</summary>
        public string ShellMessage => Signals.Description(Signal);
        /// <summary>Every successful mmap's return value, in call order (`at mmap` in an expect block is the first).</summary>
        public List<ulong> MmapResults { get; } = new List<ulong>();
        public long MinorFaults { get; internal set; }
        public long MajorFaults { get; internal set; }
        /// <summary>
        /// The deepest the process's kernel stack got in a driver's handler (bytes from the stack's top, its lowest RSP
        /// there, the system call path's frames included; CONFIG_DEBUG_STACK_USAGE's question for a task), 0 when no handler
        /// returned.
        /// </summary>
        public long KernelStackDepth { get; internal set; }
        /// <summary>What the process wrote to fds 1 and 2, as bytes.</summary>
        public byte[] OutputBytes { get; internal set; } = System.Array.Empty<byte>();
        /// <summary><see cref="OutputBytes"/> as UTF-8 text.</summary>
        public string Output => System.Text.Encoding.UTF8.GetString(OutputBytes);
        /// <summary>
        /// Each system call as strace would show it: "mmap(0, 4096, 3, 1, 3, 0) = 0x7ffff7ffe000"; the first
        /// <see cref="MaxTracedSyscalls"/>, then one line saying how the trace ends (a getpid loop stays a bounded trace).
        /// </summary>
        public List<string> Syscalls { get; } = new List<string>();

        /// <summary>How many system calls <see cref="Syscalls"/> keeps.</summary>
        public const int MaxTracedSyscalls = 10_000;

        /// <summary>How many bytes of fd 1 and 2 <see cref="OutputBytes"/> keeps (the writes themselves all succeed).</summary>
        public const int MaxCapturedOutput = 1 << 20;

        /// <summary>The process wrote more to fds 1 and 2 than <see cref="MaxCapturedOutput"/>: the rest was not kept.</summary>
        public bool OutputTruncated { get; internal set; }

        /// <summary>False once <see cref="Syscalls"/> is full: the caller need not format the call.</summary>
        internal bool TraceHasRoom => Syscalls.Count < MaxTracedSyscalls;

        /// <summary>Adds a system call to <see cref="Syscalls"/> while the trace has room.</summary>
        internal void Trace(string call)
        {
            if (TraceHasRoom) Syscalls.Add(call);
            else if (Syscalls.Count == MaxTracedSyscalls) Syscalls.Add($"... (only the first {MaxTracedSyscalls} system calls are traced)");
        }
        /// <summary>
        /// Signals delivered to a handler (sigaction), in order: signo, si_code, si_addr; the first
        /// <see cref="MaxTracedSignals"/> of them (a handler that returns to a fault that repeats is delivered again and
        /// again until the budget stops it). <see cref="SignalsHandled"/> counts them all.
        /// </summary>
        public List<(int Signo, int Code, ulong Addr)> Handled { get; } = new List<(int Signo, int Code, ulong Addr)>();

        public const int MaxTracedSignals = 10_000;

        /// <summary>How many signals were delivered to a handler, <see cref="Handled"/>'s and those past its end.</summary>
        public long SignalsHandled { get; private set; }

        internal void Delivered(int signo, int code, ulong address)
        {
            if (Handled.Count < MaxTracedSignals) Handled.Add((signo, code, address));
            SignalsHandled++;
        }
        /// <summary>True when the OOM killer chose this process and killed it with SIGKILL.</summary>
        public bool OomKilled { get; internal set; }
        /// <summary>True when the run's instruction budget stopped the process (it is reported killed by SIGKILL).</summary>
        public bool StoppedByBudget { get; internal set; }
        /// <summary>
        /// False when the machine stopped (a panic, a hang, a triple fault) while the process was still running: it never
        /// exited, and its exit status and signal mean nothing.
        /// </summary>
        public bool Ended { get; internal set; } = true;
        /// <summary>
        /// True when an oops in the kernel ended the process (oops_end's make_task_dead → do_exit(signr)): it died with the
        /// signal's number as its status, but no signal was delivered, so no core dump and no siginfo.
        /// </summary>
        public bool KilledByOops { get; internal set; }

        /// <summary>
        /// True when an oops inside its do_exit ended the process (make_task_dead's recursive fault: "Fixing recursive fault
        /// but reboot is needed!"): it is dead but never reported to its parent, so it has not <see cref="Ended"/>.
        /// </summary>
        public bool DiedInExit { get; internal set; }

        public override string ToString() => DiedInExit
            ? $"{Name}[{Pid}]: never ended (an oops in its do_exit: the recursive fault leaves it dead and unreported)"
            : !Ended
            ? $"{Name}[{Pid}]: never ended (the machine stopped while it ran)"
            : StoppedByBudget
            ? $"{Name}[{Pid}]: stopped by the run's instruction budget (reported as SIGKILL, exit status {ExitStatus})"
            : OomKilled
            ? $"{Name}[{Pid}]: killed by the OOM killer (SIGKILL), exit status {ExitStatus}"
            : Signal != 0
            ? $"{Name}[{Pid}]: killed by {SignalName} ({SiCodeName}) at 0x{SiAddr:x}, exit status {ExitStatus}"
            : $"{Name}[{Pid}]: exit status {ExitStatus}";
    }

    /// <summary>Signal numbers, si_codes and the shell's words (x86-64 Linux, glibc's strsignal).</summary>
    public static class Signals
    {
        public const int SIGILL = 4, SIGTRAP = 5, SIGFPE = 8, SIGKILL = 9, SIGBUS = 7, SIGSEGV = 11;
        public const int SEGV_MAPERR = 1, SEGV_ACCERR = 2, BUS_ADRALN = 1, BUS_ADRERR = 2, BUS_OBJERR = 3, ILL_ILLOPN = 2, FPE_INTDIV = 1;
        public const int SI_KERNEL = 0x80;

        public static string Name(int signo) => signo switch
        {
            SIGILL => "SIGILL",
            SIGTRAP => "SIGTRAP",
            SIGBUS => "SIGBUS",
            SIGFPE => "SIGFPE",
            SIGKILL => "SIGKILL",
            SIGSEGV => "SIGSEGV",
            0 => "",
            _ => "SIG" + signo,
        };

        public static string CodeName(int signo, int code)
        {
            if (code == SI_KERNEL) return "SI_KERNEL";
            return (signo, code) switch
            {
                (SIGBUS, BUS_ADRALN) => "BUS_ADRALN",
                (SIGBUS, BUS_ADRERR) => "BUS_ADRERR",
                (SIGBUS, BUS_OBJERR) => "BUS_OBJERR",
                (SIGSEGV, SEGV_MAPERR) => "SEGV_MAPERR",
                (SIGSEGV, SEGV_ACCERR) => "SEGV_ACCERR",
                (SIGILL, ILL_ILLOPN) => "ILL_ILLOPN",
                (SIGFPE, FPE_INTDIV) => "FPE_INTDIV",
                _ => code == 0 ? "" : code.ToString(),
            };
        }

        public static string Description(int signo) => signo switch
        {
            SIGILL => "Illegal instruction",
            SIGTRAP => "Trace/breakpoint trap",
            SIGBUS => "Bus error",
            SIGFPE => "Floating point exception",
            SIGKILL => "Killed",
            SIGSEGV => "Segmentation fault",
            0 => "",
            _ => "Signal " + signo,
        };
    }
}
