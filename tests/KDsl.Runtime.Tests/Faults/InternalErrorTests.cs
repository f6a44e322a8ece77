using NUnit.Framework;

namespace KDsl.Runtime.Tests.Faults
{
    /// <summary>
    /// Machine.Run's boundary: a host exception from the emulated kernel ends the run as KDsl's internal error instead of
    /// escaping to the caller. The reproducer is a known one (issue 21): a PML4 entry pointing past the end of RAM, then
    /// vmalloc, whose page-table walk in C# reads the bogus table. On the real kernel the walk's read through the direct
    /// map faults and the oops follows; when KDsl models that, this test changes to expect the oops.
    /// </summary>
    [TestFixture]
    public class InternalErrorTests
    {
        [Test]
        public void HostExceptionInTheKernel_EndsTheRunAsAnInternalError()
        {
            var run = FaultRun.Inline("long *pml4 = (long *)0xffff888000001000;\npml4[402] = 0x7ffff063;\nchar *p = vmalloc(4096);\np[0] = 1;");
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.InternalError));
            Assert.That(run.InternalError, Does.Contain("ArgumentOutOfRangeException").And.Contain("guest RIP"));
            Assert.That(run.InitReturn, Is.Null);
        }
    }
}
