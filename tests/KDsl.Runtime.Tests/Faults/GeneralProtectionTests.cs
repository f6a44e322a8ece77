using NUnit.Framework;
using static KDsl.Runtime.Tests.Faults.FaultRun;

namespace KDsl.Runtime.Tests.Faults
{
    /// <summary>
    /// arch/x86/kernel/traps.c exc_general_protection: since 5.5 a kernel #GP with error code 0 decodes the faulting
    /// instruction (get_kernel_gp_address) and names its memory operand's address, GPFSTR ", %s 0x%lx" with "probably
    /// for non-canonical address" when the operand starts below the kernel half and ends above the user half (the classic
    /// list_del poison: LIST_POISON1 + 8 = 0xdead000000000108); 4.11's do_general_protection prints the bare string. A
    /// string instruction has no ModRM operand (insn_get_addr_ref fails): no hint.
    /// </summary>
    [TestFixture]
    public class GeneralProtectionTests
    {
        private const string Poisoned = "struct node { struct node *next; long v; };\n";
        private const string StoreThroughPoison = "struct node *n = (struct node *)0xdead000000000100;\nn->v = 1;\nreturn 0;";

        [TestCase("linux-6.1", " PREEMPT SMP NOPTI")]
        [TestCase("linux-5.10", " SMP NOPTI")]
        public void NonCanonicalOperand_IsNamedInTheDieLine(string profile, string flags)
        {
            var run = Inline(StoreThroughPoison, profile, Poisoned);
            AssertInOrder(run, "general protection fault, probably for non-canonical address 0xdead000000000108: 0000 \\[#1\\]" + Escape(flags));
            Assert.That(run.Oops!.Kind, Is.EqualTo("general_protection"));
        }

        [Test]
        public void Linux411_PrintsNoHint()
        {
            var run = Inline(StoreThroughPoison, "linux-4.11", Poisoned);
            AssertInOrder(run, "general protection fault: 0000 \\[#1\\] SMP");
        }

        [Test]
        public void StringInstruction_HasNoOperandToName()
        {
            var run = Inline("char buf[16];\nmemcpy((char *)0xdead000000000000, buf, 16);\nreturn 0;");
            AssertInOrder(run, "general protection fault: 0000 \\[#1\\] PREEMPT SMP NOPTI");
        }

        [Test]
        public void PrintkOfANonCanonicalString_NamesTheString()
        {
            // string_nocheck's load of the string's first byte (KDsl raises the fault at printk's modelled text)
            var run = Inline("printk(\"%s\\n\", (char *)0xdead000000000100);\nreturn 0;");
            AssertInOrder(run, "general protection fault, probably for non-canonical address 0xdead000000000100: 0000 \\[#1\\] PREEMPT SMP NOPTI");
        }
    }
}
