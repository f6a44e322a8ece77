using System.CommandLine;

namespace KDsl.Cli
{
    /// <summary>The `kdsl` command: compile a .kdsl experiment with src/Dsl and run it on the emulated machine.</summary>
    internal static class Program
    {
        private static int Main(string[] args)
        {
            var root = new RootCommand("KDsl: kernel stack and memory experiments on an emulated x86-64 Linux");
            root.Add(RunCommand.Create());
            root.Add(CheckCommand.Create());
            root.Add(BenchCommand.Create());
            root.Add(BuildCommand.Create());
            return root.Parse(args).Invoke();
        }
    }
}
