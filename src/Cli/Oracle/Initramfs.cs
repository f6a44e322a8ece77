using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace KDsl.Cli.Oracle
{
    /// <summary>
    /// The initramfs a real-kernel run boots: busybox (the shell and its tools) and kmod's insmod with its libraries,
    /// built once into the cache, followed by a small archive with the module and an /init that loads it the way the
    /// reference harness does (shared/reference/real-kernel/oracle/src/init.sh), printing the same "ORACLE:" lines the
    /// log parser reads.
    /// </summary>
    internal static class Initramfs
    {
        /// <summary>The cached base archive, built if missing (or if <see cref="OracleSetup.Busybox"/> or kmod changed).</summary>
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
            // the key: each file's path, size and time, so an upgraded busybox or kmod rebuilds it
            string key = string.Join("\n", files.Select(f => $"{f} {new FileInfo(f).Length} {File.GetLastWriteTimeUtc(f).Ticks}"));
            string path = Path.Combine(KernelBuild.CacheRoot, "initramfs", Hash(key) + ".cpio");
            if (File.Exists(path)) return path;

            var cpio = new Cpio();
            foreach (var d in new[] { "proc", "sys", "dev", "tmp", "mod", "sbin", "usr/sbin" }) cpio.Directory(d);
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
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path + ".tmp", cpio.ToArray());
            File.Move(path + ".tmp", path, overwrite: true);
            return path;
        }

        /// <summary>The base followed by the run's archive: /mod/NAME.ko and its /init.</summary>
        public static byte[] ForModule(string basePath, string ko, string name)
        {
            var run = new Cpio();
            run.File("mod/" + name + ".ko", File.ReadAllBytes(ko), executable: false);
            run.File("init", Encoding.ASCII.GetBytes(InitScript(name)), executable: true);
            var bytes = File.ReadAllBytes(basePath).ToList();
            bytes.AddRange(run.ToArray());
            return bytes.ToArray();
        }

        /// <summary>/init: mount what the kernel's messages and insmod need, load the module, report insmod's status, power off.</summary>
        private static string InitScript(string name) =>
            "#!/bin/sh\n" +
            "# kdsl oracle: load one module as the reference harness's init.sh does, then power off\n" +
            "export PATH=/bin:/sbin:/usr/bin:/usr/sbin\n" +
            "mount -t proc proc /proc\nmount -t sysfs sys /sys\nmount -t devtmpfs dev /dev 2>/dev/null\nmount -t tmpfs tmp /tmp\n" +
            $"echo \"ORACLE: exp={name} kernel=$(uname -r) cmdline=$(cat /proc/cmdline)\"\n" +
            $"echo \"ORACLE: running: /usr/sbin/insmod (kmod) /mod/{name}.ko\"\n" +
            $"/usr/sbin/insmod /mod/{name}.ko\n" +
            "echo \"ORACLE: insmod exit status=$?\"\n" +
            "echo \"ORACLE: done\"\n" +
            "sync\npoweroff -f\n";

        public static string Hash(string text)
        {
            using var sha = System.Security.Cryptography.SHA256.Create();
            return string.Concat(sha.ComputeHash(Encoding.UTF8.GetBytes(text)).Take(8).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        }
    }
}
