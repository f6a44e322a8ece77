/*
 * kdsl oracle's process runner, in the real run's initramfs: runs one of the experiment's executables with its
 * stdout and stderr in a pipe, then prints what the comparison reads, in the lines KDsl's side prints too
 * (LogComparison.HarnessLog):
 *   ORACLE: process NAME output: TEXT              one per line it wrote (bytes outside printable ASCII as \xNN)
 *   ORACLE: process NAME caught: signo=S code=C    each signal a handler of its received (the first MAX_CAUGHT)
 *   ORACLE: process NAME siginfo: signo=S code=C addr=0xA vma=0xV   (V: the start of the mapping holding A, or none)
 *   ORACLE: process NAME exit status=N signal=S    wait4's status: exit(N) with S=0, or killed by S with N=128+S
 * The status comes from waitpid, not the shell's $?, so exit(135) and a SIGBUS are told apart. The fatal signal's
 * siginfo (si_code, si_addr) comes from the process's core dump (the init sets core_pattern; the runner lifts
 * RLIMIT_CORE for the child alone): its NT_SIGINFO note is the siginfo the kernel queued. Not ptrace: a traced
 * process's unhandled signal is the tracer's business, and the kernel would not print show_signal_msg's line.
 * A signal a handler catches leaves no trace in the console or the wait status: the runner reads it from the
 * signal:signal_deliver trace event (the init mounts tracefs and enables the event), which get_signal() emits for every
 * signal it delivers, with the handler's address (SIG_DFL 0 and SIG_IGN 1 are no handler) and si_code, not si_addr.
 * Usage: run-process NAME PATH
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef NT_SIGINFO
#define NT_SIGINFO 0x53494749
#endif

static char out[1 << 20];

#define TRACE "/sys/kernel/tracing/trace"
/* as LogComparison.MaxCaughtSignals: a handler that returns to a fault that repeats is delivered the signal again and again */
#define MAX_CAUGHT 8

static void print_line(const char *name, const char *s, size_t n)
{
	printf("ORACLE: process %s output: ", name);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\')
			fputs("\\\\", stdout);
		else if (c >= 0x20 && c < 0x7f)
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	putchar('\n');
}

/*
 * The NT_SIGINFO note of /tmp/core.PID (x86-64 siginfo_t: si_signo @0, si_code @8, si_addr @16), and the start of the
 * VMA holding si_addr: the core has one PT_LOAD per VMA.
 */
static void print_siginfo(const char *name, pid_t pid)
{
	char path[64];
	static char core[1 << 16];
	FILE *f;
	size_t n;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)core;

	snprintf(path, sizeof(path), "/tmp/core.%d", (int)pid);
	f = fopen(path, "rb");
	if (!f)
		return;
	n = fread(core, 1, sizeof(core), f); /* the notes come first, after the program headers */
	fclose(f);
	unlink(path);
	if (n < sizeof(*eh) || memcmp(core, ELFMAG, SELFMAG) != 0 || eh->e_type != ET_CORE)
		return;
	int signo = 0, code = 0;
	unsigned long addr = 0, vma = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(core + eh->e_phoff + (size_t)i * eh->e_phentsize);
		if ((const char *)(ph + 1) > core + n)
			break;
		if (ph->p_type != PT_NOTE)
			continue;
		for (size_t at = ph->p_offset; at + sizeof(Elf64_Nhdr) <= ph->p_offset + ph->p_filesz && at + sizeof(Elf64_Nhdr) <= n;) {
			const Elf64_Nhdr *nh = (const Elf64_Nhdr *)(core + at);
			size_t desc = at + sizeof(*nh) + ((nh->n_namesz + 3) & ~3u);
			if (nh->n_type == NT_SIGINFO && desc + 24 <= n) {
				memcpy(&signo, core + desc, 4);
				memcpy(&code, core + desc + 8, 4);
				memcpy(&addr, core + desc + 16, 8);
			}
			at = desc + ((nh->n_descsz + 3) & ~3u);
		}
	}
	if (signo == 0)
		return;
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(core + eh->e_phoff + (size_t)i * eh->e_phentsize);
		if ((const char *)(ph + 1) > core + n)
			break;
		if (ph->p_type == PT_LOAD && addr >= ph->p_vaddr && addr < ph->p_vaddr + ph->p_memsz)
			vma = ph->p_vaddr;
	}
	printf("ORACLE: process %s siginfo: signo=%d code=%d addr=0x%lx ", name, signo, code, addr);
	if (vma)
		printf("vma=0x%lx\n", vma);
	else
		printf("vma=none\n");
}

/*
 * The signal_deliver events of PID to a handler, from the trace the runner cleared before the fork. A line reads
 * "  caught-101  [000] d..1.  5.123: signal_deliver: sig=7 errno=0 code=2 sa_handler=401000 sa_flags=14000004"
 * (include/trace/events/signal.h, 5.10 and 6.1 alike): the task's comm-pid comes before the CPU column.
 */
static void print_caught(const char *name, pid_t pid)
{
	char line[512];
	int shown = 0;
	FILE *f = fopen(TRACE, "r");

	if (!f)
		return;
	while (shown < MAX_CAUGHT && fgets(line, sizeof(line), f)) {
		char *event = strstr(line, ": signal_deliver: ");
		char *cpu = strstr(line, " [");
		char *dash;
		int sig, err, code;
		unsigned long handler;

		if (line[0] == '#' || !event || !cpu || cpu > event)
			continue;
		*cpu = '\0';
		dash = strrchr(line, '-');
		if (!dash || atoi(dash + 1) != (int)pid)
			continue;
		if (sscanf(event, ": signal_deliver: sig=%d errno=%d code=%d sa_handler=%lx", &sig, &err, &code, &handler) != 4 || handler <= 1)
			continue;
		printf("ORACLE: process %s caught: signo=%d code=%d\n", name, sig, code);
		shown++;
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	int fds[2], status;
	size_t len = 0;
	ssize_t n;
	pid_t pid;
	char drain[4096];

	if (argc != 3 || pipe(fds) != 0)
		return 2;
	/* opened for writing, the trace empties: only this process's signals are in it */
	FILE *trace = fopen(TRACE, "w");
	if (trace)
		fclose(trace);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		struct rlimit core = { RLIM_INFINITY, RLIM_INFINITY };
		setrlimit(RLIMIT_CORE, &core);
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		execl(argv[2], argv[1], (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	/* keep the first MiB, as KDsl keeps its output; read the rest away so the process never blocks on the pipe */
	while ((n = len < sizeof(out) ? read(fds[0], out + len, sizeof(out) - len) : read(fds[0], drain, sizeof(drain))) > 0)
		if (len < sizeof(out))
			len += (size_t)n;
	while (waitpid(pid, &status, 0) < 0)
		;
	for (size_t start = 0; start < len;) {
		const char *nl = memchr(out + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - out) : len;
		print_line(argv[1], out + start, end - start);
		start = end + 1;
	}
	print_caught(argv[1], pid);
	if (WIFSIGNALED(status)) {
		print_siginfo(argv[1], pid);
		printf("ORACLE: process %s exit status=%d signal=%d\n", argv[1], 128 + WTERMSIG(status), WTERMSIG(status));
	} else {
		printf("ORACLE: process %s exit status=%d signal=0\n", argv[1], WEXITSTATUS(status));
	}
	return 0;
}
