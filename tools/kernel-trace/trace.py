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

def symbol(addr):
    """The kernel function containing ADDR ("module" past the kernel's text)."""
    return "module" if addr >= MODULES else syms[bisect.bisect_right(keys, addr) - 1][1]

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

    def after(self, step_count, sp=None):
        # nothing below RSP changes (no red zone in the kernel; single steps run with interrupts masked): with RSP
        # given, only the words from it up are read again
        start = 0 if sp is None else min(max(sp - self.low, 0), self.window) & ~7
        if start == self.window:
            return
        cur = self.prev[:start] + read(self.low + start, self.window - start)
        if cur != self.prev:
            for i in range(start, self.window, 8):
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

def trace_call(name, entry_rsp, ret):
    """Single-steps the call just entered (RSP at its return address) to its return: its steps, the words it changed
    step by step and what it left below its caller's RSP, and the task stack above it (who called it)."""
    pc, sp = reg("rip"), entry_rsp
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
        watch.after(len(steps), sp)
        if not top - 0x4000 <= sp < top:
            # another task's stack: the call scheduled away, and its recording would be another task's run
            raise SystemExit("%s switched stacks at step %d (%x): not a call's own path" % (name, len(steps), pc))
    writes = watch.writes
    residue = read(entry_rsp + 8 - below, below)
    record = {"entry_rsp": entry_rsp, "return": ret, "steps": steps, "residue_base": entry_rsp + 8 - below,
              "residue": residue.hex(), "before": before.hex(), "writes": writes, "stack_top": top, "above": above.hex()}
    return record

def module_calls(name):
    """Stops at each of the experiment module's calls of NAME (the kernel's own calls are let through): yields K, from 0."""
    run_to(addr_of["do_init_module"])  # the first module loaded after boot is the experiment
    gdb.execute("hbreak *0x%x" % addr_of[name], to_string=True)
    k = 0
    while True:
        gdb.execute("continue", to_string=True)
        if int.from_bytes(read(reg("rsp"), 8), "little") >= MODULES:
            yield k
            k += 1

if os.environ.get("KTRACE_MODE") == "calls-probe":
    # Which way each of the experiment module's calls of KTRACE_CALL (e.g. vmalloc) goes, at full speed: the slow paths
    # it enters (KTRACE_SLOW, each with its caller), for the first KTRACE_CALL_COUNT calls. A call's way through the
    # allocator depends on what the calls before it left: a slab's free objects run out every so many calls, and the
    # next call refills it, from a partial slab or a new one. Stops change the run (a probe that stopped at every call
    # saw the slabs run out a call later than the real runs do), so the probe stops as seldom as it can: at the first
    # two calls, which give the stride of a recursion's calls on the stack, and then only in the slow paths, where the
    # call's own return address on the stack says which call it is. (Calls made at one depth, from a loop, are each
    # stopped at.)
    name = os.environ["KTRACE_CALL"]
    count = int(os.environ.get("KTRACE_CALL_COUNT", "100"))
    slow = {addr_of[f]: f for f in os.environ["KTRACE_SLOW"].split()}
    run_to(addr_of["do_init_module"])  # the first module loaded after boot is the experiment
    each_call = gdb.Breakpoint("*0x%x" % addr_of[name], type=gdb.BP_HARDWARE_BREAKPOINT)
    for a in slow:
        gdb.execute("break *0x%x" % a, to_string=True)
    entered = {}
    entries = []  # the first two calls' RSP at entry, and their return address
    made = 0
    while True:
        try:
            gdb.execute("continue", to_string=True)
            pc, sp = reg("rip"), reg("rsp")
        except gdb.error:
            break  # the guest powered off: the module is done
        if pc in slow:
            caller = int.from_bytes(read(sp, 8), "little")
            k = made - 1
            if len(entries) == 2 and entries[0][0] > entries[1][0]:
                top = (sp & ~0x3fff) + 0x4000
                words = read(sp, top - sp)
                slot = next((sp + i for i in range(0, len(words), 8) if int.from_bytes(words[i:i + 8], "little") == entries[0][1]), None)
                k = (entries[0][0] - slot) // (entries[0][0] - entries[1][0]) if slot is not None else -1
            if 0 <= k < count:
                entered.setdefault(k, []).append("%s<%s" % (slow[pc], symbol(caller)))
        elif pc == addr_of[name] and int.from_bytes(read(sp, 8), "little") >= MODULES:
            made += 1
            if len(entries) < 2:
                entries.append((sp, int.from_bytes(read(sp, 8), "little")))
            if len(entries) == 2 and entries[0][0] > entries[1][0] and entries[0][1] == entries[1][1]:
                each_call.enabled = False  # a recursion: the slow paths' stops say which call they are in
            if made > count:
                break
    for k in range(count):
        emit({"probe": name, "call": k, "slow": entered.get(k, [])})
    out.close()
    raise SystemExit

if os.environ.get("KTRACE_MODE") == "calls":
    # The experiment module's KTRACE_CALL_INDEX-th call of KTRACE_CALL (from 0), recorded as an allocator call is
    # ("call NAME @K"); the calls before it run at full speed, as in a real run (the minutes of stepping let the guest's
    # timers expire, and a call after a stepped one would find its task due to be scheduled away: one call per boot)
    name = os.environ["KTRACE_CALL"]
    index = int(os.environ["KTRACE_CALL_INDEX"])
    for k in module_calls(name):
        if k == index:
            break
    gdb.execute("delete", to_string=True)
    entry_rsp = reg("rsp")
    record = trace_call(name, entry_rsp, int.from_bytes(read(entry_rsp, 8), "little"))
    record["path"] = "call %s @%d" % (name, index)
    # the slow paths this call entered, as the probe writes them: a boot's calls may go another way than the probe's
    slow = {addr_of[f]: f for f in os.environ["KTRACE_SLOW"].split()}
    record["slow"] = ["%s<%s" % (slow[pc], symbol(prev)) for (prev, _), (pc, _) in zip(record["steps"], record["steps"][1:]) if pc in slow]
    emit(record)
    gdb.write("traced %s: %d instructions\n" % (record["path"], len(record["steps"])))
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
    record = trace_call(name, entry_rsp, ret)
    if name == PRINTK:
        n += 1
        record["path"] = "printk %d" % n
        record["format"] = fmt
    else:
        record["path"] = "call " + name
    emit(record)
    gdb.write("traced %s: %d instructions\n" % (record["path"], len(record["steps"])))

out.close()
# Let the guest finish: init.sh prints the module's section addresses, then powers off.
gdb.execute("detach")
