using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using KDsl.Generator.Helpers;
using KDsl.Image;
using NUnit.Framework;

namespace KDsl.Generator.Tests
{
    /// <summary>
    /// The paths generated code records: relative to MSBuild's project directory (build_property.ProjectDir), so nothing
    /// of the building machine's folders is in SourcePath, the image or the failure report; only #line keeps the full path.
    /// </summary>
    [TestFixture]
    public sealed class SourcePathTests
    {
        [TestCase("/home/u/lab/step5.kdsl", "/home/u/lab/", ExpectedResult = "step5.kdsl")]
        [TestCase("/home/u/lab/deep/er/a.kdsl", "/home/u/lab", ExpectedResult = "deep/er/a.kdsl")]
        [TestCase("/work/repo/examples/step5.kdsl", "/work/repo/examples/KDsl.Examples/", ExpectedResult = "../step5.kdsl")]
        [TestCase("/work/repo/examples/./x/../step5.kdsl", "/work/repo/examples/KDsl.Examples/", ExpectedResult = "../step5.kdsl")]
        [TestCase("/srv/shared/x.kdsl", "/home/u/lab/", ExpectedResult = "../../../srv/shared/x.kdsl")]
        [TestCase(@"C:\src\lab\exp\a.kdsl", @"C:\src\lab\", ExpectedResult = "exp/a.kdsl")]
        [TestCase(@"D:\other\a.kdsl", @"C:\src\lab\", ExpectedResult = @"D:\other\a.kdsl")] // another drive: no relative path
        [TestCase("step5.kdsl", "/home/u/lab/", ExpectedResult = "step5.kdsl")]                // already relative
        [TestCase("/home/u/lab/step5.kdsl", null, ExpectedResult = "/home/u/lab/step5.kdsl")]  // no project directory
        [TestCase("/home/u/lab/step5.kdsl", "", ExpectedResult = "/home/u/lab/step5.kdsl")]
        public string Relative(string path, string? projectDir) => SourcePaths.Relative(path, projectDir);

        [Test]
        public void GeneratedCodeRecordsThePathRelativeToTheProject_AndKeepsTheFullOneOnlyForTheDebugger()
        {
            const string projectDir = "/home/someone/checkouts/lab/";
            string path = projectDir + "experiments/hand-built.kdsl";
            var driver = GeneratorHarness.CreateDriver(new[] { new InMemoryAdditionalText(path, "module fake;") },
                new Dictionary<string, string> { ["build_property.ProjectDir"] = projectDir }, FakeCompiler.Compile);
            var run = GeneratorHarness.Run(driver, GeneratorHarness.CreateCompilation(withNUnit: true, assemblyName: "RelPath" + Guid.NewGuid().ToString("N")));

            string source = run.Result.GeneratedSources.Single().SourceText.ToString();
            var fullPathLines = source.Split('\n').Where(l => l.Contains("/home/someone", StringComparison.Ordinal)).Select(l => l.Trim()).ToList();
            Type type = GeneratorHarness.LoadGeneratedType(GeneratorHarness.EmitOrFail(run.Output), "KDsl.Experiments.Hand_Built");
            var image = (ModuleImage)type.GetProperty("Image", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
            Assert.Multiple(() =>
            {
                Assert.That(type.GetField("SourcePath")!.GetRawConstantValue(), Is.EqualTo("experiments/hand-built.kdsl"));
                Assert.That(image.SourcePath, Is.EqualTo("experiments/hand-built.kdsl"));
                // The #line directives of the NUnit fixture are the only lines that name the machine's folders.
                Assert.That(fullPathLines, Is.Not.Empty);
                Assert.That(fullPathLines, Is.All.StartsWith("#line "));
            });
        }
    }
}
