using System.Linq;
using System.Text;
using KDsl.Image;

namespace KDsl.Generator.Tests
{
    /// <summary>A hand-built module image, so the emitter is tested without depending on the real compiler.</summary>
    internal static class TestImages
    {
        public const string Path = "/experiments/hand-built.kdsl";

        public static ModuleImage Create(string sourcePath = Path)
        {
            byte[] text = Enumerable.Range(0, 37).Select(i => (byte)(i * 7)).Concat(new byte[] { 0xC3 }).ToArray();
            byte[] roData = Encoding.ASCII.GetBytes("hand LOADED.\n\0[%px] \"quoted\"\n\0");
            return new ModuleImage(
                name: "hand_built",
                description: "a \"quoted\" description\\with a backslash, a tab\tand ünïcödé <xml> & more",
                sourcePath: sourcePath,
                config: new ExperimentConfig("linux-5.10", 8192, vmapStack: false, hashPointers: true),
                text: text,
                roData: roData,
                symbols: new[]
                {
                    new ModuleSymbol("rstack", Section.Text, 0, 30, 13),
                    new ModuleSymbol("init_module", Section.Text, 30, 8, 22),
                    new ModuleSymbol(".str.0", Section.RoData, 0, 14, 0),
                },
                relocations: new[]
                {
                    new Relocation(3, RelocationKind.Rel32, "_printk", -4),
                    new Relocation(10, RelocationKind.Abs32S, ".str.0", 0),
                    new Relocation(20, RelocationKind.Abs64, "rstack", long.MaxValue),
                    new Relocation(31, RelocationKind.Rel32, "rstack", long.MinValue),
                },
                lines: new[] { new LineEntry(0, 13), new LineEntry(4, 14), new LineEntry(30, 23) },
                unwind: new[] { new UnwindEntry(0, 8), new UnwindEntry(1, 16), new UnwindEntry(29, 8) },
                initSymbol: "init_module",
                exitSymbol: null,
                expectations: new[]
                {
                    new Expectation(ExpectationKind.Printk, "finished \"initialized\" buf", 3, null, 27),
                    new Expectation(ExpectationKind.Printk, "any", -1, null, 28),
                    new Expectation(ExpectationKind.Oops, "stack_guard", -1, "rstack", 29),
                    new Expectation(ExpectationKind.NoFault, string.Empty, -1, null, 30),
                });
        }
    }
}
