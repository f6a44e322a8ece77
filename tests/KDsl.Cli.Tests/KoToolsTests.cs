using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using KDsl.Analysis;
using KDsl.Image;
using KDsl.Profiles;
using NUnit.Framework;

namespace KDsl.Cli.Tests
{
    /// <summary>
    /// The tools a kernel developer reads a module with, on step5's .ko (docs/oracle.md lists the commands): readelf's
    /// symbol table and relocations, the headers package's scripts/checkstack.pl over objdump, and gdb (which
    /// `kdsl oracle --setup` installs). Expected values come from the image KDsl emulates: its functions' sizes, its
    /// kernel calls, the sub rsp each prologue makes.
    /// </summary>
    [NonParallelizable]
    public class KoToolsTests : ScratchDirectory
    {
        private (ModuleImage Image, string Ko) Build()
        {
            RequireHeaders61();
            var (exit, output, error) = CliRunner.Run("ko", CliRunner.Example("step5.kdsl"), "-o", Dir);
            Assert.That(exit, Is.EqualTo(0), error);
            var image = Compiler.Compile(CliRunner.Example("step5.kdsl"), File.ReadAllText(CliRunner.Example("step5.kdsl"))).Image!;
            return (image, output.Trim());
        }

        private static string Tool(string program, params string[] args)
        {
            Assert.That(Oracle.KernelBuild.Run(program, args, out string output), Is.True, $"{program} {string.Join(" ", args)}: {output}");
            Assert.That(output, Does.Not.Contain("Warning").And.Not.Contain("Error"), $"{program} {string.Join(" ", args)}");
            return output;
        }

        [Test]
        public void ReadelfShowsEachFunctionWithItsSizeAndEveryKernelCall()
        {
            var (image, ko) = Build();
            string symbols = Tool("readelf", "-W", "-s", ko);
            foreach (var f in image.Symbols.Where(s => s.Section == Section.Text))
                // "  Num:    Value          Size Type    Bind   Vis      Ndx Name"
                Assert.That(symbols, Does.Match($@"\n\s+\d+: [0-9a-f]{{16}}\s+{f.Size} FUNC\s+LOCAL\s+DEFAULT\s+\d+ {Regex.Escape(f.Name)}\n"), f.Name);
            string relocations = Tool("readelf", "-W", "-r", ko);
            var kernel = image.Relocations.Select(r => r.Target).Where(t => image.Symbols.All(s => s.Name != t)).Distinct().ToList();
            Assert.That(kernel, Does.Contain("_printk"));
            foreach (var target in kernel)
                Assert.That(relocations, Does.Match($@"R_X86_64_PLT32\s+0{{16}} {Regex.Escape(target)} - 4"), target);
        }

        [Test]
        public void CheckstackReadsTheFramesKdslEmulates()
        {
            // 6.1's scripts/checkstack.pl reads `objdump -d` and adds up, per function, the immediates of every
            // "[as][du][db] $N,%rsp" line (the prologue's sub and the epilogue's add alike), listing the functions whose
            // total exceeds 100: for each of KDsl's functions, the same sum over `kdsl disasm`'s listing
            var (image, ko) = Build();
            string checkstack = Path.Combine(Headers61, "scripts", "checkstack.pl");
            Assert.That(File.Exists(checkstack), checkstack);
            string listing = Path.Combine(Dir, "step5.objdump");
            File.WriteAllText(listing, Tool("objdump", "-d", ko));
            Assert.That(Oracle.KernelBuild.Run("sh", new[] { "-c", $"perl {checkstack} x86_64 < {listing}" }, out string report), Is.True, report);

            string disasm = DisasmCommand.Render(image, File.ReadAllLines(CliRunner.Example("step5.kdsl")), intel: false);
            var expected = new System.Collections.Generic.Dictionary<string, long>();
            string? function = null;
            foreach (var line in disasm.Split('\n'))
            {
                var head = Regex.Match(line, @"^[0-9a-f]+ <([^>]+)>:$");
                if (head.Success) expected[function = head.Groups[1].Value] = 0;
                var rsp = Regex.Match(line, @"\t(?:sub|add) +\$0x([0-9a-f]+),%rsp$");
                if (rsp.Success && function is not null) expected[function] += System.Convert.ToInt64(rsp.Groups[1].Value, 16);
            }
            var listed = expected.Where(e => e.Value > 100).ToList();
            // rstack's char buf[4096] and its canary: sub $0x1008,%rsp, and the add that undoes it
            var rstack = FrameReader.Read(image, image.Symbols.Single(s => s.Name == "rstack"));
            Assert.That(listed.Select(e => (e.Key, e.Value)), Is.EqualTo(new[] { ("rstack", 2L * rstack.LocalSize) }));
            foreach (var (name, size) in listed)
                Assert.That(report, Does.Match($@"^0x[0-9a-f]+ {Regex.Escape(name)} \[step5\]:\t+{size}\n"), report);
            Assert.That(report.Trim().Split('\n'), Has.Length.EqualTo(listed.Count), report);
        }

        [Test]
        public void GdbDisassemblesTheFunctionsKdslDisasmShows()
        {
            var (image, ko) = Build();
            if (!Oracle.OracleSetup.OnPath("gdb")) Assert.Ignore("gdb is not installed (kdsl oracle --setup installs it)");
            var rstack = image.Symbols.Single(s => s.Name == "rstack");
            string output = Tool("gdb", "-batch", "-nx", "-ex", "info functions ^rstack$", "-ex", "disassemble /r rstack", ko);
            Assert.That(output, Does.Contain("Non-debugging symbols:"));
            Assert.That(output, Does.Contain("Dump of assembler code for function rstack:"));
            // one line per instruction, each "   0x... <+off>:\tbytes\tmnemonic": the last starts inside the function, the bytes are the image's
            var lines = Regex.Matches(output, @"<\+(\d+)>:\t([0-9a-f ]+)\t").Select(m => (Offset: int.Parse(m.Groups[1].Value), Bytes: m.Groups[2].Value.Trim())).ToList();
            Assert.That(lines, Is.Not.Empty, output);
            string all = string.Join(" ", lines.Select(l => l.Bytes));
            string expected = string.Join(" ", image.Text.Skip(rstack.Offset).Take(rstack.Size).Select(b => b.ToString("x2")));
            Assert.That(all, Is.EqualTo(expected), "gdb's bytes for rstack are the image's (relocated fields still zero)");
        }

    }
}
