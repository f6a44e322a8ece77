using System.Linq;
using KDsl.Image;
using NUnit.Framework;

namespace KDsl.Generator.Tests
{
    /// <summary>Field-by-field comparison of two module images (the image classes compare by reference).</summary>
    internal static class ImageAssert
    {
        public static void AreEqual(ModuleImage expected, ModuleImage actual)
        {
            Assert.Multiple(() =>
            {
                Assert.That(actual.Name, Is.EqualTo(expected.Name), "Name");
                Assert.That(actual.Description, Is.EqualTo(expected.Description), "Description");
                Assert.That(actual.SourcePath, Is.EqualTo(expected.SourcePath), "SourcePath");
                Assert.That(actual.Config, Is.EqualTo(expected.Config), "Config");
                Assert.That(actual.Text, Is.EqualTo(expected.Text), "Text");
                Assert.That(actual.RoData, Is.EqualTo(expected.RoData), "RoData");
                Assert.That(actual.Symbols.Select(s => (s.Name, s.Section, s.Offset, s.Size, s.Line)),
                    Is.EqualTo(expected.Symbols.Select(s => (s.Name, s.Section, s.Offset, s.Size, s.Line))), "Symbols");
                Assert.That(actual.Relocations.Select(r => (r.Offset, r.Kind, r.Target, r.Addend)),
                    Is.EqualTo(expected.Relocations.Select(r => (r.Offset, r.Kind, r.Target, r.Addend))), "Relocations");
                Assert.That(actual.Lines.Select(l => (l.Offset, l.Line)), Is.EqualTo(expected.Lines.Select(l => (l.Offset, l.Line))), "Lines");
                Assert.That(actual.Unwind.Select(u => (u.Offset, u.CfaOffset)), Is.EqualTo(expected.Unwind.Select(u => (u.Offset, u.CfaOffset))), "Unwind");
                Assert.That(actual.InitSymbol, Is.EqualTo(expected.InitSymbol), "InitSymbol");
                Assert.That(actual.ExitSymbol, Is.EqualTo(expected.ExitSymbol), "ExitSymbol");
                Assert.That(actual.Expectations, Is.EqualTo(expected.Expectations), "Expectations");
            });
        }
    }
}
