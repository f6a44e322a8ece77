using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using KDsl.Image;
using KDsl.Profiles;

namespace KDsl.Cli.Oracle
{
    /// <summary>
    /// A profile's real kernel build tree (the Debian linux-headers package) and Kbuild run on it: where the headers
    /// are, which symbols the kernel exports to modules (Module.symvers), and `make -C HEADERS M=DIR modules`.
    /// </summary>
    internal sealed class KernelBuild
    {
        private KernelBuild(KernelProfile profile, string headers)
        {
            Profile = profile;
            Headers = headers;
        }

        public KernelProfile Profile { get; }
        /// <summary>The headers package's build tree (/usr/src/linux-headers-RELEASE).</summary>
        public string Headers { get; }

        /// <summary>The Debian packages behind the profiles that have a real kernel to check against.</summary>
        public static bool HasPackages(KernelProfile profile) => profile.Name is "linux-6.1" or "linux-5.10";

        /// <summary>Where kdsl keeps what it downloads and builds: $KDSL_CACHE, else $XDG_CACHE_HOME/kdsl, else ~/.cache/kdsl.</summary>
        public static string CacheRoot
        {
            get
            {
                string? dir = Environment.GetEnvironmentVariable("KDSL_CACHE");
                if (!string.IsNullOrEmpty(dir)) return dir!;
                string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
                string root = !string.IsNullOrEmpty(xdg) ? xdg! : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
                return Path.Combine(root, "kdsl");
            }
        }

        /// <summary>The places the headers of <paramref name="profile"/> are looked for, in order.</summary>
        public static IReadOnlyList<string> Candidates(KernelProfile profile) => new[]
        {
            // installed by apt-get (bookworm has 6.1's), else unpacked by `kdsl oracle --setup` (5.10 is bullseye's)
            $"/usr/src/linux-headers-{profile.Release}",
            Path.Combine(CacheRoot, profile.Release, "root", "usr", "src", $"linux-headers-{profile.Release}"),
        };

        /// <summary>The build tree for <paramref name="profile"/>, or null with the reason and the way to get it.</summary>
        public static KernelBuild? Find(KernelProfile profile, string? headers, out string? error)
        {
            error = null;
            if (headers is not null)
            {
                if (File.Exists(Path.Combine(headers, "Module.symvers"))) return new KernelBuild(profile, headers);
                error = $"{headers} is not a kernel build tree (no Module.symvers)";
                return null;
            }
            if (!HasPackages(profile))
            {
                error = $"profile {profile.Name} has no kernel headers package kdsl can use (linux-6.1 and linux-5.10 do)";
                return null;
            }
            foreach (var dir in Candidates(profile))
                if (File.Exists(Path.Combine(dir, "Module.symvers"))) return new KernelBuild(profile, dir);
            error = $"the {profile.Name} kernel headers are not installed (looked in {string.Join(", ", Candidates(profile))}); " +
                $"install them with `kdsl oracle --setup --profile {profile.Name}`" +
                (profile.Name == "linux-6.1" ? $" or `apt-get install linux-headers-{profile.Release}`" : "") + ", or give --headers DIR";
            return null;
        }

        /// <summary>The symbols the kernel exports to modules: Module.symvers's second column.</summary>
        public HashSet<string> Exports()
        {
            var exports = new HashSet<string>(StringComparer.Ordinal);
            foreach (var line in File.ReadLines(Path.Combine(Headers, "Module.symvers")))
            {
                var fields = line.Split('\t');
                if (fields.Length >= 3 && fields[2] == "vmlinux") exports.Add(fields[1]);
            }
            return exports;
        }

        /// <summary>
        /// Writes the module's sources into <paramref name="dir"/> and builds NAME.ko there with the kernel's Kbuild, then
        /// strips the symbols only objtool needed (<see cref="ModuleAssembly.StrippedSymbols"/>). Returns the .ko's path, or null with Kbuild's output in <paramref name="error"/>.
        /// </summary>
        public string? BuildModule(ModuleAssembly module, string dir, out string? error)
        {
            error = null;
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "Kbuild"), module.Kbuild);
            File.WriteAllText(Path.Combine(dir, module.AssemblyFileName), module.Assembly);
            File.WriteAllText(Path.Combine(dir, module.GlueFileName), module.Glue);
            string full = Path.GetFullPath(dir);
            // CC=gcc as the reference harness builds: 5.10's Makefile names gcc-10, which bookworm does not have
            if (!Run("make", new[] { "-C", Headers, "M=" + full, "CC=gcc", "modules" }, out string output))
            {
                error = $"Kbuild failed (make -C {Headers} M={full} modules):\n{output}";
                return null;
            }
            string ko = Path.Combine(full, module.Name + ".ko");
            if (!File.Exists(ko))
            {
                error = $"Kbuild made no {ko}:\n{output}";
                return null;
            }
            if (module.StrippedSymbols.Count > 0 &&
                !Run("objcopy", module.StrippedSymbols.Select(x => "--strip-symbol=" + x).Append(ko), out string stripped))
            {
                error = $"objcopy could not strip {string.Join(", ", module.StrippedSymbols)} from {ko}:\n{stripped}";
                return null;
            }
            File.WriteAllText(Path.Combine(full, "build.log"), output);
            return ko;
        }

        /// <summary>Runs a program to its end, stdout and stderr together in <paramref name="output"/>; false if it fails or is missing.</summary>
        public static bool Run(string program, IEnumerable<string> args, out string output, string? workingDirectory = null)
        {
            var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) info.ArgumentList.Add(a);
            if (workingDirectory is not null) info.WorkingDirectory = workingDirectory;
            info.Environment["LC_ALL"] = "C";
            try
            {
                using var process = Process.Start(info)!;
                var text = new System.Text.StringBuilder();
                process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (text) text.Append(e.Data).Append('\n'); };
                process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (text) text.Append(e.Data).Append('\n'); };
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                process.WaitForExit();
                output = text.ToString();
                return process.ExitCode == 0;
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                output = $"cannot run {program}: {e.Message}";
                return false;
            }
        }
    }
}
