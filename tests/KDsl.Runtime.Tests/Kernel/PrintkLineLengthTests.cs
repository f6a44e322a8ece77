using System.Linq;
using KDsl.Runtime.Kernel;
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

        /// <summary>
        /// A loop of wide printks: vsnprintf runs through each field to its width, past the buffer's end too, and each
        /// character is charged to the budget (<see cref="KernelWork.FormattedCharacter"/>), so a field 100,000 wide costs
        /// at least 400,000 instructions and 20 million pay for at most 50 of them before the soft-lockup report.
        /// </summary>
        [Test]
        public void ALoopOfWidePrintks_IsPaidPerCharacter_AndEndsAtTheBudget()
        {
            const long budget = 20_000_000;
            var run = Run("module w \"w\";\ninit { while (1) printk(\"%*d\\n\", 100000, 1); }\n", budget);
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.SoftLockup));
            int wide = StackModelRun.Messages(run).Count(m => m.Length == 991);
            Assert.That(wide, Is.InRange(budget / (100_001 * KernelWork.FormattedCharacter + 20_000), budget / (100_001 * KernelWork.FormattedCharacter)));
        }

        /// <summary>
        /// printk("%*d", INT_MAX, 1): the width is clamped to FIELD_WIDTH_MAX (8,388,607), which number() still counts
        /// through, so one such printk costs over 33 million instructions: a 40 million budget pays for one.
        /// </summary>
        [Test]
        public void AnIntMaxWidth_CostsFieldWidthMaxCharacters()
        {
            var run = Run("module w \"w\";\ninit { while (1) printk(\"%*d\\n\", 2147483647, 1); }\n", 40_000_000);
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.SoftLockup));
            Assert.That(StackModelRun.Messages(run).Count(m => m.Length == 991), Is.EqualTo(1));
        }

        private static RunResult Run(string source, long budget) =>
            Machine.Run(KDsl.Runtime.Tests.Processes.ProcessRun.Image("w.kdsl", source), null, Layout.PhysicalMemorySize, budget);
    }
}
