#!/usr/bin/env python3
"""Writes what GNU objdump prints for the machine code `kdsl disasm` lists, as DisasmTests' reference.

For each example and syntax: the bytes kdsl disasm shows are laid out at their offsets (0xcc between functions) in a
raw file, `objdump -D -b binary -m i386:x86-64 [-M intel]` disassembles it, and objdump's lines for the addresses kdsl
lists (instruction lines and their continuation lines) are written to NAME.SYNTAX.txt with objdump's version on the
first line. Only the bytes come from kdsl; every character of the listing is objdump's.

Run from the repository root after a code generation change: python3 tests/KDsl.Cli.Tests/Objdump/regenerate.py
"""
import os, re, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = [("step5", "att"), ("step5", "intel"), ("bug-on", "intel"), ("stack-protector", "att")]
LINE = re.compile(r"^ *([0-9a-f]+):\t")


def kdsl_lines(example, syntax):
    args = ["./kdsl", "disasm", f"examples/{example}.kdsl"] + (["--intel"] if syntax == "intel" else [])
    return [l for l in subprocess.run(args, capture_output=True, text=True, check=True).stdout.splitlines() if LINE.match(l)]


def objdump_lines(example, syntax):
    ours = kdsl_lines(example, syntax)
    memory = {}
    for l in ours:
        address = int(LINE.match(l).group(1), 16)
        for i, b in enumerate(l.split("\t")[1].split()):
            memory[address + i] = int(b, 16)
    raw = bytearray([0xCC] * (max(memory) + 1))
    for a, b in memory.items():
        raw[a] = b
    with tempfile.NamedTemporaryFile(suffix=".bin", delete=False) as f:
        f.write(raw)
    try:
        args = ["objdump", "-D", "-b", "binary", "-m", "i386:x86-64"] + (["-M", "intel"] if syntax == "intel" else []) + [f.name]
        listing = subprocess.run(args, capture_output=True, text=True, check=True).stdout.splitlines()
    finally:
        os.unlink(f.name)
    wanted = {int(LINE.match(l).group(1), 16) for l in ours}
    return [l.rstrip() for l in listing if LINE.match(l) and int(LINE.match(l).group(1), 16) in wanted]


version = subprocess.run(["objdump", "--version"], capture_output=True, text=True, check=True).stdout.splitlines()[0]
for example, syntax in CASES:
    with open(os.path.join(HERE, f"{example}.{syntax}.txt"), "w") as out:
        out.write(f"# {version}: objdump -D -b binary -m i386:x86-64{' -M intel' if syntax == 'intel' else ''} on {example}.kdsl's code\n")
        out.write("\n".join(objdump_lines(example, syntax)) + "\n")
