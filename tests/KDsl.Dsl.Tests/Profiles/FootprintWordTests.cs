using KDsl.Profiles;
using NUnit.Framework;

namespace KDsl.Dsl.Tests.Profiles
{
    /// <summary>
    /// reduce.py's tokens for the module addresses an oops path copies (tools/kernel-trace/reduce.py, Fault.token): what
    /// each is to the fault, so that a run with another module layout rebuilds it from its own fault.
    /// </summary>
    [TestFixture]
    public class FootprintWordTests
    {
        [TestCase("ip", FootprintWordKind.FaultIp, 0UL)]
        [TestCase("ip-2a", FootprintWordKind.FaultIp, 0xffffffffffffffd6UL)] // show_opcodes' copy from ip - 42
        [TestCase("ip+5", FootprintWordKind.FaultIp, 5UL)]
        [TestCase("ipsym", FootprintWordKind.FaultSymbolStart, 0UL)]
        [TestCase("ipnext", FootprintWordKind.FaultSymbolEnd, 0UL)]
        [TestCase("e-58", FootprintWordKind.EntryWord, 0x58UL)] // pt_regs' rbp below an entry with an error code
        [TestCase("mdata", FootprintWordKind.ModuleData, 0UL)]
        [TestCase("m", FootprintWordKind.ModuleCode, 0UL)]
        [TestCase("c-10", FootprintWordKind.FromCaller, 0xfffffffffffffff0UL)]
        [TestCase("tffffffff81000010", FootprintWordKind.Value, 0xffffffff81000010UL)]
        public void AnOopsPathToken_IsWhatItIsToTheFault(string token, FootprintWordKind kind, ulong value)
        {
            var word = FootprintWord.Parse(token);
            Assert.That(word.Kind, Is.EqualTo(kind));
            Assert.That(word.Value, Is.EqualTo(value));
        }
    }
}
