using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using KDsl.CodeGen;
using KDsl.Image;
using KDsl.Profiles;
using KDsl.Runtime.Cpu;
using KDsl.Runtime.Kernel.Mm;
using KDsl.Runtime.Kernel.Oops;
using KDsl.Runtime.Kernel.Printk;
using KDsl.Runtime.Memory;

namespace KDsl.Runtime.Kernel
{
    /// <summary>
    /// The emulated Linux: boots one CPU with real page tables, the profile's kernel text and a task for insmod,
    /// loads the experiment's module and runs its init on the emulated CPU. Faults come back from the CPU as
    /// delivered exceptions and go through handlers named after the kernel's (Traps, Dumpstack, Panic partials).
    /// </summary>
    public sealed partial class LinuxKernel : IDisposable
    {
        private static readonly ConcurrentDictionary<string, KernelTextImage> TextCache = new ConcurrentDictionary<string, KernelTextImage>();
        /// <summary>
        /// Each profile's kernel text pages, built once: every machine maps them copy-on-write rather than copying them
        /// into frames of its own (copying linux-6.1's 91 pages took 0.35 ms of a 0.48 ms boot, thread CPU time).
        /// </summary>
        private static readonly ConcurrentDictionary<string, SharedPages> TextPagesCache = new ConcurrentDictionary<string, SharedPages>();
        private static readonly ConcurrentDictionary<string, RecordedPrintks> RecordedPrintksCache = new ConcurrentDictionary<string, RecordedPrintks>();

        private readonly Dictionary<ulong, ServiceSite> _services = new Dictionary<ulong, ServiceSite>();
        /// <summary>The kernel's own __bug_table (BUG_ON()s in the modelled text), by the ud2's address.</summary>
        private readonly Dictionary<ulong, BugEntry> _kernelBugs = new Dictionary<ulong, BugEntry>();
        /// <summary>The kernel's __ex_table: faulting instruction → fixup (the user-copy routine's rep movsb).</summary>
        private readonly Dictionary<ulong, ulong> _exceptionTable = new Dictionary<ulong, ulong>();
        private readonly DeterministicRandom _random;
        private ulong _moduleCursor = Layout.ModuleAreaStart;
        private string? _pendingPrintk;
        private ulong _taint;
        private int _dieCounter;
        private bool _finished;

        private LinuxKernel(ExperimentConfig config, KernelProfile profile, ulong memorySize)
        {
            Config = config;
            Profile = profile;
            Footprint = KernelFootprint.For(profile.Name);
            _random = new DeterministicRandom(0x4b44736c); // "KDsl": fixed, so canaries and oops ids repeat run to run
            Memory = new PhysicalMemory(memorySize);
            Tables = new PageTables(Memory);
            Root = Tables.CreateRoot();
            Cpu = new X64Cpu(Memory);
            Mmu = Cpu.Mmu;
            Kallsyms = new KernelSymbols();
            Log = new PrintkLog(() => Cpu.InstructionCount);
            Vsprintf = VsprintfConfig.For(profile, Kallsyms, new PtrHashKey(_random.Next(), _random.Next()), noHashPointers: !config.HashPointers);
            Vmalloc = new Vmalloc(Memory, Tables, Mmu, Root, profile.VmallocBase + Layout.VmallocFirstAreaOffset, Counters);
            Stacks = new ThreadStacks(config, Memory, Mmu, Vmalloc, Counters, profile.DirectMapBase);
        }

        public ExperimentConfig Config { get; }
        public KernelProfile Profile { get; }
        public PhysicalMemory Memory { get; }
        public PageTables Tables { get; }
        public ulong Root { get; }
        public X64Cpu Cpu { get; }
        public Mmu Mmu { get; }
        public KernelSymbols Kallsyms { get; }
        public PrintkLog Log { get; }
        public VsprintfConfig Vsprintf { get; }
        public Vmalloc Vmalloc { get; }
        /// <summary>The tasks' kernel stacks (kernel/fork.c): vmalloc'd or direct-mapped, the stack cache.</summary>
        public ThreadStacks Stacks { get; }
        public KernelCounters Counters { get; } = new KernelCounters();
        /// <summary>The real kernel's recorded footprint this profile's text is built from (null for linux-4.11).</summary>
        public KernelFootprint? Footprint { get; }
        private KernelPathReplay? _replay;
        public TaskStruct Current { get; private set; } = null!;
        public Module? Module { get; private set; }
        public OopsFacts? Oops { get; private set; }
        /// <summary>The soft-lockup watchdog's report, which is no oops (no die(), no taint D) but shows the stuck registers.</summary>
        public OopsFacts? SoftLockupFacts { get; private set; }
        public RunOutcome Outcome { get; private set; } = RunOutcome.Completed;
        public long? InitReturn { get; private set; }
        /// <summary>The signal an oops killed insmod with (SIGKILL after a page fault, SIGSEGV after die()), or 0.</summary>
        public int InsmodSignal { get; private set; }
        /// <summary>The deepest use of insmod's kernel stack in bytes (see <see cref="StackUsage"/>).</summary>
        public int StackHighWater => StackUsage.HighWaterMark(Current, Cpu.LowestRsp);

        /// <summary>Boots the machine: direct map, kernel text, per-CPU data, IST stacks, IDT, and insmod's task.</summary>
        public static LinuxKernel Boot(ExperimentConfig config) => Boot(config, Layout.PhysicalMemorySize);

        /// <summary>As <see cref="Boot(ExperimentConfig)"/> with memorySize bytes of guest RAM (sparse: host frames on first touch).</summary>
        public static LinuxKernel Boot(ExperimentConfig config, ulong memorySize)
        {
            var profile = KernelProfile.Find(config.Profile) ?? KernelProfile.Linux61;
            var kernel = new LinuxKernel(config, profile, memorySize);
            kernel.SetUpAddressSpace();
            kernel.SetUpCpu();
            kernel.Memory.ReserveBootFrames();
            kernel.Current = kernel.CreateTask(profile.InsmodPid, "insmod");
            return kernel;
        }

        private void SetUpAddressSpace()
        {
            // The direct map: all of physical memory with 2 MiB pages (the reason vmalloc'd stacks cost TLB misses).
            for (ulong pa = 0; pa < Memory.Size; pa += 2UL << 20)
                Tables.Map2M(Root, Profile.DirectMapBase + pa, pa, PteFlags.Kernel);

            var text = TextCache.GetOrAdd(Profile.Name, _ => KernelTextCompiler.Compile(Profile));
            var textPages = TextPagesCache.GetOrAdd(Profile.Name, _ => new SharedPages(text.Text, text.Pages));
            ModuleLoader.MapShared(textPages, KernelProfile.KernelTextBase, PteFlags.KernelRx, Memory, Tables, Root);
            Kallsyms.AddText(KernelProfile.KernelTextBase, text.Symbols, text.Unwind, null);
            if (Footprint is { } footprint)
                _replay = new KernelPathReplay(RecordedPrintksCache.GetOrAdd(Profile.Name,
                    _ => new RecordedPrintks(footprint, text, KernelProfile.KernelTextBase, Profile.PrintkSymbol)));
            foreach (var site in text.Services)
                _services[KernelProfile.KernelTextBase + (ulong)site.Offset] = site;
            foreach (var bug in text.Bugs)
                _kernelBugs[KernelProfile.KernelTextBase + (ulong)bug.Offset] = bug;
            foreach (var entry in text.ExceptionTable)
                _exceptionTable[KernelProfile.KernelTextBase + (ulong)entry.Instruction] = KernelProfile.KernelTextBase + (ulong)entry.Fixup;

            // cpu_entry_area: the #DF IST stack with its unmapped guard page below.
            for (ulong va = Layout.DoubleFaultStackBottom; va < Layout.DoubleFaultStackTop; va += PhysicalMemory.PageSize)
                Tables.Map4K(Root, va, Memory.AllocPage(), PteFlags.Kernel);
        }

        private void SetUpCpu()
        {
            Cpu.Cr3 = Root;
            Cpu.Cr0 = Profile.Cr0;
            Cpu.Cr4 = Profile.Cr4;

            // Per-CPU data, reached through GS: fixed_percpu_data.stack_canary sits at gs:0x28.
            ulong percpu = Memory.AllocPage();
            Memory.WriteU64(percpu + 0x28, _random.Next() & ~0xffUL); // the kernel's canary has a zero low byte
            Cpu.GsBase = Profile.DirectMapBase + percpu;

            Cpu.Tss.Ist[1] = Layout.DoubleFaultStackTop;
            Cpu.Lstar = Kallsyms.AddressOf(KernelProfile.UserSyscallEntry); // syscall_init(): MSR_LSTAR = entry_SYSCALL_64
            foreach (int vector in new[] { Vectors.DE, Vectors.UD, Vectors.GP, Vectors.PF })
                Cpu.Idt[vector] = IdtGate.Interrupt(Kallsyms.AddressOf(Profile.ExceptionEntry(vector)));
            Cpu.Idt[Vectors.DF] = IdtGate.Interrupt(Kallsyms.AddressOf(Profile.ExceptionEntry(Vectors.DF)), ist: 1);
            SetUpTrapGates(); // every other gate Linux installs (LinuxKernel.Traps.cs)
        }

        /// <summary>
        /// copy_process for a new task: dup_task_struct's stack (alloc_thread_stack_node), its end-of-stack canary,
        /// and the task_struct from the slab (the direct map). Null when the stack cannot be allocated (-ENOMEM).
        /// </summary>
        private TaskStruct? TryCreateTask(int pid, string comm, bool kernelThread = false)
        {
            // dup_task_struct: alloc_task_struct_node, then the stack; without one the task_struct is freed again.
            if (!Memory.TryAllocPage(out ulong taskStruct)) return null;
            if (!Stacks.AllocThreadStackNode(out ulong stack, out var area))
            {
                Memory.FreePage(taskStruct);
                return null;
            }
            Counters.Forks++;
            var task = new TaskStruct(pid, comm, Profile.DirectMapBase + taskStruct, stack, Config.ThreadSize, kernelThread, area);
            Stacks.SetUpStack(task);
            return task;
        }

        private TaskStruct CreateTask(int pid, string comm, bool kernelThread = false) =>
            TryCreateTask(pid, comm, kernelThread) ?? throw new InvalidOperationException("out of memory allocating the first task's stack");

        public void Dispose() => Memory.Dispose();
    }
}
