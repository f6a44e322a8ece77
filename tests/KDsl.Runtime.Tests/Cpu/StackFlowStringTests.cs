using System;
using Iced.Intel;
using KDsl.Runtime.Cpu;
using NUnit.Framework;
using static Iced.Intel.AssemblerRegisters;

namespace KDsl.Runtime.Tests.Cpu
{
    [TestFixture]
    public class StackFlowStringTests : GuestTest
    {
        [Test]
        public void PushPop_MovesRspAndData()
        {
            RunOk(a =>
            {
                a.mov(rax, 0x1111); a.push(rax);
                a.push(-2);                      // push imm8 sign-extended to 64
                a.mov(rbx, rsp);
                a.pop(rcx); a.pop(rdx);
            });
            Assert.That(_g.Reg(Reg.Rbx), Is.EqualTo(GuestFixture.StackTop - 16));
            Assert.That(_g.Reg(Reg.Rcx), Is.EqualTo(unchecked((ulong)-2L)));
            Assert.That(_g.Reg(Reg.Rdx), Is.EqualTo(0x1111UL));
            Assert.That(_g.Cpu.Rsp, Is.EqualTo(GuestFixture.StackTop));
            Assert.That(_g.ReadU64(GuestFixture.StackTop - 8), Is.EqualTo(0x1111UL));
        }

        [Test]
        public void PushRsp_PushesOldValue_PopRsp_LoadsValue()
        {
            RunOk(a => { a.push(rsp); a.mov(rax, __qword_ptr[rsp]); a.pop(rsp); });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(GuestFixture.StackTop));
            Assert.That(_g.Cpu.Rsp, Is.EqualTo(GuestFixture.StackTop));
        }

        [Test]
        public void PushMem_PopMem()
        {
            RunOk(a =>
            {
                a.mov(rbx, unchecked((long)GuestFixture.DataVa));
                a.mov(__qword_ptr[rbx], 0x77);
                a.push(__qword_ptr[rbx]);
                a.pop(__qword_ptr[rbx + 8]);
                a.mov(rax, __qword_ptr[rbx + 8]);
            });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(0x77UL));
        }

        [Test]
        public void CallRet_ReturnAddressOnStack_AndRetImm()
        {
            RunOk(a =>
            {
                var f = a.CreateLabel();
                var g = a.CreateLabel();
                var done = a.CreateLabel();
                a.mov(ebx, 0);
                a.call(f);
                a.push(1); a.push(2);
                a.call(g);                     // ret 16 pops the two pushes
                a.jmp(done);
                a.Label(ref f);
                a.mov(rcx, __qword_ptr[rsp]);  // return address
                a.mov(ebx, 5);
                a.ret();
                a.Label(ref g);
                a.mov(rdx, __qword_ptr[rsp + 8]); // the value pushed last (2)
                a.ret(16);
                a.Label(ref done);
            });
            Assert.That(_g.Reg(Reg.Rbx), Is.EqualTo(5UL));
            Assert.That(_g.Reg(Reg.Rcx), Is.EqualTo(GuestFixture.CodeVa + 5 + 5), "after mov ebx,0 (5) and call rel32 (5)");
            Assert.That(_g.Reg(Reg.Rdx), Is.EqualTo(2UL));
            Assert.That(_g.Cpu.Rsp, Is.EqualTo(GuestFixture.StackTop));
        }

        [Test]
        public void IndirectCallAndJump_ThroughRegisterAndMemory()
        {
            RunOk(a =>
            {
                var f = a.CreateLabel();
                var after = a.CreateLabel();
                a.lea(rax, __[f]);
                a.mov(rbx, unchecked((long)GuestFixture.DataVa));
                a.mov(__qword_ptr[rbx], rax);
                a.xor(ecx, ecx);
                a.call(rax);
                a.call(__qword_ptr[rbx]);
                a.lea(rdx, __[after]);
                a.jmp(rdx);
                a.mov(ecx, 1000);               // skipped
                a.Label(ref f);
                a.add(ecx, 1);
                a.ret();
                a.Label(ref after);
            });
            Assert.That(_g.Reg(Reg.Rcx), Is.EqualTo(2UL));
        }

        [Test]
        public void RecursiveFibonacci_WithFramePointers()
        {
            RunOk(a =>
            {
                var fib = a.CreateLabel();
                var small = a.CreateLabel();
                var done = a.CreateLabel();
                a.mov(edi, 15);
                a.call(fib);
                a.jmp(done);
                a.Label(ref fib);
                a.push(rbp); a.mov(rbp, rsp); a.push(rbx); a.sub(rsp, 8);
                a.cmp(rdi, 2); a.jb(small);
                a.mov(__qword_ptr[rbp - 16], rdi);
                a.dec(rdi); a.call(fib); a.mov(rbx, rax);
                a.mov(rdi, __qword_ptr[rbp - 16]); a.sub(rdi, 2); a.call(fib);
                a.add(rax, rbx);
                a.add(rsp, 8); a.pop(rbx); a.leave(); a.ret();
                a.Label(ref small);
                a.mov(rax, rdi);
                a.add(rsp, 8); a.pop(rbx); a.leave(); a.ret();
                a.Label(ref done);
            });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(610UL));
            Assert.That(_g.Cpu.Rsp, Is.EqualTo(GuestFixture.StackTop));
        }

        [Test]
        public void PushfqPopfq_RoundTripsFlags()
        {
            RunOk(a =>
            {
                a.stc(); a.std();
                a.pushfq();
                a.pop(rax);
                a.push(0x2 | 0x40);   // ZF only
                a.popfq();
                a.setz(bl); a.setc(cl);
                a.cld();
            });
            Assert.That(_g.Reg(Reg.Rax) & (CpuFlags.CF | CpuFlags.DF | 2), Is.EqualTo(CpuFlags.CF | CpuFlags.DF | 2));
            Assert.That(_g.Reg(Reg.Rbx) & 0xFF, Is.EqualTo(1UL));
            Assert.That(_g.Reg(Reg.Rcx) & 0xFF, Is.EqualTo(0UL));
        }

        [Test]
        public void Loop_WithJccCountsDown()
        {
            RunOk(a =>
            {
                var top = a.CreateLabel();
                a.mov(ecx, 100); a.xor(eax, eax);
                a.Label(ref top);
                a.add(eax, ecx);
                a.dec(ecx);
                a.jnz(top);
            });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(5050UL));
        }

        [Test]
        public void RepStosb_FillsAndAdvances()
        {
            RunOk(a =>
            {
                a.mov(rdi, unchecked((long)GuestFixture.DataVa) + 0x10);
                a.mov(al, 0xAB); a.mov(ecx, 0x1000); // crosses into the next page
                a.rep.stosb();
            });
            Assert.That(_g.Reg(Reg.Rcx), Is.EqualTo(0UL));
            Assert.That(_g.Reg(Reg.Rdi), Is.EqualTo(GuestFixture.DataVa + 0x1010));
            Assert.That(_g.Mem.ReadU8(_g.DataPa + 0x0F), Is.EqualTo(0));
            Assert.That(_g.Mem.ReadU8(_g.DataPa + 0x10), Is.EqualTo(0xAB));
            Assert.That(_g.Mem.ReadU8(_g.DataPa + 0x100F), Is.EqualTo(0xAB));
            Assert.That(_g.Mem.ReadU8(_g.DataPa + 0x1010), Is.EqualTo(0));
        }

        [Test]
        public void RepStosq_Backwards_WithStd()
        {
            RunOk(a =>
            {
                a.std();
                a.mov(rdi, unchecked((long)GuestFixture.DataVa) + 0x18);
                a.mov(rax, 0x0102_0304_0506_0708L); a.mov(ecx, 3);
                a.rep.stosq();
                a.cld();
            });
            Assert.That(_g.Reg(Reg.Rdi), Is.EqualTo(GuestFixture.DataVa - 0x18 + 0x18));
            Assert.That(_g.Mem.ReadU64(_g.DataPa + 0x18), Is.EqualTo(0x0102_0304_0506_0708UL));
            Assert.That(_g.Mem.ReadU64(_g.DataPa + 0x08), Is.EqualTo(0x0102_0304_0506_0708UL));
            Assert.That(_g.Mem.ReadU64(_g.DataPa + 0x00), Is.EqualTo(0UL));
        }

        [Test]
        public void RepMovsb_Copies_RepeScasb_Finds()
        {
            byte[] text = System.Text.Encoding.ASCII.GetBytes("hello, kernel\0");
            _g.Mem.Write(_g.DataPa, text);
            RunOk(a =>
            {
                a.mov(rsi, unchecked((long)GuestFixture.DataVa));
                a.mov(rdi, unchecked((long)GuestFixture.DataVa) + 0x100);
                a.mov(ecx, text.Length);
                a.rep.movsb();
                // strlen by repne scasb
                a.mov(rdi, unchecked((long)GuestFixture.DataVa) + 0x100);
                a.xor(eax, eax); a.mov(rcx, -1L);
                a.repne.scasb();
                a.not(rcx); a.dec(rcx);
            });
            byte[] copy = new byte[text.Length];
            _g.Mem.Read(_g.DataPa + 0x100, copy);
            Assert.That(copy, Is.EqualTo(text));
            Assert.That(_g.Reg(Reg.Rcx), Is.EqualTo((ulong)(text.Length - 1)));
        }

        [Test]
        public void RepStos_FaultMidway_LeavesRemainingCountAndRip()
        {
            // Fill runs off the end of the 4-page data mapping.
            StopReason r = _g.Run(a =>
            {
                a.mov(rdi, unchecked((long)GuestFixture.DataVa) + GuestFixture.DataPages * 0x1000 - 16);
                a.mov(ecx, 32); a.xor(eax, eax);
                a.rep.stosb();
                a.hlt();
            });
            Assert.That(r, Is.EqualTo(StopReason.Exception));
            Assert.That(_g.Cpu.LastException.Vector, Is.EqualTo(14));
            Assert.That(_g.Cpu.LastException.Cr2, Is.EqualTo(GuestFixture.DataVa + GuestFixture.DataPages * 0x1000));
            Assert.That(_g.Reg(Reg.Rcx), Is.EqualTo(16UL));
        }

        [Test]
        public void GsRelativeAddressing_UsesGsBase()
        {
            _g.Cpu.GsBase = GuestFixture.DataVa + 0x200;
            _g.Mem.WriteU64(_g.DataPa + 0x228, 0xC0FFEE);
            RunOk(a =>
            {
                a.mov(rax, __qword_ptr.gs[0x28]);
                a.mov(__dword_ptr.gs[0x30], 0x1234);
                a.lea(rbx, __[rax + 1]);
            });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(0xC0FFEEUL));
            Assert.That(_g.Mem.ReadU32(_g.DataPa + 0x230), Is.EqualTo(0x1234u));
        }

        [Test]
        public void Swapgs_ExchangesBases()
        {
            _g.Cpu.GsBase = 1;
            _g.Cpu.KernelGsBase = GuestFixture.DataVa;
            _g.Mem.WriteU64(_g.DataPa + 8, 99);
            RunOk(a => { a.swapgs(); a.mov(rax, __qword_ptr.gs[8]); });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(99UL));
            Assert.That(_g.Cpu.KernelGsBase, Is.EqualTo(1UL));
        }

        [Test]
        public void RipRelativeAddressing()
        {
            RunOk(a =>
            {
                var data = a.CreateLabel();
                var skip = a.CreateLabel();
                a.mov(rax, __qword_ptr[data]);
                a.inc(__qword_ptr[data]);
                a.mov(rbx, __qword_ptr[data]);
                a.jmp(skip);
                a.Label(ref data);
                a.dq(0x1122334455667788UL);
                a.Label(ref skip);
            });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(0x1122334455667788UL));
            Assert.That(_g.Reg(Reg.Rbx), Is.EqualTo(0x1122334455667789UL));
        }

        [Test]
        public void Nops_AllForms()
        {
            _g.LoadBytes(new byte[]
            {
                0x90,                                     // nop
                0x66, 0x66, 0x66, 0x66, 0x90,             // 66 66 66 66 90
                0x0F, 0x1F, 0x00,                         // nop dword [rax]
                0x0F, 0x1F, 0x44, 0x00, 0x00,             // nop dword [rax+rax+0]
                0x66, 0x0F, 0x1F, 0x84, 0x00, 0, 0, 0, 0, // nop word [rax+rax+0]
                0xF3, 0x0F, 0x1E, 0xFA,                   // endbr64
                0xF3, 0x90,                               // pause
                0x0F, 0xAE, 0xE8,                         // lfence
                0xF4,
            });
            Assert.That(_g.Cpu.Run(100), Is.EqualTo(StopReason.Halt), () => _g.Cpu.LastException.ToString());
            Assert.That(_g.Cpu.InstructionCount, Is.EqualTo(9));
        }

        [Test]
        public void SelfModifyingCode_RunsTheNewBytes()
        {
            RunOk(a =>
            {
                var patch = a.CreateLabel();
                a.mov(ecx, 2); a.xor(ebx, ebx);
                a.Label(ref patch);
                a.mov(eax, 1);                       // B8 imm32: the imm32 is patched below
                a.add(ebx, eax);
                a.lea(rdi, __[patch]);
                a.mov(__byte_ptr[rdi + 1], 5);
                a.dec(ecx);
                a.jnz(patch);
            });
            Assert.That(_g.Reg(Reg.Rbx), Is.EqualTo(1UL + 5UL));
            Assert.That(_g.Cpu.CodeInvalidations, Is.GreaterThan(0));
        }

        [Test]
        public void StoreToTheNextInstruction_IsSeenByIt()
        {
            // The patched mov was decoded with the store, in the same straight-line run; x86 detects the
            // modification (SDM vol. 3, 11.6), so it runs as mov eax, 7.
            RunOk(a =>
            {
                var next = a.CreateLabel();
                a.lea(rdi, __[next]);
                a.mov(__byte_ptr[rdi + 1], 7);
                a.Label(ref next);
                a.mov(eax, 1);
            });
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(7UL));
        }

        [Test]
        public void CodeRewrittenByTheKernel_IsRedecoded()
        {
            _g.Load(a => { a.mov(eax, 1); a.hlt(); });
            Assert.That(_g.Cpu.Run(10), Is.EqualTo(StopReason.Halt));
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(1UL));
            _g.Load(a => { a.mov(eax, 2); a.hlt(); });
            Assert.That(_g.Cpu.Run(10), Is.EqualTo(StopReason.Halt));
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(2UL));
        }

        [Test]
        public void InstructionStraddlingPages_Executes()
        {
            // Place a 10-byte mov rax, imm64 so it starts 3 bytes before the end of the first code page.
            byte[] code = new byte[0x1000 + 16];
            for (int i = 0; i < 0x1000 - 3; i++) code[i] = 0x90;
            byte[] mov = GuestFixture.Assemble(a => { a.mov(rax, 0x1122_3344_5566_7788L); a.hlt(); }, 0);
            Array.Copy(mov, 0, code, 0x1000 - 3, mov.Length);
            _g.LoadBytes(code);
            Assert.That(_g.Cpu.Run(10_000), Is.EqualTo(StopReason.Halt));
            Assert.That(_g.Reg(Reg.Rax), Is.EqualTo(0x1122_3344_5566_7788UL));
        }
    }
}
