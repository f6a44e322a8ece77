using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using KDsl.Binding;
using KDsl.Symbols;

namespace KDsl.Analysis
{
    public sealed partial class StackAnalyzer
    {
        /// <summary>
        /// The entry points kthread_run adds: each function of the file passed as a thread function, on a stack of its own,
        /// with its data argument when every kthread_run passes the same constant (null otherwise), in the order the
        /// calls appear. Read off the calls the constructor already paired with the code.
        /// </summary>
        private List<(BoundFunction Thread, long? Data)> ThreadFunctions()
        {
            var order = new List<string>();
            var data = new Dictionary<string, long?>();
            foreach (var calls in _calls.Values)
            {
                foreach (var (_, guarded) in calls)
                {
                    if (guarded?.Call is not { } call || call.Function.Name != Binder.KthreadRunName || call.Arguments.Length < 2) continue;
                    if (call.Arguments[0] is not BoundFunctionAddress target || !_functions.ContainsKey(target.Function.LinkName)) continue;
                    string name = target.Function.LinkName;
                    long? value = ConstantEvaluator.Evaluate(call.Arguments[1], ImmutableArray<VariableSymbol>.Empty, Array.Empty<long?>());
                    if (data.TryGetValue(name, out long? seen)) data[name] = seen == value ? value : null; // calls disagree: unknown
                    else
                    {
                        order.Add(name);
                        data[name] = value;
                    }
                }
            }

            var threads = new List<(BoundFunction, long?)>();
            foreach (string name in order) threads.Add((_functions[name], data[name]));
            return threads;
        }
    }
}
