using NUnit.Framework;

namespace PackageConsumer
{
    /// <summary>A hand-written test next to the generated ones: the generated class is usable from C#.</summary>
    public class ConsumerTests
    {
        [Test]
        public void GeneratedClassRunsTheExperiment()
        {
            Assert.That(Overflow.Scenarios, Has.Count.EqualTo(2));
        }
    }
}
