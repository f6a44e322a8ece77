#!/bin/sh
# The guest's /init. ktrace_mode=kallsyms prints the kernel's text symbols and powers off;
# ktrace_mode=load loads /ktrace.ko (the tracer, attached through QEMU's gdb stub, does the rest); ktrace_mode=panic
# loads it with panic_path=1 (the module calls __stack_chk_fail: the kernel panics); ktrace_mode=oops with
# oops_path=1 (the module writes through NULL: the kernel oopses and kills insmod), oops-ud/-de/-gp/-warn with 2/3/4/5
# (BUG(), a division by zero, a non-canonical load, a WARN_ON).
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mode=$(sed -n 's/.*ktrace_mode=\([^ ]*\).*/\1/p' /proc/cmdline)
case "$mode" in
  kallsyms)
    echo "KTRACE: kallsyms begin"
    grep -E ' [tTwW] ' /proc/kallsyms
    echo "KTRACE: kallsyms end"
    ;;
  load)
    echo "KTRACE: insmod /ktrace.ko"
    insmod /ktrace.ko
    echo "KTRACE: insmod exit status=$?"
    for f in /sys/module/ktrace/sections/.* ; do echo "KTRACE: section ${f##*/} $(cat $f)"; done
    ;;
  panic)
    echo "KTRACE: insmod /ktrace.ko panic_path=1"
    insmod /ktrace.ko panic_path=1
    ;;
  oops|oops-ud|oops-de|oops-gp|oops-warn)
    n=1; case "$mode" in oops-ud) n=2;; oops-de) n=3;; oops-gp) n=4;; oops-warn) n=5;; esac
    echo "KTRACE: insmod /ktrace.ko oops_path=$n"
    insmod /ktrace.ko oops_path=$n
    echo "KTRACE: insmod exit status=$?"
    ;;
esac
echo "KTRACE: done"
poweroff -f
