#!/bin/bash
# Boots one of setup.sh's kernels under QEMU (TCG, one CPU, 512 MB, KASLR and the per-syscall stack offset
# off, raw pointers) with the serial console in a file. Usage: boot.sh 6.1|5.10 MODE LOG [QEMU options...]
#   MODE kallsyms: the guest prints its text symbols;  MODE load: it loads ktrace.ko;  MODE panic: with panic_path=1;
#   MODE oops: with oops_path=1.
# Ends when the guest powers off or after $KTRACE_TIMEOUT seconds (default 600).
set -uo pipefail
kernel=$1 mode=$2 log=$3; shift 3
dir=${KTRACE_WORK:-/tmp/ktrace}/$kernel
# tsc=reliable: the single-stepping stalls the guest for seconds, after which the clocksource watchdog may find the
# TSC skewed and mark it unstable, and sched_clock with it (printk's timestamps then take sched_clock_cpu's unstable
# path); a run at full speed keeps it stable, and so must the recording.
cmdline="console=ttyS0,115200 loglevel=8 panic=0 rdinit=/init nokaslr randomize_kstack_offset=off no_hash_pointers tsc=reliable ktrace_mode=$mode"
exec timeout "${KTRACE_TIMEOUT:-600}" qemu-system-x86_64 -machine pc -cpu max -m 512 -smp 1 -nographic -no-reboot \
  -kernel "$dir/vmlinuz" -initrd "$dir/initramfs.cpio.gz" -append "$cmdline" \
  -serial file:"$log" -monitor none -display none -net none "$@"
