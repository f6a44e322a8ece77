using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace KDsl.Cli.Oracle
{
    /// <summary>
    /// The initramfs a real-kernel run boots: busybox (the shell and its tools), kmod's insmod with its libraries and the
    /// process runner, built once into the cache, followed by a small archive with the module, the processes'
    /// executables and an /init that loads the module the way the reference harness does
    /// (shared/reference/real-kernel/oracle/src/init.sh) and then runs the processes, printing the "ORACLE:" lines the
    /// log parser reads.
    /// </summary>
    internal static class Initramfs
    {
        /// <summary>Where the base archive puts the process runner (run-process.c, built with the host's gcc -static).</summary>
        public const string RunnerPath = "/sbin/kdsl-run-process";

        /// <summary>
        /// The cached base archive, built if missing (or if <see cref="OracleSetup.Busybox"/>, kmod or the runner's source
        /// changed).
        /// </summary>
        public static string Base(out string? error)
        {
            error = null;
            var files = new List<string> { OracleSetup.Busybox, OracleSetup.Kmod };
            if (!KernelBuild.Run("ldd", new[] { OracleSetup.Kmod }, out string ldd))
            {
                error = $"ldd {OracleSetup.Kmod} failed: {ldd}";
                return "";
            }
            foreach (var line in ldd.Split('\n'))
            {
                var parts = line.Trim().Split(' ');
                string? lib = parts.Length >= 3 && parts[1] == "=>" ? parts[2] : parts.Length >= 1 && parts[0].StartsWith("/", StringComparison.Ordinal) ? parts[0] : null;
                if (lib is not null && File.Exists(lib)) files.Add(lib);
            }
            string runner = RunnerSource();
            // the key: each file's path, size and time, so an upgraded busybox or kmod rebuilds it, and the runner's source
            string key = string.Join("\n", files.Select(f => $"{f} {new FileInfo(f).Length} {File.GetLastWriteTimeUtc(f).Ticks}")) + "\n" + runner;
            string path = Path.Combine(KernelBuild.CacheRoot, "initramfs", Hash(key) + ".cpio");
            if (File.Exists(path)) return path;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);

            var cpio = new Cpio();
            foreach (var d in new[] { "proc", "sys", "dev", "tmp", "mod", "exp", "sbin", "usr/sbin" }) cpio.Directory(d);
            cpio.File("bin/busybox", File.ReadAllBytes(OracleSetup.Busybox), executable: true);
            if (!KernelBuild.Run(OracleSetup.Busybox, new[] { "--list" }, out string applets))
            {
                error = $"{OracleSetup.Busybox} --list failed: {applets}";
                return "";
            }
            foreach (var applet in applets.Split('\n').Select(a => a.Trim()).Where(a => a.Length > 0 && a != "busybox").Distinct().OrderBy(a => a, StringComparer.Ordinal))
                cpio.Symlink("bin/" + applet, "busybox");
            cpio.File("usr/bin/kmod", File.ReadAllBytes(OracleSetup.Kmod), executable: true);
            cpio.Symlink("usr/sbin/insmod", "../bin/kmod");
            foreach (var lib in files.Skip(2)) cpio.File(lib, File.ReadAllBytes(lib), executable: true);
            byte[]? runnerBytes = BuildRunner(runner, path + ".run-process", out error);
            if (runnerBytes is null) return "";
            cpio.File(RunnerPath.TrimStart('/'), runnerBytes, executable: true);
            File.WriteAllBytes(path + ".tmp", cpio.ToArray());
            File.Move(path + ".tmp", path, overwrite: true);
            return path;
        }

        private static string RunnerSource()
        {
            using var stream = typeof(Initramfs).Assembly.GetManifestResourceStream("KDsl.Cli.Oracle.run-process.c")!;
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }

        /// <summary>run-process.c compiled static (glibc's libc.a, from build-essential's libc6-dev); null with gcc's error.</summary>
        private static byte[]? BuildRunner(string source, string output, out string? error)
        {
            error = null;
            string c = output + ".c";
            File.WriteAllText(c, source);
            bool built = KernelBuild.Run("gcc", new[] { "-static", "-Os", "-o", output, c }, out string log);
            File.Delete(c);
            if (!built)
            {
                error = $"gcc -static run-process.c failed: {log}";
                return null;
            }
            var bytes = File.ReadAllBytes(output);
            File.Delete(output);
            return bytes;
        }

        /// <summary>
        /// The base followed by the run's archive: /mod/NAME.ko when the experiment has a module, each process's
        /// executable as /exp/NAME (so its comm and its text VMA's file are NAME, as in KDsl), and the /init.
        /// </summary>
        public static byte[] ForRun(string basePath, string name, string? ko, IReadOnlyList<(string Name, string Path)> processes, int insmodPid)
        {
            var run = new Cpio();
            if (ko is not null) run.File("mod/" + name + ".ko", File.ReadAllBytes(ko), executable: false);
            foreach (var p in processes) run.File("exp/" + p.Name, File.ReadAllBytes(p.Path), executable: true);
            run.File("init", Encoding.ASCII.GetBytes(InitScript(name, ko is not null, processes.Select(p => p.Name).ToList(), insmodPid)), executable: true);
            var bytes = File.ReadAllBytes(basePath).ToList();
            bytes.AddRange(run.ToArray());
            return bytes.ToArray();
        }

        /// <summary>
        /// /init: mount what the kernel's messages, insmod and the processes need (/tmp a tmpfs, as KDsl's files are),
        /// load the module, report insmod's status, run the processes one after another as KDsl runs them, power off.
        /// Each gets the PID KDsl gives it (insmod the profile's <paramref name="insmodPid"/>, the reference harness's;
        /// process i insmodPid + 2 + i): /proc/sys/kernel/ns_last_pid (CONFIG_CHECKPOINT_RESTORE, set in Debian's
        /// configs) names the PID before the next fork, so "PID: 98" in an oops or a WARNING reads the same on both sides.
        /// </summary>
        internal static string InitScript(string name, bool module, IReadOnlyList<string> processes, int insmodPid)
        {
            var s = new StringBuilder();
            s.Append("#!/bin/sh\n");
            s.Append("# kdsl oracle: load one module as the reference harness's init.sh does, run the experiment's processes, power off\n");
            s.Append("export PATH=/bin:/sbin:/usr/bin:/usr/sbin\n");
            s.Append("mount -t proc proc /proc\nmount -t sysfs sys /sys\nmount -t devtmpfs dev /dev 2>/dev/null\nmount -t tmpfs tmp /tmp\n");
            s.Append($"echo \"ORACLE: exp={name} kernel=$(uname -r) cmdline=$(cat /proc/cmdline)\"\n");
            if (module)
            {
                s.Append($"echo \"ORACLE: running: /usr/sbin/insmod (kmod) /mod/{name}.ko\"\n");
                s.Append($"echo {insmodPid - 1} > /proc/sys/kernel/ns_last_pid\n");
                s.Append($"/usr/sbin/insmod /mod/{name}.ko\n");
                s.Append("echo \"ORACLE: insmod exit status=$?\"\n");
            }
            else s.Append($"echo \"ORACLE: running: processes {string.Join(" ", processes)}\"\n");
            if (processes.Count > 0)
            {
                // the runner reads a killed process's siginfo from its core (RLIMIT_CORE is lifted for it alone), and the
                // signals its handlers caught from the signal_deliver trace event
                s.Append("echo /tmp/core.%p > /proc/sys/kernel/core_pattern\n");
                s.Append("mount -t tracefs tracefs /sys/kernel/tracing\n");
                s.Append("echo 1 > /sys/kernel/tracing/events/signal/signal_deliver/enable\n");
                for (int i = 0; i < processes.Count; i++)
                {
                    // KDsl's process i is insmodPid + 2 + i; here the shell forks the runner and the runner the process,
                    // so the process is the second PID after the one written
                    s.Append($"echo {insmodPid + i} > /proc/sys/kernel/ns_last_pid\n");
                    s.Append($"{RunnerPath} {processes[i]} /exp/{processes[i]}\n");
                }
            }
            s.Append("echo \"ORACLE: done\"\n");
            s.Append("sync\npoweroff -f\n");
            return s.ToString();
        }

        public static string Hash(string text)
        {
            using var sha = System.Security.Cryptography.SHA256.Create();
            return string.Concat(sha.ComputeHash(Encoding.UTF8.GetBytes(text)).Take(8).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        }
    }
}
