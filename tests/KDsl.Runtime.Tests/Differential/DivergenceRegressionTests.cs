using KDsl.Runtime.Cpu;
using KDsl.Runtime.Tests.Cpu;
using NUnit.Framework;
using static Iced.Intel.AssemblerRegisters;

namespace KDsl.Runtime.Tests.Differential
{
    /// <summary>Divergences the differential tests found, each pinned with the hardware's result.</summary>
    [TestFixture]
    public class DivergenceRegressionTests
    {
        /// <summary>
        /// Differential case seed 9000887 (and 11 others): `shl r10d, cl` with CL = 0 left R10's upper half alone; the
        /// hardware writes the 32-bit destination anyway, so the upper half clears (flags stay unaffected).
        /// </summary>
        [Test]
        public void Shift32ByZero_ClearsTheUpperHalf()
        {
            using var g = new GuestFixture();
            StopReason r = g.Run(a =>
            {
                a.mov(r10, 0x06e8e7d61bac9d9fUL);
                a.mov(r13, 0x7fffffffffffffffUL);
                a.mov(r8, 0x7fffffffffffffffUL);
                a.mov(r9, 0x1234_5678_9abc_def0UL);
                a.mov(ecx, 0);
                a.shl(r10d, cl);
                a.shr(r13d, cl);
                a.sar(r8d, 0x40); // masked to 0
                a.shl(r9w, 0);    // 16-bit: the upper bits stay
                a.hlt();
            });
            Assert.That(r, Is.EqualTo(StopReason.Halt));
            Assert.Multiple(() =>
            {
                Assert.That(g.Reg(Reg.R10), Is.EqualTo(0x1bac9d9fUL));
                Assert.That(g.Reg(Reg.R13), Is.EqualTo(0xffffffffUL));
                Assert.That(g.Reg(Reg.R8), Is.EqualTo(0xffffffffUL));
                Assert.That(g.Reg(Reg.R9), Is.EqualTo(0x1234_5678_9abc_def0UL));
            });
        }

        /// <summary>
        /// Found reading the SDM for the trap work, not by the random sequences (which never execute `int n`): `int n`
        /// through an IDT entry that is no gate (Linux leaves vectors 20–31 all-zero) raised #NP; the hardware checks
        /// the descriptor type before the present bit and raises #GP(n * 8 + 2).
        /// </summary>
        [Test]
        public void IntNThroughAnEmptyIdtEntry_IsGeneralProtection()
        {
            using var g = new GuestFixture();
            g.Cpu.Idt[0x15] = default;
            StopReason r = g.Run(a =>
            {
                a.@int(0x15);
                a.hlt();
            });
            Assert.That(r, Is.EqualTo(StopReason.Exception));
            Assert.That(g.Cpu.LastException.Vector, Is.EqualTo(Vectors.GP));
            Assert.That(g.Cpu.LastException.ErrorCode, Is.EqualTo(0x15u * 8 + 2));
            Assert.That(g.Cpu.LastException.FaultRip, Is.EqualTo(GuestFixture.CodeVa)); // a fault: RIP at the int
        }
    }
}
