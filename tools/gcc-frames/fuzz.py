"""Differential frames: random experiments written twice, as a C module and as its .kdsl twin, built by GCC with the
Debian 6.1 headers and by KDsl; prints each function whose prologue frame (pushes + sub rsp) differs. A frame that
differs moves every deeper line of a stack experiment, so this finds where KDsl's code generator is not GCC's on
programs nobody tuned it on.

usage: [KDSL_FUZZ_LOOPS=1] python3 tools/gcc-frames/fuzz.py COUNT SEED [WORKDIR]   (needs gcc, linux-headers-6.1.0-56-amd64,
a built src/Cli; KDSL_FUZZ_LOOPS=1 adds small counted loops, which GCC may unroll completely)
"""
import os, random, re, subprocess, sys

sys.path.insert(0, os.path.dirname(__file__))
from frames import frames  # noqa: E402

HEADERS = '/usr/src/linux-headers-6.1.0-56-amd64'
LOOPS = os.environ.get('KDSL_FUZZ_LOOPS') == '1'  # also small counted loops (complete unrolling)
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
KDSL = os.environ.get('KDSL_DLL', os.path.join(REPO, 'src/Cli/bin/Debug/net10.0/kdsl.dll'))


class Program:
    """One experiment: functions f0..fN-1, each calling lower ones and possibly itself (guarded by n > 0)."""

    def __init__(self, rng, name):
        self.rng, self.name = rng, name
        self.functions = []  # (return type, name, params, body lines)

    def expr(self, names, depth=0):
        r = self.rng
        if depth > 1 or r.random() < 0.4:
            return r.choice(names) if names and r.random() < 0.75 else str(r.randint(1, 40))
        op = r.choice(['+', '-', '*', '&', '^', '|', '+', '-'])
        return f'({self.expr(names, depth + 1)} {op} {self.expr(names, depth + 1)})'

    def function(self, index):
        r = self.rng
        name = f'f{index}'
        ret = r.choice(['void', 'int', 'long'])
        params = [('int', 'n')] + [(r.choice(['int', 'long']), f'a{k}') for k in range(r.randint(0, 3))]
        names = [p for _, p in params]
        body, arrays, after = [], [], []
        self.current = body
        used = []  # locals a realistic experiment shows: each is printed or returned, none is dead
        for _ in range(r.randint(1, 3)):
            if LOOPS and r.random() < 0.3:
                self.counted_loop(names, used)
                continue
            kind = r.random()
            if kind < 0.35:
                size = r.choice([8, 16, 24, 40, 64, 100, 128, 256, 300, 512, 700])
                arr = f'b{len(arrays)}'
                elem = r.choice(['char', 'char', 'int', 'long'])
                arrays.append(arr)
                body.append(f'{elem} {arr}[{size}];')
                body.append(f'volatile {elem} *p{arr} = {arr};')
                if r.random() < 0.7:
                    body.append(f'for (int i = 0; i < {size}; i++)')
                    body.append(f'    p{arr}[i] = ({elem}){self.expr(names)};')
                else:
                    body.append(f'p{arr}[{r.randint(0, size - 1)}] = ({elem}){self.expr(names)};')
                after.append(f'p{arr}[{r.randint(0, size - 1)}] = 0;')
            elif kind < 0.6:
                local = f'x{len(names)}'
                body.append(f'{r.choice(["int", "long"])} {local} = {self.expr(names)};')
                names.append(local)
                used.append(local)
            elif kind < 0.8:
                args = [self.expr(names) for _ in range(r.randint(1, 4))]
                fmt = ' '.join(['%d'] * len(args))
                body.append(f'printk("\\0016{self.name} {name} {fmt}\\n", {", ".join(f"(int){a}" for a in args)});')
            else:
                callees = [f for f in self.functions]
                if callees:
                    cret, cname, cparams, _ = r.choice(callees)
                    call = f'{cname}({", ".join(self.expr(names) for _ in cparams)})'
                    if cret != 'void':
                        local = f'x{len(names)}'
                        body.append(f'{cret} {local} = {call};')
                        names.append(local)
                        used.append(local)
                    else:
                        body.append(call + ';')
        if r.random() < 0.6:
            args = ['n - 1'] + [self.expr(names) for _ in params[1:]]
            call = f'{name}({", ".join(args)})'
            if ret != 'void' and r.random() < 0.5:
                local = f'x{len(names)}'
                body.append(f'{ret} {local} = 0;')
                body.append(f'if (n > 0)')
                body.append(f'    {local} = {call};')
                names.append(local)
                used.append(local)
            else:
                body.append('if (n > 0)')
                body.append(f'    {call};')
        body += after
        if ret != 'void' and used:
            body.append(f'return {" + ".join(used[-2:])} + {self.expr(names)};')
            used = used[:-2]
        elif ret != 'void':
            body.append(f'return {self.expr(names)};')
        if used:
            fmt = ' '.join(['%ld'] * len(used))
            body.insert(len(body) - (1 if ret != 'void' else 0),
                        f'printk("\\0016{self.name} {name} {fmt}\\n", {", ".join(f"(long){u}" for u in used)});')
        self.functions.append((ret, name, params, body))

    def counted_loop(self, names, used):
        """A small counted loop (KDSL_FUZZ_LOOPS=1): a printk of its counter, or a sum of a callee's results, which
        GCC unrolls completely where its size estimate does not grow."""
        r, body = self.rng, self.current
        trips = r.randint(1, 5)
        k = f'k{len(names)}'
        callees = [f for f in self.functions if f[0] != 'void']
        if callees and r.random() < 0.5:
            cret, cname, cparams, _ = r.choice(callees)
            acc = f'x{len(names)}'
            args = [f'({self.expr(names)} + {k})' if i == 0 else self.expr(names) for i in range(len(cparams))]
            body.append(f'long {acc} = 0;')
            body.append(f'for (int {k} = 0; {k} < {trips}; {k}++)')
            body.append(f'    {acc} += {cname}({", ".join(args)});')
            names.append(acc)
            used.append(acc)
        else:
            body.append(f'for (int {k} = 0; {k} < {trips}; {k}++)')
            body.append(f'    printk("\\0016{self.name} loop %d %d\\n", {k}, (int){self.expr(names)});')

    def build(self, count):
        for i in range(count):
            self.function(i)

    def source(self, c):
        out = []
        for ret, name, params, body in self.functions:
            sig = ', '.join(f'{t} {p}' for t, p in params)
            out.append(f'{"static noinline " if c else ""}{ret} {name}({sig}) {{')
            out += ['    ' + line for line in body]
            out.append('}\n')
        ret, top, params, _ = self.functions[-1]
        call = f'{top}({", ".join(["8"] + [str(k + 2) for k in range(len(params) - 1)])})'
        call = f'printk("\\0016{self.name} %ld\\n", (long){call});' if ret != 'void' else call + ';'
        if c:
            return ('#include <linux/module.h>\n#include <linux/kernel.h>\n#include <linux/init.h>\n' + '\n'.join(out) +
                    f'static int __init {self.name}_init(void)\n{{\n    {call}\n    return 0;\n}}\n'
                    f'static void __exit {self.name}_exit(void) {{}}\nmodule_init({self.name}_init);\n'
                    f'module_exit({self.name}_exit);\nMODULE_LICENSE("GPL");\n')
        return (f'module {self.name} "generated";\n\nconfig {{\n    profile = linux-6.1;\n    hash_pointers = off;\n}}\n\n' +
                '\n'.join(out) + f'init {{\n    {call}\n}}\n')


def main(count, seed, work='/tmp/kdsl-gcc-fuzz'):
    rng = random.Random(int(seed))
    os.makedirs(work, exist_ok=True)
    for f in os.listdir(work):
        os.remove(os.path.join(work, f)) if os.path.isfile(os.path.join(work, f)) else None
    programs = []
    for i in range(int(count)):
        p = Program(rng, f'g{i}')
        p.build(rng.randint(1, 4))
        open(os.path.join(work, p.name + '.c'), 'w').write(p.source(True))
        open(os.path.join(work, p.name + '.kdsl'), 'w').write(p.source(False))
        programs.append(p)
    open(os.path.join(work, 'Kbuild'), 'w').write('obj-m := ' + ' '.join(p.name + '.o' for p in programs) + '\n')
    subprocess.run(['make', '-s', '-j2', '-C', HEADERS, f'M={work}', 'CC=gcc', 'modules'], capture_output=True)
    total = differ = 0
    for p in programs:
        obj = os.path.join(work, p.name + '.o')
        listing = subprocess.run(['dotnet', KDSL, 'disasm', os.path.join(work, p.name + '.kdsl')], capture_output=True, text=True)
        if not os.path.exists(obj) or listing.returncode != 0:
            print(f'{p.name}: not built ({"gcc" if not os.path.exists(obj) else listing.stderr.strip()[:200]})')
            continue
        ours = frames(listing.stdout)
        gcc = frames(subprocess.run(['objdump', '-d', obj], capture_output=True, text=True).stdout)
        for _, name, _, _ in p.functions:
            if name not in gcc:
                continue  # inlined or folded away by GCC despite noinline (never happens for a real call)
            total += 1
            if ours.get(name) != gcc[name]:
                differ += 1
                print(f'{p.name}.{name}: gcc={gcc[name]} kdsl={ours.get(name)}')
    print(f'{total - differ} of {total} frames equal')


if __name__ == '__main__':
    main(*sys.argv[1:4])
