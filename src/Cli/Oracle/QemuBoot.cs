using System;
using System.Diagnostics;
using System.IO;
using System.Net.Sockets;
using System.Text;
using System.Threading;

namespace KDsl.Cli.Oracle
{
    /// <summary>How a boot ended: the kernel's panic trailer or a power-off, silence past the idle limit, or QEMU's own exit.</summary>
    internal enum BootEnd { Ended, Hang, QemuExit }

    /// <summary>One boot's console and how it ended (with the vCPU registers when it hung).</summary>
    internal sealed record BootResult(string Console, BootEnd End, string? Registers, TimeSpan Elapsed, string? Error);

    /// <summary>
    /// Boots a kernel and initramfs under qemu-system-x86_64 as the reference harness's run.sh does (TCG, one CPU, 512 MiB,
    /// the serial console captured to a file) and decides when the run is over: 2 s after "---[ end Kernel panic" or a
    /// power-off, 8 s after "Kernel panic - not syncing" (5.10 never prints the trailer from #DF context), or after
    /// <c>idle</c> of console silence once the module is loading (or <c>limit</c> in all), when the registers are read
    /// through QEMU's monitor before it is stopped.
    /// </summary>
    internal static class QemuBoot
    {
        public static BootResult Run(string kernel, string initrd, string cmdline, string logPath, TimeSpan idle, TimeSpan limit, Action<string>? onLine)
        {
            string monitor = Path.Combine(Path.GetTempPath(), $"kdsl-oracle-{Environment.ProcessId}-{Guid.NewGuid():N}.sock");
            File.WriteAllText(logPath, "");
            var info = new ProcessStartInfo("qemu-system-x86_64")
            {
                UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            };
            foreach (var a in new[] { "-machine", "pc", "-cpu", "max", "-m", "512", "-smp", "1", "-nographic", "-no-reboot",
                         "-kernel", kernel, "-initrd", initrd, "-append", cmdline, "-serial", "file:" + logPath,
                         "-monitor", $"unix:{monitor},server,nowait", "-display", "none", "-net", "none" })
                info.ArgumentList.Add(a);
            var watch = Stopwatch.StartNew();
            Process qemu;
            try
            {
                qemu = Process.Start(info)!;
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                return new BootResult("", BootEnd.QemuExit, null, watch.Elapsed, "cannot start qemu-system-x86_64: " + e.Message);
            }
            var stderr = new StringBuilder();
            qemu.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
            qemu.OutputDataReceived += (_, _) => { };
            qemu.BeginErrorReadLine();
            qemu.BeginOutputReadLine();
            qemu.StandardInput.Close();

            DateTime? ended = null;
            double grace = 2;
            long lastSize = -1;
            var lastChange = watch.Elapsed;
            int seenLines = 0;
            string? registers = null;
            var end = BootEnd.QemuExit;
            try
            {
                while (!qemu.WaitForExit(200))
                {
                    string text = ReadShared(logPath);
                    seenLines = Report(text, seenLines, onLine);
                    if (ended is null)
                    {
                        if (text.Contains("---[ end Kernel panic") || text.Contains("reboot: Power down")) { ended = DateTime.UtcNow; grace = 2; }
                        else if (text.Contains("Kernel panic - not syncing")) { ended = DateTime.UtcNow; grace = 8; }
                    }
                    else if (grace > 2 && text.Contains("---[ end Kernel panic")) grace = 2;
                    if (text.Length != lastSize) { lastSize = text.Length; lastChange = watch.Elapsed; }
                    // silence counts once the module is loading: before that the kernel may still be booting (a
                    // loaded host slows TCG's boot well past a minute), and only the overall limit applies
                    bool loading = text.Contains("ORACLE: running");
                    if (ended is null && ((loading && watch.Elapsed - lastChange > idle) || watch.Elapsed > limit))
                    {
                        registers = MonitorCommand(monitor, "info registers");
                        end = BootEnd.Hang;
                        break;
                    }
                    if (ended is DateTime t && (DateTime.UtcNow - t).TotalSeconds >= grace)
                    {
                        end = BootEnd.Ended;
                        break;
                    }
                }
                if (ended is not null) end = BootEnd.Ended;
            }
            finally
            {
                if (!qemu.HasExited) qemu.Kill();
                qemu.WaitForExit();
                try { File.Delete(monitor); } catch (IOException) { }
            }
            string console = ReadShared(logPath);
            Report(console, seenLines, onLine);
            string? error = end == BootEnd.QemuExit && qemu.ExitCode != 0 ? $"qemu exited with {qemu.ExitCode}: {stderr.ToString().Trim()}" : null;
            return new BootResult(console, end, registers, watch.Elapsed, error);
        }

        /// <summary>Calls <paramref name="onLine"/> for each complete console line after the first <paramref name="seen"/>.</summary>
        private static int Report(string text, int seen, Action<string>? onLine)
        {
            var lines = text.Split('\n');
            for (int i = seen; i < lines.Length - 1; i++) onLine?.Invoke(lines[i].TrimEnd('\r'));
            return Math.Max(seen, lines.Length - 1);
        }

        private static string ReadShared(string path)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }

        /// <summary>One command on QEMU's human monitor; its answer, or why there is none.</summary>
        private static string MonitorCommand(string socketPath, string command)
        {
            try
            {
                using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                socket.Connect(new UnixDomainSocketEndPoint(socketPath));
                socket.ReceiveTimeout = 2000;
                Drain(socket); // the banner and prompt
                socket.Send(Encoding.ASCII.GetBytes(command + "\n"));
                Thread.Sleep(1000);
                // the monitor echoes the command with terminal escapes; the registers start at "CPU#0"
                string answer = Drain(socket).Replace("\r", "");
                int cpu = answer.IndexOf("CPU#0", StringComparison.Ordinal);
                string registers = cpu >= 0 ? answer.Substring(cpu) : answer;
                // the general, segment and control registers; the FPU and vector ones say nothing about a hang
                int fpu = registers.IndexOf("\nFCW=", StringComparison.Ordinal);
                return (fpu >= 0 ? registers.Substring(0, fpu) : registers).Replace("(qemu)", "").Trim();
            }
            catch (SocketException e)
            {
                return $"(no registers: the monitor did not answer: {e.Message})";
            }
        }

        private static string Drain(Socket socket)
        {
            var text = new StringBuilder();
            var buffer = new byte[65536];
            try
            {
                socket.ReceiveTimeout = 500;
                int n;
                while ((n = socket.Receive(buffer)) > 0) text.Append(Encoding.UTF8.GetString(buffer, 0, n));
            }
            catch (SocketException) { }
            return text.ToString();
        }
    }
}
