#!/usr/bin/env python3
"""Where GCC 12 puts a module's .exit.text relative to .text.unlikely (TextSectionOrderTests' expected values).

Writes 20 small modules into DIR (an exit that is empty, stores, calls printk or calls a module function; a leaf
function that calls nothing, none, defined before or after the exit, called with a constant or not, so ipa-cp clones
it or not), builds them against the 6.1.0-56 and 5.10.0-46 headers and prints, per kernel and module, the order of
.text.unlikely and .exit.text in the .ko (readelf -S). Run as root on the machine the oracle harness set up
(shared/reference/real-kernel/oracle/build.sh all):

    tools/gcc-frames/exit_order.py /tmp/exit-order
"""
import itertools, os, re, subprocess, sys

HEADERS = {
    "linux-6.1": ["make", "-C", "/usr/src/linux-headers-6.1.0-56-amd64"],
    "linux-5.10": ["make", "-C", "/tmp/oracle/k510/usr/src/linux-headers-5.10.0-46-amd64", "CC=gcc"],
}
EXITS = {"e0": "", "e1": "WRITE_ONCE(y, 7);", "e2": 'printk(KERN_INFO "bye\\n");', "e3": "leaf2(z);"}
LEAF = "static noinline void leaf(int a) { int i; for (i = 0; i < a; i++) WRITE_ONCE(y, i); }"
LEAF2 = "static noinline void leaf2(int a) { int i; for (i = 0; i < a; i++) WRITE_ONCE(y, i + 1); }"
REC = ('static noinline int rec(int n) { char buf[300]; volatile char *vp = buf; int i; for (i = 0; i < 300; i++) '
       'vp[i] = (char)n; printk(KERN_INFO "r %d\\n", n); if (n > 0) return rec(n - 1) + vp[1]; return vp[3]; }')


def module(exit, leaf, cloned):
    name = f"o_{exit}_{leaf}{'_c' if cloned else ''}"
    lines = ["#include <linux/module.h>", "#include <linux/kernel.h>", "#include <linux/init.h>", "static int y, z;"]
    if leaf == "after":
        lines.append("static void leaf(int a);")
    lines.append(REC)
    if exit == "e3":
        lines.append(LEAF2)
    if leaf == "before":
        lines.append(LEAF)
    call = f"leaf({'3' if cloned else 'z'}); " if leaf != "none" else ""
    lines.append(f'static int __init {name}_init(void) {{ {call}printk(KERN_INFO "%d\\n", rec(3)); return 0; }}')
    lines.append(f"static void __exit {name}_exit(void) {{ {EXITS[exit]} }}")
    if leaf == "after":
        lines.append(LEAF)
    lines += [f"module_init({name}_init);", f"module_exit({name}_exit);", 'MODULE_LICENSE("GPL");']
    return name, "\n".join(lines) + "\n"


def main(folder):
    os.makedirs(folder, exist_ok=True)
    names = []
    for exit, (leaf, cloned) in itertools.product(EXITS, [("none", 0), ("before", 0), ("before", 1), ("after", 0), ("after", 1)]):
        name, text = module(exit, leaf, cloned)
        with open(os.path.join(folder, name + ".c"), "w") as f:
            f.write(text)
        names.append(name)
    with open(os.path.join(folder, "Kbuild"), "w") as f:
        f.write("obj-m := " + " ".join(n + ".o" for n in names) + "\n")
    for profile, make in HEADERS.items():
        subprocess.run(make + [f"M={folder}", "modules"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for name in names:
            sections = subprocess.run(["readelf", "-SW", os.path.join(folder, name + ".ko")], check=True,
                                      capture_output=True, text=True).stdout
            order = re.findall(r"\] (\.text\.unlikely|\.exit\.text) ", sections)
            print(profile, name, " ".join(order))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/exit-order")
