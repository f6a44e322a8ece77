using NUnit.Framework;

namespace KDsl.Cli.Tests
{
    public class SweepParameterTests
    {
        private static string[] Values(string text)
        {
            Assert.That(SweepParameter.TryParse(text, out var p, out string? error), Is.True, error);
            return System.Linq.Enumerable.ToArray(p!.Values);
        }

        private static string Error(string text)
        {
            Assert.That(SweepParameter.TryParse(text, out _, out string? error), Is.False);
            return error!;
        }

        [Test]
        public void RangesStepByAddingOrMultiplying()
        {
            Assert.Multiple(() =>
            {
                Assert.That(Values("N=1..4"), Is.EqualTo(new[] { "1", "2", "3", "4" }));
                Assert.That(Values("BUF=64..8192:*2"), Is.EqualTo(new[] { "64", "128", "256", "512", "1024", "2048", "4096", "8192" }));
                Assert.That(Values("BUF=100..350:100"), Is.EqualTo(new[] { "100", "200", "300" }));
                Assert.That(Values("thread_size=8K..32K:8K"), Is.EqualTo(new[] { "8192", "16384", "24576", "32768" }));
                Assert.That(Values("A=0x10..0x30:0x10"), Is.EqualTo(new[] { "16", "32", "48" }));
                Assert.That(Values("D=-2..2:2"), Is.EqualTo(new[] { "-2", "0", "2" }));
                Assert.That(Values("M=1M..2M:1M"), Is.EqualTo(new[] { "1048576", "2097152" }));
                Assert.That(Values("BUF=64..256:+64"), Is.EqualTo(new[] { "64", "128", "192", "256" })); // the help's "+STEP"
            });
        }

        [Test]
        public void ListsAreTakenAsWritten()
        {
            Assert.That(Values("profile=linux-4.11, linux-6.1"), Is.EqualTo(new[] { "linux-4.11", "linux-6.1" }));
            Assert.That(Values("thread_size=8K"), Is.EqualTo(new[] { "8K" }));
        }

        [Test]
        public void BadParametersSayWhy()
        {
            Assert.Multiple(() =>
            {
                Assert.That(Error("BUF"), Does.Contain("NAME=FROM..TO"));
                Assert.That(Error("=1..2"), Does.Contain("NAME=FROM..TO"));
                Assert.That(Error("BUF=8..4"), Does.Contain("empty"));
                Assert.That(Error("BUF=1..4:0"), Does.Contain("positive"));
                Assert.That(Error("BUF=1..4:*1"), Does.Contain(">= 2"));
                Assert.That(Error("BUF=a..4"), Does.Contain("integers"));
                Assert.That(Error("BUF=1,,2"), Does.Contain("empty value"));
                Assert.That(Error("BUF=1..100000"), Does.Contain("more than 10000"));
            });
        }
    }
}
