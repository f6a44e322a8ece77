"""Prints each function's prologue frame in GCC's module objects and in KDsl's code for the .kdsl twins (compare.sh)."""
import glob, os, re, subprocess, sys


def frames(listing):
    """Bytes each function's prologue reserves: its pushes and sub rsp before the first branch, call or return."""
    result, current, done = {}, None, False
    for line in listing.splitlines():
        m = re.match(r'^[0-9a-f]+ <([^>]+)>:', line)
        if m:
            current, done = m.group(1).split('.')[0], False
            result.setdefault(current, 0)
            continue
        if current is None or done:
            continue
        m = re.search(r'\t(push|sub|call|jmp|j[a-z]+|ret)\s+(.*)$', line)
        if not m:
            continue
        op, arg = m.groups()
        if op == 'push':
            result[current] += 8
        elif op == 'sub':
            imm = re.match(r'\$0x([0-9a-f]+),%rsp', arg)
            if imm:
                result[current] += int(imm.group(1), 16)
        elif op == 'call' and '+0x5>' in arg and result[current] == 0:
            continue  # the ftrace call at the entry
        else:
            done = True
    return result


def main(experiments, kdsl, work):
    for obj in sorted(glob.glob(os.path.join(work, '*.o'))):
        if obj.endswith('.mod.o'):
            continue
        name = os.path.basename(obj)[:-2]
        twin = name[:-2] if name.endswith('_x') else name
        source = os.path.join(experiments, twin + '.kdsl')
        if not os.path.exists(source):
            print(f'{twin:18} no .kdsl twin')
            continue
        # the twin gets the BUF the C file was built with: 700 from compare.sh, unless the file defines its own
        c_file = os.path.join(experiments, twin + ('_BUF.c' if name.endswith('_x') else '.c'))
        defined = re.search(r'^#define BUF (\d+)', open(c_file).read(), re.M) if os.path.exists(c_file) else None
        buf = defined.group(1) if defined else '700'
        text = open(source).read().replace('PROFILE', 'linux-6.1')
        text = re.sub(r'const BUF = \d+;', f'const BUF = {buf};', text)
        path = os.path.join(work, twin + '.kdsl')
        open(path, 'w').write(text)
        ours = frames(subprocess.run(['dotnet', kdsl, 'disasm', path], capture_output=True, text=True).stdout)
        gcc = frames(subprocess.run(['objdump', '-d', obj], capture_output=True, text=True).stdout)
        for function in sorted(set(ours) & set(gcc)):
            mark = '' if ours[function] == gcc[function] else '   <-- differs'
            print(f'{twin:18} {function:22} gcc={gcc[function]:5} kdsl={ours[function]:5}{mark}')


if __name__ == '__main__':
    main(*sys.argv[1:4])
