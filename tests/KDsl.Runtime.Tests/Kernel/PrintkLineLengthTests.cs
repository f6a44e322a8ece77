using System.Linq;
using KDsl.Runtime.Tests.StackModels;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Kernel
{
    /// <summary>
    /// printk formats a record into LOG_LINE_MAX = CONSOLE_LOG_MAX (1024) - PREFIX_MAX (32) bytes (kernel/printk/printk.c):
    /// a message keeps at most 991 characters, and a huge field width costs no more than that.
    /// </summary>
    [TestFixture]
    public class PrintkLineLengthTests
    {
        [Test]
        public void AMessageIsCutAtLogLineMax()
        {
            var run = StackModelRun.Run("module w \"w\";\ninit { printk(\"%*d\\n\", 2147483647, 1); printk(\"after\\n\"); }\n");
            var messages = StackModelRun.Messages(run).Skip(2).ToList();
            Assert.That(messages[0].Length, Is.EqualTo(991));
            Assert.That(messages[1], Is.EqualTo("after"));
        }
    }
}
