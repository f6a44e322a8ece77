#!/bin/bash
# Fetches the real kernels KDsl's profiles model and builds what trace.sh boots: for each kernel its
# vmlinuz, the ktrace module built with the kernel's own Kbuild, and an initramfs (busybox, kmod's insmod,
# init.sh, ktrace.ko). Idempotent. Usage: setup.sh [6.1|5.10|all]   Work folder: $KTRACE_WORK (/tmp/ktrace).
#   6.1 : Debian 12's linux-image-6.1.0-56-amd64 (headers installed with apt-get)
#   5.10: Debian 11's linux-image-5.10.0-46-amd64 (packages unpacked from bullseye through a private apt
#         configuration, so the bookworm system is left alone)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${KTRACE_WORK:-/tmp/ktrace}
WHICH=${1:-all}
mkdir -p "$WORK"

missing=()
for p in qemu-system-x86 busybox-static cpio build-essential kmod gdb python3 linux-headers-6.1.0-56-amd64; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

# image KVER ROOT HEADERS OUT: module, initramfs and kernel for one kernel
image() {
  local kver=$1 root=$2 headers=$3 out=$4
  mkdir -p "$out"
  cp -f "$root/boot/vmlinuz-$kver" "$out/vmlinuz"
  rm -rf "$out/module" && cp -r "$HERE/module" "$out/module"
  # CC=gcc: 5.10 was built with gcc-10, which bookworm lacks; gcc-12 builds a loadable module for both
  make -s -C "$headers" M="$out/module" CC=gcc modules
  local fs=$out/rootfs
  rm -rf "$fs" && mkdir -p "$fs"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev}
  cp /bin/busybox "$fs/bin/busybox"
  for applet in $("$fs/bin/busybox" --list); do [ -e "$fs/bin/$applet" ] || ln -s busybox "$fs/bin/$applet"; done
  cp /usr/bin/kmod "$fs/usr/bin/kmod"
  ln -sf ../bin/kmod "$fs/usr/sbin/insmod"
  for lib in $(ldd /usr/bin/kmod | awk '/=>/ {print $3} /ld-linux/ {print $1}'); do
    mkdir -p "$fs$(dirname "$lib")" && cp -L "$lib" "$fs$lib"
  done
  cp "$out/module/ktrace.ko" "$fs/ktrace.ko"
  cp "$HERE/init.sh" "$fs/init"
  (cd "$fs" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -9) > "$out/initramfs.cpio.gz"
  echo "built $out"
}

if [ "$WHICH" = 6.1 ] || [ "$WHICH" = all ]; then
  kver=6.1.0-56-amd64
  if [ ! -f "$WORK/6.1/root/boot/vmlinuz-$kver" ]; then
    mkdir -p "$WORK/6.1/debs"
    (cd "$WORK/6.1/debs" && apt-get download "linux-image-$kver")
    dpkg -x "$WORK"/6.1/debs/linux-image-"$kver"_*.deb "$WORK/6.1/root"
  fi
  image "$kver" "$WORK/6.1/root" "/usr/src/linux-headers-$kver" "$WORK/6.1"
fi

if [ "$WHICH" = 5.10 ] || [ "$WHICH" = all ]; then
  kver=5.10.0-46-amd64
  root=$WORK/5.10/root
  if [ ! -f "$root/boot/vmlinuz-$kver" ]; then
    apt_dir=$WORK/5.10/apt
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/sources" "$WORK/5.10/debs"
    sed -e 's/bookworm-security/bullseye-security/; s/bookworm-updates/bullseye-updates/; s/bookworm /bullseye /' \
      /etc/apt/sources.list.d/debian.sources > "$apt_dir/sources/bullseye.sources"
    opts=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$apt_dir/sources" -o Dir::State::Lists="$apt_dir/lists"
          -o Dir::Cache="$apt_dir/cache" -o Dir::State::status=/dev/null)
    apt-get "${opts[@]}" update
    (cd "$WORK/5.10/debs" && apt-get "${opts[@]}" download "linux-image-$kver" "linux-headers-$kver" \
       linux-headers-5.10.0-46-common linux-kbuild-5.10)
    rm -rf "$root" && mkdir -p "$root"
    for deb in "$WORK"/5.10/debs/*.deb; do dpkg -x "$deb" "$root"; done
    # the headers' Makefile includes the -common tree by its installed path; point it at the unpacked copy
    sed -i "s|include /usr/src/linux-headers-5.10.0-46-common/Makefile|include $root/usr/src/linux-headers-5.10.0-46-common/Makefile|" \
      "$root/usr/src/linux-headers-$kver/Makefile"
  fi
  image "$kver" "$root" "$root/usr/src/linux-headers-$kver" "$WORK/5.10"
fi
