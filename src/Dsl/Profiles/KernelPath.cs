using System.Collections.Generic;

namespace KDsl.Profiles
{
    /// <summary>What a modelled kernel function does at one point of its body.</summary>
    public enum KernelStep
    {
        /// <summary>Call another modelled function (its name in <see cref="KernelStepEntry.Target"/>).</summary>
        Call,
        /// <summary>Call the function whose address is in RDI (do_one_initcall calling the module's init).</summary>
        CallRdi,
        /// <summary>Call the function whose address is in RDI with RSI as its argument (kthread calling threadfn(data)).</summary>
        CallRdiWithRsi,
        /// <summary>A ud2 with a __bug_table entry: BUG() in the kernel's own code (the line is the profile's, see <see cref="KernelStepEntry.Target"/>).</summary>
        Bug,
        /// <summary>Hand control to the C# kernel (a vmcall); the service is the function's own name.</summary>
        Service,
        /// <summary>
        /// The function is its own code, not a frame with steps: a string or memory function the kernel text writes as the
        /// real one is (CodeGen/KernelStringFunctions, KernelPrintfFunctions, KernelSchedFunctions), named by <see cref="KernelStepEntry.Target"/>. It comes first; the
        /// steps after it only name the functions that code calls, for the stack analysis.
        /// </summary>
        Body,
    }

    public readonly struct KernelStepEntry
    {
        public KernelStepEntry(KernelStep step, string target)
        {
            Step = step;
            Target = target;
        }

        public KernelStep Step { get; }
        public string Target { get; }
    }

    /// <summary>
    /// A kernel function modelled as real machine code: it pushes RBP/RBX, reserves the rest of its frame, touches its
    /// lowest word (as compiled code does when it spills), runs its steps, and returns. Its frame size is the stack it
    /// costs on the calibrated paths (printk, insmod's syscall path), so a call near the guard page faults in the same
    /// function it does on real hardware. The C# kernel does the real work at <see cref="KernelStep.Service"/> steps.
    /// </summary>
    public sealed class KernelFunctionShape
    {
        public KernelFunctionShape(string name, int frameSize, bool serviceAtEntry, params KernelStepEntry[] steps)
        {
            Name = name;
            FrameSize = frameSize;
            ServiceAtEntry = serviceAtEntry;
            Steps = steps;
        }

        public string Name { get; }
        /// <summary>Bytes below the return address: pushes plus the sub rsp. Multiple of 8.</summary>
        public int FrameSize { get; }
        /// <summary>Whether the function is written as code of its own (<see cref="KernelStep.Body"/>).</summary>
        public bool IsBody => Steps.Count > 0 && Steps[0].Step == KernelStep.Body;

        /// <summary>A vmcall before the prologue, while the caller's arguments are exactly where the ABI put them.</summary>
        public bool ServiceAtEntry { get; }
        public IReadOnlyList<KernelStepEntry> Steps { get; }

        /// <summary>
        /// KDsl's frame for a recorded function on a path its recording never took (the OOM chain's call of the page
        /// allocator's slow path from __alloc_pages, whose fast path is recorded): a copy of its own beside the real text,
        /// under the same name, which only modelled callers reach.
        /// </summary>
        public bool StandsInForRecorded { get; private set; }

        /// <summary>This function, as a stand-in for the recorded one of its name (<see cref="StandsInForRecorded"/>).</summary>
        public KernelFunctionShape AsStandIn()
        {
            var copy = new KernelFunctionShape(Name, FrameSize, ServiceAtEntry, new List<KernelStepEntry>(Steps).ToArray());
            copy.StandsInForRecorded = true;
            return copy;
        }

        public static KernelStepEntry Call(string name) => new KernelStepEntry(KernelStep.Call, name);
        public static KernelStepEntry CallRdi() => new KernelStepEntry(KernelStep.CallRdi, "");
        public static KernelStepEntry CallRdiWithRsi() => new KernelStepEntry(KernelStep.CallRdiWithRsi, "");
        /// <param name="where">"FILE:LINE" as report_bug prints it.</param>
        public static KernelStepEntry Bug(string where) => new KernelStepEntry(KernelStep.Bug, where);
        public static KernelStepEntry Service() => new KernelStepEntry(KernelStep.Service, "");
        public static KernelStepEntry Body(string name) => new KernelStepEntry(KernelStep.Body, name);
    }
}
