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

        private static XDocument Draw(params string[] extra)
        {
            string path = Path.Combine(Path.GetTempPath(), $"kdsl-svg-{System.Guid.NewGuid():N}.svg");
            try
            {
                var (exit, _, _) = CliRunner.Run(new[] { "run", CliRunner.Example("step5.kdsl"), "--svg", path }.Concat(extra).ToArray());
                Assert.That(exit, Is.EqualTo(0));
                return XDocument.Load(path);
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
                // Each rstack frame has its buffer, labelled with the address the experiment printed.
                Assert.That(groups.Where(g => Class(g) == "frame").SelectMany(g => g.Elements(Svg + "rect")).Count(r => Class(r) == "buffer"), Is.EqualTo(3));
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
    }
}
