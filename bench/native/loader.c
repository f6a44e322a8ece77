/* Runs a flat blob from `kdsl build --emit-bin` natively and times it (bench/README.md).
 * usage: loader BLOB ARG SCRATCH_SIZE [RUNS]
 * Calls uint64_t entry(uint64_t arg, uint8_t *scratch, uint64_t size) at offset 0 once to warm up, then RUNS
 * times, and prints "<best CPU seconds per call> <result>". GS points at a zeroed page, so a blob that checks
 * the stack-protector canary at gs:0x28 finds a stable value. */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

typedef uint64_t (*entry_t)(uint64_t, uint8_t *, uint64_t);

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s BLOB ARG SCRATCH_SIZE [RUNS]\n", argv[0]);
        return 2;
    }
    uint64_t arg = strtoull(argv[2], NULL, 0);
    uint64_t size = strtoull(argv[3], NULL, 0);
    int runs = argc > 4 ? atoi(argv[4]) : 5;

    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 1; }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    size_t map = ((size_t)len + 4095) & ~(size_t)4095;
    uint8_t *code = mmap(NULL, map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED || fread(code, 1, (size_t)len, f) != (size_t)len) { perror("blob"); return 1; }
    fclose(f);
    if (mprotect(code, map, PROT_READ | PROT_EXEC) != 0) { perror("mprotect"); return 1; }

    uint8_t *scratch = mmap(NULL, size ? size : 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint8_t *gs = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (scratch == MAP_FAILED || gs == MAP_FAILED) { perror("mmap"); return 1; }
    memset(scratch, 0, size ? size : 4096);
    if (syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)gs) != 0) { perror("arch_prctl"); return 1; }

    entry_t entry = (entry_t)(void *)code;
    uint64_t result = entry(arg, scratch, size);
    double best = 1e30;
    for (int i = 0; i < runs; i++) {
        double t0 = cpu_seconds();
        result = entry(arg, scratch, size);
        double t = cpu_seconds() - t0;
        if (t < best) best = t;
    }
    printf("%.9f %lld\n", best, (long long)result);
    return 0;
}
