using System.Collections.Generic;
using NUnit.Framework;

namespace KDsl.Generator.Tests
{
    [TestFixture]
    public sealed class NamingTests
    {
        [TestCase("step5", "Step5")]
        [TestCase("step5-992", "Step5_992")]
        [TestCase("stack_guard.v2", "Stack_Guard_V2")]
        [TestCase("992", "_992")]
        [TestCase("--", "KDslModule")]
        [TestCase("", "KDslModule")]
        [TestCase("sigbus empty", "Sigbus_Empty")]
        public void ClassName_IsAValidIdentifier_MadeDeterministically(string fileName, string expected)
        {
            Assert.That(KDslGenerator.ModelBuilder.ToClassName(fileName), Is.EqualTo(expected));
        }

        [TestCase("/work/main/examples/step5.kdsl", "step5")]
        [TestCase(@"C:\work\examples\step5-992.kdsl", "step5-992")]
        [TestCase("step5.KDSL", "step5")]
        public void FileName_DropsFolderAndExtension(string path, string expected)
        {
            Assert.That(KDslGenerator.ModelBuilder.GetFileName(path), Is.EqualTo(expected));
        }

        [TestCase("step5", "step5.kdsl.g.cs")]
        [TestCase("step5-992", "step5-992.kdsl.g.cs")]
        [TestCase("a b#c", "a_b_c.kdsl.g.cs")]
        public void HintName_IsFileNamePlusSuffix(string fileName, string expected)
        {
            Assert.That(KDslGenerator.ModelBuilder.ToHintName(fileName), Is.EqualTo(expected));
        }

        [TestCase("KDsl.Examples", "KDsl.Examples")]
        [TestCase("", KDslGenerator.DefaultNamespace)]
        [TestCase("My-Project", KDslGenerator.DefaultNamespace)]
        [TestCase("A.class", KDslGenerator.DefaultNamespace)]
        [TestCase(null, KDslGenerator.DefaultNamespace)]
        public void Namespace_IsRootNamespace_WhenValid(string? rootNamespace, string expected)
        {
            var values = new Dictionary<string, string>();
            if (rootNamespace is not null) values["build_property.RootNamespace"] = rootNamespace;
            var options = new TestOptionsProvider(values).GlobalOptions;

            Assert.That(KDslGenerator.Parser.GetNamespace(options), Is.EqualTo(expected));
        }
    }
}
