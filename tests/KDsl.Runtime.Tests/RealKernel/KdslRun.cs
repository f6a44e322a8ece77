using System;
using System.Collections.Generic;
using System.Linq;
using KDsl.Runtime;
using KDsl.Runtime.RealKernel;

namespace KDsl.Runtime.Tests.RealKernel
{
    /// <summary>KDsl's run of a replayed log's experiment, its log as the oracle harness would have captured it.</summary>
    internal sealed class KdslRun
    {
        private KdslRun(RunResult? result, IReadOnlyList<string> log, KernelLogFields? fields, string? error)
        {
            Result = result;
            Log = log;
            Fields = fields;
            Error = error;
        }

        public RunResult? Result { get; }
        /// <summary>KDsl's dmesg, plus the harness's "ORACLE: insmod exit status=N" when insmod returned.</summary>
        public IReadOnlyList<string> Log { get; }
        public KernelLogFields? Fields { get; }
        /// <summary>Why KDsl could not run the experiment (compile errors, an exception), or null.</summary>
        public string? Error { get; }

        public static KdslRun Of(RealKernelLog log)
        {
            try
            {
                var compiled = Compiler.Compile(log.Experiment + ".kdsl", log.Source);
                var errors = compiled.Diagnostics.Where(d => d.IsError).ToList();
                if (compiled.Image is null || errors.Count > 0)
                    return new KdslRun(null, Array.Empty<string>(), null, "compile errors: " + string.Join("; ", errors));
                var run = Machine.Run(compiled.Image);
                // KDsl failed inside: its log stops without a report, which must not pass for the real kernel's hang
                if (run.InternalError is { } internalError)
                    return new KdslRun(run, run.Log, null, "KDsl internal error: " + internalError);
                var lines = LogComparison.HarnessLog(run);
                return new KdslRun(run, lines, KernelLogFields.Parse(lines), null);
            }
            catch (Exception e)
            {
                return new KdslRun(null, Array.Empty<string>(), null, e.GetType().Name + ": " + e.Message);
            }
        }
    }
}
