using System;
using System.Collections.Generic;

namespace KDsl.Profiles
{
    /// <summary>Which handle_stack_overflow text a kernel prints (kernel-reference.md §2.3).</summary>
    public enum GuardPageStyle
    {
        /// <summary>v4.9–v5.15: "BUG: stack guard page was hit at %p (stack is %p..%p)" with an inclusive end, die "kernel stack overflow (double-fault)".</summary>
        Classic,
        /// <summary>≥v5.16: "BUG: TASK stack guard page was hit at …" with an exclusive end, die "stack guard page".</summary>
        Named,
    }

    /// <summary>
    /// One kernel as KDsl models it: the code shape its GCC build gives a module, the stack its own call paths use
    /// (calibrated against the seed and the real-kernel runs in shared/reference), and the formats of what it prints.
    /// Shared by the compiler (code shape) and the runtime (layout, calibration, messages).
    /// </summary>
    public sealed partial class KernelProfile
    {
        public string Name { get; private set; } = "";

        // --- identity, as the CPU:/Hardware name: lines print it -------------------------------------------
        /// <summary>init_utsname()->release, e.g. "6.1.0-56-amd64".</summary>
        public string Release { get; private set; } = "";
        /// <summary>The version string printed after the release, e.g. "#1  Debian 6.1.192-2".</summary>
        public string Version { get; private set; } = "";
        public string HardwareName { get; private set; } = "";
        /// <summary>
        /// Pages of [vvar] and of [vdso] that exec maps (map_vdso: one get_unmapped_area of both, vvar below), so a
        /// process's first mmap lands below them: 4 + 2 on 5.10 and 6.1 (vvar, pvclock, hvclock and timens pages; the
        /// real 6.1 run's first mmap is 0x6000 below mmap_base). 0 on 4.11, which is not measured.
        /// </summary>
        public (int Vvar, int Vdso) VdsoPages { get; private set; }

        /// <summary>
        /// Bytes of a module's `.gnu.linkonce.this_module` (its struct module), which layout_sections places in the
        /// writable region between `.data` and `.bss`: measured with readelf -S on .ko files built against the
        /// profile's headers (6.1.0-56: 0x380, 5.10.0-46: 0x3c0; 4.11 has no headers here and takes 6.1's).
        /// </summary>
        public int ThisModuleSize { get; private set; } = 0x380;

        /// <summary>CPU the experiment runs on and insmod's PID, as in the reference log.</summary>
        public int Cpu { get; private set; }
        public int InsmodPid { get; private set; }

        // --- code shape (what the kernel's GCC does to a module function) --------------------------------------
        /// <summary>
        /// module_exit takes cleanup_module's address (<c>___ADDRESSABLE(cleanup_module, __exitdata)</c> in
        /// include/linux/module.h): in the 6.1.0-56 headers, not in 5.10.0-46's (their preprocessed module_exit). It
        /// decides where GCC emits an exit that calls nothing (<see cref="CodeGen.ModuleCompiler"/>'s section order).
        /// </summary>
        public bool ModuleExitAddressable { get; private set; }
        /// <summary>CONFIG_FRAME_POINTER: push rbp; mov rbp, rsp in every function.</summary>
        public bool FramePointer { get; private set; }
        /// <summary>CONFIG_INIT_STACK_ALL_ZERO: local arrays are zeroed with rep stos before the function body.</summary>
        public bool InitStackAllZero { get; private set; }
        /// <summary>The 5-byte NOP that ftrace's call __fentry__ becomes at boot.</summary>
        public byte[] FtraceNop { get; private set; } = Array.Empty<byte>();
        /// <summary>printk's symbol: _printk since 5.15, printk before.</summary>
        public string PrintkSymbol { get; private set; } = "printk";
        /// <summary>What kmalloc() of a constant size up to 8 KiB calls: kmalloc_trace since 6.1, kmem_cache_alloc_trace before.</summary>
        public string ConstantKmallocSymbol => ConstantKmalloc(Name).Slab;
        /// <summary>What kmalloc() of a constant size above 8 KiB calls: kmalloc_large since 6.1, kmalloc_order_trace before.</summary>
        public string LargeKmallocSymbol => ConstantKmalloc(Name).Large;

        /// <summary>6.1 replaced kmem_cache_alloc_trace and kmalloc_order_trace (CONFIG_TRACING's) by kmalloc_trace and kmalloc_large.</summary>
        private static (string Slab, string Large) ConstantKmalloc(string profile) =>
            profile == "linux-6.1" ? ("kmalloc_trace", "kmalloc_large") : ("kmem_cache_alloc_trace", "kmalloc_order_trace");

        // --- message formats -----------------------------------------------------------------------------------
        public GuardPageStyle GuardPage { get; private set; }
        /// <summary>The flags __die_header appends after [#n]: " SMP", " SMP NOPTI", " PREEMPT SMP NOPTI".</summary>
        public string DieFlags { get; private set; } = "";
        /// <summary>Bytes shown before RIP in Code: (43 in 4.x's show_regs, 42 from 4.19 on).</summary>
        public int CodePrologueBytes { get; private set; }
        /// <summary>Pre-4.15 __die prints "Modules linked in:" before the registers and a "task: … task.stack: …" line.</summary>
        public bool LegacyOopsLayout { get; private set; }
        /// <summary>
        /// ≥5.5: exc_general_protection decodes the faulting instruction and names its memory operand's address:
        /// "general protection fault, probably for non-canonical address 0x…" (get_kernel_gp_address).
        /// </summary>
        public bool GpAddressHint { get; private set; }
        /// <summary>≥5.16: the task stack is named in the trace, &lt;TASK&gt; … &lt;/TASK&gt;.</summary>
        public bool TaskStackMarkers { get; private set; }
        /// <summary>Up to ≈5.18 the end marker carries a random oops id; later it is always zeros.</summary>
        public bool RandomOopsId { get; private set; }
        /// <summary>Print "PKRU: %08x" (CR4.PKE set on the reference machines).</summary>
        public bool HasPkru { get; private set; }
        /// <summary>
        /// Whether "---[ end Kernel panic - not syncing: … ]---" reaches the log when panic runs in NMI context (the #DF
        /// handler, a kernel int3): 5.10's printk_nmi keeps it in the per-CPU NMI buffer after panic's last flush, so it is
        /// never printed (the real step5 logs end at "Kernel Offset:"); from process context it is printed (the real
        /// stack_protector log shows it).
        /// </summary>
        public bool PrintsPanicEndMarkerInNmi { get; private set; }
        /// <summary>taint_flags[] letters in order; 'P' prints 'G' when clear, every other clear flag a blank.</summary>
        public string TaintLetters { get; private set; } = "";
        /// <summary>
        /// lib/vsprintf.c hashes %p and %pK (4.15+): 8 zeros then 32 bits of siphash, "(____ptrval____)" before the
        /// key is ready. 4.11 prints the raw address. (Added for the Printk formatter.)
        /// </summary>
        public bool HashesPointers { get; private set; }
        /// <summary>
        /// Old vsprintf.c (before ≈5.2 check_pointer / ≈5.7 "don't obfuscate NULL"): %s of any pointer below PAGE_SIZE
        /// prints "(null)", and a NULL %p (not %pK/%px) prints "(null)" right-aligned in 16 columns. Newer kernels print
        /// "(null)" only for a NULL %s, "(efault)" for other bad %s pointers, and zeros for a NULL %p.
        /// </summary>
        public bool LegacyNullPointerStrings { get; private set; }
        /// <summary>
        /// show_opcodes' failure text: "Code: Unable to access opcode bytes at RIP 0x%lx." up to ≈5.18, then
        /// "… at 0x%lx." (the address is the prologue start, not RIP). Unused by the 4.x layout (" Bad RIP value.").
        /// </summary>
        public bool OpcodeErrorSaysRip { get; private set; }
        /// <summary>
        /// x86 WARN() before ≈4.12 calls warn_slowpath_null(__FILE__, __LINE__), whose __warn prints a dump_stack()
        /// trace; from then on (ud2 since ≈4.16) it is a flagged ud2 that report_bug handles with the trapping regs.
        /// </summary>
        public bool WarnSlowpath { get; private set; }
        /// <summary>
        /// CONFIG_RETHUNK (Debian's retbleed builds): a function's RET is `jmp __x86_return_thunk`, patched at boot to
        /// `ret; int3; int3; int3; int3`, so the code after a return sits 4 bytes further on (the recorded 5.10 and 6.1 text).
        /// </summary>
        public bool ReturnThunk { get; private set; }
        /// <summary>The major version of the GCC the profile's kernel was built with (6 for Fedora 25's 4.11, 10 for 5.10, 12 for 6.1).</summary>
        public int GccMajor { get; private set; }
        public ulong Cr0 { get; private set; }
        public ulong Cr4 { get; private set; }
        /// <summary>DR6 as the reference machine had it; 0xffff0ff0 is the default the kernel does not print.</summary>
        public ulong Dr6 { get; private set; }

        // --- address layout (4-level paging, KASLR off) -----------------------------------------------------------
        public ulong DirectMapBase { get; private set; }
        public ulong VmallocBase { get; private set; }
        public const ulong KernelTextBase = 0xffffffff81000000;
        public const ulong ModulesBase = 0xffffffffc0000000;

        // --- stack calibration ----------------------------------------------------------------------------------
        /// <summary>
        /// Bytes of the task stack in use when do_one_initcall calls the module's init (pt_regs, the syscall path,
        /// load_module, do_init_module, do_one_initcall). The seed's step5_init adds its own frame to reach the
        /// measured use at the call of rstack: 864 bytes (4.11, init pushes rbp), 520 (5.10), 552 (6.1).
        /// </summary>
        public int StackInUseAtInitCall
        {
            get
            {
                var footprint = KernelFootprint.For(Name);
                return footprint != null ? footprint.StackInUseAtInitEntry - 8 : _stackInUseAtInitCall;
            }
            private set => _stackInUseAtInitCall = value;
        }

        private int _stackInUseAtInitCall;

        public override string ToString() => Name;

        public static IReadOnlyList<KernelProfile> All => new[] { Linux411, Linux510, Linux61 };

        public static KernelProfile? Find(string name)
        {
            foreach (var p in All)
                if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) return p;
            return null;
        }
    }
}
