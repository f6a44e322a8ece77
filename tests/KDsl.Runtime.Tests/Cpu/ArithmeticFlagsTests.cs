using System;
using Iced.Intel;
using KDsl.Runtime.Cpu;
using NUnit.Framework;
using static Iced.Intel.AssemblerRegisters;

namespace KDsl.Runtime.Tests.Cpu
{
    /// <summary>Expected values are worked out from the SDM's flag definitions, not from the interpreter.</summary>
    [TestFixture]
    public class ArithmeticFlagsTests : GuestTest
    {
        /// <summary>Asserts the six status flags: CF PF AF ZF SF OF.</summary>
        private void Flags(int cf, int pf, int af, int zf, int sf, int of)
        {
            ulong f = _g.Cpu.Rflags;
            Assert.Multiple(() =>
            {
                Assert.That((f >> 0) & 1, Is.EqualTo((ulong)cf), "CF");
                Assert.That((f >> 2) & 1, Is.EqualTo((ulong)pf), "PF");
                Assert.That((f >> 4) & 1, Is.EqualTo((ulong)af), "AF");
                Assert.That((f >> 6) & 1, Is.EqualTo((ulong)zf), "ZF");
                Assert.That((f >> 7) & 1, Is.EqualTo((ulong)sf), "SF");
                Assert.That((f >> 11) & 1, Is.EqualTo((ulong)of), "OF");
                Assert.That((f >> 1) & 1, Is.EqualTo(1UL), "bit 1");
            });
        }

        [Test]
        public void Add8_SignedOverflow_0x7F_plus_1()
        {
            RunOk(a => { a.mov(al, 0x7F); a.add(al, 1); });
            Assert.That(_g.Reg(Reg.Rax) & 0xFF, Is.EqualTo(0x80UL));
            // 0x80: one bit set -> PF 0; nibble 0xF+1 carries -> AF 1; positive+positive=negative -> OF 1.
            Flags(cf: 0, pf: 0, af: 1, zf: 0, sf: 1, of: 1);
        }

        [Test]
        public void Add8_Carry_0xFF_plus_1()
        {
            RunOk(a => { a.mov(al, 0xFF); a.add(al, 1); });
            Assert.That(_g.Reg(Reg.Rax) & 0xFF, Is.EqualTo(0UL));
            Flags(cf: 1, pf: 1, af: 1, zf: 1, sf: 0, of: 0);
        }

        [Test]
        public void Add64_MaxPositive_plus_1()
        {
            RunOk(a => { a.mov(rax, long.MaxValue); a.add(rax, 1); });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(0x8000_0000_0000_0000UL));
            Flags(cf: 0, pf: 1, af: 1, zf: 0, sf: 1, of: 1);
        }

        [Test]
        public void Sub32_ZeroMinusOne_ZeroExtendsAndBorrows()
        {
            RunOk(a => { a.mov(rax, -1L); a.mov(eax, 0); a.sub(eax, 1); });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(0xFFFF_FFFFUL));
            Flags(cf: 1, pf: 1, af: 1, zf: 0, sf: 1, of: 0);
        }

        [Test]
        public void Sub32_MinIntMinusOne_Overflows()
        {
            RunOk(a => { a.mov(eax, unchecked((int)0x8000_0000)); a.sub(eax, 1); });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(0x7FFF_FFFFUL));
            Flags(cf: 0, pf: 1, af: 1, zf: 0, sf: 0, of: 1);
        }

        [Test]
        public void Cmp_Equal_SetsZeroOnly()
        {
            RunOk(a => { a.mov(rbx, 0x1234); a.cmp(rbx, 0x1234); });
            Assert.That(_g.Reg(Reg.Rbx), Is.EqualTo(0x1234UL), "cmp does not write");
            Flags(cf: 0, pf: 1, af: 0, zf: 1, sf: 0, of: 0);
        }

        [Test]
        public void Inc_PreservesCarry_AndWraps()
        {
            RunOk(a => { a.stc(); a.mov(rax, -1L); a.inc(rax); });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(0UL));
            Flags(cf: 1, pf: 1, af: 1, zf: 1, sf: 0, of: 0);
        }

        [Test]
        public void Dec8_0x80_Overflows_PreservesClearCarry()
        {
            RunOk(a => { a.clc(); a.mov(cl, 0x80); a.dec(cl); });
            Assert.That(_g.Reg(Reg.Rcx) & 0xFF, Is.EqualTo(0x7FUL));
            // 0x7F has seven bits set -> PF 0; low nibble 0 - 1 borrows -> AF 1.
            Flags(cf: 0, pf: 0, af: 1, zf: 0, sf: 0, of: 1);
        }

        [Test]
        public void Neg_Zero_ClearsCarry()
        {
            RunOk(a => { a.stc(); a.xor(edx, edx); a.neg(rdx); });
            Assert.That(_g.Reg(Reg.Rdx), Is.EqualTo(0UL));
            Flags(cf: 0, pf: 1, af: 0, zf: 1, sf: 0, of: 0);
        }

        [Test]
        public void Neg8_MinValue_Overflows()
        {
            RunOk(a => { a.mov(bl, 0x80); a.neg(bl); });
            Assert.That(_g.Reg(Reg.Rbx) & 0xFF, Is.EqualTo(0x80UL));
            Flags(cf: 1, pf: 0, af: 0, zf: 0, sf: 1, of: 1);
        }

        [Test]
        public void Neg32_Five()
        {
            RunOk(a => { a.mov(ecx, 5); a.neg(ecx); });
            Assert.That(_g.Reg(Reg.Rcx), Is.EqualTo(0xFFFF_FFFBUL));
            // 0xFB: seven bits -> PF 0; 0 - 5 in the low nibble borrows -> AF 1.
            Flags(cf: 1, pf: 0, af: 1, zf: 0, sf: 1, of: 0);
        }

        [Test]
        public void Logic_ClearsCarryAndOverflow()
        {
            RunOk(a => { a.stc(); a.mov(eax, 0xF0); a.and(eax, 0x3C); });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(0x30UL));
            Flags(cf: 0, pf: 1, af: 0, zf: 0, sf: 0, of: 0);
        }

        [Test]
        public void AdcSbb_128BitArithmetic()
        {
            RunOk(a =>
            {
                // (2^64 - 1) + 1 = 2^64 as rdx:rax
                a.mov(rax, -1L); a.xor(edx, edx);
                a.add(rax, 1); a.adc(rdx, 0);
                // 2^64 - 1 = 0:ffff... in rcx:rbx
                a.mov(rbx, rax); a.mov(rcx, rdx);
                a.sub(rbx, 1); a.sbb(rcx, 0);
            });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(0UL));
            Assert.That(_g.Reg(Reg.Rdx), Is.EqualTo(1UL));
            Assert.That(_g.Reg(Reg.Rbx), Is.EqualTo(ulong.MaxValue));
            Assert.That(_g.Reg(Reg.Rcx), Is.EqualTo(0UL));
        }

        [Test]
        public void Adc_WithCarryIn_MaxPlusMax()
        {
            RunOk(a => { a.stc(); a.mov(al, 0xFF); a.mov(bl, 0xFF); a.adc(al, bl); });
            // 0xFF + 0xFF + 1 = 0x1FF -> 0xFF, carry out; nibble F+F+1 carries.
            Assert.That(_g.Reg(Reg.Rax) & 0xFF, Is.EqualTo(0xFFUL));
            Flags(cf: 1, pf: 1, af: 1, zf: 0, sf: 1, of: 0);
        }

        [Test]
        public void Sbb_WithBorrowIn_EqualOperands()
        {
            RunOk(a => { a.stc(); a.mov(eax, 5); a.sbb(eax, 5); });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(0xFFFF_FFFFUL));
            Flags(cf: 1, pf: 1, af: 1, zf: 0, sf: 1, of: 0);
        }

        [Test]
        public void Shl8_By1_CarryAndOverflow()
        {
            RunOk(a => { a.mov(al, 0x81); a.shl(al, 1); });
            Assert.That(_g.Reg(Reg.Rax) & 0xFF, Is.EqualTo(0x02UL));
            Assert.That(_g.Flag(CpuFlags.CF), Is.True);
            Assert.That(_g.Flag(CpuFlags.OF), Is.True, "OF = MSB(result) xor CF = 0 xor 1");
            Assert.That(_g.Flag(CpuFlags.ZF), Is.False);
        }

        [Test]
        public void Shr8_By1_OverflowIsOriginalMsb()
        {
            RunOk(a => { a.mov(al, 0x81); a.shr(al, 1); });
            Assert.That(_g.Reg(Reg.Rax) & 0xFF, Is.EqualTo(0x40UL));
            Assert.That(_g.Flag(CpuFlags.CF), Is.True);
            Assert.That(_g.Flag(CpuFlags.OF), Is.True);
            Assert.That(_g.Flag(CpuFlags.SF), Is.False);
        }

        [Test]
        public void Sar8_By1_KeepsSign()
        {
            RunOk(a => { a.mov(al, 0x81); a.sar(al, 1); });
            Assert.That(_g.Reg(Reg.Rax) & 0xFF, Is.EqualTo(0xC0UL));
            Assert.That(_g.Flag(CpuFlags.CF), Is.True);
            Assert.That(_g.Flag(CpuFlags.OF), Is.False);
            Assert.That(_g.Flag(CpuFlags.SF), Is.True);
        }

        [Test]
        public void Sar64_ByCl_LargeCount()
        {
            RunOk(a => { a.mov(rax, long.MinValue); a.mov(cl, 63); a.sar(rax, cl); });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(ulong.MaxValue));
            Assert.That(_g.Flag(CpuFlags.CF), Is.False, "CF = bit 62 of the original (the last bit shifted out) = 0");
        }

        [Test]
        public void Shl32_CountMaskedTo5Bits()
        {
            // shl eax, 33 shifts by 1.
            RunOk(a => { a.mov(eax, 3); a.mov(cl, 33); a.shl(eax, cl); });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(6UL));
        }

        [Test]
        public void Shl64_CountMaskedToZero_LeavesFlags()
        {
            // shl rax, 64 -> count 0: no change to the value or to the flags set by the stc/cmp before.
            RunOk(a => { a.mov(rax, 5); a.cmp(rax, 5); a.stc(); a.mov(cl, 64); a.shl(rax, cl); });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(5UL));
            Assert.That(_g.Flag(CpuFlags.CF), Is.True);
            Assert.That(_g.Flag(CpuFlags.ZF), Is.True);
        }

        [Test]
        public void Rol8_By1()
        {
            RunOk(a => { a.clc(); a.mov(al, 0x81); a.rol(al, 1); });
            Assert.That(_g.Reg(Reg.Rax) & 0xFF, Is.EqualTo(0x03UL));
            Assert.That(_g.Flag(CpuFlags.CF), Is.True);
            Assert.That(_g.Flag(CpuFlags.OF), Is.True, "MSB(0x03)=0 xor CF=1");
        }

        [Test]
        public void Ror8_By1()
        {
            RunOk(a => { a.mov(al, 0x81); a.ror(al, 1); });
            Assert.That(_g.Reg(Reg.Rax) & 0xFF, Is.EqualTo(0xC0UL));
            Assert.That(_g.Flag(CpuFlags.CF), Is.True);
            Assert.That(_g.Flag(CpuFlags.OF), Is.False, "bit7 xor bit6 of 0xC0");
        }

        [Test]
        public void Ror64_ByImm()
        {
            RunOk(a => { a.mov(rax, 0x1234_5678_9ABC_DEF0L); a.ror(rax, 8); });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(0xF012_3456_789A_BCDEUL));
        }

        [Test]
        public void Rotate_PreservesZeroFlag()
        {
            RunOk(a => { a.xor(eax, eax); a.mov(bl, 1); a.rol(bl, 1); });
            Assert.That(_g.Flag(CpuFlags.ZF), Is.True, "rotates only touch CF and OF");
        }

        [Test]
        public void Bt_SetsCarryFromBit()
        {
            RunOk(a => { a.mov(rax, 1L << 40); a.bt(rax, 40); a.setb(bl); a.bt(rax, 39); a.setb(cl); });
            Assert.That(_g.Reg(Reg.Rbx) & 0xFF, Is.EqualTo(1UL));
            Assert.That(_g.Reg(Reg.Rcx) & 0xFF, Is.EqualTo(0UL));
        }

        [Test]
        public void Jcc_SignedAndUnsignedAfterCmp()
        {
            RunOk(a =>
            {
                a.mov(rax, -1L);
                a.cmp(rax, 1);
                a.setl(bl);  // signed -1 < 1
                a.setb(cl);  // unsigned 0xff..ff < 1? no
                a.seta(dl);  // unsigned above
                a.setg(sil); // signed greater? no
                a.setne(dil);
            });
            Assert.That(_g.Reg(Reg.Rbx) & 0xFF, Is.EqualTo(1UL));
            Assert.That(_g.Reg(Reg.Rcx) & 0xFF, Is.EqualTo(0UL));
            Assert.That(_g.Reg(Reg.Rdx) & 0xFF, Is.EqualTo(1UL));
            Assert.That(_g.Reg(Reg.Rsi) & 0xFF, Is.EqualTo(0UL));
            Assert.That(_g.Reg(Reg.Rdi) & 0xFF, Is.EqualTo(1UL));
        }

        [Test]
        public void Parity_And_OverflowConditions_FromAdd()
        {
            RunOk(a =>
            {
                a.mov(al, 0x7F); a.add(al, 1);   // OF=1, PF=0 (0x80)
                a.seto(bl); a.setp(cl); a.sets(dl); a.setle(sil); // LE: ZF or SF!=OF -> SF=1,OF=1 -> false
            });
            Assert.That(_g.Reg(Reg.Rbx) & 0xFF, Is.EqualTo(1UL));
            Assert.That(_g.Reg(Reg.Rcx) & 0xFF, Is.EqualTo(0UL));
            Assert.That(_g.Reg(Reg.Rdx) & 0xFF, Is.EqualTo(1UL));
            Assert.That(_g.Reg(Reg.Rsi) & 0xFF, Is.EqualTo(0UL));
        }

        [Test]
        public void Cmov32_ZeroExtendsEvenWhenFalse()
        {
            RunOk(a => { a.mov(rax, -1L); a.mov(ecx, 7); a.cmp(ecx, 7); a.cmovne(eax, ecx); });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(0xFFFF_FFFFUL));
        }

        [Test]
        public void Cmov64_MovesWhenTrue()
        {
            RunOk(a => { a.mov(rax, 1); a.mov(rcx, 7); a.cmp(rcx, 8); a.cmovb(rax, rcx); });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(7UL));
        }

        [Test]
        public void PartialRegisterWrites()
        {
            RunOk(a =>
            {
                a.mov(rax, 0x1122_3344_5566_7788L);
                a.mov(ah, 0xAA);
                a.mov(rbx, 0x1122_3344_5566_7788L);
                a.mov(bx, 0xBBBB);
                a.mov(rcx, 0x1122_3344_5566_7788L);
                a.mov(ecx, 0xCCCC);
                a.mov(rdx, 0x1122_3344_5566_7788L);
                a.mov(dl, 0xDD);
            });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(0x1122_3344_5566_AA88UL));
            Assert.That(_g.Reg(Reg.Rbx), Is.EqualTo(0x1122_3344_5566_BBBBUL));
            Assert.That(_g.Reg(Reg.Rcx), Is.EqualTo(0xCCCCUL));
            Assert.That(_g.Reg(Reg.Rdx), Is.EqualTo(0x1122_3344_5566_77DDUL));
        }

        [Test]
        public void MovzxMovsxMovsxd()
        {
            RunOk(a =>
            {
                a.mov(ecx, 0x80F0);
                a.movzx(eax, cl);
                a.movsx(rbx, cl);
                a.movsx(edx, cx);
                a.mov(esi, unchecked((int)0x8000_0000));
                a.movsxd(rdi, esi);
            });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(0xF0UL));
            Assert.That(_g.Reg(Reg.Rbx), Is.EqualTo(0xFFFF_FFFF_FFFF_FFF0UL));
            Assert.That(_g.Reg(Reg.Rdx), Is.EqualTo(0xFFFF_80F0UL));
            Assert.That(_g.Reg(Reg.Rdi), Is.EqualTo(0xFFFF_FFFF_8000_0000UL));
        }

        [Test]
        public void Lea_SibScaleDisp()
        {
            RunOk(a => { a.mov(rbx, 0x1000); a.mov(rcx, 3); a.lea(rax, __[rbx + rcx * 8 - 0x10]); a.lea(edx, __[rbx + rcx * 4 + 1]); });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(0x1000UL + 24 - 16));
            Assert.That(_g.Reg(Reg.Rdx), Is.EqualTo(0x1000UL + 12 + 1));
        }

        [Test]
        public void CbwFamily_And_CwdFamily()
        {
            RunOk(a =>
            {
                a.mov(rax, 0x80); a.cbw();                       // ax = 0xff80
                a.mov(r8, rax);
                a.mov(eax, 0x8000); a.cwde();                    // eax = 0xffff8000
                a.mov(r9, rax);
                a.mov(eax, unchecked((int)0x8000_0000)); a.cdqe(); // rax = 0xffffffff80000000
                a.mov(r10, rax);
                a.cqo();                                         // rdx = all ones
                a.mov(r11, rdx);
                a.mov(eax, 5); a.cdq();                          // edx = 0
            });
            Assert.That(_g.Reg(Reg.R8), Is.EqualTo(0xFF80UL));
            Assert.That(_g.Reg(Reg.R9), Is.EqualTo(0xFFFF_8000UL));
            Assert.That(_g.Reg(Reg.R10), Is.EqualTo(0xFFFF_FFFF_8000_0000UL));
            Assert.That(_g.Reg(Reg.R11), Is.EqualTo(ulong.MaxValue));
            Assert.That(_g.Reg(Reg.Rdx), Is.EqualTo(0UL));
        }

        [Test]
        public void Xchg_And_Xadd_And_Cmpxchg()
        {
            RunOk(a =>
            {
                a.mov(rax, 1); a.mov(rbx, 2); a.xchg(rax, rbx);
                a.mov(rcx, 10); a.mov(rdx, 5); a.xadd(rcx, rdx);      // rcx = 15, rdx = 10
                a.mov(rsi, 15); a.mov(rax, 15); a.mov(rdi, 99);
                a.cmpxchg(rsi, rdi);                                // equal: rsi = 99, ZF = 1
                a.setz(r8b);
                a.cmpxchg(rsi, rdi);                                // rax(15) != 99: rax = 99, ZF = 0
                a.setz(r9b);
            });
            Assert.That(_g.Reg(Reg.Rbx), Is.EqualTo(1UL));
            Assert.That(_g.Reg(Reg.Rcx), Is.EqualTo(15UL));
            Assert.That(_g.Reg(Reg.Rdx), Is.EqualTo(10UL));
            Assert.That(_g.Reg(Reg.Rsi), Is.EqualTo(99UL));
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(99UL));
            Assert.That(_g.Reg(Reg.R8) & 0xFF, Is.EqualTo(1UL));
            Assert.That(_g.Reg(Reg.R9) & 0xFF, Is.EqualTo(0UL));
        }
    }
}
