using System;
using Iced.Intel;
using KDsl.Runtime.Cpu;
using NUnit.Framework;
using static Iced.Intel.AssemblerRegisters;

namespace KDsl.Runtime.Tests.Cpu
{
    [TestFixture]
    public class MulDivTests : GuestTest
    {
        [Test]
        public void Mul64_HighHalfInRdx_SetsCarryOverflow()
        {
            RunOk(a => { a.mov(rax, long.MinValue); a.mov(rcx, 4); a.mul(rcx); });
            // 2^63 * 4 = 2^65 -> rdx = 2, rax = 0
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(0UL));
            Assert.That(_g.Reg(Reg.Rdx), Is.EqualTo(2UL));
            Assert.That(_g.Flag(CpuFlags.CF) && _g.Flag(CpuFlags.OF), Is.True);
        }

        [Test]
        public void Mul32_NoOverflow_ClearsCarry()
        {
            RunOk(a => { a.stc(); a.mov(eax, 0x10000); a.mov(ecx, 0xFFFF); a.mul(ecx); });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(0xFFFF_0000UL));
            Assert.That(_g.Reg(Reg.Rdx), Is.EqualTo(0UL));
            Assert.That(_g.Flag(CpuFlags.CF) || _g.Flag(CpuFlags.OF), Is.False);
        }

        [Test]
        public void Mul8_ResultInAx()
        {
            RunOk(a => { a.mov(rax, 0x1234_5678_0000_0000L); a.mov(al, 200); a.mov(bl, 3); a.mul(bl); });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(0x1234_5678_0000_0258UL)); // 600 = 0x258, upper bits kept
            Assert.That(_g.Flag(CpuFlags.CF), Is.True);
        }

        [Test]
        public void Imul1_8bit_MinTimesMinusOne_Overflows()
        {
            RunOk(a => { a.mov(al, 0x80); a.mov(cl, 0xFF); a.imul(cl); });
            Assert.That(_g.Reg(Reg.Rax) & 0xFFFF, Is.EqualTo(0x0080UL)); // +128 does not fit in int8
            Assert.That(_g.Flag(CpuFlags.CF) && _g.Flag(CpuFlags.OF), Is.True);
        }

        [Test]
        public void Imul1_64_NegativeProductSignExtendsIntoRdx()
        {
            RunOk(a => { a.mov(rax, -3L); a.mov(rcx, 5); a.imul(rcx); });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(unchecked((ulong)-15L)));
            Assert.That(_g.Reg(Reg.Rdx), Is.EqualTo(ulong.MaxValue));
            Assert.That(_g.Flag(CpuFlags.CF), Is.False);
        }

        [Test]
        public void Imul2_64_Overflow()
        {
            RunOk(a => { a.mov(rax, 1L << 62); a.mov(rcx, 2); a.imul(rax, rcx); });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(0x8000_0000_0000_0000UL));
            Assert.That(_g.Flag(CpuFlags.CF) && _g.Flag(CpuFlags.OF), Is.True);
        }

        [Test]
        public void Imul3_32_ExactlyMinInt_NoOverflow()
        {
            RunOk(a => { a.mov(rcx, -1L); a.mov(eax, 0x4000_0000); a.imul(ecx, eax, -2); });
            Assert.That(_g.Reg(Reg.Rcx), Is.EqualTo(0x8000_0000UL), "zero-extended 32-bit result");
            Assert.That(_g.Flag(CpuFlags.CF) || _g.Flag(CpuFlags.OF), Is.False);
        }

        [Test]
        public void Imul3_16_Overflow()
        {
            RunOk(a => { a.mov(ax, 300); a.imul(bx, ax, 200); });
            // 60000 does not fit in int16; low 16 bits 0xEA60
            Assert.That(_g.Reg(Reg.Rbx) & 0xFFFF, Is.EqualTo(0xEA60UL));
            Assert.That(_g.Flag(CpuFlags.OF), Is.True);
        }

        [Test]
        public void Div64_128BitDividend()
        {
            RunOk(a => { a.mov(rdx, 1); a.xor(eax, eax); a.mov(rcx, 2); a.div(rcx); });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(0x8000_0000_0000_0000UL));
            Assert.That(_g.Reg(Reg.Rdx), Is.EqualTo(0UL));
        }

        [Test]
        public void Div32_QuotientAndRemainder()
        {
            RunOk(a => { a.xor(edx, edx); a.mov(eax, 100); a.mov(ecx, 7); a.div(ecx); });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(14UL));
            Assert.That(_g.Reg(Reg.Rdx), Is.EqualTo(2UL));
        }

        [Test]
        public void Idiv64_TruncatesTowardZero()
        {
            RunOk(a => { a.mov(rax, -7L); a.cqo(); a.mov(rcx, 2); a.idiv(rcx); });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(unchecked((ulong)-3L)));
            Assert.That(_g.Reg(Reg.Rdx), Is.EqualTo(unchecked((ulong)-1L)));
        }

        [Test]
        public void Idiv8_AxByByte()
        {
            RunOk(a => { a.mov(ax, unchecked((short)-7)); a.mov(bl, 2); a.idiv(bl); });
            Assert.That(_g.Reg(Reg.Rax) & 0xFF, Is.EqualTo(0xFDUL));          // al = -3
            Assert.That((_g.Reg(Reg.Rax) >> 8) & 0xFF, Is.EqualTo(0xFFUL));   // ah = -1
        }

        [Test]
        public void DivByZero_RaisesDE_AtTheDivInstruction()
        {
            ulong divRip = 0;
            StopReason r = _g.Run(a =>
            {
                a.mov(eax, 1); a.xor(ecx, ecx);
                var l = a.CreateLabel(); a.Label(ref l);
                a.div(rcx);
                a.hlt();
            });
            divRip = GuestFixture.CodeVa + 5 + 2; // mov eax,imm32 (5) + xor ecx,ecx (2)
            Assert.That(r, Is.EqualTo(StopReason.Exception));
            ref readonly ExceptionInfo e = ref _g.Cpu.LastException;
            Assert.That(e.Vector, Is.EqualTo(Vectors.DE));
            Assert.That(e.HasErrorCode, Is.False);
            Assert.That(e.FaultRip, Is.EqualTo(divRip));
            Assert.That(_g.Cpu.Rip, Is.EqualTo(GuestFixture.Handler(Vectors.DE)));
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(1UL), "no architectural effect");
        }

        [Test]
        public void Div_QuotientOverflow_RaisesDE()
        {
            Assert.That(Run(a => { a.mov(rdx, 2); a.xor(eax, eax); a.mov(rcx, 2); a.div(rcx); }), Is.EqualTo(StopReason.Exception));
            Assert.That(_g.Cpu.LastException.Vector, Is.EqualTo(Vectors.DE));
        }

        [Test]
        public void Idiv_MinByMinusOne_RaisesDE()
        {
            Assert.That(Run(a => { a.mov(rax, long.MinValue); a.cqo(); a.mov(rcx, -1L); a.idiv(rcx); }), Is.EqualTo(StopReason.Exception));
            Assert.That(_g.Cpu.LastException.Vector, Is.EqualTo(Vectors.DE));
        }
    }
}
