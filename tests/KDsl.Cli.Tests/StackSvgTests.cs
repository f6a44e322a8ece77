using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using NUnit.Framework;

namespace KDsl.Cli.Tests
{
    /// <summary>`kdsl run FILE --svg OUT.svg`: the picture's elements and labels, read back as XML.</summary>
    public class StackSvgTests
    {
        private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

        private static XDocument Draw(params string[] extra) => DrawFile("step5.kdsl", extra);

        private static XDocument DrawFile(string example, params string[] extra) => DrawFile(0, example, extra);

        private static XDocument DrawFile(int expectedExit, string example, params string[] extra) =>
            DrawAndPrinted(expectedExit, example, extra).Doc;

        /// <summary>The picture, and the addresses the run printed in its "[%px] finished initialized buf." lines.</summary>
        private static (XDocument Doc, List<ulong> Printed) DrawAndPrinted(int expectedExit, string example, params string[] extra)
        {
            string path = Path.Combine(Path.GetTempPath(), $"kdsl-svg-{System.Guid.NewGuid():N}.svg");
            try
            {
                var (exit, stdout, _) = CliRunner.Run(new[] { "run", CliRunner.Example(example), "--svg", path }.Concat(extra).ToArray());
                Assert.That(exit, Is.EqualTo(expectedExit));
                var printed = System.Text.RegularExpressions.Regex.Matches(stdout, @"\[([0-9a-f]{16})\] finished initialized buf")
                    .Select(m => System.Convert.ToUInt64(m.Groups[1].Value, 16)).ToList();
                return (XDocument.Load(path), printed);
            }
            finally
            {
                File.Delete(path);
            }
        }

        private static string Class(XElement e) => (string?)e.Attribute("class") ?? "";

        [Test]
        public void Step5ShowsThreeRstackFramesTheGuardPageAndTheFaultAddress()
        {
            var doc = Draw();
            var groups = doc.Descendants(Svg + "g").ToList();
            var texts = doc.Descendants(Svg + "text").Select(t => t.Value).ToList();
            Assert.Multiple(() =>
            {
                // Three complete rstack frames, the fourth level faulting into the guard page, then init's frame.
                Assert.That(groups.Count(g => Class(g) == "frame" && (string?)g.Attribute("data-function") == "rstack"), Is.EqualTo(3));
                var faulting = groups.Single(g => Class(g) == "frame faulting");
                Assert.That((string?)faulting.Attribute("data-function"), Is.EqualTo("rstack"));
                Assert.That(groups.Count(g => Class(g) == "frame" && (string?)g.Attribute("data-function") == "step5_init"), Is.EqualTo(1));
                Assert.That(groups.Count(g => Class(g) == "kernel-frames"), Is.EqualTo(1));
                // Each rstack frame has its buffer, by its name in the source, labelled with the address the experiment printed.
                Assert.That(groups.Where(g => Class(g) == "frame").SelectMany(g => g.Elements(Svg + "rect"))
                    .Count(r => Class(r) == "variable array" && (string?)r.Attribute("data-name") == "buf"), Is.EqualTo(3));
                Assert.That(texts.Count(t => t == "buf: 4096 bytes"), Is.EqualTo(4)); // the faulting level's too
                Assert.That(texts.Count(t => t.Contains("printed as ffffc9000010")), Is.EqualTo(3));
                // The stack, the guard page below it, the fault address (CR2) and RSP.
                Assert.That(doc.Descendants(Svg + "rect").Count(r => Class(r) == "stack"), Is.EqualTo(1));
                Assert.That(doc.Descendants(Svg + "rect").Count(r => Class(r) == "guard-page"), Is.EqualTo(1));
                Assert.That(texts, Has.Some.EqualTo("guard page (unmapped, 4 KB)"));
                Assert.That(texts, Has.Some.EqualTo("[ffffc900000ff000, ffffc90000100000)"));
                Assert.That(texts, Has.Some.EqualTo("fault address (CR2) ffffc900000ffd68"));
                Assert.That(doc.Descendants(Svg + "line").Count(l => Class(l) == "fault"), Is.EqualTo(1));
                Assert.That(texts, Has.Some.StartsWith("RSP ffffc900000ff"));
                Assert.That(texts, Has.Some.Contains("CONFIG_THREAD_INFO_IN_TASK"));
            });
        }

        [Test]
        public void EachBufIsDrawnWhereTheRunPrintedItAndTheCanaryRightAboveIt()
        {
            // The addresses come from the guest: rstack printed buf's address before recursing ("[%px] finished ...").
            var (doc, printed) = DrawAndPrinted(0, "step5.kdsl");
            var rects = doc.Descendants(Svg + "rect").Where(r => Class(r).StartsWith("variable", System.StringComparison.Ordinal)).ToList();
            var bufs = rects.Where(r => (string?)r.Attribute("data-name") == "buf").Select(r => Hex(r, "data-low")).ToList();
            var canaries = rects.Where(r => (string?)r.Attribute("data-name") == KDsl.Image.FrameVariable.CanaryName).Select(r => Hex(r, "data-low")).ToList();
            Assert.That(printed, Has.Count.EqualTo(3));
            Assert.That(bufs, Is.SupersetOf(printed));
            // GCC's stack protector: the canary is the word directly above the arrays (buf[4096] ends at a multiple of 8).
            Assert.That(canaries, Is.EquivalentTo(bufs.Select(b => b + 4096)));
            // n lives in rbx (saved by the push), so no other variable of rstack has a stack slot.
            Assert.That(rects.Select(r => (string?)r.Attribute("data-name")).Distinct(), Is.EquivalentTo(new[] { "buf", KDsl.Image.FrameVariable.CanaryName }));
        }

        [Test]
        public void FramesAreContiguousFromRspToTheStackTop()
        {
            var doc = Draw();
            var frames = doc.Descendants(Svg + "g")
                .Select(g => (Low: System.Convert.ToUInt64((string)g.Attribute("data-low")!, 16), High: System.Convert.ToUInt64((string)g.Attribute("data-high")!, 16)))
                .ToList();
            Assert.That(frames.First().Low, Is.EqualTo(0xffffc900000ffd78UL));
            Assert.That(frames.Last().High, Is.EqualTo(0xffffc90000104000UL));
            for (int i = 1; i < frames.Count; i++)
                Assert.That(frames[i].Low, Is.EqualTo(frames[i - 1].High));
        }

        [Test]
        public void TheSeedKernelHasTheSameShape()
        {
            var doc = Draw("--set", "profile=linux-4.11");
            var groups = doc.Descendants(Svg + "g").ToList();
            Assert.That(groups.Count(g => Class(g).StartsWith("frame") && (string?)g.Attribute("data-function") == "rstack"), Is.GreaterThanOrEqualTo(3));
            Assert.That(doc.Descendants(Svg + "rect").Count(r => Class(r) == "guard-page"), Is.EqualTo(1));
        }
    
        private static ulong Hex(XElement g, string attribute) => System.Convert.ToUInt64((string)g.Attribute(attribute)!, 16);

        [Test]
        public void EachRstackFrameIsBufPlus24Bytes()
        {
            // shared/reference/real-kernel/README.md: a level is BUF + 24 bytes on 6.1 (rbx push, sub BUF+8, return address).
            var doc = Draw();
            var rstack = doc.Descendants(Svg + "g").Where(g => Class(g) == "frame" && (string?)g.Attribute("data-function") == "rstack").ToList();
            Assert.That(rstack.Select(g => Hex(g, "data-high") - Hex(g, "data-low")), Is.All.EqualTo(4096UL + 24));
            // The guard page is drawn after (over) the frames, so the faulting frame's part below the base shows hatched.
            var shapes = doc.Descendants().Where(e => e.Name == Svg + "rect" || e.Name == Svg + "g").ToList();
            Assert.That(shapes.FindIndex(e => Class(e) == "guard-page"), Is.GreaterThan(shapes.FindIndex(e => Class(e) == "frame faulting")));
            Assert.That(doc.Descendants(Svg + "text").Select(t => t.Value), Has.Some.EqualTo("664 bytes below the stack base"));
        }

        [Test]
        public void Step5992ShowsPrintksFramesBelowFifteenRstackFrames()
        {
            var doc = DrawFile("step5-992.kdsl");
            var groups = doc.Descendants(Svg + "g").ToList();
            var rstack = groups.Where(g => Class(g) == "frame" && (string?)g.Attribute("data-function") == "rstack").ToList();
            Assert.Multiple(() =>
            {
                // Fifteen levels, none faulting: the fifteenth called printk, and the guard page was hit inside it.
                Assert.That(rstack, Has.Count.EqualTo(15));
                Assert.That(rstack.Select(g => Hex(g, "data-high") - Hex(g, "data-low")), Is.All.EqualTo(992UL + 24));
                var kernel = groups.Where(g => Class(g).StartsWith("kernel-frame ", System.StringComparison.Ordinal) || Class(g) == "kernel-frame").ToList();
                Assert.That(kernel.Select(g => (string?)g.Attribute("data-function")), Does.Contain("_printk"));
                Assert.That(kernel.Count(g => Class(g) == "kernel-frame faulting"), Is.EqualTo(1));
                // printk's frames lie below the innermost rstack frame, down to RSP.
                ulong innermostRstack = rstack.Min(g => Hex(g, "data-low"));
                Assert.That(kernel.Select(g => Hex(g, "data-high")), Is.All.LessThanOrEqualTo(innermostRstack));
                Assert.That(groups.Count(g => Class(g) == "frame faulting"), Is.EqualTo(0));
                Assert.That(doc.Descendants(Svg + "line").Count(l => Class(l) == "fault"), Is.EqualTo(1));
            });
        }

        [Test]
        public void Step5992DrawsEachBufWhereTheRunPrintedIt()
        {
            // The fault is inside printk: the frames below the innermost rstack are kernel functions whose size at their
            // call is not their largest (console_emit_next_record holds 184 of its 192 bytes there). The replay to the
            // fault takes each frame's end from the return-address slots the unwinder found, so the 15 rstack frames and
            // their bufs sit exactly where the run printed them.
            var (doc, printed) = DrawAndPrinted(0, "step5-992.kdsl");
            var bufs = doc.Descendants(Svg + "rect").Where(r => (string?)r.Attribute("data-name") == "buf").Select(r => Hex(r, "data-low")).ToList();
            Assert.That(printed, Is.Not.Empty);
            Assert.That(bufs, Is.SupersetOf(printed));
        }

        [Test]
        public void AFaultOffTheStackIsNamedNotDrawn()
        {
            // A NULL dereference: CR2 is 0, nowhere near the stack.
            var doc = DrawFile("null-deref.kdsl");
            var texts = doc.Descendants(Svg + "text").Select(t => t.Value).ToList();
            Assert.Multiple(() =>
            {
                Assert.That(texts, Has.Some.EqualTo("fault address (CR2) 0000000000000000: not on this stack, so not drawn"));
                Assert.That(doc.Descendants(Svg + "line").Count(l => Class(l) == "fault"), Is.EqualTo(0));
                Assert.That(doc.Descendants(Svg + "g").Single(g => Class(g) == "frame faulting").Attribute("data-function")!.Value, Is.EqualTo("poke"));
                Assert.That(doc.Descendants(Svg + "rect").Count(r => Class(r) == "guard-page"), Is.EqualTo(1));
            });
        }

        [Test]
        public void WithoutAnOopsTheFramesAtTheHighWaterMarkAreDrawn()
        {
            // 64-byte buffers: rstack(100) .. rstack(0) all fit, nothing faults (so step5's expect fails: exit 1). The picture
            // is of the moment the stack was deepest: 101 rstack frames of BUF + 24 bytes (shared/reference/real-kernel:
            // rbx push, sub BUF+8, return address), under step5_init, with the innermost level's printk below them.
            var (doc, printed) = DrawAndPrinted(1, "step5.kdsl", "--set", "BUF=64");
            var groups = doc.Descendants(Svg + "g").ToList();
            var rstack = groups.Where(g => Class(g) == "frame" && (string?)g.Attribute("data-function") == "rstack").ToList();
            var texts = doc.Descendants(Svg + "text").Select(t => t.Value).ToList();
            int highWater = int.Parse(texts.Single(t => t.StartsWith("high-water ", System.StringComparison.Ordinal)).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            var frames = groups.Select(g => (Low: Hex(g, "data-low"), High: Hex(g, "data-high"))).ToList();
            Assert.Multiple(() =>
            {
                Assert.That(rstack, Has.Count.EqualTo(101));
                Assert.That(rstack.Select(g => Hex(g, "data-high") - Hex(g, "data-low")), Is.All.EqualTo(64UL + 24));
                Assert.That(groups.Count(g => Class(g) == "frame" && (string?)g.Attribute("data-function") == "step5_init"), Is.EqualTo(1));
                // Nothing faulted: RIP's frame is the deepest, not a faulting one, and no fault address is drawn.
                Assert.That(groups.Count(g => Class(g).EndsWith(" faulting", System.StringComparison.Ordinal)), Is.EqualTo(0));
                Assert.That(groups.Count(g => Class(g).EndsWith(" deepest", System.StringComparison.Ordinal)), Is.EqualTo(1));
                Assert.That(doc.Descendants(Svg + "line").Count(l => Class(l) == "fault"), Is.EqualTo(0));
                Assert.That(doc.Descendants(Svg + "rect").Count(r => Class(r) == "used"), Is.EqualTo(0));
                // printk's frames lie below the innermost rstack frame, down to the deepest RSP.
                var kernel = groups.Where(g => Class(g).StartsWith("kernel-frame", System.StringComparison.Ordinal) && Class(g) != "kernel-frames").ToList();
                Assert.That(kernel.Select(g => (string?)g.Attribute("data-function")), Does.Contain("_printk"));
                Assert.That(kernel.Select(g => Hex(g, "data-high")), Is.All.LessThanOrEqualTo(rstack.Min(g => Hex(g, "data-low"))));
                // The frames tile the stack from the deepest RSP (the stack top less the high-water mark) to the top.
                Assert.That(frames.Last().High - frames.First().Low, Is.EqualTo((ulong)highWater));
                for (int i = 1; i < frames.Count; i++)
                    Assert.That(frames[i].Low, Is.EqualTo(frames[i - 1].High));
                Assert.That(texts, Has.Some.EqualTo($"deepest RSP {frames.First().Low:x16}"));
                // Each level's buf is drawn by its name where the run printed it.
                var bufs = doc.Descendants(Svg + "rect").Where(r => (string?)r.Attribute("data-name") == "buf").Select(r => Hex(r, "data-low")).ToList();
                Assert.That(printed, Has.Count.EqualTo(101));
                Assert.That(bufs, Is.EquivalentTo(printed));
                // A hundred thin frames of one recursion are labelled once, not a hundred times.
                Assert.That(texts, Has.Some.Matches(@"^#\d+\.\.#\d+ rstack \u00d7101, 88 bytes each$"));
            });
        }

        [TestCase("step5.kdsl")]
        [TestCase("step5-992.kdsl")]
        [TestCase("null-deref.kdsl")]
        [TestCase("step5.kdsl", "BUF=64")]
        public void LabelsDoNotOverlap(string example, params string[] set)
        {
            // Texts in the same column (same x and anchor) must be at least a line apart, and stay inside the picture.
            var doc = set.Length == 0 ? DrawFile(example) : DrawFile(1, example, set.SelectMany(v => new[] { "--set", v }).ToArray());
            double width = double.Parse((string)doc.Root!.Attribute("width")!, System.Globalization.CultureInfo.InvariantCulture);
            var texts = doc.Descendants(Svg + "text")
                .Select(t => (X: double.Parse((string)t.Attribute("x")!, System.Globalization.CultureInfo.InvariantCulture),
                    Y: double.Parse((string)t.Attribute("y")!, System.Globalization.CultureInfo.InvariantCulture),
                    End: (string?)t.Attribute("text-anchor") == "end", Text: t.Value, Size: int.Parse((string)t.Attribute("font-size")!, System.Globalization.CultureInfo.InvariantCulture)))
                .ToList();
            Assert.Multiple(() =>
            {
                foreach (var column in texts.GroupBy(t => (t.X, t.End)))
                {
                    var ys = column.OrderBy(t => t.Y).ToList();
                    for (int i = 1; i < ys.Count; i++)
                        Assert.That(ys[i].Y - ys[i - 1].Y, Is.GreaterThanOrEqualTo(11), $"'{ys[i - 1].Text}' and '{ys[i].Text}'");
                }
                // Monospace glyphs are about 0.6 em wide.
                foreach (var t in texts.Where(t => !t.End))
                    Assert.That(t.X + t.Text.Length * t.Size * 0.6, Is.LessThanOrEqualTo(width), t.Text);
            });
        }
    }
}
