using KDsl.Runtime.RealKernel;
using NUnit.Framework;

namespace KDsl.Runtime.Tests.RealKernel
{
    /// <summary>
    /// The "end of run" field when the panic message names a module function: stack-protector's message carries the
    /// function with its offset and size, which are the module compiler's (GCC's for the real runs, KDsl's for the
    /// replay), so it is compared by name, as the Call Trace's module entries are, unless both ran the same bytes.
    /// The real lines are from the 5.10 kthread_protector and 6.1 stack_protector logs in Logs/.
    /// </summary>
    [TestFixture]
    public class EndOfRunFieldTests
    {
        private static KernelLogFields Panic(string message) => KernelLogFields.Parse(new[]
        {
            "[    3.300000] Kernel panic - not syncing: " + message,
            "[    3.300100] ---[ end Kernel panic - not syncing: " + message + " ]---",
        });

        private static string? EndOfRun(string message, bool sameBytes) =>
            LogComparison.Field(Panic(message), "end of run", sameBytes)?.Items[0];

        [Test]
        public void ModuleFunctionInThePanicMessage_IsComparedByName()
        {
            string real = EndOfRun("stack-protector: Kernel stack is corrupted in: overrun+0x45/0xffb [stack_protector]", false)!;
            Assert.That(real, Is.EqualTo("panic \"stack-protector: Kernel stack is corrupted in: overrun [module]\" + end marker"));
            Assert.That(EndOfRun("stack-protector: Kernel stack is corrupted in: overrun+0x8c/0x1000 [stack_protector]", false), Is.EqualTo(real));
        }

        [Test]
        public void ColdPartOfAFunction_IsKeptAndCloneSuffixDropped()
        {
            // GCC moved the __stack_chk_fail call into overrun.cold (5.10 kthread_protector), and so does KDsl: the cold
            // part is compared as such, a clone's suffix (.isra.0, .constprop.0) is not
            string cold = EndOfRun("stack-protector: Kernel stack is corrupted in: overrun.cold+0x27/0x27 [kthread_protector]", false)!;
            Assert.That(cold, Is.EqualTo("panic \"stack-protector: Kernel stack is corrupted in: overrun.cold [module]\" + end marker"));
            Assert.That(EndOfRun("stack-protector: Kernel stack is corrupted in: overrun.isra.0.cold+0x27/0x27 [kthread_protector]", false), Is.EqualTo(cold));
            Assert.That(EndOfRun("stack-protector: Kernel stack is corrupted in: overrun+0x7f/0x80 [kthread_protector]", false), Is.Not.EqualTo(cold));
        }

        [Test]
        public void SameBytes_CompareTheOffsets()
        {
            Assert.That(EndOfRun("stack-protector: Kernel stack is corrupted in: overrun+0x45/0xffb [stack_protector]", true),
                Is.Not.EqualTo(EndOfRun("stack-protector: Kernel stack is corrupted in: overrun+0x8c/0x1000 [stack_protector]", true)));
        }

        [Test]
        public void KernelSymbolsKeepTheirOffsets()
        {
            Assert.That(EndOfRun("Fatal exception in interrupt", false), Is.EqualTo("panic \"Fatal exception in interrupt\" + end marker"));
            Assert.That(EndOfRun("stack-protector: Kernel stack is corrupted in: do_one_initcall+0x59/0x220", false),
                Does.Contain("do_one_initcall+0x59/0x220"));
        }
    }
}
