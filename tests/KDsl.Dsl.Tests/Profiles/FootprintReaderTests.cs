using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using KDsl.Profiles;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.Profiles
{
    /// <summary>
    /// The .ktrace reader's jumps lines ("FROM>TO ..." in hex, reduce.py's format), which it reads in place: a synthetic
    /// file, malformed lines, and the recorded 6.1 footprint against a plain split-and-parse reading of the same text.
    /// </summary>
    [TestFixture]
    public class FootprintReaderTests
    {
        private static KernelFootprint Parse(string text) => KernelFootprint.Parse(new StringReader(text));

        [Test]
        public void AJumpsLineIsItsPairsInOrder()
        {
            var f = Parse("path printk \"x\\n\"\ndeepest 10\nsteps 5\njumps ffffffff81000000>ffffffff81000010  1>A FFFFFFFFFFFFFFFF>0\n");
            var path = f.Printks.Single();
            Assert.That(path.Format, Is.EqualTo("x\n"));
            Assert.That(path.Jumps, Is.EqualTo(new[]
            {
                new KeyValuePair<ulong, ulong>(0xffffffff81000000, 0xffffffff81000010),
                new KeyValuePair<ulong, ulong>(1, 0xa),
                new KeyValuePair<ulong, ulong>(ulong.MaxValue, 0),
            }));
            Assert.That(Parse("path panic\njumps\n").Panic!.Jumps, Is.Empty);
        }

        [TestCase("jumps 12-34")]
        [TestCase("jumps >5")]
        [TestCase("jumps 5>")]
        [TestCase("jumps 5>6>7")]
        [TestCase("jumps 10000000000000000>1")]
        public void AMalformedJumpsLineIsRefused(string line)
        {
            Assert.Throws<InvalidDataException>(() => Parse("path panic\n" + line + "\n"));
        }

        [Test]
        public void TheRecordedFootprintReadsAsSplittingWould()
        {
            using var stream = typeof(KernelFootprint).Assembly.GetManifestResourceStream("KDsl.Profiles.Footprints.linux-6.1.ktrace")!;
            using var reader = new StreamReader(stream);
            var expected = new List<List<KeyValuePair<ulong, ulong>>>();
            string? line;
            while ((line = reader.ReadLine()) != null)
            {
                if (!line.StartsWith("jumps ", System.StringComparison.Ordinal)) continue;
                expected.Add(line.Substring(6).Split(' ', System.StringSplitOptions.RemoveEmptyEntries)
                    .Select(field => field.Split('>'))
                    .Select(p => new KeyValuePair<ulong, ulong>(ulong.Parse(p[0], NumberStyles.HexNumber), ulong.Parse(p[1], NumberStyles.HexNumber)))
                    .ToList());
            }

            var f = KernelFootprint.For("linux-6.1")!;
            var paths = f.Printks.Concat(f.OopsPaths.Values).Concat(f.CallPaths().Select(c => c.Value)).Append(f.Panic!).ToList();
            Assert.That(paths, Has.Count.EqualTo(expected.Count));
            // Each recorded path's jumps are one line's pairs, whichever line (the paths are filed by kind, not in file order).
            var lines = expected.Select(Key).OrderBy(k => k).ToList();
            Assert.That(paths.Select(p => Key(p.Jumps)).OrderBy(k => k), Is.EqualTo(lines));
            Assert.That(expected.Sum(j => j.Count), Is.GreaterThan(100_000), "the recording's jumps: a quarter of a million pairs");
        }

        /// <summary>
        /// A printk format that was not recorded follows the recording whose deepest conversion is the same: vsnprintf runs
        /// the helpers one after another from one frame, so "%s %d in %pS" goes as deep as "%pS" (symbol_string's nested
        /// sprintf: the held-out pss_BUF.c died there on the real 6.1 and under __sprint_symbol on 5.10), not as "%s: depth
        /// %d", the recording with the fewest conversions to change. An exact format is its own recording.
        /// </summary>
        [TestCase("linux-6.1")]
        [TestCase("linux-5.10")]
        public void UnrecordedPrintk_FollowsTheRecordingOfItsDeepestConversion(string profile)
        {
            var f = KernelFootprint.For(profile)!;
            Assert.That(f.PrintkFor("\u00016%s %d in %pS\n")!.Format, Is.EqualTo("\u00016ktrace %pS\n"));
            Assert.That(f.PrintkFor("\u00016%s %d\n")!.Format, Is.EqualTo("\u00016ktrace %s: depth %d\n"));
            Assert.That(f.PrintkFor("\u00016ktrace %d %d\n")!.Format, Is.EqualTo("\u00016ktrace %d %d\n"));
        }

        /// <summary>
        /// An experiment's calls of an allocator in order ("path call NAME @K", or "like @J" for a call that went call J's
        /// way): the K-th call replays the K-th, a call past them the allocator's one recording, and the analysis costs the
        /// deepest of them all.
        /// </summary>
        [Test]
        public void CallsInOrder_AreReplayedByNumber()
        {
            var f = Parse("path call vmalloc\ndeepest 100\nsteps 1\njumps\n" +
                          "path call vmalloc @0\ndeepest 200\nsteps 1\njumps\n" +
                          "path call vmalloc @1\nlike @0\n" +
                          "path call vmalloc @2\ndeepest 300\nsteps 1\njumps\n");
            Assert.That(Enumerable.Range(0, 4).Select(k => f.CallFor("vmalloc", k)!.Deepest), Is.EqualTo(new[] { 200, 200, 300, 100 }));
            Assert.That(f.CallFor("vmalloc", 1), Is.SameAs(f.CallFor("vmalloc", 0)));
            Assert.That(f.CallPaths().Select(c => c.Value.Deepest), Is.EquivalentTo(new[] { 100, 200, 300 }));
            Assert.That(f.CallFor("kfree", 0), Is.Null);
        }

        /// <summary>
        /// An insn line's optional fourth field: how far below the CFA the function saved its caller's RBP (ORC's bp row),
        /// which the unwinder reads where the function reused RBP (5.10's __alloc_pages_nodemask keeps the gfp flags in it)
        /// and a caller realigned RSP (___slab_alloc: CFA = RBP + 16).
        /// </summary>
        [Test]
        public void AnInsnLine_MayTellWhereTheCallersRbpIsSaved()
        {
            var f = Parse("insn ffffffff81000000 40 55\ninsn ffffffff81000001 48 89fd 48\n");
            Assert.That(f.Instructions.Select(i => (i.Cfa, i.RbpSaved)), Is.EqualTo(new[] { (40, 0), (48, 48) }));
        }

        [TestCase("path call vmalloc @1\ndeepest 1\nsteps 1\njumps\n")]
        [TestCase("path call vmalloc @0\nlike @0\n")]
        [TestCase("path call vmalloc\nlike @0\n")]
        public void CallsOutOfOrder_AreRefused(string text)
        {
            Assert.Throws<InvalidDataException>(() => Parse(text));
        }

        /// <summary>A line's pairs summed up: how many, and a checksum over them in order.</summary>
        private static string Key(IReadOnlyList<KeyValuePair<ulong, ulong>> jumps)
        {
            ulong sum = 0;
            foreach (var j in jumps) sum = sum * 1_000_003 + j.Key * 31 + j.Value;
            return $"{jumps.Count}:{sum:x16}";
        }
    }
}
