#!/bin/bash
# Records the real kernel's footprints with trace.py: boots setup.sh's kernel with QEMU's gdb stub waiting,
# attaches gdb, and writes the raw trace to OUT (JSON lines). Usage: trace.sh 6.1|5.10 OUT [panic|oops|oops-ud|oops-de|oops-gp|oops-warn|thread]
#   panic: the module calls __stack_chk_fail instead, and the trace is panic's path from there to show_stack.
#   oops: the module writes through NULL instead, and the trace is the page fault's oops path from the exception
#         entry to show_trace_log_lvl; oops-ud, oops-de, oops-gp, oops-warn: a BUG(), a division by zero, a non-canonical load, a WARN_ON.
#   thread: the module loads as usual; the trace is the registers its kernel thread's function starts with.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
kernel=$1 out=$2 mode=${3:-load}
dir=${KTRACE_WORK:-/tmp/ktrace}/$kernel
printk=_printk; [ "$kernel" = 5.10 ] && printk=printk
# the allocator calls ktrace makes, in its order; a constant-size kmalloc calls another function per kernel
constant_kmalloc="kmalloc_trace kmalloc_large"; [ "$kernel" = 5.10 ] && constant_kmalloc="kmem_cache_alloc_trace kmalloc_order_trace"
allocators=${KTRACE_ALLOCATORS:-"__kmalloc kfree vmalloc __get_free_pages free_pages $constant_kmalloc"}
boot_mode=$mode; [ "$mode" = thread ] && boot_mode=load
port=${KTRACE_GDB_PORT:-1234}  # another port per kernel lets the two kernels be traced at once
"$HERE/boot.sh" "$kernel" "$boot_mode" "$dir/trace-console-$mode.log" -gdb tcp::$port -S &
qemu=$!
trap 'kill $qemu 2>/dev/null || true' EXIT
sleep 1
KTRACE_ALLOCATORS=$allocators KTRACE_GDB_PORT=$port KTRACE_OUT=$out KTRACE_KALLSYMS=$dir/kallsyms KTRACE_PRINTK=$printk KTRACE_CALLS=19 KTRACE_MODE=$mode gdb -batch -nx -x "$HERE/trace.py"
if [ "$mode" != load ]; then kill $qemu; exit 0; fi  # what it needs is recorded (a panicked guest never powers off)
wait $qemu
grep -a "KTRACE: section" "$dir/trace-console-$mode.log" | tr -d "\r" | sed "s/^\[[ 0-9.]*\] //" > "$out.sections"
