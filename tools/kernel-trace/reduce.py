#!/usr/bin/env python3
"""Turns trace.sh's raw recording into KDsl's footprint data (src/Dsl/Profiles/Footprints/PROFILE.ktrace).

Usage: reduce.py RAW.jsonl KALLSYMS SECTIONS PROFILE RELEASE "CHAIN" [PANIC.jsonl] [THREAD.jsonl] [OOPS.jsonl...]
                 [--calls=CALLS.jsonl...] > PROFILE.ktrace
  CHAIN: the syscall path's reliable return addresses above the module's init, innermost first, as the real
  kernel's own oops prints them (its ORC unwinder's answer), e.g. "do_one_initcall+0x59 do_init_module+0x4a ...".
  PANIC.jsonl: trace.sh's panic mode (panic's path from __stack_chk_fail to show_stack), optional.
  THREAD.jsonl: trace.sh's thread mode (the registers a kernel thread's function starts with), optional.
  OOPS.jsonl: trace.sh's oops modes (a kernel NULL write's page fault, a BUG(), a division by zero, a non-canonical
  load: each from its exception entry to show_trace_log_lvl), optional, any number.
  --calls=CALLS.jsonl: trace.sh's calls mode (an experiment's own calls of one allocator, in order), any number.

What the data holds (read by src/Dsl/Profiles/KernelFootprint.Parse.cs):
  symbol ADDR SIZE NAME        every kernel function a path runs or a recorded stack word points into
  insn ADDR CFA BYTES [BP]     every instruction a path executed, with its real bytes and the CFA offset
                               (RSP + CFA = the caller's RSP) at it, computed from the recorded RSPs; -16 where
                               the function realigned RSP and the CFA is RBP + 16; BP: the caller's RBP is saved
                               BP bytes below the CFA (the function pushed it, and may use RBP for something else)
  retsite ADDR CFA             the CFA at a return address of the untraced syscall path (from the stack words)
  path init / words ... / regs the task stack from the module init's entry RSP up to pt_regs, word by word, and the
                               registers at the init's first instruction
  path printk "FORMAT"        a printk call (format as a JSON string): the deepest stack it used below its
  deepest N / steps N /        caller's RSP, how many instructions it ran, and every step whose successor is not
  residue OFF=VALUE ... /       the words it changed below its caller's RSP (OFF bytes below it), on the way or for
                               good, as they were when it returned, data included: what a later oops's stack scan
                               finds there
  writes STEP:OFF=VALUE ... /   the same words as the call went, after which step each changed (only changes from or
                               to a kernel text address): what the scan finds when the call dies half way
  jumps ...                    the next instruction, FROM>TO
  path call NAME / ...         an allocator call (NAME: __kmalloc, kfree, vmalloc, __get_free_pages, free_pages), from
                               its entry to its return, recorded and written as a printk call is
  path call NAME @K / ...      the experiment's K-th call of NAME (from 0), written the same way, or with one line
  / like @J                    "like @J" when it went the way call J did (it entered the same slow paths)
  path kthread / words ...     the task stack kthread_run's thread function starts with, word by word from its return
  / regs ...                   address into kthread up to pt_regs (recorded under the ktrace thread's printk), and the
                               registers it starts with ("minit" is the thread function itself)
  path panic / deepest N /     panic's path from __stack_chk_fail's entry (a module's call) to show_stack's, where the
  steps N / jumps ...          call trace is printed (printks included); its open calls' return addresses are retsites
  path oops ENTRY / deepest N  an oops path from its exception entry (asm_exc_page_fault, asm_exc_invalid_op, ...; RSP at
  / steps N / formats [...] /  the exception frame the CPU pushed) to the entry of the printk of the call trace's
  writes ... / jumps ...       second entry: the formats of its printks in call order (a JSON array), its stack writes
                               below that RSP except pt_regs, its open calls as retsites; a module address written is
                               named by what it is to the fault: "ip" / "ip-2a" (the faulting address, and an offset
                               from it), "ipsym" / "ipnext" (the faulting function's kallsyms start and end),
                               "e-OFF" (a copy of the interrupted register OFF bytes below the entry's RSP, in
                               pt_regs), "m" (other module code), "mdata" (the module's data)
"""
import bisect, json, re, sys

raw, kallsyms_path, sections_path, profile, release, chain_text = sys.argv[1:7]
calls_raws = [a[len("--calls="):] for a in sys.argv[7:] if a.startswith("--calls=")]
optional = [a for a in sys.argv[7:] if not a.startswith("--calls=")]
panic_raw = optional[0] if len(optional) > 0 else None
thread_raw = optional[1] if len(optional) > 1 else None
oops_raws = optional[2:]
PT_REGS = 168
MODULES = 0xffffffffc0000000
MODULES_END = 0xffffffffff000000  # the fixmap follows; -1 and the like are no module's

def in_modules(addr):
    return MODULES <= addr < MODULES_END

syms = []
for line in open(kallsyms_path):
    a, _, name = line.split()[:3]
    syms.append((int(a, 16), name))
syms.sort()
keys = [a for a, _ in syms]
addr_of = {}
for a, n in syms:
    addr_of.setdefault(n, a)

def function(addr):
    """(start, size, name) of the kernel symbol containing addr, sized as kallsyms sizes it: to the next symbol."""
    i = bisect.bisect_right(keys, addr) - 1
    j = i + 1
    while j < len(syms) and syms[j][0] == syms[i][0]:
        j += 1
    return syms[i][0], syms[j][0] - syms[i][0], syms[i][1]

def is_text(addr):
    """core_kernel_text(): [_stext, _etext); the data after it and the init text freed after boot are not text."""
    return addr_of["_stext"] <= addr < addr_of["_etext"]

sections = {}
for line in open(sections_path):
    parts = line.split()
    if len(parts) == 4 and parts[1] == "section":
        sections[parts[2]] = int(parts[3], 16)

code = {}

def recorded_paths(path):
    """A raw trace's path objects, in order; the code bytes it noted go to `code` on the way."""
    for line in open(path):
        o = json.loads(line)
        if "code" in o:
            code[o["code"]] = (bytes.fromhex(o["bytes"]), o["asm"])
        elif "path" in o:
            yield o

paths = list(recorded_paths(raw))

used = {}          # start -> (size, name)
cfa_at = {}        # pc -> cfa
rbp_saved_at = {}  # pc -> how far below the CFA the caller's RBP is saved (0: not saved)

def use(addr):
    start, size, name = function(addr)
    used[start] = (size, name)

PREFIXES = re.compile(r"^(?:(?:cs|ds|ss|es|notrack|bnd)\s+)+")

def walk(steps, entry_sp):
    """CFA at every step: a call opens a frame whose CFA is the RSP after the call + 8; ret closes it; a jmp into
    another function (tail call, thunk) stays in the frame, as ORC describes it. Returns the calls still open at the
    last step, outermost first: (the call's address, the CFA at it)."""
    # entry RSP of each open frame, whether it realigned RSP (CFA via RBP), and how far below its CFA it saved the
    # caller's RBP (0: not saved, RBP is still the caller's)
    frames = [[entry_sp, False, 0]]
    open_calls = []
    for i, (pc, sp) in enumerate(steps):
        use(pc)
        asm = PREFIXES.sub("", code[pc][1])  # "cs call" (a prefix padding a retpoline call) is a call
        frame = frames[-1]
        # after push %rbp; mov %rsp,%rbp; and $-N,%rsp the CFA is RBP + 16 (ORC's bp-based rows): written as -16
        cfa = -16 if frame[1] else frame[0] + 8 - sp
        if cfa_at.setdefault(pc, cfa) != cfa:
            sys.exit("inconsistent CFA at %x: %d and %d" % (pc, cfa_at[pc], cfa))
        # ORC's bp rows: where an unwinder finds the caller's RBP when this frame reused the register
        rbp_saved_at.setdefault(pc, 0 if frame[1] else frame[2])
        if re.match(r"and\s+\$0xf+[0-9a-f]*,%rsp$", asm):
            frame[1] = True
        elif asm.startswith("leave") or re.match(r"(mov|lea)\s+.*%rbp.*,%rsp$", asm):
            frame[1] = False
        if asm == "push   %rbp" and not frame[1]:
            frame[2] = frame[0] + 8 - (sp - 8)
        elif asm == "pop    %rbp":
            frame[2] = 0
        if i + 1 < len(steps):
            nsp = steps[i + 1][1]
            if asm.startswith("call") and nsp == sp - 8:
                frames.append([nsp, False, 0])
                open_calls.append((pc, cfa))
            elif asm.startswith("ret") and len(frames) > 1:
                frames.pop()
                open_calls.pop()
    return open_calls

FLOW = re.compile(r"^(?:(?:cs|ds|notrack|bnd|rep[a-z]*)\s+)*(?:j[a-z]+|call|ret|iret|sysret|int|ud2|hlt)")

def jumps(steps):
    out = []
    for (pc, _), (npc, _) in zip(steps, steps[1:]):
        if npc != pc + len(code[pc][0]):
            asm = code[pc][1]
            # only a branch, or a string instruction stepped per iteration, goes elsewhere; anything else means the
            # kernel patched its text while it was traced (a static key flipped, the bytes noted before no longer ran)
            if not FLOW.match(asm) and not (npc == pc and asm.startswith("rep")):
                sys.exit("%x (%s) went to %x: the kernel text changed during the trace" % (pc, asm, npc))
            out.append("%x>%x" % (pc, npc))
    return out

def classify(word, top, init_entry):
    """A recorded stack word as KDsl rebuilds it: kernel text, module, stack address or plain data."""
    if is_text(word):
        use(word - 1 if is_text(word - 1) else word)  # %pB names the byte before it, when that is text
        return "t%x" % word
    if word >= MODULES:
        if word == init_entry:
            return "minit"
        base = max((b for b in sections.values() if b <= word), default=None)
        name = [n for n, b in sections.items() if b == base][0] if base is not None else "?"
        return "m%s+%x" % (name, word - base) if base is not None else "%x" % word
    if top - 0x4000 <= word < top:
        return "s-%x" % (top - word)
    return "%x" % word

def module_text(word):
    """In one of the ktrace module's text sections (.text*, .init.text, .exit.text)."""
    base = max((b for b in sections.values() if b <= word), default=None)
    return base is not None and any("text" in n for n, b in sections.items() if b == base)

def thread_entry(p):
    """The stack kthread_run's thread function starts with, from the printk the ktrace thread makes: the words from
    kthread's return address (threadfn's return slot) up to pt_regs, and the CFA at kthread's and ret_from_fork's
    return addresses (the distance to the next return-address slot; ret_from_fork's frame ends at pt_regs)."""
    above = bytes.fromhex(p["above"])
    top = p["stack_top"]
    words = [int.from_bytes(above[i:i + 8], "little") for i in range(0, len(above), 8)]
    def slot_in(name, start):
        for i in range(start, len(words)):
            w = words[i]
            if is_text(w) and function(w - 1)[2] == name:
                return i
        sys.exit("no return address into %s on the kernel thread's stack" % name)
    k = slot_in("kthread", 0)
    r = slot_in("ret_from_fork", k + 1)
    pt_regs = len(words) - PT_REGS // 8
    after.append("path kthread")
    after.append("words " + " ".join(classify(w, top, 0) for w in words[k:pt_regs]))
    body.append("retsite %x %d" % (words[k], (r - k) * 8))
    body.append("retsite %x %d" % (words[r], (pt_regs - r) * 8))

class Fault:
    """What an oops path knows of the faulting module, by which it names the module addresses it copies into its
    frames: the faulting address (pt_regs' ip, and ip - 42 where show_opcodes copies the Code: line's bytes from),
    the faulting function's kallsyms start and end (find_kallsyms_symbol's bestval and nextval, left in the registers
    sprintf's varargs save), and the interrupted registers (pt_regs, which the register dump's printks copy)."""
    REGS = "rdi rsi rdx rcx rax r8 r9 r10 r11 rbx rbp r12 r13 r14 r15".split()

    def __init__(self, raw, o):
        self.ip = o["fault_ip"]
        named = [json.loads(line)["fault_symbol"] for line in open(raw) if line.startswith('{"fault_symbol"')]
        if not named:
            sys.exit("%s: no fault_symbol line (trace.sh appends the report's RIP symbol; README.md)" % raw)
        off, size = re.match(r".*\+0x([0-9a-f]+)/0x([0-9a-f]+)$", named[0]).groups()
        self.start = self.ip - int(off, 16)
        self.end = self.start + int(size, 16)
        # the registers the entry pushed, by their offset below the entry's RSP (orig_ax's slot is the error code's, or
        # the entry's push of -1 below it for a vector without one): each slot's last write (the entry's call of
        # error_entry writes a return address first where rdi goes)
        below = 0 if o.get("error_code", True) else 8
        regs = {}
        for _, off, _, new in o["writes"]:
            slot = (off - below) // 8 - 1
            if (off - below) % 8 == 0 and 0 <= slot < len(self.REGS):
                regs[off] = new
        # each value's slot: the first register that held it, when two did (rdi before rbp)
        self.slot_of = {}
        for off in sorted(regs):
            self.slot_of.setdefault(regs[off], off)

    def token(self, word):
        """The word as the replaying run rebuilds it, or None when it is none of the faulting context's."""
        if word == self.ip:
            return "ip"
        if word == self.start:
            return "ipsym"
        if word == self.end:
            return "ipnext"
        if self.ip - 64 <= word < self.ip + 64:
            return "ip%+x" % (word - self.ip)
        # a copy of an interrupted register
        return "e-%x" % self.slot_of[word] if word in self.slot_of else None

def word_token(word, caller, fault=None):
    """A stack word as KDsl rebuilds it: kernel text "t…", the module's own code "m" (KDsl's run writes its own
    return addresses), on the oops path a module address the faulting context names (Fault.token) or "mdata" (the
    module's data: no text in any layout), a stack address "c-…"/"c+…" from the caller's RSP, anything else as is."""
    if fault is not None and in_modules(word):
        token = fault.token(word)
        if token is not None:
            return token
        if not module_text(word):
            return "mdata"
    if is_text(word):
        use(word - 1 if is_text(word - 1) else word)  # %pB names the byte before it, when that is text
        return "t%x" % word
    if word >= MODULES and module_text(word):
        return "m"
    if caller - 0x4000 <= word < caller + 0x4000:
        return "c-%x" % (caller - word) if word <= caller else "c+%x" % (word - caller)
    return "%x" % word

def writes(p, base=None, fault=None, own=0, every=False):
    """The call's stack writes that matter to an oops's scan (a kernel text address written or overwritten, and on the
    oops path a module address), as STEP:OFF=VALUE: after STEP instructions, the word OFF bytes below the caller's RSP
    (the oops path: below its entry RSP) became VALUE. Words up to OWN bytes below it are left out: the replay writes
    them itself with its own values (the oops path's pt_regs hold the interrupted context's registers). With EVERY,
    every write but the module's own code: a register the replayed text does not compute (its load is a NOP there)
    still holds what the module left in it, and a push of it would leave a module address where the real call
    pushed data."""
    caller = p["entry_rsp"] + 8 if base is None else base
    # a word whose last write is the module's own code is the replaying run's own: no data is written over it
    own_code = {off for k, off, old, new in p["writes"] if word_token(new, caller) == "m"} if every else set()
    out = []
    for k, off, old, new in p["writes"]:
        if off <= own:
            continue
        token = word_token(new, caller, fault)
        # on the oops path every module address matters too, written or overwritten: the faulting function's, which
        # the scan names, and the others, which the replaying module's layout may put in its text
        module = fault is not None and (in_modules(old) or in_modules(new))
        if is_text(old) or is_text(new) or module or (every and token != "m" and off not in own_code):
            out.append("%d:%x=%s" % (k, off, token))
    return out

def residue(p, deepest):
    """The words the call changed below its caller's RSP, as OFF=VALUE (OFF bytes below the caller's RSP): kernel text
    "t…", the module's own code "m" (KDsl's call writes its own), stack addresses "c-…"/"c+…" from the caller's
    RSP, anything else as is."""
    caller = p["entry_rsp"] + 8
    base = p["residue_base"]
    before, after = bytes.fromhex(p["before"]), bytes.fromhex(p["residue"])
    # a word the call changed on the way and left as it found it was written all the same (the console path's
    # words, which the printk before at the same RSP had left there too): a run where nothing was there finds it
    rewritten = {off for _, off, _, _ in p.get("writes", [])}
    out = []
    for addr in range(caller - deepest, caller, 8):
        i = addr - base
        old, new = before[i:i + 8], after[i:i + 8]
        if old == new and caller - addr not in rewritten:
            continue
        out.append("%x=%s" % (caller - addr, word_token(int.from_bytes(new, "little"), caller)))
    return out

def call_lines(p):
    """A printk's or an allocator call's lines: how deep it went, its steps, what it left and wrote, its jumps."""
    steps = p["steps"]
    walk(steps, p["entry_rsp"])
    # the deepest stack the call touched: the lowest RSP (nothing below RSP is written), below the caller's RSP
    deepest = p["entry_rsp"] + 8 - min(sp for _, sp in steps)
    lines = ["deepest %d" % deepest, "steps %d" % len(steps)]
    if "before" in p:
        lines.append("residue " + " ".join(residue(p, deepest)))
    if "writes" in p:
        lines.append("writes " + " ".join(writes(p, every="format" not in p)))
    lines.append("jumps " + " ".join(jumps(steps)))
    return lines

out = ["# KDsl kernel footprint for %s: Debian %s under QEMU (TCG, nokaslr, randomize_kstack_offset=off)." % (profile, release),
       "# Recorded instruction by instruction with tools/kernel-trace (trace.sh, reduce.py); do not edit by hand."]
body = []
after = []  # paths that must follow every retsite line (the init's chain comes first)
for p in paths:
    steps = p["steps"]
    if p["path"] == "init":
        walk(steps, steps[0][1])
        top, sp = p["stack_top"], p["entry_rsp"]
        stack = bytes.fromhex(p["stack"])
        words = [int.from_bytes(stack[i:i + 8], "little") for i in range(0, len(stack) - PT_REGS, 8)]
        body.append("path init")
        body.append("words " + " ".join(classify(w, top, p["module_init"]) for w in words))
        # the registers do_one_initcall hands the init (callee-saved ones end up in the module's frames)
        body.append("regs " + " ".join("%s=%s" % (r, classify(v, top, p["module_init"])) for r, v in p["regs"].items()))
        # the reliable chain's slots give each untraced frame's CFA at its return address
        chain = chain_text.split()
        slots = []
        at = 0
        for entry in chain:
            name, off = entry.split("+")
            addr = [a for a, n in syms if n == name][0] + int(off, 16)
            while words[at] != addr:
                at += 1
            slots.append((at, addr))
            at += 1
        top_slot = len(words)  # the entry code's frame ends at pt_regs
        for k, (slot, addr) in enumerate(slots):
            upper = slots[k + 1][0] if k + 1 < len(slots) else None
            if upper is not None:
                body.append("retsite %x %d" % (addr, (upper - slot) * 8))
            else:
                body.append("retsite %x %d" % (addr, (top_slot - slot) * 8))  # entry_SYSCALL_64: pt_regs follow
    else:
        body.append("path printk " + json.dumps(p["format"]) if "format" in p else "path " + p["path"])
        lines = call_lines(p)
        body += lines[:-1]
        if "above" in p and p.get("format", "").endswith("ktrace thread.\n"):
            thread_entry(p)
        body.append(lines[-1])  # the jumps

# The experiment's own calls in order (trace.sh's calls mode): the probe says which way each call went (the slow paths
# it entered), and one call that went each way was recorded (in a boot of its own, where it may have been another
# call's number); the first call of each way is written with that recording, every other call "like" it.
def without_repeats(p):
    """The call with its repeated steps taken out: a single step of the gdb stub now and then stops again at the same
    instruction without running it (same RIP, same RSP, not a string instruction's next iteration)."""
    steps, writes, dropped = [], [], []
    for i, step in enumerate(p["steps"]):
        if steps and step == steps[-1] and not code[step[0]][1].startswith("rep"):
            dropped.append(i)
            continue
        steps.append(step)
    for k, off, old, new in p["writes"]:
        writes.append([k - bisect.bisect_left(dropped, k), off, old, new])
    return dict(p, steps=steps, writes=writes)

for calls_raw in calls_raws:
    probes = [json.loads(line) for line in open(calls_raw) if line.startswith('{"probe"')]
    recorded = {tuple(p["slow"]): without_repeats(p) for p in recorded_paths(calls_raw)}
    first = {}
    for probe in probes:
        way = tuple(probe["slow"])
        k = probe["call"]
        body.append("path call %s @%d" % (probe["probe"], k))
        if way in first:
            body.append("like @%d" % first[way])
        elif way in recorded:
            first[way] = k
            body += call_lines(recorded[way])
        else:
            sys.exit("%s: no recorded call went the way call %d did: %s" % (calls_raw, k, " ".join(way)))

if panic_raw:
    for o in recorded_paths(panic_raw):
        if o["path"] == "panic":
            steps = o["steps"]
            # the return addresses the printed trace starts with: each call still open at show_stack's entry, whose
            # CFA at the return address is the call's (the rest of those functions never ran on the recording)
            for pc, cfa in walk(steps, o["entry_rsp"]):
                body.append("retsite %x %d" % (pc + len(code[pc][0]), cfa))
            body.append("path panic")
            body.append("deepest %d" % (o["entry_rsp"] + 8 - min(sp for _, sp in steps)))
            body.append("steps %d" % len(steps))
            body.append("jumps " + " ".join(jumps(steps)))

for oops_raw in oops_raws:
    for o in recorded_paths(oops_raw):
        if o["path"] == "oops":
            steps = o["steps"]
            base = o["entry_rsp"]
            # the entry's frame: RSP at its first instruction is the error code's slot, its caller's RSP the RIP's
            for pc, cfa in walk(steps, base):
                body.append("retsite %x %d" % (pc + len(code[pc][0]), cfa))
            body.append("path oops " + o.get("entry", "asm_exc_page_fault"))
            body.append("deepest %d" % (base - min(sp for _, sp in steps)))
            body.append("steps %d" % len(steps))
            body.append("formats " + json.dumps([fmt for _, fmt in o["printks"]]))
            # pt_regs' 15 registers below the hardware frame (and the orig_ax the entry pushes for a vector without an
            # error code) hold the interrupted context's registers: the replay writes those itself
            own = PT_REGS - 6 * 8 + (0 if o.get("error_code", True) else 8)
            body.append("writes " + " ".join(writes(o, base, Fault(oops_raw, o), own=own)))
            body.append("jumps " + " ".join(jumps(steps)))

if thread_raw:
    for o in recorded_paths(thread_raw):
        if o["path"] == "kthread regs":
            after.append("regs " + " ".join("%s=%s" % (r, classify(v, o["stack_top"], o["threadfn"])) for r, v in o["regs"].items()))

for start in sorted(used):
    size, name = used[start]
    out.append("symbol %x %x %s" % (start, size, name))
for pc in sorted(cfa_at):
    out.append("insn %x %d %s" % (pc, cfa_at[pc], code[pc][0].hex()) + (" %d" % rbp_saved_at[pc] if rbp_saved_at.get(pc) else ""))
out += body + after
print("\n".join(out))
