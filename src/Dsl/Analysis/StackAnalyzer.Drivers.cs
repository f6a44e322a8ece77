using System.Collections.Generic;
using KDsl.Binding;
using KDsl.Profiles;

namespace KDsl.Analysis
{
    public sealed partial class StackAnalyzer
    {
        /// <summary>
        /// The handlers a static struct file_operations names for the system calls KDsl routes to a device (read, write,
        /// unlocked_ioctl), each with the member that reaches it: entry points whose stack starts below the real system
        /// call path's frames (<see cref="DriverSyscallPath.InUseAtHandler"/>). A table filled in at run time is not seen.
        /// </summary>
        private List<(BoundFunction Handler, string Member)> DriverHandlers(BoundProgram program)
        {
            var handlers = new List<(BoundFunction, string)>();
            var seen = new HashSet<(string, string)>();
            foreach (var g in program.Globals)
            {
                if (g.Type.Record?.Name != "file_operations") continue;
                foreach (var p in g.Data.Pointers)
                {
                    if (p.Symbol is null || !_functions.TryGetValue(p.Symbol, out var handler)) continue;
                    string? member = null;
                    foreach (var f in g.Type.Record.Fields)
                        if (f.Offset == p.Offset && Contains(DriverSyscallPath.Members, f.Name)) member = f.Name;
                    if (member is null) continue;
                    if (seen.Add((p.Symbol, member))) handlers.Add((handler, member));
                }
            }
            return handlers;
        }

        private static bool Contains(IReadOnlyList<string> names, string name)
        {
            foreach (string n in names)
                if (n == name) return true;
            return false;
        }
    }
}
