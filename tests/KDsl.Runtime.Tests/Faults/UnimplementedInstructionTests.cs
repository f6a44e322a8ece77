using NUnit.Framework;

namespace KDsl.Runtime.Tests.Faults
{
    /// <summary>
    /// A valid instruction KDsl does not implement, reached by an experiment's hand-placed bytes, ends the run saying so
    /// (issue 21): no #UD oops, which the real CPU would not raise. linux-4.11 (no SMEP) lets the module call a user page
    /// it mapped, holding popcnt rax, rbx (F3 REX.W 0F B8 /r, Intel SDM Vol. 2B).
    /// </summary>
    [TestFixture]
    public class UnimplementedInstructionTests
    {
        [Test]
        public void PopcntInHandPlacedBytes_EndsTheRunNamingIt()
        {
            var run = FaultRun.Inline(SmepSmapTests.MapUserPage(SmepSmapTests.DirectMap411) +
                "char *code = (char *)page;\ncode[0] = 0xf3; code[1] = 0x48; code[2] = 0x0f; code[3] = 0xb8; code[4] = 0xc3; code[5] = 0xc3;\n" +
                "printk(\"calling\\n\");\ncall_ptr(0x1000);\nprintk(\"returned\\n\");", "linux-4.11");
            Assert.That(run.Outcome, Is.EqualTo(RunOutcome.Unimplemented));
            Assert.That(run.InternalError, Does.StartWith("KDsl does not implement popcnt (the instruction at guest RIP 0000000000001000"));
            Assert.That(FaultRun.Messages(run), Has.Member("calling").And.No.Member("returned"));
            Assert.That(FaultRun.Messages(run), Has.None.Contains("invalid opcode"));
        }
    }
}
