using System;
using System.CommandLine;
using System.IO;
using System.Linq;
using KDsl.Image;
using KDsl.Cli.Oracle;
using KDsl.Profiles;

namespace KDsl.Cli
{
    /// <summary>
    /// `kdsl ko FILE [--scenario NAME] [--profile P] [-o DIR] [--headers DIR]`: the experiment as a real kernel module,
    /// built by the profile's own Kbuild from the very bytes KDsl emulates (<see cref="ModuleAssembly"/>), and each
    /// `process` block as a static executable beside it (<see cref="UserElf"/>). It prints the paths it made.
    /// Exit 0 with the .ko's path, 1 when the module cannot be built (a kernel function Linux does not export,
    /// no headers, Kbuild's error), 2 on compile errors or bad options.
    /// </summary>
    internal static class KoCommand
    {
        public static Command Create()
        {
            var file = new Argument<FileInfo>("file") { Description = "The .kdsl experiment" };
            var scenario = new Option<string?>("--scenario") { Description = "Build this scenario's module (its settings decide the code)" };
            var profile = new Option<string?>("--profile") { Description = "Kernel to build for: linux-6.1 or linux-5.10 (default: the experiment's profile)" };
            var output = new Option<DirectoryInfo?>("--output", "-o") { Description = "Directory for the sources and the .ko (default: ./NAME.ko.d)" };
            var headers = new Option<string?>("--headers") { Description = "The kernel build tree to use instead of the profile's headers package" };
            var set = new Option<string[]>("--set") { Description = "Override a config setting or a constant, e.g. --set BUF=2048" };
            var command = new Command("ko", "Build an experiment as a real kernel module (.ko) with the kernel's own Kbuild") { file, scenario, profile, output, headers, set };
            command.SetAction(parse =>
            {
                if (!Settings.TryParse(parse.GetValue(set), out var settings, out string? error))
                {
                    Console.Error.WriteLine($"kdsl: {error}");
                    return 2;
                }
                string? p = parse.GetValue(profile);
                if (p is not null) settings["profile"] = p;
                var f = parse.GetValue(file)!;
                var image = Compile(f, settings, parse.GetValue(scenario), p);
                if (image is null) return 2;
                string dir = parse.GetValue(output)?.FullName ?? Path.Combine(Directory.GetCurrentDirectory(), image.Name + ".ko.d");
                if (image.HasInit)
                {
                    string? ko = Build(image, dir, parse.GetValue(headers), out error);
                    if (ko is null)
                    {
                        Console.Error.WriteLine($"kdsl: {f.Name}: {error}");
                        return 1;
                    }
                    Console.Out.WriteLine(ko);
                }
                else if (image.LaterSymbol is not null || image.ProcessNames.Count == 0)
                {
                    Console.Error.WriteLine($"kdsl: {f.Name}: {ModuleAssembly.Refusal(image)}");
                    return 1;
                }
                foreach (var executable in WriteExecutables(image, dir)) Console.Out.WriteLine(executable);
                return 0;
            });
            return command;
        }

        /// <summary>The image of <paramref name="file"/> (or of one scenario), compiled for <paramref name="profile"/> when given; null after saying why.</summary>
        internal static ModuleImage? Compile(FileInfo file, System.Collections.Generic.Dictionary<string, string> settings, string? scenario, string? profile)
        {
            if (!Compilation.TryCompile(file, settings, out CompileResult? compiled, showInfo: false)) return null;
            if (scenario is null) return compiled!.Image;
            var found = compiled!.Scenarios.FirstOrDefault(s => s.Name == scenario);
            if (found is null)
            {
                Compilation.ReportNoScenario(file, scenario, compiled.Scenarios);
                return null;
            }
            var image = found.Image!;
            if (profile is not null && image.Config.Profile != profile)
            {
                Console.Error.WriteLine($"kdsl: scenario '{scenario}' sets profile {image.Config.Profile}; drop --profile or choose another scenario");
                return null;
            }
            return image;
        }

        /// <summary>
        /// Each `process` block as the static executable DIR/NAME (<see cref="UserElf"/>: the bytes KDsl's kernel maps for
        /// it, at the same addresses); their paths, in source order.
        /// </summary>
        internal static System.Collections.Generic.List<string> WriteExecutables(ModuleImage image, string dir)
        {
            var paths = new System.Collections.Generic.List<string>();
            Directory.CreateDirectory(dir);
            foreach (var name in image.ProcessNames)
            {
                string path = Path.Combine(Path.GetFullPath(dir), name);
                File.WriteAllBytes(path, UserElf.Create(UserProgram.Create(image, name), image));
                if (!OperatingSystem.IsWindows())
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
                paths.Add(path);
            }
            return paths;
        }

        /// <summary>Builds <paramref name="image"/> as DIR/NAME.ko; null with the reason.</summary>
        internal static string? Build(ModuleImage image, string dir, string? headers, out string? error)
        {
            var profile = KernelProfile.Find(image.Config.Profile);
            if (profile is null)
            {
                error = $"unknown profile {image.Config.Profile}";
                return null;
            }
            var module = ModuleAssembly.Create(image, out error);
            if (module is null) return null;
            var build = KernelBuild.Find(profile, headers, out error);
            if (build is null) return null;
            var exports = build.Exports();
            var missing = module.Imports.Where(s => !exports.Contains(s)).ToList();
            if (missing.Count > 0)
            {
                error = $"{string.Join(", ", missing)}: KDsl's kernel provides {(missing.Count == 1 ? "it" : "them")}, but Linux {profile.Release} " +
                    $"does not export {(missing.Count == 1 ? "it" : "them")} to modules (not in {Path.Combine(build.Headers, "Module.symvers")}), so the real module could not load";
                return null;
            }
            return build.BuildModule(module, dir, out error);
        }
    }
}
