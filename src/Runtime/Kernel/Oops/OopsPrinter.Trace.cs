using System.Collections.Generic;

namespace KDsl.Runtime.Kernel.Oops
{
    public sealed partial class OopsPrinter
    {
        /// <summary>The stack name ≥5.16 kernels give the task stack in the trace.</summary>
        public const string TaskStackName = "TASK";

        /// <summary>
        /// show_trace_log_lvl: "Call Trace:", then per entry " %s%pB" ("? " when unreliable), stack markers
        /// " &lt;NAME&gt;" / " &lt;/NAME&gt;" (4.x ends a stack with " &lt;EOE&gt;"; TASK markers only where the profile
        /// names the task stack), and pt_regs on the stack as SHORT registers (4.19+: just the iret frame if partial).
        /// </summary>
        public IReadOnlyList<string> CallTrace(IEnumerable<CallTraceEntry> entries)
        {
            var lines = new List<string> { "Call Trace:" };
            foreach (var e in entries)
            {
                switch (e.Kind)
                {
                    case CallTraceEntryKind.Address:
                        lines.Add(F(" %s%pB", e.Reliable ? "" : "? ", e.Address));
                        break;
                    case CallTraceEntryKind.StackBegin:
                        if (ShowsStackMarker(e.StackName))
                            lines.Add(" <" + e.StackName + ">");
                        break;
                    case CallTraceEntryKind.StackEnd:
                        if (ShowsStackMarker(e.StackName))
                            lines.Add(Legacy ? " <EOE>" : " </" + e.StackName + ">");
                        break;
                    case CallTraceEntryKind.Regs:
                        if (e.Partial && !Legacy)
                            lines.Add(ShowIretRegs(lines, e.Regs!, e.Code));
                        else
                            ShowRegisters(lines, e.Regs!, e.Code, ShowRegsMode.Short);
                        break;
                }
            }
            return lines;
        }

        private bool ShowsStackMarker(string name) => name != TaskStackName || Profile.TaskStackMarkers;
    }
}
