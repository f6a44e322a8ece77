using KDsl.Runtime.Cpu;
using NUnit.Framework;
using static Iced.Intel.AssemblerRegisters;

namespace KDsl.Runtime.Tests.Cpu
{
    /// <summary>
    /// What the CPU says it is (issue 21): CPUID advertises what KDsl implements and nothing else (Intel SDM Vol. 2A,
    /// CPUID: leaf 1 EDX bit 0 FPU, 4 TSC, 5 MSR, 8 CX8, 15 CMOV, ECX bit 13 CX16; leaf 7 EBX bit 7 SMEP, 20 SMAP;
    /// leaf 0x80000001 EDX bit 11 SYSCALL, 20 NX, 29 LM), and a valid instruction outside KDsl's subset stops the run
    /// naming it, where bytes that are no instruction raise #UD as the hardware does.
    /// </summary>
    [TestFixture]
    public class CpuFeatureTests : GuestTest
    {
        private (ulong Eax, ulong Ebx, ulong Ecx, ulong Edx) Cpuid(uint leaf, uint subleaf = 0)
        {
            RunOk(a => { a.mov(eax, leaf); a.mov(ecx, subleaf); a.cpuid(); });
            return (_g.Reg(Reg.Rax), _g.Reg(Reg.Rbx), _g.Reg(Reg.Rcx), _g.Reg(Reg.Rdx));
        }

        [Test]
        public void Leaf0_ReachesLeaf7()
        {
            Assert.That(Cpuid(0).Eax, Is.EqualTo(7UL));
        }

        [Test]
        public void Leaf1_HasTscMsrCx8CmovCx16_AndNoFpu()
        {
            var r = Cpuid(1);
            Assert.That(r.Edx, Is.EqualTo((1UL << 4) | (1UL << 5) | (1UL << 8) | (1UL << 15)));
            Assert.That(r.Ecx, Is.EqualTo(1UL << 13));
        }

        [Test]
        public void Leaf7_HasSmepAndSmap()
        {
            Assert.That(Cpuid(7).Ebx, Is.EqualTo((1UL << 7) | (1UL << 20)));
        }

        /// <summary>stac sets RFLAGS.AC (bit 18) and clac clears it (SDM Vol. 2B), SMAP's switch for the user-copy routine.</summary>
        [Test]
        public void StacAndClac_SetAndClearAc()
        {
            RunOk(a => { a.stac(); a.pushfq(); a.pop(rbx); a.clac(); a.pushfq(); a.pop(rcx); });
            Assert.That((_g.Reg(Reg.Rbx) >> 18 & 1, _g.Reg(Reg.Rcx) >> 18 & 1), Is.EqualTo((1UL, 0UL)));
        }

        [Test]
        public void Leaf80000001_HasSyscallNxAndLongMode()
        {
            Assert.That(Cpuid(0x8000_0000).Eax, Is.EqualTo(0x8000_0001UL));
            Assert.That(Cpuid(0x8000_0001).Edx, Is.EqualTo((1UL << 11) | (1UL << 20) | (1UL << 29)));
        }

        [Test]
        public void Popcnt_StopsTheRunNamingIt()
        {
            var stop = Run(a => { a.mov(ebx, 7); a.popcnt(rax, rbx); });
            Assert.That(stop, Is.EqualTo(StopReason.Unimplemented));
            Assert.That(_g.Cpu.UnimplementedMnemonic, Is.EqualTo("popcnt"));
            Assert.That(_g.Reg(Reg.Rbx), Is.EqualTo(7UL), "the instructions before it ran");
            Assert.That(_g.Cpu.Rip, Is.EqualTo(GuestFixture.CodeVa + 5), "RIP at the popcnt (after mov ebx, imm32: B8+rd id, 5 bytes), not past it");
        }

        [TestCase(new byte[] { 0xE2, 0xFE }, "loop")]                         // loop $
        [TestCase(new byte[] { 0x48, 0x0F, 0xA4, 0xD8, 0x04 }, "shld")]       // shld rax, rbx, 4
        [TestCase(new byte[] { 0xF3, 0x0F, 0x6F, 0xC1 }, "movdqu")]           // movdqu xmm0, xmm1
        [TestCase(new byte[] { 0x0F, 0x01, 0xD0 }, "xgetbv")]
        public void OtherInstructionsOutsideTheSubset_StopTheRunNamingThem(byte[] bytes, string mnemonic)
        {
            var stop = Run(a => a.db(bytes));
            Assert.That(stop, Is.EqualTo(StopReason.Unimplemented));
            Assert.That(_g.Cpu.UnimplementedMnemonic, Is.EqualTo(mnemonic));
        }

        [Test]
        public void BytesThatAreNoInstruction_RaiseUd()
        {
            var stop = Run(a => a.db(0x06)); // push es: invalid in 64-bit mode (SDM: "Invalid" in the 64-bit column)
            Assert.That(stop, Is.EqualTo(StopReason.Exception));
            Assert.That(_g.Cpu.LastException.Vector, Is.EqualTo(Vectors.UD));
        }
    }
}
