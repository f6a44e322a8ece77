using System.Linq;
using KDsl.Image;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.CodeGen
{
    /// <summary>
    /// Whether a module's .exit.text comes before its .text.unlikely (KDsl lays its core text out in the .ko's section
    /// order). Expected values: tools/gcc-frames/exit_order.py, which builds the C twins of these 20 modules with GCC 12
    /// against the 6.1.0-56 and 5.10.0-46 headers and reads the order with readelf -S. On 6.1 the exit came first when
    /// it called nothing (empty, or a store) and no leaf function in .text.unlikely was defined before it, unless ipa-cp
    /// cloned that leaf (called with a constant); on 5.10 .text.unlikely always came first.
    /// </summary>
    [TestFixture]
    public class TextSectionOrderTests
    {
        private static readonly string[] ExitFirstOn61 =
        {
            "o_e0_none", "o_e0_before_c", "o_e0_after", "o_e0_after_c",
            "o_e1_none", "o_e1_before_c", "o_e1_after", "o_e1_after_c",
        };

        private static readonly string[] Exits = { "e0", "e1", "e2", "e3" };
        private static readonly (string Leaf, bool Cloned)[] Leaves = { ("none", false), ("before", false), ("before", true), ("after", false), ("after", true) };

        private static TestCaseData[] Cases() =>
            (from profile in new[] { "linux-6.1", "linux-5.10" }
             from exit in Exits
             from leaf in Leaves
             let name = $"o_{exit}_{leaf.Leaf}{(leaf.Cloned ? "_c" : "")}"
             select new TestCaseData(profile, exit, leaf.Leaf, leaf.Cloned, profile == "linux-6.1" && ExitFirstOn61.Contains(name))
                 .SetName($"{profile} {name}")).ToArray();

        /// <summary>exit_order.py's module in KDsl: rec (printk, recursion) in .text.unlikely, the exit, and maybe a leaf.</summary>
        private static string Source(string profile, string exit, string leaf, bool cloned)
        {
            string leafFunction = "void leaf(int a) { for (int i = 0; i < a; i++) y = i; }\n";
            string exitBody = exit switch { "e1" => "y = 7;", "e2" => "printk(\"\\0016bye\\n\");", "e3" => "leaf2(z);", _ => "" };
            return $"module o \"exit order\";\nconfig {{ profile = {profile}; }}\nint y;\nint z;\n"
                + "int rec(int n) { char buf[300]; char *vp = buf; for (int i = 0; i < 300; i++) vp[i] = (char)n; printk(\"\\0016r %d\\n\", n); if (n > 0) return rec(n - 1) + vp[1]; return vp[3]; }\n"
                + (exit == "e3" ? "void leaf2(int a) { for (int i = 0; i < a; i++) y = i + 1; }\n" : "")
                + (leaf == "before" ? leafFunction : "")
                + $"init {{ {(leaf == "none" ? "" : cloned ? "leaf(3); " : "leaf(z); ")}printk(\"\\0016%d\\n\", rec(3)); }}\n"
                + $"exit {{ {exitBody} }}\n"
                + (leaf == "after" ? leafFunction : "");
        }

        [TestCaseSource(nameof(Cases))]
        public void ExitText_ComesWhereGccPutsIt(string profile, string exit, string leaf, bool cloned, bool exitFirst)
        {
            var result = Compiler.Compile("o.kdsl", Source(profile, exit, leaf, cloned));
            Assert.That(result.Image, Is.Not.Null, string.Join("\n", result.Diagnostics));
            var symbols = result.Image!.Symbols;
            int exitAt = symbols.Single(s => s.TextSection == TextSection.Exit).Offset;
            var unlikely = symbols.Where(s => s.TextSection == TextSection.Unlikely).Select(s => s.Offset).ToList();
            Assert.That(unlikely, Is.Not.Empty);
            Assert.That(unlikely.All(u => exitAt < u), Is.EqualTo(exitFirst), "exit before every .text.unlikely function");
            Assert.That(unlikely.All(u => exitAt > u), Is.EqualTo(!exitFirst), "exit after every .text.unlikely function");
        }
    }
}
