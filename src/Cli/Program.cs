using System.CommandLine;

namespace KDsl.Cli
{
    /// <summary>The `kdsl` command: compile a .kdsl experiment with src/Dsl and run it on the emulated machine.</summary>
    internal static class Program
    {
        private static int Main(string[] args) => Invoke(args);

        /// <summary>Parses and runs one command line (tests call this in-process, with Console redirected).</summary>
        internal static int Invoke(string[] args) => CreateRoot().Parse(args).Invoke();

        internal static RootCommand CreateRoot()
        {
            var root = new RootCommand("KDsl: kernel stack and memory experiments on an emulated x86-64 Linux");
            root.Add(RunCommand.Create());
            root.Add(CheckCommand.Create());
            root.Add(DisasmCommand.Create());
            root.Add(SweepCommand.Create());
            root.Add(BenchCommand.Create());
            root.Add(BuildCommand.Create());
            root.Add(Lsp.LspCommand.Create());
            root.Add(KoCommand.Create());
            root.Add(Oracle.OracleCommand.Create());
            return root;
        }
    }
}
