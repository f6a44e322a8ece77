#!/bin/bash
# Records the real kernel's footprints with trace.py: boots setup.sh's kernel with QEMU's gdb stub waiting,
# attaches gdb, and writes the raw trace to OUT (JSON lines). Usage: trace.sh 6.1|5.10 OUT [panic|oops|oops-ud|oops-de|oops-gp|oops-warn|thread|calls EXPERIMENT [FUNCTION [COUNT]]]
#   panic: the module calls __stack_chk_fail instead, and the trace is panic's path from there to show_stack.
#   oops: the module writes through NULL instead, and the trace is the page fault's oops path from the exception
#         entry to show_trace_log_lvl; oops-ud, oops-de, oops-gp, oops-warn: a BUG(), a division by zero, a non-canonical load, a WARN_ON.
#   thread: the module loads as usual; the trace is the registers its kernel thread's function starts with.
#   calls EXPERIMENT [FUNCTION] [COUNT]: boots the real-kernel oracle's build instead ($ORACLE, default /tmp/oracle/harness:
#         ../shared/reference/real-kernel/oracle, the environment the real logs come from), loads its module EXPERIMENT,
#         and probes the module's first COUNT (100) calls of FUNCTION (vmalloc) at full speed: the allocator's slow
#         paths each entered. Then, for each way a call went, it boots again and records the first call that went it
#         ("call FUNCTION @K"), the calls before it at full speed as in a real run (the guest's clock is the host's, and
#         a call after minutes of stepping finds its task due to be scheduled away; with -icount the clock would stand
#         still, but the boot would go otherwise: the slabs are not left as the real runs find them).
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
if [ "$mode" = calls ]; then
  exp=$4 call=${5:-vmalloc} count=${6:-100}
  oracle=${ORACLE:-/tmp/oracle/harness}; build=$oracle/build; [ "$kernel" = 5.10 ] && build=$oracle/build-5.10
  # the slow paths a call may take, and by whom called (5.10 enters ___slab_alloc through __slab_alloc)
  slow="___slab_alloc allocate_slab get_partial_node.part.0"; [ "$kernel" = 6.1 ] && slow="$slow rmqueue_bulk" || slow="$slow __slab_alloc"
  # boot MODE [INDEX]: the oracle's command line for its deterministic runs (run.sh EXPERIMENT norand no_hash_pointers
  # randomize_kstack_offset=off nokaslr), gdb attached
  boot() {
    timeout "${KTRACE_TIMEOUT:-600}" qemu-system-x86_64 -machine pc -cpu max -m 512 -smp 1 -nographic -no-reboot \
      -kernel "$build/vmlinuz" -initrd "$build/initramfs.cpio.gz" -serial file:"$dir/trace-console-$1.log" -monitor none -display none -net none \
      -append "console=ttyS0,115200 loglevel=8 panic=0 rdinit=/init oracle_exp=$exp no_hash_pointers randomize_kstack_offset=off nokaslr" \
      -gdb tcp::$port -S &
    qemu=$!
    sleep 1
    KTRACE_GDB_PORT=$port KTRACE_OUT=$out.$1 KTRACE_KALLSYMS=$dir/kallsyms KTRACE_MODE=$1 KTRACE_CALL=$call KTRACE_CALL_COUNT=$count \
      KTRACE_CALL_INDEX=${2:-0} KTRACE_SLOW="$slow" gdb -batch -nx -x "$HERE/trace.py"
    kill $qemu 2>/dev/null || true; wait $qemu 2>/dev/null || true
  }
  boot calls-probe
  cp "$out.calls-probe" "$out"
  # each way a call went, recorded once: boots differ by a call or so in where a slab runs out (and the recording's
  # stops at each call before the recorded one make it later), so the first calls that went the way in the probe and
  # their neighbours are tried until one goes it
  python3 -c 'import json, sys
ways = {}
for line in open(sys.argv[1]):
    o = json.loads(line)
    ways.setdefault(json.dumps(o["slow"]), []).append(o["call"])
for way, calls in ways.items():
    tries = []
    for k in calls[:2]:
        tries += [t for t in (k, k + 1, k - 1, k + 2, k + 3) if t >= 0 and t not in tries]
    print(" ".join(map(str, tries[:6])) + "\t" + way)' "$out.calls-probe" > "$out.ways"
  while IFS=$'\t' read -r tries way; do
    for k in $tries; do
      boot calls "$k"
      if python3 -c 'import json, sys
went = [json.loads(line)["slow"] for line in open(sys.argv[1]) if line.startswith("{\"entry_rsp\"")]
sys.exit(went != [json.loads(sys.argv[2])])' "$out.calls" "$way"; then
        cat "$out.calls" >> "$out"
        break
      fi
      echo "call $k went another way than $way: trying the next" >&2
    done
  done < "$out.ways"
  rm -f "$out.calls" "$out.calls-probe" "$out.ways"
  exit 0
fi
"$HERE/boot.sh" "$kernel" "$boot_mode" "$dir/trace-console-$mode.log" -gdb tcp::$port -S &
qemu=$!
trap 'kill $qemu 2>/dev/null || true' EXIT
sleep 1
KTRACE_ALLOCATORS=$allocators KTRACE_GDB_PORT=$port KTRACE_OUT=$out KTRACE_KALLSYMS=$dir/kallsyms KTRACE_PRINTK=$printk KTRACE_CALLS=19 KTRACE_MODE=$mode gdb -batch -nx -x "$HERE/trace.py"
case $mode in oops*)
  # the faulting function as the report's RIP line names it: its kallsyms start and size, which the oops path copies
  # into its frames (find_kallsyms_symbol's bestval and nextval), as reduce.py tells them from the faulting address
  grep -a -m1 "RIP: 0010:" "$dir/trace-console-$mode.log" | tr -d '\r' | sed 's/.*RIP: 0010://; s/ .*//' |
    python3 -c 'import json, sys; print(json.dumps({"fault_symbol": sys.stdin.read().strip()}))' >> "$out" ;;
esac
if [ "$mode" != load ]; then kill $qemu; exit 0; fi  # what it needs is recorded (a panicked guest never powers off)
wait $qemu
grep -a "KTRACE: section" "$dir/trace-console-$mode.log" | tr -d "\r" | sed "s/^\[[ 0-9.]*\] //" > "$out.sections"
