using System.Collections.Generic;
using KDsl.Profiles;

namespace KDsl.Runtime.Kernel.Oops
{
    public sealed partial class OopsPrinter
    {
        /// <summary>THREAD_SIZE on x86-64 without KASAN: 16 KiB.</summary>
        public const ulong ThreadSize = 16384;

        /// <summary>oops_end's panic message when the oops happened in interrupt context (#DF counts) or panic_on_oops.</summary>
        public static string OopsEndPanicMessage(bool inInterrupt) =>
            inInterrupt ? "Fatal exception in interrupt" : "Fatal exception";

        /// <summary>
        /// panic(): "Kernel panic - not syncing: %s" (one trailing newline of the message stripped), the
        /// dump_kernel_offset notifier's line (KDsl boots without KASLR: "Kernel Offset: disabled"), and the closing
        /// "---[ end Kernel panic - not syncing: %s ]---" unless the profile loses it in NMI context (5.10, <paramref name="inNmi"/>).
        /// The dump_stack() a panic without a prior oops prints is not included.
        /// </summary>
        public IReadOnlyList<string> Panic(string message, bool inNmi = false)
        {
            if (message.EndsWith('\n'))
                message = message.Substring(0, message.Length - 1);
            var lines = new List<string>
            {
                F("Kernel panic - not syncing: %s", message),
                DumpKernelOffset,
            };
            if (!inNmi || Profile.PrintsPanicEndMarkerInNmi)
                lines.Add(F("---[ end Kernel panic - not syncing: %s ]---", message));
            return lines;
        }

        /// <summary>
        /// dump_kernel_offset, the panic notifier of arch/x86/kernel/setup.c (the same in 4.11, 5.10 and 6.1): with KASLR
        /// "Kernel Offset: 0x%lx from 0x%lx (relocation range: …)", else "Kernel Offset: disabled". KDsl's layout is a
        /// nokaslr boot: the kernel text at __START_KERNEL (<see cref="KernelProfile.KernelTextBase"/>, the addresses the
        /// recorded footprints were taken at), the direct map and vmalloc area at their unrandomised bases.
        /// </summary>
        private const string DumpKernelOffset = "Kernel Offset: disabled";

        /// <summary>
        /// handle_stack_overflow's KERN_EMERG line. Classic (≤5.15): "BUG: stack guard page was hit at %p
        /// (stack is %p..%p)" with the inclusive end stack + THREAD_SIZE - 1. Named (≥5.16): "BUG: %s stack guard
        /// page was hit at %p (stack is %p..%p)" with the exclusive end begin + size. All three are %p (hashed when on).
        /// </summary>
        public string StackGuardPageHit(ulong faultAddress, ulong stackBegin, string stackName = TaskStackName, ulong stackSize = ThreadSize)
        {
            if (Profile.GuardPage == GuardPageStyle.Classic)
                return F("BUG: stack guard page was hit at %p (stack is %p..%p)",
                    faultAddress, stackBegin, stackBegin + ThreadSize - 1);
            return F("BUG: %s stack guard page was hit at %p (stack is %p..%p)",
                stackName, faultAddress, stackBegin, stackBegin + stackSize);
        }

        /// <summary>The die() string of handle_stack_overflow: Classic names the path (#DF or #PF), Named is fixed.</summary>
        public string StackOverflowDieString(bool doubleFault = true) =>
            Profile.GuardPage == GuardPageStyle.Named
                ? "stack guard page"
                : doubleFault ? "kernel stack overflow (double-fault)" : "kernel stack overflow (page fault)";

        /// <summary>The panic handle_stack_overflow ends with if die() returns (normally oops_end panics first).</summary>
        public string StackOverflowPanicMessage(string stackName = TaskStackName, bool doubleFault = true) =>
            Profile.GuardPage == GuardPageStyle.Named ? stackName + " stack guard hit" : StackOverflowDieString(doubleFault);
    }
}
