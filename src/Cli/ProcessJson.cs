using System.Globalization;
using System.Text.Json;
using KDsl.Runtime;

namespace KDsl.Cli
{
    /// <summary>A user process's end as `kdsl run --json` and `kdsl sweep --json` write it: exit status, signal and siginfo, output.</summary>
    internal static class ProcessJson
    {
        public static void WriteArray(Utf8JsonWriter w, System.Collections.Generic.IEnumerable<ProcessResult> processes)
        {
            w.WriteStartArray("processes");
            foreach (var p in processes) Write(w, p);
            w.WriteEndArray();
        }

        private static void Write(Utf8JsonWriter w, ProcessResult p)
        {
            w.WriteStartObject();
            w.WriteString("name", p.Name);
            w.WriteNumber("pid", p.Pid);
            w.WriteNumber("exitStatus", p.ExitStatus);
            if (p.Signal == 0)
            {
                w.WriteNull("signal");
                w.WriteNull("siCode");
                w.WriteNull("siAddr");
            }
            else
            {
                w.WriteString("signal", p.SignalName);
                w.WriteString("siCode", p.SiCodeName);
                w.WriteString("siAddr", p.SiAddr.ToString("x16", CultureInfo.InvariantCulture));
            }
            w.WriteBoolean("oomKilled", p.OomKilled);
            w.WriteBoolean("stoppedByBudget", p.StoppedByBudget);
            w.WriteString("output", p.Output);
            w.WriteEndObject();
        }
    }
}
