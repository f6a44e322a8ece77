using System.Collections.Generic;
using KDsl.Binding;

namespace KDsl.Analysis
{
    public sealed partial class StackAnalyzer
    {
        /// <summary>
        /// The entry points kthread_run adds: each function of the file passed as a thread function, on a stack of its own,
        /// with its data argument when every kthread_run passes the same constant (null otherwise), in source order.
        /// </summary>
        private static List<(BoundFunction Thread, long? Data)> ThreadFunctions(BoundProgram program)
        {
            var byName = new Dictionary<string, BoundFunction>();
            foreach (var f in program.Functions) byName[f.Symbol.LinkName] = f;

            var order = new List<string>();
            var data = new Dictionary<string, long?>();
            foreach (var f in program.Functions)
            {
                foreach (var c in CallGuards.Collect(f))
                {
                    if (c.Call.Function.Name != "kthread_run" || c.Call.Arguments.Length != 2) continue;
                    if (c.Call.Arguments[0] is not BoundFunctionAddress target || !byName.ContainsKey(target.Function.LinkName)) continue;
                    string name = target.Function.LinkName;
                    long? value = ConstantEvaluator.Evaluate(c.Call.Arguments[1], new Dictionary<Symbols.VariableSymbol, long>());
                    if (!data.TryGetValue(name, out long? seen)) order.Add(name);
                    data[name] = !data.ContainsKey(name) || seen == value ? value : null;
                }
            }

            var threads = new List<(BoundFunction, long?)>();
            foreach (string name in order) threads.Add((byName[name], data[name]));
            return threads;
        }
    }
}
