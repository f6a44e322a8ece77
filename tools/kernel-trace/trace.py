# gdb script (run by trace.sh inside `gdb -batch -x trace.py`): attaches to QEMU's gdb stub, waits for the
# ktrace module's init to be called, and records on the real kernel, instruction by instruction:
#   - "init": do_one_initcall's steps down to the module's init, and the task stack from there to its top;
#   - with KTRACE_MODE=thread instead: "kthread regs", the registers a kernel thread's function starts with
#     (at kthread's call of it, the module's thread);
#   - with KTRACE_MODE=panic instead: "panic", every instruction from __stack_chk_fail's entry (the module calls it)
#     to show_stack's, where the call trace is printed: panic's path, nested printks included;
#   - with KTRACE_MODE=oops instead: "oops", every instruction from asm_exc_page_fault's entry (the module's NULL
#     write faulted; oops-ud, oops-de, oops-gp, oops-warn: asm_exc_invalid_op's for its BUG(), asm_exc_divide_error's,
#     asm_exc_general_protection's, asm_exc_invalid_op's for its WARN_ON, "asm_exc_invalid_op:warn") through the
#     call trace's first entry line, to the entry of the printk of its second: the exception's entry, the report's
#     printks (their formats, and after which step each was called), and every change to the 4 KiB below the
#     exception frame, after which step;
#   - "printk N": every instruction of the module's N-th printk call until it returns, with RIP and RSP,
#     the 4 KiB below its caller's stack pointer before and after the call (what it left behind there), and every
#     change to the 1.5 KiB below it, after which step (how far a call that dies has got);
#   - "call NAME": the same for each allocator call the module makes (__kmalloc, kfree, vmalloc, __get_free_pages,
#     free_pages, and a constant-size kmalloc's kmalloc_trace and kmalloc_large on 6.1, kmem_cache_alloc_trace and
#     kmalloc_order_trace on 5.10: trace.sh's list), between its last printk and its kernel thread's.
# QEMU's single step masks interrupts and timers, so a trace is the call's own path.
# Output: one JSON object per line in $KTRACE_OUT; code bytes of every executed instruction once.
import gdb, json, os, bisect

OUT = os.environ["KTRACE_OUT"]
PRINTK = os.environ.get("KTRACE_PRINTK", "_printk")
CALLS = int(os.environ.get("KTRACE_CALLS", "5"))
ALLOCATORS = os.environ.get("KTRACE_ALLOCATORS", "__kmalloc kfree vmalloc __get_free_pages free_pages").split()
MODULES = 0xffffffffc0000000

syms = []
for line in open(os.environ["KTRACE_KALLSYMS"]):
    a, _, name = line.split()[:3]
    syms.append((int(a, 16), name))
syms.sort()
addr_of = {}
for a, n in syms:
    addr_of.setdefault(n, a)
keys = [a for a, _ in syms]

out = open(OUT, "w")
code = {}
inferior = None

def emit(obj):
    out.write(json.dumps(obj) + "\n")
    out.flush()

def reg(name):
    return int(gdb.parse_and_eval("$" + name)) & 0xffffffffffffffff

def read(addr, n):
    return bytes(inferior.read_memory(addr, n))

def note_code(pc):
    if pc not in code:
        insn = inferior.architecture().disassemble(pc)[0]
        code[pc] = read(pc, insn["length"]).hex()
        emit({"code": pc, "bytes": code[pc], "asm": insn["asm"]})

def step():
    gdb.execute("stepi", to_string=True)
    return reg("rip"), reg("rsp")

class StackWrites:
    """Every change to the WINDOW bytes of stack at LOW, after which step: [step, bytes below LOW + WINDOW, old, new]."""
    def __init__(self, low, window):
        self.low, self.window, self.writes = low, window, []
        self.prev = read(low, window)

    def after(self, step_count):
        cur = read(self.low, self.window)
        if cur != self.prev:
            for i in range(0, self.window, 8):
                if cur[i:i + 8] != self.prev[i:i + 8]:
                    self.writes.append([step_count, self.window - i, int.from_bytes(self.prev[i:i + 8], "little"),
                                        int.from_bytes(cur[i:i + 8], "little")])
            self.prev = cur

def run_to(addr):
    gdb.execute("hbreak *0x%x" % addr, to_string=True)
    gdb.execute("continue", to_string=True)
    gdb.execute("delete", to_string=True)

gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("set architecture i386:x86-64")
for attempt in range(30):  # QEMU may still be starting
    try:
        gdb.execute("target remote :%s" % os.environ.get("KTRACE_GDB_PORT", "1234"))
        break
    except gdb.error:
        import time
        time.sleep(1)
inferior = gdb.selected_inferior()

if os.environ.get("KTRACE_MODE") == "panic":
    run_to(addr_of["__stack_chk_fail"])
    entry_rsp = reg("rsp")
    steps = []
    pc, sp = reg("rip"), entry_rsp
    while pc != addr_of["show_stack"]:
        note_code(pc)
        steps.append([pc, sp])
        pc, sp = step()
    note_code(pc)
    steps.append([pc, sp])
    emit({"path": "panic", "entry_rsp": entry_rsp, "steps": steps})
    gdb.write("traced panic: %d instructions\n" % len(steps))
    out.close()
    gdb.execute("detach")
    raise SystemExit

OOPS_ENTRIES = {"oops": ("asm_exc_page_fault", True), "oops-ud": ("asm_exc_invalid_op", False),
                "oops-de": ("asm_exc_divide_error", False), "oops-gp": ("asm_exc_general_protection", True),
                "oops-warn": ("asm_exc_invalid_op", False)}
if os.environ.get("KTRACE_MODE") in OOPS_ENTRIES:
    entry, error_code = OOPS_ENTRIES[os.environ["KTRACE_MODE"]]
    rip_at = 8 if error_code else 0  # the faulting RIP sits above the error code, when the vector pushes one
    run_to(addr_of["do_init_module"])  # the module is loading: the next kernel-mode fault in module text is its own
    gdb.execute("hbreak *0x%x" % addr_of[entry], to_string=True)
    while True:
        gdb.execute("continue", to_string=True)
        if int.from_bytes(read(reg("rsp") + rip_at, 8), "little") >= MODULES:
            break  # the module's fault; insmod's own user faults are let through
    gdb.execute("delete", to_string=True)
    entry_rsp = reg("rsp")
    fault_ip = int.from_bytes(read(entry_rsp + rip_at, 8), "little")
    watch = StackWrites(entry_rsp - 4096, 4096)
    steps, printks = [], []
    pc, sp = reg("rip"), entry_rsp
    # to the printk of the trace's second entry: the report before the trace, "Call Trace:" (and 6.1's <TASK>) and the
    # first entry's line (the trace's printks, " %s%pB", go as deep as any after them)
    in_trace, entries = False, 0
    while True:
        in_trace = in_trace or pc == addr_of["show_trace_log_lvl"]
        if pc == addr_of[PRINTK]:
            fmt = read(reg("rdi"), 256).split(b"\0")[0].decode("latin-1")
            entries += in_trace and "%pB" in fmt
            if entries == 2:
                break
            printks.append([len(steps), fmt])
        note_code(pc)
        steps.append([pc, sp])
        pc, sp = step()
        watch.after(len(steps))
    writes = watch.writes
    note_code(pc)
    steps.append([pc, sp])
    if os.environ["KTRACE_MODE"] == "oops-warn":
        entry += ":warn"  # the same gate as a BUG()'s; the path a WARN takes from it is another
    emit({"path": "oops", "entry": entry, "error_code": error_code, "entry_rsp": entry_rsp, "fault_ip": fault_ip,
          "steps": steps, "printks": printks, "writes": writes})
    gdb.write("traced oops: %d instructions, %d printks\n" % (len(steps), len(printks)))
    out.close()
    gdb.execute("detach")
    raise SystemExit

if os.environ.get("KTRACE_MODE") == "thread":
    # kthread's call of the thread function (through a retpoline thunk): the registers the function starts with
    run_to(addr_of["do_init_module"])  # the kernel is up (its text readable) and the module loading: the next threads are its own
    start = addr_of["kthread"]
    end = keys[bisect.bisect_right(keys, start)]
    call_site = None
    for insn in inferior.architecture().disassemble(start, end - 1):
        target = insn["asm"].split()[-1]
        if "call" in insn["asm"] and target.startswith("0x"):
            t = int(target, 16)
            i = bisect.bisect_right(keys, t) - 1
            if syms[i][1].startswith("__x86_indirect_thunk") and syms[i][0] == t:
                call_site = insn["addr"]
    gdb.execute("hbreak *0x%x" % call_site, to_string=True)
    pc = 0
    while pc < MODULES:
        gdb.execute("continue", to_string=True)
        for _ in range(8):
            pc, sp = step()
            if pc >= MODULES:
                break
    regs = {r: reg(r) for r in ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15")}
    emit({"path": "kthread regs", "threadfn": pc, "stack_top": (sp & ~0x3fff) + 0x4000, "regs": regs})
    gdb.write("thread function entered at %x\n" % pc)
    out.close()
    gdb.execute("detach")
    raise SystemExit

# The first do_init_module after boot is ktrace's (the initramfs loads no other module).
run_to(addr_of["do_init_module"])
run_to(addr_of["do_one_initcall"])
steps = []
pc, sp = reg("rip"), reg("rsp")
while pc < MODULES:
    note_code(pc)
    steps.append([pc, sp])
    pc, sp = step()
top = (sp & ~0x3fff) + 0x4000
stack = read(sp, top - sp)
regs = {r: reg(r) for r in ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15")}
emit({"path": "init", "steps": steps, "entry_rsp": sp, "stack_top": top, "stack": stack.hex(), "module_init": pc, "regs": regs})

# The module's calls in the order it makes them: KTRACE_CALLS printks, of which the last comes from its kernel thread,
# and before that one the allocator calls (KTRACE_ALLOCATORS), each traced the same way from its entry to its return.
sequence = [PRINTK] * (CALLS - 1) + ALLOCATORS + [PRINTK]
# ktrace's first round of allocator calls warms the caches and is not traced: the first allocator's first call starts
# it, and the round is over by that allocator's next call
skip = {ALLOCATORS[0]: 1} if ALLOCATORS else {}
n = 0
for name in sequence:
    while True:
        run_to(addr_of[name])
        pc, sp = reg("rip"), reg("rsp")
        entry_rsp = sp
        ret = int.from_bytes(read(sp, 8), "little")
        if ret >= MODULES and skip.get(name, 0) > 0:
            skip[name] -= 1
            continue
        if ret >= MODULES:
            break
        # the kernel's own call (a clocksource watchdog's printk, slowed down by the stepping; any kfree): not ktrace's
    fmt = read(reg("rdi"), 256).split(b"\0")[0].decode("latin-1") if name == PRINTK else None
    top = (entry_rsp & ~0x3fff) + 0x4000
    above = read(entry_rsp, top - entry_rsp)  # the task stack from the return address up: who called it
    below = 4096
    before = read(entry_rsp + 8 - below, below)  # to tell what the call wrote from what was there
    steps = []
    # every stack word the call changes, step by step (what a later oops finds depends on how far the call got)
    watch = StackWrites(entry_rsp + 8 - 1536, 1536)
    while not (pc == ret and sp == entry_rsp + 8):
        note_code(pc)
        steps.append([pc, sp])
        pc, sp = step()
        watch.after(len(steps))
        if not top - 0x4000 <= sp < top:
            # another task's stack: the call scheduled away, and its recording would be another task's run
            raise SystemExit("%s switched stacks at step %d (%x): not a call's own path" % (name, len(steps), pc))
    writes = watch.writes
    residue = read(entry_rsp + 8 - below, below)
    record = {"entry_rsp": entry_rsp, "return": ret, "steps": steps, "residue_base": entry_rsp + 8 - below,
              "residue": residue.hex(), "before": before.hex(), "writes": writes, "stack_top": top, "above": above.hex()}
    if name == PRINTK:
        n += 1
        record["path"] = "printk %d" % n
        record["format"] = fmt
    else:
        record["path"] = "call " + name
    emit(record)
    gdb.write("traced %s: %d instructions\n" % (record["path"], len(steps)))

out.close()
# Let the guest finish: init.sh prints the module's section addresses, then powers off.
gdb.execute("detach")
