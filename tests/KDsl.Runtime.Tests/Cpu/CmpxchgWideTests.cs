using System;
using Iced.Intel;
using KDsl.Runtime.Cpu;
using NUnit.Framework;
using static Iced.Intel.AssemblerRegisters;

namespace KDsl.Runtime.Tests.Cpu
{
    /// <summary>
    /// cmpxchg8b and cmpxchg16b, which CPUID.1 advertises (EDX bit 8 CX8, ECX bit 13 CX16). Expected values follow the
    /// SDM's definition: EDX:EAX (RDX:RAX) against the operand; equal: ZF=1 and ECX:EBX (RCX:RBX) stored; else ZF=0 and
    /// the operand loaded; no other flag changes; cmpxchg16b's operand 16-byte aligned or #GP(0).
    /// </summary>
    [TestFixture]
    public class CmpxchgWideTests : GuestTest
    {
        private bool Zf => ((_g.Cpu.Rflags >> 6) & 1) != 0;
        private bool Cf => (_g.Cpu.Rflags & 1) != 0;

        [Test]
        public void Cmpxchg8b_Equal_StoresEcxEbxAndSetsZf()
        {
            _g.Mem.WriteU64(_g.DataPa + 0x40, 0x11111111_22222222);
            RunOk(a =>
            {
                a.stc(); // CF must survive
                a.mov(rax, GuestFixture.DataVa + 0x40);
                a.mov(rsi, rax);
                a.mov(edx, 0x11111111); a.mov(eax, 0x22222222);
                a.mov(ecx, 0x33333333); a.mov(ebx, 0x44444444);
                a.cmpxchg8b(__qword_ptr[rsi]);
            });
            Assert.That(_g.Mem.ReadU64(_g.DataPa + 0x40), Is.EqualTo(0x33333333_44444444UL));
            Assert.That((Zf, Cf), Is.EqualTo((true, true)));
        }

        [Test]
        public void Cmpxchg8b_Different_LoadsEdxEaxAndClearsZf()
        {
            _g.Mem.WriteU64(_g.DataPa + 0x40, 0x55555555_66666666);
            RunOk(a =>
            {
                a.mov(rsi, GuestFixture.DataVa + 0x40);
                a.mov(rdx, -1L); a.mov(rax, -1L);
                a.cmpxchg8b(__qword_ptr[rsi]);
            });
            Assert.That((_g.Reg(Reg.Rdx), _g.Reg(Reg.Rax)), Is.EqualTo((0x55555555UL, 0x66666666UL)));
            Assert.That(_g.Mem.ReadU64(_g.DataPa + 0x40), Is.EqualTo(0x55555555_66666666UL));
            Assert.That(Zf, Is.False);
        }

        [Test]
        public void Cmpxchg16b_Equal_StoresRcxRbx()
        {
            _g.Mem.WriteU64(_g.DataPa + 0x40, 1);
            _g.Mem.WriteU64(_g.DataPa + 0x48, 2);
            RunOk(a =>
            {
                a.mov(rsi, GuestFixture.DataVa + 0x40);
                a.mov(rax, 1); a.mov(rdx, 2); a.mov(rbx, 3); a.mov(rcx, 4);
                a.cmpxchg16b(__xmmword_ptr[rsi]);
            });
            Assert.That((_g.Mem.ReadU64(_g.DataPa + 0x40), _g.Mem.ReadU64(_g.DataPa + 0x48)), Is.EqualTo((3UL, 4UL)));
            Assert.That(Zf, Is.True);
        }

        [Test]
        public void Cmpxchg16b_Misaligned_IsGeneralProtection()
        {
            StopReason r = _g.Run(a =>
            {
                a.mov(rsi, GuestFixture.DataVa + 0x48);
                a.cmpxchg16b(__xmmword_ptr[rsi]);
                a.hlt();
            });
            Assert.That(r, Is.EqualTo(StopReason.Exception));
            Assert.That(_g.Cpu.LastException.Vector, Is.EqualTo(Vectors.GP));
        }

        [Test]
        public void Cpuid_AdvertisesCx8AndCx16()
        {
            RunOk(a => { a.mov(eax, 1); a.cpuid(); });
            Assert.That(((_g.Reg(Reg.Rdx) >> 8) & 1, (_g.Reg(Reg.Rcx) >> 13) & 1), Is.EqualTo((1UL, 1UL)));
        }
    }
}
