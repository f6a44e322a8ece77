using System.Linq;
using KDsl.Runtime.Kernel;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.Kernel
{
    /// <summary>
    /// Console order behind a reserved record. kernel/printk/printk_ringbuffer.c, _prb_read_valid: a record that exists but
    /// is not finalized ends the read ("Non-existent/non-finalized record. Must stop."), so console_unlock prints nothing
    /// logged after a record that was reserved (prb_reserve) until that record is committed (prb_final_commit).
    /// </summary>
    [TestFixture]
    public class PrintkLogReservationTests
    {
        private static string[] Texts(System.Collections.Generic.IEnumerable<string> lines) =>
            lines.Select(l => l.Substring(l.IndexOf("] ", System.StringComparison.Ordinal) + 2)).ToArray();

        [Test]
        public void RecordsLoggedBehindAReservedOneWaitForItsCommit()
        {
            var log = new PrintkLog(() => 0);
            log.Emit("before\n");
            log.Reserve();
            log.Emit("behind\n");
            Assert.That(Texts(log.Lines), Is.EqualTo(new[] { "before" }));
            log.Commit("reserved\n");
            Assert.That(Texts(log.Lines), Is.EqualTo(new[] { "before", "reserved", "behind" }));
            Assert.That(log.Unprinted, Is.Empty);
        }

        [Test]
        public void ANeverCommittedRecordKeepsEverythingAfterItOffTheConsole()
        {
            var log = new PrintkLog(() => 0);
            log.Emit("before\n");
            log.Reserve();
            log.Emit("BUG: stack guard page was hit\n");
            log.Emit("Kernel panic - not syncing: Fatal exception in interrupt\n");
            Assert.That(Texts(log.Lines), Is.EqualTo(new[] { "before" }));
            Assert.That(Texts(log.Unprinted), Is.EqualTo(new[] { "BUG: stack guard page was hit", "Kernel panic - not syncing: Fatal exception in interrupt" }));
        }
    }
}
