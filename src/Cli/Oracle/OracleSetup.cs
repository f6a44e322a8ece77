using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using KDsl.Profiles;

namespace KDsl.Cli.Oracle
{
    /// <summary>
    /// What `kdsl oracle` needs on the host for one profile, where it is, and how `--setup` gets it: qemu, busybox and kmod
    /// for the initramfs, make and gcc for Kbuild (apt-get), and the profile's Debian kernel image and headers (6.1's
    /// headers from the system's bookworm sources; 5.10's image and headers from bullseye through a private apt
    /// configuration, unpacked under the cache, as the reference harness does).
    /// </summary>
    internal sealed class OracleSetup
    {
        private readonly KernelProfile _profile;

        public OracleSetup(KernelProfile profile) => _profile = profile;

        /// <summary>The profile's cache folder: its unpacked packages (root/) and downloads (debs/).</summary>
        public string CacheDir => Path.Combine(KernelBuild.CacheRoot, _profile.Release);
        public string Root => Path.Combine(CacheDir, "root");
        public string KernelImage => Path.Combine(Root, "boot", "vmlinuz-" + _profile.Release);

        /// <summary>The Debian release whose archive holds the profile's kernel.</summary>
        private string Suite => _profile.Name == "linux-5.10" ? "bullseye" : "bookworm";

        /// <summary>
        /// Host packages: qemu, the initramfs's busybox and kmod, the compiler Kbuild runs, and gdb, which the oracle does
        /// not need but a user reading the .ko does (docs/oracle.md; KoToolsTests check it reads one).
        /// </summary>
        private static readonly string[] HostPackages = { "qemu-system-x86", "busybox-static", "kmod", "build-essential", "gdb" };

        /// <summary>Every missing piece, each with what provides it; empty when the oracle can run.</summary>
        public List<string> Missing(string? headers)
        {
            var missing = new List<string>();
            if (!OnPath("qemu-system-x86_64")) missing.Add("qemu-system-x86_64 (apt package qemu-system-x86)");
            if (!File.Exists(Busybox)) missing.Add($"{Busybox} (apt package busybox-static)");
            if (!File.Exists(Kmod)) missing.Add($"{Kmod} (apt package kmod)");
            if (!OnPath("make") || !OnPath("gcc")) missing.Add("make and gcc (apt package build-essential)");
            if (KernelBuild.Find(_profile, headers, out _) is null) missing.Add($"the {_profile.Name} kernel headers (linux-headers-{_profile.Release})");
            if (!File.Exists(KernelImage)) missing.Add($"the {_profile.Name} kernel image {KernelImage} (linux-image-{_profile.Release})");
            return missing;
        }

        public const string Busybox = "/bin/busybox";
        public const string Kmod = "/usr/bin/kmod";

        /// <summary>Installs or fetches what is missing, saying each step on <paramref name="log"/>; false when a step failed.</summary>
        public bool Run(TextWriter log)
        {
            if (!KernelBuild.HasPackages(_profile))
            {
                log.WriteLine($"kdsl oracle: profile {_profile.Name} has no Debian kernel kdsl can boot (linux-6.1 and linux-5.10 have)");
                return false;
            }
            var packages = HostPackages.Where(p => !Installed(p)).ToList();
            bool bookwormHeaders = _profile.Name == "linux-6.1";
            if (bookwormHeaders && !Installed("linux-headers-" + _profile.Release)) packages.Add("linux-headers-" + _profile.Release);
            if (packages.Count > 0)
            {
                log.WriteLine($"setup: apt-get install {string.Join(" ", packages)}");
                if (!IsRoot())
                {
                    log.WriteLine($"setup: not root; run: sudo apt-get install --no-install-recommends {string.Join(" ", packages)}");
                    return false;
                }
                if (!Step(log, "apt-get", new[] { "update" }) ||
                    !Step(log, "apt-get", new[] { "install", "-y", "--no-install-recommends" }.Concat(packages).ToArray()))
                    return false;
            }
            else log.WriteLine("setup: host packages present (" + string.Join(", ", HostPackages) + ")");

            if (File.Exists(KernelImage) && (bookwormHeaders || KernelBuild.Find(_profile, null, out _) is not null))
            {
                log.WriteLine($"setup: {_profile.Name} kernel already in {Root}");
                return true;
            }
            string debs = Path.Combine(CacheDir, "debs");
            Directory.CreateDirectory(debs);
            var wanted = new List<string> { "linux-image-" + _profile.Release };
            var apt = new List<string>();
            if (!bookwormHeaders)
            {
                // bullseye's packages, with the system's apt sources rewritten to bullseye in a private apt state
                string common = _profile.Release.Substring(0, _profile.Release.LastIndexOf('-')) + "-common";
                string major = _profile.Name.Substring("linux-".Length);
                wanted.AddRange(new[] { "linux-headers-" + _profile.Release, "linux-headers-" + common, "linux-kbuild-" + major });
            }
            // a package downloaded before (its .deb in the cache) is not fetched again
            var fetch = wanted.Where(w => Directory.GetFiles(debs, w + "_*.deb").Length == 0).ToList();
            if (fetch.Count > 0 && !bookwormHeaders)
            {
                apt = PrivateApt(log);
                if (apt.Count == 0 || !Step(log, "apt-get", apt.Concat(new[] { "update" }).ToArray())) return false;
            }
            if (fetch.Count > 0 && !Step(log, "apt-get", apt.Concat(new[] { "download" }).Concat(fetch).ToArray(), debs)) return false;
            if (fetch.Count < wanted.Count) log.WriteLine($"setup: cached in {debs}: {string.Join(", ", wanted.Except(fetch))}");
            Directory.CreateDirectory(Root);
            foreach (var deb in Directory.GetFiles(debs, "*.deb").OrderBy(d => d, StringComparer.Ordinal))
                if (!Step(log, "dpkg", new[] { "-x", deb, Root })) return false;
            // the image package's modules (about 400 MB unpacked): the oracle boots the vmlinuz with its own initramfs
            string modules = Path.Combine(Root, "lib", "modules");
            if (Directory.Exists(modules))
            {
                Directory.Delete(modules, recursive: true);
                log.WriteLine($"setup: removed {modules} (the boot needs only the vmlinuz)");
            }
            if (!bookwormHeaders)
            {
                // The headers' Makefile includes the -common tree by absolute path: point it at the unpacked copy.
                string makefile = Path.Combine(Root, "usr", "src", "linux-headers-" + _profile.Release, "Makefile");
                string text = File.ReadAllText(makefile);
                File.WriteAllText(makefile, text.Replace("include /usr/src/", "include " + Path.Combine(Root, "usr", "src") + "/"));
                log.WriteLine($"setup: {makefile} now includes the unpacked -common tree");
            }
            log.WriteLine($"setup: {_profile.Name} kernel image {KernelImage}");
            return File.Exists(KernelImage);
        }

        /// <summary>apt-get options for a private state that reads the system's sources with the suite replaced.</summary>
        private List<string> PrivateApt(TextWriter log)
        {
            string sources = "/etc/apt/sources.list.d/debian.sources";
            if (!File.Exists(sources))
            {
                log.WriteLine($"setup: {sources} not found: cannot derive the {Suite} sources");
                return new List<string>();
            }
            string dir = Path.Combine(CacheDir, "apt");
            foreach (var d in new[] { "lists/partial", "cache/archives/partial", "parts" }) Directory.CreateDirectory(Path.Combine(dir, d));
            string text = File.ReadAllText(sources).Replace("bookworm-security", Suite + "-security")
                .Replace("bookworm-updates", Suite + "-updates").Replace("bookworm ", Suite + " ").Replace("bookworm\n", Suite + "\n");
            File.WriteAllText(Path.Combine(dir, "parts", Suite + ".sources"), text);
            return new List<string>
            {
                "-o", "Dir::Etc::SourceList=/dev/null", "-o", "Dir::Etc::SourceParts=" + Path.Combine(dir, "parts"),
                "-o", "Dir::State::Lists=" + Path.Combine(dir, "lists"), "-o", "Dir::Cache=" + Path.Combine(dir, "cache"),
                "-o", "Dir::State::status=/dev/null",
            };
        }

        private static bool Step(TextWriter log, string program, string[] args, string? cwd = null)
        {
            log.WriteLine($"setup: {program} {string.Join(" ", args)}");
            if (KernelBuild.Run(program, args, out string output, cwd)) return true;
            log.WriteLine(output.TrimEnd());
            log.WriteLine($"setup: {program} failed");
            return false;
        }

        private static bool Installed(string package) =>
            KernelBuild.Run("dpkg-query", new[] { "-W", "-f=${Status}", package }, out string output) && output.Contains("install ok installed");

        private static bool IsRoot() => KernelBuild.Run("id", new[] { "-u" }, out string output) && output.Trim() == "0";

        public static bool OnPath(string program) =>
            (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, program)));
    }
}
